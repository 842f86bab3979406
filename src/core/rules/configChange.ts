import type { FileDiff } from '../diff/model.js';
import { fingerprint } from '../findings.js';
import type { Finding } from '../types.js';

export const REVIEW_CONFIG_FILE = '.pullmint.json';
export const REVIEW_CONFIG_RULE = 'review-config-changed';

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
