import * as vscode from 'vscode';
import { incompleteNote } from '../../core/report/verdict.js';
import type { ReviewResult } from '../../core/types.js';
import { Disposable } from '../lifecycle.js';
import { countsText, type FindingCounts } from './diagnostics.js';

/** What the status bar says of the review on show: the score and counts of what is left. */
export interface WorkingNow {
  riskScore: number;
  counts: FindingCounts;
}

/**
 * The one status bar item: score and decision, a spinner while reviewing (also a review on save
 * with the model); click opens the panel. Score and counts are the working ones: fixed and
 * dismissed findings have left them.
 */
export class StatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private last: { result: ReviewResult; stale: boolean } | undefined;
  private reviewingLabel: string | undefined;
  private saving: string | undefined;
  private notice: string | undefined;

  constructor(private readonly workingOf: (result: ReviewResult) => WorkingNow | undefined = () => undefined) {
    super();
    this.item = this.register(vscode.window.createStatusBarItem('pullmint.status', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'Pullmint';
    this.item.command = 'pullmint.showRiskPanel';
    this.idle();
    this.item.show();
  }

  idle(): void {
    this.last = undefined;
    this.reviewingLabel = undefined;
    this.render();
  }

  reviewing(label: string): void {
    this.reviewingLabel = label;
    this.render();
  }

  show(result: ReviewResult, stale = false): void {
    this.reviewingLabel = undefined;
    this.last = { result, stale };
    this.render();
  }

  /** A review on save is running for this file (undefined: it ended). */
  onSave(label: string | undefined): void {
    this.saving = label;
    if (label) this.notice = undefined;
    this.render();
  }

  /** A quiet word that stays until the next review on save: "model not reachable, rules only". */
  saveNotice(text: string | undefined): void {
    this.notice = text;
    this.render();
  }

  /** Findings came or went: the counts shown follow. */
  refresh(): void {
    this.render();
  }

  private render(): void {
    const item = this.item;
    item.backgroundColor = undefined;
    if (this.reviewingLabel) {
      item.text = `$(sync~spin) Pullmint: reviewing ${this.reviewingLabel}…`;
      item.tooltip = 'Pullmint is reviewing. Cancel from the notification.';
      return;
    }
    const saving = this.saving ? ` $(sync~spin) ${this.saving}` : this.notice ? ' $(circle-slash)' : '';
    const savingTip = this.saving
      ? `\n\n$(sync~spin) Reviewing ${this.saving} on save with the model…`
      : this.notice
        ? `\n\n$(circle-slash) Review on save: ${this.notice}`
        : '';
    if (!this.last) {
      item.text = `$(shield) Pullmint${saving}`;
      item.tooltip = new vscode.MarkdownString(`Pullmint: no review yet. Click to open the risk panel.${savingTip}`, true);
      return;
    }
    const { result, stale } = this.last;
    const working = this.workingOf(result);
    const score = working?.riskScore ?? result.riskScore;
    const counts = working?.counts;
    const n = counts?.total ?? result.findings.length;
    const rules = result.rulesOnly ? ' (rules only)' : '';
    const note = incompleteNote(result);
    // An incomplete review shows no bare score: "0 auto-approve"-like text would read as a pass.
    item.text = note
      ? `$(warning) ${result.rulesOnly ? 'not reviewed' : 'not fully reviewed'} · ${n}${stale ? ' $(history)' : ''}${saving}`
      : `$(shield) ${score} ${result.decision} · ${n}${stale ? ' $(history)' : ''}${saving}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**Pullmint** — risk **${score}**/100 → **${result.decision}**${rules}\n\n`);
    if (score !== result.riskScore)
      md.appendMarkdown(`Recorded review: risk ${result.riskScore}; fixed and dismissed findings left since.\n\n`);
    if (note) md.appendMarkdown(`$(warning) **${note}.** Not an approval.\n\n`);
    md.appendMarkdown(
      `${n} finding(s)${counts && n ? ` (${countsText(counts)})` : ''}; reviewed ${result.coverage.reviewedLines} of ${result.coverage.changedLines} changed lines`,
    );
    if (stale) md.appendMarkdown('\n\n$(history) The code changed since this review: re-review.');
    if (savingTip) md.appendMarkdown(savingTip);
    item.tooltip = md;
    item.backgroundColor =
      result.decision === 'manual-review'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : result.decision === 'auto-deploy' || result.decision === 'incomplete'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
  }
}
