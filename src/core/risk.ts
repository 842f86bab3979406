import { REVIEW_CONFIG_RULE } from './rules/configChange.js';
import type { Decision, Finding, Severity } from './types.js';

export interface RiskConfig {
  weights: Record<Severity, number>;
  /** Below this: auto-approve. */
  approveThreshold: number;
  /** Below this (and at or above approve): auto-deploy. At or above: manual review. */
  deployThreshold: number;
  /** Adds min(changedLines/100, 20) so that a huge change is never waved through on silence. */
  diffSizeComponent: boolean;
  /** A finding of any of these severities means manual review, whatever the score. */
  blockOn: Severity[];
}

export const DEFAULT_RISK: RiskConfig = {
  weights: { critical: 30, high: 15, medium: 7, low: 3, info: 1 },
  approveThreshold: 30,
  deployThreshold: 40,
  diffSizeComponent: false,
  blockOn: ['critical'],
};

export function riskScore(findings: Pick<Finding, 'severity'>[], changedLines: number, cfg: RiskConfig = DEFAULT_RISK): number {
  let score = 0;
  for (const f of findings) score += cfg.weights[f.severity] ?? 0;
  if (cfg.diffSizeComponent) score += Math.min(changedLines / 100, 20);
  return Math.min(100, Math.round(score));
}

/**
 * A human must look (manual-review) before anything else is said; short of that, a review the
 * model did not finish is `incomplete`, never an approval, however low its score.
 */
export function decide(
  score: number,
  cfg: RiskConfig = DEFAULT_RISK,
  review: { findings?: Pick<Finding, 'severity' | 'rule'>[]; complete?: boolean } = {},
): Decision {
  const blocking = (review.findings ?? []).some((f) => cfg.blockOn.includes(f.severity) || f.rule === REVIEW_CONFIG_RULE);
  if (blocking || score >= cfg.deployThreshold) return 'manual-review';
  if (review.complete === false) return 'incomplete';
  if (score < cfg.approveThreshold) return 'auto-approve';
  return 'auto-deploy';
}

export function severityCounts(findings: Pick<Finding, 'severity'>[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
