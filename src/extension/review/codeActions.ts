import * as vscode from 'vscode';
import type { DiagnosticsPresenter } from './diagnostics.js';
import { APPLY_FIX_COMMAND, COPY_COMMAND, DISMISS_COMMAND } from './findingActions.js';
import { plainText } from './markdown.js';
import { DISMISS_FOR_TEAM_COMMAND } from './teamDismiss.js';

export { findingAsText } from './findingActions.js';

/**
 * Quick fixes linked to Pullmint diagnostics: apply the suggestion (through the refactor preview,
 * with Undo), dismiss (with Undo), copy.
 */
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
      const title = plainText(f.title);
      if (f.suggestion !== undefined) {
        const fix = new vscode.CodeAction(`Apply suggested fix: ${title}`, vscode.CodeActionKind.QuickFix);
        fix.diagnostics = [diagnostic];
        fix.isPreferred = true;
        fix.command = { command: APPLY_FIX_COMMAND, title: 'Apply suggested fix', arguments: [entry.repo, f.id] };
        actions.push(fix);
      }
      const dismiss = new vscode.CodeAction(`Dismiss for me: ${title}`, vscode.CodeActionKind.QuickFix);
      dismiss.diagnostics = [diagnostic];
      dismiss.command = { command: DISMISS_COMMAND, title: 'Dismiss for me', arguments: [entry.repo, f.id] };
      actions.push(dismiss);
      const forTeam = new vscode.CodeAction(`Dismiss for the team: ${title}`, vscode.CodeActionKind.QuickFix);
      forTeam.diagnostics = [diagnostic];
      forTeam.command = { command: DISMISS_FOR_TEAM_COMMAND, title: 'Dismiss for the team', arguments: [entry.repo, f.id] };
      actions.push(forTeam);
      const copy = new vscode.CodeAction(`Copy finding: ${title}`, vscode.CodeActionKind.QuickFix);
      copy.diagnostics = [diagnostic];
      copy.command = { command: COPY_COMMAND, title: 'Copy finding', arguments: [entry.repo, f.id] };
      actions.push(copy);
    }
    return actions;
  }
}
