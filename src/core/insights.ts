import type { ExecutionRecord } from './store/records.js';
import type { Finding } from './types.js';

/** What became of a finding after the review that first reported it. */
export type Outcome = 'fixed' | 'dismissed' | 'open';

export interface OutcomeCounts {
  total: number;
  fixed: number;
  dismissed: number;
  open: number;
}

export interface Insights {
  schemaVersion: 1;
  reviews: number;
  findings: number;
  totals: OutcomeCounts;
  byCategory: Record<string, OutcomeCounts>;
  bySeverity: Record<string, OutcomeCounts>;
  /** Rule id for rule findings, "model" for the model's. */
  byRule: Record<string, OutcomeCounts>;
  /** "provider model" for model findings, "rules" for rule findings. */
  byModel: Record<string, OutcomeCounts>;
}

export interface TrackedFinding {
  finding: Finding;
  /** The commit the first review was taken against: only a later review from the same start saw the same lines. */
  base: string;
  model: string;
  firstSeen: string;
  outcome: Outcome;
}

/**
 * Follows every finding through the history of one repository, oldest review first: dismissed when a
 * later review (or the current lists) dismissed it; fixed when a later review from the same start
 * (base commit) read its file and no longer reported it; open otherwise. Reviews that did not read
 * the file, or started elsewhere, say nothing about it.
 */
export function trackFindings(records: ExecutionRecord[], dismissedNow: ReadonlySet<string> = new Set()): TrackedFinding[] {
  const reviews = records
    .filter((r) => r.status === 'completed' && r.result)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  const tracked = new Map<string, TrackedFinding>();
  for (const r of reviews) {
    const result = r.result!;
    const reported = new Set(result.findings.map((f) => f.id));
    const dismissed = new Set((result.dismissed ?? []).map((f) => f.id));
    // Older records do not list the files they read; the files they reported on are the ones known.
    const read = new Set(result.files ?? [...result.findings, ...(result.dismissed ?? [])].map((f) => f.file));
    for (const t of tracked.values()) {
      if (dismissed.has(t.finding.id)) t.outcome = 'dismissed';
      else if (reported.has(t.finding.id)) t.outcome = 'open';
      // A review from another start (the next commit alone, say) need not show the line at all.
      else if (read.has(t.finding.file) && result.target.base === t.base && t.outcome === 'open') t.outcome = 'fixed';
    }
    for (const f of [...result.findings, ...(result.dismissed ?? [])]) {
      if (tracked.has(f.id)) continue;
      const model = f.origin === 'rule' ? 'rules' : `${result.provider} ${result.model}`.trim();
      tracked.set(f.id, {
        finding: f,
        base: result.target.base,
        model,
        firstSeen: r.createdAt,
        outcome: dismissed.has(f.id) ? 'dismissed' : 'open',
      });
    }
  }
  for (const t of tracked.values()) if (dismissedNow.has(t.finding.id)) t.outcome = 'dismissed';
  return [...tracked.values()];
}

export function insights(records: ExecutionRecord[], dismissedNow: ReadonlySet<string> = new Set()): Insights {
  const tracked = trackFindings(records, dismissedNow);
  const empty = (): OutcomeCounts => ({ total: 0, fixed: 0, dismissed: 0, open: 0 });
  const out: Insights = {
    schemaVersion: 1,
    reviews: records.filter((r) => r.status === 'completed' && r.result).length,
    findings: tracked.length,
    totals: empty(),
    byCategory: {},
    bySeverity: {},
    byRule: {},
    byModel: {},
  };
  const add = (group: Record<string, OutcomeCounts>, key: string, o: Outcome): void => {
    const c = (group[key] ??= empty());
    c.total++;
    c[o]++;
  };
  for (const t of tracked) {
    out.totals.total++;
    out.totals[t.outcome]++;
    add(out.byCategory, t.finding.category, t.outcome);
    add(out.bySeverity, t.finding.severity, t.outcome);
    add(out.byRule, t.finding.origin === 'rule' ? (t.finding.rule ?? 'rule') : 'model', t.outcome);
    add(out.byModel, t.model, t.outcome);
  }
  return out;
}
