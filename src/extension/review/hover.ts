import * as vscode from 'vscode';
import type { DiagnosticsPresenter, FindingEntry } from './diagnostics.js';
import { APPLY_FIX_COMMAND, COPY_COMMAND, DISMISS_COMMAND } from './findingActions.js';
import { safeMarkdown } from './markdown.js';

const SEVERITY_ICON: Record<string, string> = {
  critical: '$(error)',
  high: '$(error)',
  medium: '$(warning)',
  low: '$(info)',
  info: '$(info)',
};

/**
 * The hover on a finding's lines: the model's markdown rendered, untrusted (no HTML, no command
 * links of its own), with severity, category, rule and suggestion; then Pullmint's own links to
 * apply the fix, dismiss or copy, in a separate string trusted for those three commands only.
 */
export class FindingHovers implements vscode.HoverProvider {
  constructor(private readonly presenter: DiagnosticsPresenter) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const here = this.presenter
      .working()
      .filter(
        (e) =>
          this.presenter.uriOf(e.repo, e.finding.file).toString() === document.uri.toString() &&
          position.line >= e.finding.line - 1 &&
          position.line <= (e.finding.endLine ?? e.finding.line) - 1,
      );
    if (here.length === 0) return undefined;
    return new vscode.Hover(here.flatMap((e) => findingHover(e, document.languageId)));
  }
}

export function findingHover(entry: FindingEntry, languageId = ''): vscode.MarkdownString[] {
  const f = entry.finding;
  const body = new vscode.MarkdownString(undefined, true);
  body.isTrusted = false;
  body.supportHtml = false;
  body.appendMarkdown(`${SEVERITY_ICON[f.severity] ?? ''} **Pullmint · ${f.severity}** · ${f.category}`);
  if (f.rule) body.appendMarkdown(' · ').appendText(f.rule);
  body.appendMarkdown('\n\n**').appendMarkdown(safeMarkdown(f.title).replace(/\n+/g, ' ')).appendMarkdown('**\n\n');
  if (f.message && f.message !== f.title) body.appendMarkdown(`${safeMarkdown(f.message)}\n\n`);
  if (f.suggestion !== undefined) {
    body.appendMarkdown('**Suggestion:**\n');
    body.appendCodeblock(f.suggestion, languageId);
  }
  const args = (cmd: string): string => `command:${cmd}?${encodeURIComponent(JSON.stringify([entry.repo, f.id]))}`;
  const actions = new vscode.MarkdownString(undefined, true);
  actions.isTrusted = { enabledCommands: [APPLY_FIX_COMMAND, DISMISS_COMMAND, COPY_COMMAND] };
  const links = [
    ...(f.suggestion !== undefined ? [`[$(lightbulb) Apply fix](${args(APPLY_FIX_COMMAND)} "Preview and apply the suggestion")`] : []),
    `[$(close) Dismiss](${args(DISMISS_COMMAND)} "Hide this finding in this repository")`,
    `[$(copy) Copy](${args(COPY_COMMAND)} "Copy the finding as text")`,
  ];
  actions.appendMarkdown(links.join(' · '));
  return [body, actions];
}
