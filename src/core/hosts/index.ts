import { GitHubHost } from './github/host.js';
import { baseRemote } from './github/pr.js';
import type { CodeHost } from './types.js';

export interface ConnectOptions {
  token: string | undefined;
  /** The configured API URL (pullmint.github.enterpriseUrl / GITHUB_API_URL). */
  apiUrl?: string;
  userAgent?: string;
  log?: (message: string) => void;
}

export type Connection = { host: CodeHost } | { host?: undefined; problem: 'no-remote' | 'no-token'; message: string };

/**
 * The code host of a repository, from its remotes (`upstream` for a fork, else `origin`, else the
 * only one). Every remote is GitHub or GitHub Enterprise for now; GitLab joins here.
 */
export async function connectHost(repoDir: string, opts: ConnectOptions): Promise<Connection> {
  const remote = await baseRemote(repoDir);
  if (!remote) return { problem: 'no-remote', message: 'This repository has no GitHub remote (origin or upstream).' };
  if (!opts.token) {
    return {
      problem: 'no-token',
      message: 'No GitHub token. Set GITHUB_TOKEN (or GH_TOKEN) to a token with the repo scope, or sign in to GitHub in the editor.',
    };
  }
  return { host: new GitHubHost({ repo: remote, token: opts.token, apiUrl: opts.apiUrl, userAgent: opts.userAgent, log: opts.log }) };
}
