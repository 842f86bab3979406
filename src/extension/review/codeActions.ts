import * as vscode from 'vscode';
import type { DiagnosticsPresenter } from './diagnostics.js';
import { APPLY_FIX_COMMAND, COPY_COMMAND, DISMISS_COMMAND } from './findingActions.js';
import { plainText } from './markdown.js';

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
      const dismiss = new vscode.CodeAction(`Dismiss finding: ${title}`, vscode.CodeActionKind.QuickFix);
      dismiss.diagnostics = [diagnostic];
      dismiss.command = { command: DISMISS_COMMAND, title: 'Dismiss finding', arguments: [entry.repo, f.id] };
      actions.push(dismiss);
      const copy = new vscode.CodeAction(`Copy finding: ${title}`, vscode.CodeActionKind.QuickFix);
      copy.diagnostics = [diagnostic];
      copy.command = { command: COPY_COMMAND, title: 'Copy finding', arguments: [entry.repo, f.id] };
      actions.push(copy);
    }
    return actions;
  }
}
