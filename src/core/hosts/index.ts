import { remoteUrls } from '../git/repo.js';
import { GitHubHost } from './github/host.js';
import { baseRemote } from './github/pr.js';
import { GitLabHost } from './gitlab/host.js';
import { parseGitLabRemote, type GitLabLocation } from './gitlab/remote.js';
import type { CodeHost } from './types.js';

export interface ConnectOptions {
  /** The GitHub token (the editor's sign-in, or GITHUB_TOKEN). */
  token: string | undefined;
  /** The configured API URL (pullmint.github.enterpriseUrl / GITHUB_API_URL). */
  apiUrl?: string;
  /** GITLAB_TOKEN, or the editor's stored GitLab token. */
  gitlabToken?: string;
  /** The GitLab instance: pullmint.gitlab.url / GITLAB_URL, CI_SERVER_URL, CI_API_V4_URL. */
  gitlab?: GitLabLocation;
  /** GitLab CI's variables, which name the merge request of a pipeline. */
  env?: NodeJS.ProcessEnv;
  userAgent?: string;
  log?: (message: string) => void;
}

export type Connection = { host: CodeHost } | { host?: undefined; problem: 'no-remote' | 'no-token'; message: string };

export type HostKind = 'github' | 'gitlab';

/**
 * Which host the repository's base remote is on (`upstream` for a fork, else `origin`, else the
 * only one): GitLab for gitlab.com and the configured instance, GitHub otherwise. Null without a
 * remote.
 */
export async function hostKind(repoDir: string, gitlab: GitLabLocation = {}): Promise<{ kind: HostKind; url: string } | null> {
  const all = await remoteUrls(repoDir);
  const url = all.get('upstream') ?? all.get('origin') ?? (all.size === 1 ? [...all.values()][0] : undefined);
  if (url === undefined) return null;
  return { kind: parseGitLabRemote(url, gitlab) ? 'gitlab' : 'github', url };
}

/** The code host of a repository, from its base remote: GitHub (and Enterprise) or GitLab. */
export async function connectHost(repoDir: string, opts: ConnectOptions): Promise<Connection> {
  const kind = await hostKind(repoDir, opts.gitlab);
  if (kind?.kind === 'gitlab') {
    const remote = parseGitLabRemote(kind.url, opts.gitlab)!;
    if (!opts.gitlabToken) {
      return {
        problem: 'no-token',
        message:
          'No GitLab token. Set GITLAB_TOKEN to a token with the api scope (a project or personal access token; in GitLab CI a masked CI/CD variable), or run "Pullmint: Set GitLab Token" in the editor.',
      };
    }
    return {
      host: new GitLabHost({
        repo: remote,
        token: opts.gitlabToken,
        location: opts.gitlab ?? {},
        env: opts.env,
        userAgent: opts.userAgent,
        log: opts.log,
      }),
    };
  }
  const remote = await baseRemote(repoDir);
  if (!remote) return { problem: 'no-remote', message: 'This repository has no GitHub or GitLab remote (origin or upstream).' };
  if (!opts.token) {
    return {
      problem: 'no-token',
      message: 'No GitHub token. Set GITHUB_TOKEN (or GH_TOKEN) to a token with the repo scope, or sign in to GitHub in the editor.',
    };
  }
  return { host: new GitHubHost({ repo: remote, token: opts.token, apiUrl: opts.apiUrl, userAgent: opts.userAgent, log: opts.log }) };
}
