import { REVIEW_CONFIG_RULE, TEAM_DISMISSALS_RULE } from '../rules/configChange.js';
import type { DismissedFinding, Finding } from '../types.js';
import type { Dismissal } from './team.js';

export interface ActiveDismissal extends Omit<Dismissal, 'fingerprint' | 'file' | 'title'> {
  scope: 'team' | 'local';
}

/** Findings about the review's own policy stay whatever anybody dismissed: a human judges them. */
const UNDISMISSABLE = new Set([REVIEW_CONFIG_RULE, TEAM_DISMISSALS_RULE]);

export function isDismissable(f: Pick<Finding, 'rule'>): boolean {
  return !(f.rule && UNDISMISSABLE.has(f.rule));
}

/**
 * Splits findings into those the review reports and those a person dismissed. Dismissed ones leave
 * the score and what is posted, and stay in the result with who dismissed them and why.
 */
export function applyDismissals(
  findings: Finding[],
  dismissals: ReadonlyMap<string, ActiveDismissal>,
): { kept: Finding[]; dismissed: DismissedFinding[] } {
  if (dismissals.size === 0) return { kept: findings, dismissed: [] };
  const kept: Finding[] = [];
  const dismissed: DismissedFinding[] = [];
  for (const f of findings) {
    const d = isDismissable(f) ? dismissals.get(f.id) : undefined;
    if (d) dismissed.push({ ...f, dismissal: { scope: d.scope, author: d.author, reason: d.reason, date: d.date } });
    else kept.push(f);
  }
  return { kept, dismissed };
}

/** Team entries first, so that a local entry never hides who on the team decided. */
export function activeDismissals(team: Dismissal[], local: Dismissal[]): Map<string, ActiveDismissal> {
  const map = new Map<string, ActiveDismissal>();
  for (const [scope, list] of [
    ['local', local],
    ['team', team],
  ] as const)
    for (const e of list) map.set(e.fingerprint, { author: e.author, reason: e.reason, date: e.date, scope });
  return map;
}
