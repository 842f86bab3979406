import { gzipSync } from 'node:zlib';
import type { FileDiff } from '../../diff/model.js';
import { currentBranch, headSha, isAncestor, mergeBase } from '../../git/repo.js';
import type { ReviewResult } from '../../types.js';
import type {
  ChangeRequest,
  ChangeRequestTarget,
  CiAccess,
  CodeHost,
  DeploymentRecorder,
  PostOptions,
  PostOutcome,
  RemoteRepo,
} from '../types.js';
import { gitHubActions } from './actions.js';
import { createGitHubClient, GitHubError, type GitHubClient } from './client.js';
import { postReview } from './post.js';
import { ensureCommits, fetchPullRequest, resolvePullRequest } from './pr.js';
import { apiBaseUrl } from './remote.js';

export interface GitHubHostOptions {
  repo: RemoteRepo;
  token: string;
  /** The Enterprise API URL (pullmint.github.enterpriseUrl / GITHUB_API_URL); derived from the host when empty. */
  apiUrl?: string;
  userAgent?: string;
  log?: (message: string) => void;
}

/** GitHub (and GitHub Enterprise) behind the code-host interface; Octokit loads on first use. */
export class GitHubHost implements CodeHost {
  readonly name = 'GitHub';
  private client: Promise<GitHubClient> | undefined;

  readonly deployments: DeploymentRecorder;
  readonly ci: CiAccess;

  constructor(private readonly opts: GitHubHostOptions) {
    this.deployments = this.recorder();
    this.ci = gitHubActions(() => this.octokit(), opts.repo);
  }

  get repo(): RemoteRepo {
    return this.opts.repo;
  }

  /** The Octokit client, for what the interface does not cover. */
  octokit(): Promise<GitHubClient> {
    this.client ??= createGitHubClient({
      token: this.opts.token,
      baseUrl: apiBaseUrl(this.opts.repo.host, this.opts.apiUrl),
      userAgent: this.opts.userAgent,
      log: this.opts.log,
    });
    return this.client;
  }

  async findChangeRequest(repoDir: string, number?: number): Promise<ChangeRequestTarget> {
    const client = await this.octokit();
    const ref = await resolvePullRequest(repoDir, { number, client });
    if (!ref) {
      const branch = (await currentBranch(repoDir)) ?? 'HEAD';
      throw new GitHubError(`No pull request found for branch ${branch}. Open one on GitHub, or name it: --pr N.`);
    }
    const pr = await fetchPullRequest(client, ref);
    await ensureCommits(repoDir, pr);
    const base = await mergeBase(repoDir, pr.baseSha, pr.headSha);
    const local = await headSha(repoDir);
    let localHeadNote: string | undefined;
    if (local && local !== pr.headSha) {
      localHeadNote = (await isAncestor(repoDir, pr.headSha, local))
        ? `Your local HEAD (${local.slice(0, 8)}) is ahead of the PR's head (${pr.headSha.slice(0, 8)}): the review covers what is on GitHub. Push first to include your local commits.`
        : `Your local HEAD (${local.slice(0, 8)}) differs from the PR's head (${pr.headSha.slice(0, 8)}): the review covers what is on GitHub.`;
    }
    return { pr, mergeBase: base, range: `${base}..${pr.headSha}`, localHeadNote };
  }

  async post(pr: ChangeRequest, result: ReviewResult, diff: FileDiff[], options: PostOptions): Promise<PostOutcome> {
    return postReview(await this.octokit(), pr, result, diff, options);
  }

  private recorder(): DeploymentRecorder {
    return {
      repository: `${this.repo.owner}/${this.repo.repo}`,
      create: async ({ ref, environment, description, payload }) => {
        const client = await this.octokit();
        const { owner, repo } = this.repo;
        const { data } = await client.repos.createDeployment({
          owner,
          repo,
          ref,
          environment,
          auto_merge: false,
          required_contexts: [],
          description: description.slice(0, 140),
          payload,
        });
        return 'id' in data ? data.id : undefined;
      },
      status: async (id, state, description) => {
        const client = await this.octokit();
        const { owner, repo } = this.repo;
        await client.repos.createDeploymentStatus({
          owner,
          repo,
          deployment_id: id,
          state,
          ...(description !== undefined ? { description: description.slice(0, 140) } : {}),
        });
      },
    };
  }

  async uploadSarif(pr: ChangeRequest, sarif: string): Promise<void> {
    const client = await this.octokit();
    await client.codeScanning.uploadSarif({
      owner: pr.base.owner,
      repo: pr.base.repo,
      commit_sha: pr.headSha,
      ref: `refs/pull/${pr.number}/head`,
      sarif: gzipSync(sarif).toString('base64'),
      tool_name: 'Pullmint',
    });
  }
}
