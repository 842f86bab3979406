/** How a review's target reads in a list: short commit ids, never a raw WORKTREE or two full SHAs. */

const FULL_SHA = /\b[0-9a-f]{40}(?:[0-9a-f]{24})?\b/g;

/** Full commit ids in `text` cut to 7 characters: `463f998f…(40)..def5678…(40)` → `463f998..def5678`. */
export function shortenShas(text: string): string {
  return text.replace(FULL_SHA, (sha) => sha.slice(0, 7));
}

/** "working tree", "staged changes", "PR #7", "origin/main", "abc1234..def5678". */
export function targetLabel(target: { kind: string; label: string }): string {
  if (target.kind === 'working-tree') return 'working tree';
  if (target.kind === 'staged') return 'staged changes';
  return shortenShas(target.label);
}
