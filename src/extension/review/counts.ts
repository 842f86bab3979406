import type { Finding, Severity } from '../../core/types.js';

/** Working counts: what is shown now (dismissed and fixed findings have left). */
export interface FindingCounts {
  total: number;
  bySeverity: Record<Severity, number>;
}

export function countFindings(findings: Pick<Finding, 'severity'>[]): FindingCounts {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  return { total: findings.length, bySeverity };
}

/** "2 high · 1 medium · 1 info", most severe first; "no findings" when empty. */
export function countsText(c: FindingCounts): string {
  const parts = (Object.keys(c.bySeverity) as Severity[]).filter((s) => c.bySeverity[s] > 0).map((s) => `${c.bySeverity[s]} ${s}`);
  return parts.length ? parts.join(' · ') : 'no findings';
}
