import { configValue, currentBranch, fetchFrom, hasObject, remoteUrls } from '../../git/repo.js';
import type { ChangeRequest } from '../types.js';
import type { GitHubClient } from './client.js';
import { explainGitHubError, GitHubError } from './client.js';
import { parseRemoteUrl, type RemoteRepo } from './remote.js';

export type PullRequestRef = Pick<ChangeRequest, 'base' | 'number' | 'source'>;
export type PullRequestInfo = ChangeRequest;

async function remotes(repo: string): Promise<Map<string, RemoteRepo>> {
  const out = new Map<string, RemoteRepo>();
  for (const [name, url] of await remoteUrls(repo)) {
    const parsed = parseRemoteUrl(url);
    if (parsed) out.set(name, parsed);
  }
  return out;
}

/** The repository PRs are opened against: `upstream` for a fork, else `origin`, else the only remote. */
export async function baseRemote(repo: string): Promise<RemoteRepo | null> {
  const all = await remotes(repo);
  return all.get('upstream') ?? all.get('origin') ?? (all.size === 1 ? [...all.values()][0] : null);
}

/**
 * The PR of the checked-out branch, in order: `branch.<name>.github-pr-owner-number` (written by
 * the GitHub Pull Requests extension, `owner#repo#number`), the given number, then the API.
 */
export async function resolvePullRequest(repo: string, opts: { number?: number; client?: GitHubClient }): Promise<PullRequestRef | null> {
  const branch = await currentBranch(repo);
  const base = await baseRemote(repo);
  if (branch) {
    const key = await configValue(repo, `branch.${branch}.github-pr-owner-number`);
    const m = /^([^#]+)#([^#]+)#(\d+)$/.exec(key);
    if (m && opts.number === undefined) {
      return { base: { host: base?.host ?? 'github.com', owner: m[1], repo: m[2] }, number: Number(m[3]), source: 'branch-config' };
    }
  }
  if (!base) return null;
  if (opts.number !== undefined) return { base, number: opts.number, source: 'flag' };
  if (!branch || !opts.client) return null;
  // The branch may live on a fork: its upstream remote names the head owner.
  const upstreamRemote = await configValue(repo, `branch.${branch}.remote`);
  const all = await remotes(repo);
  const headOwner = all.get(upstreamRemote)?.owner ?? base.owner;
  const mergeRef = (await configValue(repo, `branch.${branch}.merge`)).replace(/^refs\/heads\//, '');
  const headBranch = mergeRef || branch;
  try {
    const { data } = await opts.client.pulls.list({
      owner: base.owner,
      repo: base.repo,
      head: `${headOwner}:${headBranch}`,
      state: 'all',
      per_page: 20,
    });
    const open = data.find((p) => p.state === 'open') ?? data[0];
    return open ? { base, number: open.number, source: 'api' } : null;
  } catch (err) {
    throw explainGitHubError(err, `find the pull request for ${headOwner}:${headBranch}`);
  }
}

export async function fetchPullRequest(client: GitHubClient, ref: PullRequestRef): Promise<PullRequestInfo> {
  try {
    const { data } = await client.pulls.get({ owner: ref.base.owner, repo: ref.base.repo, pull_number: ref.number });
    return {
      ...ref,
      title: data.title,
      state: data.state,
      author: data.user?.login ?? '',
      headSha: data.head.sha,
      headRef: data.head.ref,
      baseSha: data.base.sha,
      baseRef: data.base.ref,
      htmlUrl: data.html_url,
    };
  } catch (err) {
    throw explainGitHubError(err, `read pull request #${ref.number}`);
  }
}

/**
 * Makes sure both ends of the PR exist locally: fetches the base when it is missing, with a clear
 * message when that cannot happen (offline).
 */
export async function ensureCommits(repo: string, pr: PullRequestInfo): Promise<void> {
  const has = (sha: string): Promise<boolean> => hasObject(repo, sha);
  for (const [sha, ref] of [
    [pr.baseSha, pr.baseRef],
    [pr.headSha, `pull/${pr.number}/head`],
  ] as const) {
    if (await has(sha)) continue;
    const names = [...(await remoteUrls(repo)).keys()];
    const remote = names.find((r) => r === 'upstream') ?? names.find((r) => r === 'origin') ?? 'origin';
    try {
      await fetchFrom(repo, remote, [ref]);
    } catch (err) {
      throw new GitHubError(
        `Commit ${sha.slice(0, 8)} (${ref}) is not in the local repository and could not be fetched from ${remote}: ${(err as Error).message.split('\n')[0]}. Fetch it when online: git fetch ${remote} ${ref}`,
      );
    }
    if (!(await has(sha))) throw new GitHubError(`Commit ${sha.slice(0, 8)} is still missing after fetching ${ref}.`);
  }
}
