import type { Octokit } from '@octokit/rest';
import { HostError } from '../types.js';

export type GitHubClient = Octokit;

export interface ClientOptions {
  token: string;
  baseUrl: string;
  userAgent?: string;
  log?: (message: string) => void;
}

/**
 * Octokit with GitHub's recommended throttling (serial writes, secondary-limit back-off) and
 * retries. Loaded on first use: activation and reviews never pay for it.
 */
export async function createGitHubClient(opts: ClientOptions): Promise<GitHubClient> {
  const [{ Octokit }, { throttling }, { retry }] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-throttling'),
    import('@octokit/plugin-retry'),
  ]);
  const Client = Octokit.plugin(throttling, retry);
  const log = opts.log ?? (() => undefined);
  return new Client({
    auth: opts.token,
    baseUrl: opts.baseUrl,
    userAgent: opts.userAgent ?? 'pullmint',
    log: { debug: () => undefined, info: () => undefined, warn: (m: string) => log(m), error: (m: string) => log(m) },
    throttle: {
      onRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
        log(`GitHub rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
        return retryCount < 2;
      },
      onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
        log(`GitHub secondary rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
        return retryCount < 2;
      },
    },
    retry: { doNotRetry: [400, 401, 403, 404, 422, 451] },
  }) as unknown as GitHubClient;
}

/** A GitHub failure in words a user can act on. */
export class GitHubError extends HostError {
  constructor(message: string, status?: number) {
    super(message, status);
    this.name = 'GitHubError';
  }
}

export function explainGitHubError(err: unknown, what: string): GitHubError {
  const status = (err as { status?: number }).status;
  const detail = (err as { response?: { data?: { message?: string; errors?: unknown[] } } }).response?.data;
  const msg = detail?.message ?? (err instanceof Error ? err.message : String(err));
  switch (status) {
    case 401:
      return new GitHubError(
        `GitHub rejected the credentials while trying to ${what} (401). Sign in again, or set a new token (GITHUB_TOKEN / "Pullmint: Set GitHub Token").`,
        401,
      );
    case 403:
      return new GitHubError(
        `GitHub refused to ${what} (403: ${msg}). The token may lack the repo scope (pull requests: write), or the organisation requires SSO authorisation for it.`,
        403,
      );
    case 404:
      return new GitHubError(
        `GitHub found nothing while trying to ${what} (404). Either the token has no access to the repository or the pull request does not exist.`,
        404,
      );
    case 422:
      return new GitHubError(
        `GitHub rejected the request to ${what} (422: ${msg}${detail?.errors ? ` — ${JSON.stringify(detail.errors).slice(0, 300)}` : ''}).`,
        422,
      );
    default:
      return new GitHubError(`Could not ${what}: ${msg}`, status);
  }
}
