import type { FileDiff } from '../../diff/model.js';
import { currentBranch, headSha, isAncestor } from '../../git/repo.js';
import type { ReviewResult } from '../../types.js';
import type { ChangeRequest, ChangeRequestTarget, CodeHost, DeploymentRecorder, PostOptions, PostOutcome, RemoteRepo } from '../types.js';
import { explainGitLabError, GitLabClient, GitLabError } from './client.js';
import { ensureMergeRequestCommits, fetchMergeRequest, projectApiPath, resolveMergeRequest } from './mr.js';
import { postToMergeRequest } from './post.js';
import { gitlabApiUrl, projectPath, projectWebUrl, type GitLabLocation } from './remote.js';

export interface GitLabHostOptions {
  repo: RemoteRepo;
  token: string;
  location: GitLabLocation;
  /** GitLab CI's variables (CI_MERGE_REQUEST_IID and its project) pick the merge request of a pipeline. */
  env?: NodeJS.ProcessEnv;
  userAgent?: string;
  log?: (message: string) => void;
}

/** GitLab (gitlab.com and self-managed) behind the code-host interface. */
export class GitLabHost implements CodeHost {
  readonly name = 'GitLab';
  readonly client: GitLabClient;
  readonly deployments: DeploymentRecorder;

  constructor(private readonly opts: GitLabHostOptions) {
    this.client = new GitLabClient({
      token: opts.token,
      apiUrl: gitlabApiUrl(opts.repo.host, opts.location),
      userAgent: opts.userAgent,
      log: opts.log,
    });
    this.deployments = this.recorder();
  }

  get repo(): RemoteRepo {
    return this.opts.repo;
  }

  async findChangeRequest(repoDir: string, number?: number): Promise<ChangeRequestTarget> {
    const ref = await resolveMergeRequest(repoDir, this.repo, { number, client: this.client, env: this.opts.env });
    if (!ref) {
      const branch = (await currentBranch(repoDir)) ?? 'HEAD';
      throw new GitLabError(
        `No merge request found for branch ${branch} in ${projectPath(this.repo)}. Open one on GitLab, or name it: --mr N.`,
      );
    }
    const mr = await fetchMergeRequest(this.client, ref);
    await ensureMergeRequestCommits(repoDir, mr);
    const local = await headSha(repoDir);
    let localHeadNote: string | undefined;
    if (local && local !== mr.headSha) {
      localHeadNote = (await isAncestor(repoDir, mr.headSha, local))
        ? `Your local HEAD (${local.slice(0, 8)}) is ahead of the merge request's head (${mr.headSha.slice(0, 8)}): the review covers what is on GitLab. Push first to include your local commits.`
        : `Your local HEAD (${local.slice(0, 8)}) differs from the merge request's head (${mr.headSha.slice(0, 8)}): the review covers what is on GitLab.`;
    }
    // GitLab's own diff of the MR is base_sha..head_sha; positions are checked against exactly that.
    return { pr: mr, mergeBase: mr.baseSha, range: `${mr.baseSha}..${mr.headSha}`, localHeadNote };
  }

  post(mr: ChangeRequest, result: ReviewResult, diff: FileDiff[], options: PostOptions): Promise<PostOutcome> {
    return postToMergeRequest(this.client, mr, result, diff, { projectUrl: projectWebUrl(this.repo, this.opts.location) }, options);
  }

  /** GitLab's Deployments API: a deployment per deploy, `running`, then `success` or `failed`. */
  private recorder(): DeploymentRecorder {
    const project = projectApiPath(this.repo);
    return {
      repository: projectPath(this.repo),
      create: async ({ ref, environment }) => {
        try {
          const { data } = await this.client.call<{ id: number }>('POST', `${project}/deployments`, {
            body: { environment, sha: ref, ref, tag: false, status: 'running' },
            retry: false,
          });
          return data?.id;
        } catch (err) {
          throw explainGitLabError(err, `record a deployment to ${environment}`);
        }
      },
      status: async (id, state) => {
        // Created as running: GitLab refuses a transition to the state a deployment already has.
        if (state === 'in_progress') return;
        const status = state === 'failure' ? 'failed' : 'success';
        try {
          await this.client.call('PUT', `${project}/deployments/${id}`, { body: { status } });
        } catch (err) {
          throw explainGitLabError(err, `update deployment ${id}`);
        }
      },
    };
  }
}
