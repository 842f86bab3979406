import * as vscode from 'vscode';
import type { DiagnosticsPresenter, FindingEntry } from './diagnostics.js';
import type { Dismissals } from './dismissals.js';
import { plainText } from './markdown.js';

export const APPLY_FIX_COMMAND = 'pullmint.applyFix';
export const DISMISS_COMMAND = 'pullmint.dismissFinding';
export const COPY_COMMAND = 'pullmint.copyFinding';
export const OPEN_COMMAND = 'pullmint.openFinding';

/**
 * The finding a command is about. Commands are called from a quick fix or a hover link (repo, id),
 * from the Findings view (its node) or with the entry itself.
 */
export function entryOf(presenter: DiagnosticsPresenter, args: unknown[]): FindingEntry | undefined {
  const [a, b] = args;
  if (typeof a === 'string' && typeof b === 'string') return presenter.find(a, b);
  if (a && typeof a === 'object') {
    const o = a as { entry?: FindingEntry; repo?: string; finding?: { id?: string } };
    const e = o.entry ?? (o.finding && typeof o.repo === 'string' ? (o as FindingEntry) : undefined);
    if (e) return presenter.find(e.repo, e.finding.id) ?? e;
  }
  return undefined;
}

/** The suggestion replacing the finding's whole lines, keeping the file's line ending. */
export function suggestionRange(document: vscode.TextDocument, entry: FindingEntry): vscode.Range {
  const f = entry.finding;
  const start = Math.max(0, Math.min(f.line - 1, document.lineCount - 1));
  const end = Math.max(start, Math.min((f.endLine ?? f.line) - 1, document.lineCount - 1));
  return new vscode.Range(start, 0, end, document.lineAt(end).text.length);
}

export function suggestionText(document: vscode.TextDocument, entry: FindingEntry): string {
  const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  return (entry.finding.suggestion ?? '').replace(/\r?\n/g, eol);
}

/** Fixes, dismissals and copies of findings, each with a way back. */
export class FindingActions {
  constructor(
    private readonly presenter: DiagnosticsPresenter,
    private readonly dismissals: Dismissals,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async open(entry: FindingEntry): Promise<void> {
    const f = entry.finding;
    const pos = new vscode.Position(Math.max(0, f.line - 1), 0);
    await vscode.window.showTextDocument(this.presenter.uriOf(entry.repo, f.file), {
      selection: new vscode.Range(pos, pos),
      preview: false,
    });
  }

  /**
   * Applies the suggestion through the refactor preview (the edit needs confirmation), then offers
   * Undo. A fixed finding leaves the working counts; the recorded review is unchanged.
   */
  async applyFix(entry: FindingEntry): Promise<boolean> {
    const f = entry.finding;
    if (f.suggestion === undefined) {
      void vscode.window.showInformationMessage(`Pullmint: "${plainText(f.title)}" comes with no suggested fix.`);
      return false;
    }
    const uri = this.presenter.uriOf(entry.repo, f.file);
    const document = await vscode.workspace.openTextDocument(uri);
    const range = suggestionRange(document, entry);
    const before = document.getText(range);
    const after = suggestionText(document, entry);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, range, after, {
      label: `Pullmint: ${plainText(f.title)}`,
      description: `${f.file}:${f.line}`,
      needsConfirmation: true,
    });
    const applied = await vscode.workspace.applyEdit(edit);
    if (!applied || document.getText(range) === before) {
      // Discarded, or applied with the change left unticked in the Refactor Preview.
      void vscode.window.setStatusBarMessage('$(circle-slash) Pullmint: the fix was not applied', 4000);
      return false;
    }
    // The applied text may differ from the suggestion if the preview was edited; the replaced range
    // starts where it did and spans as many lines as the suggestion.
    const lines = after.split(/\r?\n/);
    const newRange = new vscode.Range(
      range.start,
      new vscode.Position(
        range.start.line + lines.length - 1,
        (lines.length === 1 ? range.start.character : 0) + lines[lines.length - 1].length,
      ),
    );
    this.presenter.remove((e) => e.repo === entry.repo && e.finding.id === f.id);
    this.log.info(`applied the suggested fix for ${f.id} at ${f.file}:${f.line}`);
    void vscode.window.showInformationMessage(`Pullmint: applied the fix for "${plainText(f.title)}".`, 'Undo').then(async (pick) => {
      if (pick !== 'Undo') return;
      const back = new vscode.WorkspaceEdit();
      back.replace(uri, newRange, before);
      if (await vscode.workspace.applyEdit(back)) {
        this.presenter.add(entry.repo, [f]);
        this.log.info(`undid the fix for ${f.id}`);
      }
    });
    return true;
  }

  /** Dismisses (remembered per repository); the notification offers Undo. */
  async dismiss(entry: FindingEntry): Promise<void> {
    const f = entry.finding;
    await this.dismissals.dismiss(entry.repo, f.id);
    this.presenter.remove((e) => e.repo === entry.repo && e.finding.id === f.id);
    this.log.info(`dismissed finding ${f.id} in ${entry.repo}`);
    void vscode.window.showInformationMessage(`Pullmint: dismissed "${plainText(f.title)}".`, 'Undo').then(async (pick) => {
      if (pick !== 'Undo') return;
      await this.undismiss(entry);
    });
  }

  async undismiss(entry: FindingEntry): Promise<void> {
    await this.dismissals.restore(entry.repo, entry.finding.id);
    this.presenter.add(entry.repo, [entry.finding]);
    this.log.info(`restored dismissed finding ${entry.finding.id}`);
  }

  async copy(entry: FindingEntry): Promise<void> {
    await vscode.env.clipboard.writeText(findingAsText(entry));
    void vscode.window.setStatusBarMessage('$(copy) Pullmint: finding copied', 3000);
  }
}

/** The finding as plain text, for a chat, a ticket or a commit message. */
export function findingAsText(entry: FindingEntry): string {
  const f = entry.finding;
  const where = `${f.file}:${f.line}${f.endLine && f.endLine !== f.line ? `-${f.endLine}` : ''}`;
  return [
    `[${f.severity}] ${where} ${plainText(f.title)} (${f.rule ?? f.category})`,
    plainText(f.message ?? ''),
    ...(f.suggestion ? ['Suggestion:', f.suggestion] : []),
  ]
    .filter(Boolean)
    .join('\n');
}
