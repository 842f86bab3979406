import { isComplete } from '../core/report/verdict.js';
import { withExclusive } from '../core/exclusive.js';
import { collectDiff } from '../core/git/diff.js';
import type { ChangeRequest, ChangeRequestTarget, CodeHost, PostOptions, PostOutcome } from '../core/hosts/types.js';
import type { ReviewResult } from '../core/types.js';
import type { ReviewSession } from './session.js';

/**
 * The newest review of exactly this diff, if the model finished it: an incomplete one (the model was
 * down, a limit was hit) is reviewed again rather than posted as if nothing better could be had.
 */
export async function latestReviewOf(session: ReviewSession, t: ChangeRequestTarget): Promise<ReviewResult | undefined> {
  const result = (await session.history().latestFor(t.mergeBase, t.pr.headSha))?.result;
  return result && isComplete(result) ? result : undefined;
}

/** "PR #5" on GitHub, "MR !7" on GitLab: what reports, history and the panel call it. */
export function changeRequestLabel(pr: Pick<ChangeRequest, 'number' | 'kind'>): string {
  return pr.kind === 'merge-request' ? `MR !${pr.number}` : `PR #${pr.number}`;
}

export interface ReviewAndPostOptions {
  host: CodeHost;
  /** A change request already found (the editor caches it per branch); else found from the branch or `number`. */
  target?: ChangeRequestTarget;
  number?: number;
  post: Omit<PostOptions, 'deployThreshold'>;
  /** How to review when history has no review of this exact diff; the session's plain review by default. */
  review?: (target: ChangeRequestTarget) => Promise<ReviewResult | undefined>;
  /** Told once the change request is known, before anything runs. */
  onFound?: (target: ChangeRequestTarget) => void;
  onReviewing?: (target: ChangeRequestTarget) => void;
}

export interface ReviewAndPostOutcome {
  target: ChangeRequestTarget;
  result: ReviewResult;
  reused: boolean;
  outcome: PostOutcome;
}

/**
 * Find the change request → reuse its latest review or run one → post it. The CLI, the editor and
 * the Action all post through here. Undefined when the review was cancelled.
 */
export async function reviewAndPost(session: ReviewSession, opts: ReviewAndPostOptions): Promise<ReviewAndPostOutcome | undefined> {
  const target = opts.target ?? (await opts.host.findChangeRequest(session.root, opts.number));
  opts.onFound?.(target);
  let result = await latestReviewOf(session, target);
  const reused = Boolean(result);
  if (!result) {
    opts.onReviewing?.(target);
    result = opts.review
      ? await opts.review(target)
      : await session.review({ target: { kind: 'range', range: target.range }, label: changeRequestLabel(target.pr) });
  }
  if (!result) return undefined;
  const outcome = await postResult(session, opts.host, target, result, opts.post);
  return { target, result, reused, outcome };
}

/** How long a post waits for another post to the same change request from this machine. */
export const POST_LOCK_WAIT_MS = 60_000;

/**
 * Posts a result onto its change request, with inline comments checked against the request's diff.
 * Posts to one change request from this machine take turns, so that the second sees the first's
 * summary and comments instead of creating its own; the host reconciles what other machines do.
 */
export async function postResult(
  session: ReviewSession,
  host: CodeHost,
  target: ChangeRequestTarget,
  result: ReviewResult,
  post: Omit<PostOptions, 'deployThreshold'>,
): Promise<PostOutcome> {
  const diff = await collectDiff(session.root, { kind: 'range', range: target.range }, { contextLines: 3 });
  const { host: server, owner, repo } = target.pr.base;
  return withExclusive(
    session.stateDir,
    `post ${server}/${owner}/${repo}#${target.pr.number}`,
    () => host.post(target.pr, result, diff.files, { ...post, deployThreshold: session.config.risk.deployThreshold }),
    { waitMs: POST_LOCK_WAIT_MS },
  );
}
