import { severityRank } from '../core/findings.js';
import { targetBase, type TargetSpec } from '../core/git/diff.js';
import { EMPTY_TREE, hasUpstream } from '../core/git/repo.js';
import { newBranchBase, parsePushLines } from '../core/hooks.js';
import { isComplete } from '../core/report/verdict.js';
import type { Decision, Finding, ReviewResult } from '../core/types.js';
import type { ReviewSession } from './session.js';

const DECISION_RANK: Record<Decision, number> = { 'auto-approve': 0, 'auto-deploy': 1, incomplete: 2, 'manual-review': 3 };

export interface PrePushVerdict {
  results: ReviewResult[];
  /** The review with the worst decision (then the highest score); absent when nothing was reviewed. */
  worst?: ReviewResult;
  /** Every finding, most severe first. */
  findings: Finding[];
  /** A review the model did not finish (unusable, a limit, a failed chunk): the push is not approved by it. */
  incomplete?: ReviewResult;
  block?: 'manual-review' | 'strict';
}

/** Reviews exactly the commits git is about to push (its pre-push stdin) and says whether to block. */
export async function reviewPush(
  session: ReviewSession,
  opts: { remote: string; stdin: string; strict: boolean },
): Promise<PrePushVerdict> {
  const repo = session.root;
  const results: ReviewResult[] = [];
  for (const u of parsePushLines(opts.stdin)) {
    if (u.kind === 'delete') continue;
    const forkPoint = await newBranchBase(repo, opts.remote, u.to);
    const from = u.kind === 'update' ? u.from : (forkPoint ?? EMPTY_TREE);
    // Settings come from where the branch left the default branch, not from the pusher's own earlier push.
    const configAt = forkPoint ?? from;
    try {
      results.push(await session.review({ target: { kind: 'range', range: `${from}..${u.to}` }, configAt }));
    } catch (err) {
      // The remote's sha may be unknown here (someone else pushed): review against the fork point instead.
      if (u.kind !== 'update' || !forkPoint) throw err;
      results.push(await session.review({ target: { kind: 'range', range: `${forkPoint}..${u.to}` }, configAt }));
    }
  }
  return pushVerdict(results, opts.strict);
}

/**
 * The push gate over reviews of what is about to be pushed: manual-review blocks. An incomplete
 * review fails open — a push must not depend on a model being up — unless the user asked for strict.
 */
export function pushVerdict(results: ReviewResult[], strict: boolean): PrePushVerdict {
  if (results.length === 0) return { results, findings: [] };
  const worst = results.reduce((a, b) =>
    DECISION_RANK[b.decision] > DECISION_RANK[a.decision] || (b.decision === a.decision && b.riskScore > a.riskScore) ? b : a,
  );
  const findings = results.flatMap((r) => r.findings).sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  const incomplete = results.find((r) => !isComplete(r));
  const block = worst.decision === 'manual-review' ? 'manual-review' : incomplete && strict ? 'strict' : undefined;
  return { results, worst, findings, incomplete, block };
}

/**
 * What a push from the editor would send: the commits the upstream lacks, or a new branch against
 * its base; settings from the branch's fork point, as the pre-push hook takes them.
 */
export async function outgoingTarget(repo: string): Promise<{ target: TargetSpec; label: string; configAt?: string }> {
  if (!(await hasUpstream(repo))) return { target: { kind: 'base' }, label: 'commits to push (new branch)' };
  const forkPoint = (await targetBase(repo, { kind: 'base' }).catch(() => null)) ?? undefined;
  return { target: { kind: 'range', range: '@{upstream}..HEAD' }, label: 'commits to push', configAt: forkPoint };
}
