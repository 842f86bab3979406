import * as vscode from 'vscode';
import { incompleteNote } from '../../core/report/verdict.js';
import type { ReviewResult } from '../../core/types.js';
import { Disposable } from '../lifecycle.js';

/** The one status bar item: score and decision, a spinner while reviewing; click opens the panel. */
export class StatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    super();
    this.item = this.register(vscode.window.createStatusBarItem('pullmint.status', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'Pullmint';
    this.item.command = 'pullmint.showRiskPanel';
    this.idle();
    this.item.show();
  }

  idle(): void {
    this.item.text = '$(shield) Pullmint';
    this.item.tooltip = 'Pullmint: no review yet. Click to open the risk panel.';
    this.item.backgroundColor = undefined;
  }

  reviewing(label: string): void {
    this.item.text = `$(sync~spin) Pullmint: reviewing ${label}…`;
    this.item.tooltip = 'Pullmint is reviewing. Cancel from the notification.';
    this.item.backgroundColor = undefined;
  }

  show(result: ReviewResult, stale = false): void {
    const rules = result.rulesOnly ? ' (rules only)' : '';
    const note = incompleteNote(result);
    // An incomplete review shows no bare score: "0 auto-approve"-like text would read as a pass.
    this.item.text = note
      ? `$(warning) ${result.rulesOnly ? 'not reviewed' : 'not fully reviewed'}${stale ? ' $(history)' : ''}`
      : `$(shield) ${result.riskScore} ${result.decision}${stale ? ' $(history)' : ''}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**Pullmint** — risk **${result.riskScore}**/100 → **${result.decision}**${rules}\n\n`);
    if (note) md.appendMarkdown(`$(warning) **${note}.** Not an approval.\n\n`);
    md.appendMarkdown(
      `${result.findings.length} finding(s); reviewed ${result.coverage.reviewedLines} of ${result.coverage.changedLines} changed lines`,
    );
    if (stale) md.appendMarkdown('\n\n$(history) The code changed since this review: re-review.');
    this.item.tooltip = md;
    this.item.backgroundColor =
      result.decision === 'manual-review'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : result.decision === 'auto-deploy' || result.decision === 'incomplete'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
  }
}
