import type { TargetSpec } from '../core/git/diff.js';
import { EMPTY_TREE, hasUncommittedChanges, headSha, resolveRef } from '../core/git/repo.js';

/**
 * What `pullmint review` with no target flag reviews: the working tree when it has changes; on a
 * clean tree (a fresh clone, CI), the last commit — a review of nothing would only say "no
 * findings". `note` says which, for stderr. `--working-tree` always reviews the working tree.
 */
export async function defaultTarget(dir: string): Promise<{ target: TargetSpec; note?: string }> {
  const workingTree: TargetSpec = { kind: 'working-tree' };
  if (await hasUncommittedChanges(dir)) return { target: workingTree };
  const head = await headSha(dir);
  if (!head) return { target: workingTree };
  const parent = await resolveRef(dir, 'HEAD~1');
  const range = parent ? 'HEAD~1..HEAD' : `${EMPTY_TREE}..HEAD`;
  return {
    target: { kind: 'range', range },
    note:
      `no uncommitted changes: reviewing the ${parent ? 'last' : 'first and only'} commit, ${head.slice(0, 7)}${parent ? ` (--range ${range})` : ''}. ` +
      'Pass --working-tree to review only uncommitted changes.',
  };
}
