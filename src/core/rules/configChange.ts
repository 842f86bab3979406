import type { FileDiff } from '../diff/model.js';
import { fingerprint } from '../findings.js';
import type { Finding } from '../types.js';

export const REVIEW_CONFIG_FILE = '.pullmint.json';
export const REVIEW_CONFIG_RULE = 'review-config-changed';
export const TEAM_DISMISSALS_FILE = '.pullmint/dismissed.json';
export const TEAM_DISMISSALS_RULE = 'team-dismissals-changed';

/**
 * Commits that touch the review settings were reviewed under their base's settings. The change
 * itself is a finding that always needs a human (see `decide`): the policy that judges the change
 * must not be approved by that same policy. It is not one of the switchable rules, and severity
 * overrides do not apply to it.
 */
export function reviewConfigChange(files: FileDiff[]): Finding | null {
  const file = files.find((f) => f.newPath === REVIEW_CONFIG_FILE || f.oldPath === REVIEW_CONFIG_FILE);
  if (!file) return null;
  const firstAdded = file.hunks.flatMap((h) => h.lines).find((l) => l.kind === 'add' && l.newLine !== undefined);
  const line = firstAdded?.newLine ?? 1;
  const title = 'Review configuration changed';
  return {
    id: fingerprint(file.path, title, undefined, 0),
    file: file.path,
    line,
    severity: 'high',
    category: 'security',
    title,
    message: `This change ${file.status === 'deleted' ? 'deletes' : 'edits'} ${REVIEW_CONFIG_FILE}. This review used the settings of the base commit, not the ones the change brings; whoever approves it approves the new review policy too.`,
    origin: 'rule',
    rule: REVIEW_CONFIG_RULE,
  };
}

/**
 * Commits that change the team's dismissals were reviewed under the base's list, so they cannot
 * dismiss their own findings; the change is still worth a reader's eye, since it silences findings
 * for every later review. Medium: it counts in the score but, unlike a policy change, does not
 * by itself stop a push of a dismissal somebody made on purpose.
 */
export function teamDismissalsChange(files: FileDiff[]): Finding | null {
  const file = files.find((f) => f.newPath === TEAM_DISMISSALS_FILE || f.oldPath === TEAM_DISMISSALS_FILE);
  if (!file) return null;
  const firstAdded = file.hunks.flatMap((h) => h.lines).find((l) => l.kind === 'add' && l.newLine !== undefined);
  const title = 'Team dismissals changed';
  return {
    id: fingerprint(file.path, title, undefined, 0),
    file: file.path,
    line: firstAdded?.newLine ?? 1,
    severity: 'medium',
    category: 'other',
    title,
    message: `This change ${file.status === 'deleted' ? 'deletes' : 'edits'} ${TEAM_DISMISSALS_FILE}, which silences findings in every later review. This review used the list of the base commit, so it still reports its own findings; check that each new entry names a finding the team really accepts.`,
    origin: 'rule',
    rule: TEAM_DISMISSALS_RULE,
  };
}
