import type { Decision, ReviewResult } from '../types.js';

const fmt = (n: number): string => n.toLocaleString('en-US');

type Reviewed = Pick<ReviewResult, 'rulesOnly' | 'coverage'>;

/**
 * What an incomplete review did not do, in words every surface shows the same way (CLI header,
 * panel, status bar, PR summary, hook); null when the model reviewed every reviewable line.
 */
export function incompleteNote(r: Reviewed): string | null {
  if (isComplete(r)) return null;
  const c = r.coverage;
  if (r.rulesOnly) return `Not reviewed by the model: rules only (0 of ${fmt(c.changedLines)} lines)`;
  return `Not fully reviewed: ${fmt(c.reviewedLines)} of ${fmt(c.changedLines)} lines`;
}

/** Records written before `complete` existed are judged by what they list as unreviewed. */
export function isComplete(r: Reviewed): boolean {
  const complete = (r.coverage as { complete?: boolean }).complete;
  return complete ?? (!r.rulesOnly && r.coverage.unreviewed.length === 0);
}

/** "risk 23/100 → incomplete (Not fully reviewed: 8 of 151 lines)" */
export function verdictText(r: Reviewed & Pick<ReviewResult, 'riskScore' | 'decision'>): string {
  const note = incompleteNote(r);
  return `risk ${r.riskScore}/100 → ${r.decision}${note ? ` (${note})` : ''}`;
}

/**
 * Whether a gate (push, merge, deploy) lets this through without a human. `allowIncomplete` is the
 * user's explicit choice to accept a review the model did not finish.
 */
export function passesGate(decision: Decision, opts: { allowIncomplete?: boolean } = {}): boolean {
  return decision === 'auto-approve' || decision === 'auto-deploy' || (decision === 'incomplete' && Boolean(opts.allowIncomplete));
}

/**
 * The commit status a posted review sets. Never success for a review the model did not finish
 * (records from before the incomplete decision included): pending keeps a required check from passing.
 */
export function commitStatusFor(
  r: Reviewed & Pick<ReviewResult, 'riskScore' | 'decision'>,
  deployThreshold: number,
): 'success' | 'failure' | 'pending' {
  if (r.decision === 'manual-review') return 'failure';
  if (incompleteNote(r)) return 'pending';
  return passesGate(r.decision) && r.riskScore < deployThreshold ? 'success' : 'failure';
}
