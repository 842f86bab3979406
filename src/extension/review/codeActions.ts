import * as vscode from 'vscode';
import type { DiagnosticsPresenter, FindingEntry } from './diagnostics.js';
import { DISMISS_FOR_TEAM_COMMAND } from './teamDismiss.js';

export const DISMISS_COMMAND = 'pullmint.dismissFinding';
export const COPY_COMMAND = 'pullmint.copyFinding';

/** Quick fixes linked to Pullmint diagnostics: apply the suggestion, dismiss, copy. */
export class FindingCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly presenter: DiagnosticsPresenter) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'Pullmint') continue;
      const entry = this.presenter.entryFor(document.uri, diagnostic);
      if (!entry) continue;
      const f = entry.finding;
      if (f.suggestion !== undefined) {
        const fix = new vscode.CodeAction(`Apply suggested fix: ${f.title}`, vscode.CodeActionKind.QuickFix);
        fix.diagnostics = [diagnostic];
        fix.isPreferred = true;
        fix.edit = suggestionEdit(document, entry);
        actions.push(fix);
      }
      const dismiss = new vscode.CodeAction(`Dismiss for me: ${f.title}`, vscode.CodeActionKind.QuickFix);
      dismiss.diagnostics = [diagnostic];
      dismiss.command = { command: DISMISS_COMMAND, title: 'Dismiss for me', arguments: [entry.repo, f.id] };
      actions.push(dismiss);
      const forTeam = new vscode.CodeAction(`Dismiss for the team: ${f.title}`, vscode.CodeActionKind.QuickFix);
      forTeam.diagnostics = [diagnostic];
      forTeam.command = { command: DISMISS_FOR_TEAM_COMMAND, title: 'Dismiss for the team', arguments: [entry.repo, f.id] };
      actions.push(forTeam);
      const copy = new vscode.CodeAction('Copy finding', vscode.CodeActionKind.Empty);
      copy.command = { command: COPY_COMMAND, title: 'Copy finding', arguments: [entry] };
      actions.push(copy);
    }
    return actions;
  }
}

/** Replaces the finding's whole lines with the suggestion, keeping the file's line ending. */
export function suggestionEdit(document: vscode.TextDocument, entry: FindingEntry): vscode.WorkspaceEdit {
  const f = entry.finding;
  const start = Math.min(f.line - 1, document.lineCount - 1);
  const end = Math.min((f.endLine ?? f.line) - 1, document.lineCount - 1);
  const range = new vscode.Range(start, 0, end, document.lineAt(end).text.length);
  const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, range, (f.suggestion ?? '').replace(/\r?\n/g, eol));
  return edit;
}

export function findingAsText(entry: FindingEntry): string {
  const f = entry.finding;
  return `[${f.severity}] ${f.file}:${f.line} ${f.title}\n${f.message}${f.suggestion ? `\nSuggestion:\n${f.suggestion}` : ''}`;
}
