import { simpleGit } from 'simple-git';
import { collectDiff, headSha } from '../diff/sources.js';
import type { FileDiff } from '../diff/model.js';
import { HistoryStore } from '../history.js';
import type { ReviewResult } from '../types.js';
import { GitHubError, type GitHubClient } from './client.js';
import { ensureCommits, fetchPullRequest, resolvePullRequest, type PullRequestInfo } from './pr.js';
import { tryGit } from '../git.js';

export interface PullRequestTarget {
  pr: PullRequestInfo;
  mergeBase: string;
  /** `mergeBase..headSha`: the PR's own diff. */
  range: string;
  /** Set when the local checkout is not at the PR's head (ahead, behind or elsewhere). */
  localHeadNote?: string;
}

/** Finds the PR of the checked-out branch (or `number`) and the local range that is its diff. */
export async function pullRequestTarget(repo: string, client: GitHubClient, number?: number): Promise<PullRequestTarget> {
  const ref = await resolvePullRequest(repo, { number, client });
  if (!ref) {
    const branch = (await tryGit(repo, ['symbolic-ref', '-q', '--short', 'HEAD'])) || 'HEAD';
    throw new GitHubError(`No pull request found for branch ${branch}. Open one on GitHub, or name it: --pr N.`);
  }
  const pr = await fetchPullRequest(client, ref);
  await ensureCommits(repo, pr);
  const mergeBase = (await simpleGit(repo).raw(['merge-base', pr.baseSha, pr.headSha])).trim();
  const local = await headSha(repo);
  let localHeadNote: string | undefined;
  if (local && local !== pr.headSha) {
    const ahead = await simpleGit(repo)
      .raw(['merge-base', '--is-ancestor', pr.headSha, local])
      .then(() => true)
      .catch(() => false);
    localHeadNote = ahead
      ? `Your local HEAD (${local.slice(0, 8)}) is ahead of the PR's head (${pr.headSha.slice(0, 8)}): the review covers what is on GitHub. Push first to include your local commits.`
      : `Your local HEAD (${local.slice(0, 8)}) differs from the PR's head (${pr.headSha.slice(0, 8)}): the review covers what is on GitHub.`;
  }
  return { pr, mergeBase, range: `${mergeBase}..${pr.headSha}`, localHeadNote };
}

/** The latest completed review of the PR's exact diff, from history. */
export async function latestReviewOf(stateDir: string, repo: string, t: PullRequestTarget): Promise<ReviewResult | undefined> {
  const root = (await simpleGit(repo).revparse(['--show-toplevel'])).trim();
  return (await new HistoryStore(stateDir, root).latestFor(t.mergeBase, t.pr.headSha))?.result;
}

/** The PR's diff, parsed: what GitHub will accept inline comments on. */
export async function pullRequestDiff(repo: string, t: PullRequestTarget): Promise<FileDiff[]> {
  return (await collectDiff(repo, { kind: 'range', range: t.range }, { contextLines: 3 })).files;
}
