import { configValue, currentBranch, fetchFrom, hasObject, remoteUrls } from '../../git/repo.js';
import type { ChangeRequest, RemoteRepo } from '../types.js';
import { explainGitLabError, GitLabError, type GitLabClient } from './client.js';
import { parseGitLabRemote, projectPath, type GitLabLocation } from './remote.js';

/** The merge request fields Pullmint reads (GitLab's Merge requests API). */
export interface GitLabMergeRequest {
  iid: number;
  title: string;
  state: string;
  author?: { username?: string } | null;
  sha: string;
  source_branch: string;
  target_branch: string;
  web_url: string;
  diff_refs?: { base_sha: string | null; head_sha: string | null; start_sha: string | null } | null;
}

export const projectApiPath = (r: RemoteRepo): string => `/projects/${encodeURIComponent(projectPath(r))}`;

/** GitLab remotes by name. */
async function remotes(repo: string, loc: GitLabLocation): Promise<Map<string, RemoteRepo>> {
  const out = new Map<string, RemoteRepo>();
  for (const [name, url] of await remoteUrls(repo)) {
    const parsed = parseGitLabRemote(url, loc);
    if (parsed) out.set(name, parsed);
  }
  return out;
}

/** The project merge requests target: `upstream` for a fork, else `origin`, else the only GitLab remote. */
export async function gitlabRemote(repo: string, loc: GitLabLocation): Promise<RemoteRepo | null> {
  const all = await remotes(repo, loc);
  return all.get('upstream') ?? all.get('origin') ?? (all.size === 1 ? [...all.values()][0] : null);
}

export interface MergeRequestRef {
  base: RemoteRepo;
  number: number;
  source: ChangeRequest['source'];
}

/**
 * The merge request, in order: the number given (`--mr N`); the merge-request pipeline's
 * CI_MERGE_REQUEST_IID for this project; then the API, by the branch's name on the remote (open
 * ones first).
 */
export async function resolveMergeRequest(
  repo: string,
  base: RemoteRepo,
  opts: { number?: number; client: GitLabClient; env?: NodeJS.ProcessEnv },
): Promise<MergeRequestRef | null> {
  if (opts.number !== undefined) return { base, number: opts.number, source: 'flag' };
  const env = opts.env ?? {};
  const iid = Number(env.CI_MERGE_REQUEST_IID);
  const ciProject = env.CI_MERGE_REQUEST_PROJECT_PATH ?? env.CI_PROJECT_PATH;
  if (Number.isInteger(iid) && iid > 0 && (!ciProject || ciProject.toLowerCase() === projectPath(base).toLowerCase())) {
    return { base, number: iid, source: 'event' };
  }
  const branch = (await currentBranch(repo)) ?? env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME ?? env.CI_COMMIT_REF_NAME;
  if (!branch) return null;
  const mergeRef = (await configValue(repo, `branch.${branch}.merge`)).replace(/^refs\/heads\//, '');
  const source = mergeRef || branch;
  try {
    for (const state of ['opened', 'all']) {
      const list = await opts.client.get<GitLabMergeRequest[]>(`${projectApiPath(base)}/merge_requests`, {
        source_branch: source,
        state,
        order_by: 'updated_at',
        per_page: 20,
      });
      if (list?.length) return { base, number: list[0].iid, source: 'api' };
    }
    return null;
  } catch (err) {
    throw explainGitLabError(err, `find the merge request for branch ${source} in ${projectPath(base)}`);
  }
}

export async function fetchMergeRequest(client: GitLabClient, ref: MergeRequestRef): Promise<ChangeRequest> {
  let mr: GitLabMergeRequest;
  try {
    mr = await client.get<GitLabMergeRequest>(`${projectApiPath(ref.base)}/merge_requests/${ref.number}`);
  } catch (err) {
    throw explainGitLabError(err, `read merge request !${ref.number} of ${projectPath(ref.base)}`);
  }
  const refs = mr.diff_refs;
  if (!refs?.base_sha || !refs.head_sha || !refs.start_sha) {
    // GitLab fills diff_refs once it has computed the MR's diff; a brand-new MR may not have them yet.
    throw new GitLabError(
      `Merge request !${mr.iid} has no diff yet (GitLab returned no diff_refs): wait until GitLab has prepared its changes, then run again.`,
    );
  }
  return {
    ...ref,
    kind: 'merge-request',
    title: mr.title,
    state: mr.state,
    author: mr.author?.username ?? '',
    headSha: refs.head_sha,
    headRef: mr.source_branch,
    // The merge base GitLab diffs from: the MR's changes are base_sha..head_sha.
    baseSha: refs.base_sha,
    baseRef: mr.target_branch,
    startSha: refs.start_sha,
    htmlUrl: mr.web_url,
  };
}

/** Both ends of the MR locally: fetched from the remote when missing (merge-requests/N/head for forks). */
export async function ensureMergeRequestCommits(repo: string, mr: ChangeRequest): Promise<void> {
  for (const [sha, ref] of [
    [mr.baseSha, mr.baseRef],
    [mr.headSha, `refs/merge-requests/${mr.number}/head`],
  ] as const) {
    if (await hasObject(repo, sha)) continue;
    const names = [...(await remoteUrls(repo)).keys()];
    const remote = names.find((r) => r === 'upstream') ?? names.find((r) => r === 'origin') ?? names[0] ?? 'origin';
    try {
      await fetchFrom(repo, remote, [ref]);
    } catch (err) {
      throw new GitLabError(
        `Commit ${sha.slice(0, 8)} (${ref}) is not in the local repository and could not be fetched from ${remote}: ${(err as Error).message.split('\n')[0]}. In GitLab CI set GIT_DEPTH: 0 (or fetch it: git fetch ${remote} ${ref}).`,
      );
    }
    if (!(await hasObject(repo, sha))) throw new GitLabError(`Commit ${sha.slice(0, 8)} is still missing after fetching ${ref}.`);
  }
}
