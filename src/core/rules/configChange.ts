import type { FileDiff } from '../diff/model.js';
import { fingerprint } from '../findings.js';
import type { Finding } from '../types.js';

export const REVIEW_CONFIG_FILE = '.pullmint.json';

/**
 * Commits that touch the review settings were reviewed under their base's settings. The change
 * itself is a finding, so that a human sees a change to the policy that judges it; it is not one of
 * the switchable rules, since a repository must not be able to turn it off.
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
    rule: 'review-config-changed',
  };
}
