/**
 * GitLab's REST API (v4) over Node's own fetch. Pullmint needs a dozen endpoints; a client of its
 * own keeps the bundle and the load time as they are and leaves retries of writes to the poster,
 * which must never resend a create blindly (see ARCHITECTURE.md, "Code hosts").
 */
import { parseRetryAfter } from '../../providers/types.js';
import { HostError } from '../types.js';

/** A GitLab failure in words a user can act on. */
export class GitLabError extends HostError {
  constructor(
    message: string,
    status?: number,
    /** GitLab's own `message`/`error`, for callers that tell refusals apart. */
    readonly detail?: string,
  ) {
    super(message, status);
    this.name = 'GitLabError';
  }
}

/** What fetch could not tell: a dropped connection, a timeout (no status), or GitLab's answer. */
export class GitLabResponseError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly detail: string,
    readonly retryAfterMs?: number,
  ) {
    super(status ? `${status}: ${detail}` : detail);
    this.name = 'GitLabResponseError';
  }
}

export interface GitLabClientOptions {
  token: string;
  /** e.g. https://gitlab.com/api/v4 */
  apiUrl: string;
  userAgent?: string;
  log?: (message: string) => void;
  /** Per request, in milliseconds. */
  timeoutMs?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /**
   * Resend after a 429, a 5xx or a dropped connection. On by default for reads and for writes
   * that change nothing when repeated (PUT, DELETE); creates pass false.
   */
  retry?: boolean;
}

const MAX_ATTEMPTS = 3;

function detailOf(payload: unknown, fallback: string): string {
  if (payload && typeof payload === 'object') {
    const p = payload as { message?: unknown; error?: unknown; error_description?: unknown };
    const m = p.message ?? p.error_description ?? p.error;
    if (typeof m === 'string') return m;
    if (m !== undefined) return JSON.stringify(m);
  }
  return fallback;
}

export class GitLabClient {
  constructor(private readonly opts: GitLabClientOptions) {}

  get apiUrl(): string {
    return this.opts.apiUrl;
  }

  private url(path: string, query: RequestOptions['query'] = {}): string {
    const u = new URL(this.opts.apiUrl.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** One call, with the answer's JSON and headers; throws GitLabResponseError. */
  async call<T>(method: string, path: string, options: RequestOptions = {}): Promise<{ data: T; headers: Headers }> {
    const retry = options.retry ?? method !== 'POST';
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(method, path, options);
      } catch (err) {
        const e = err as GitLabResponseError;
        const again = retry && attempt < MAX_ATTEMPTS && (e.status === undefined || e.status === 429 || e.status >= 500);
        if (!again) throw err;
        const wait = e.retryAfterMs ?? 500 * 2 ** (attempt - 1);
        this.opts.log?.(`GitLab ${method} ${path}: ${e.message}; retrying in ${Math.round(wait / 100) / 10}s`);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<{ data: T; headers: Headers }> {
    let res: Response;
    try {
      res = await fetch(this.url(path, options.query), {
        method,
        headers: {
          'PRIVATE-TOKEN': this.opts.token,
          'User-Agent': this.opts.userAgent ?? 'pullmint',
          Accept: 'application/json',
          ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new GitLabResponseError(undefined, cause?.code ?? cause?.message ?? (err as Error).message);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new GitLabResponseError(undefined, (err as Error).message);
    }
    let payload: unknown = undefined;
    try {
      payload = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: a proxy's page */
    }
    if (!res.ok) {
      throw new GitLabResponseError(
        res.status,
        detailOf(payload, text.slice(0, 200).trim() || res.statusText),
        parseRetryAfter(res.headers.get('retry-after')),
      );
    }
    return { data: payload as T, headers: res.headers };
  }

  async get<T>(path: string, query?: RequestOptions['query']): Promise<T> {
    return (await this.call<T>('GET', path, { query })).data;
  }

  /** Every page of a list (GitLab's `x-next-page`), 100 at a time, at most `maxPages`. */
  async all<T>(path: string, query: RequestOptions['query'] = {}, maxPages = 50): Promise<T[]> {
    const out: T[] = [];
    let page: string | null = '1';
    for (let n = 0; page && n < maxPages; n++) {
      const answer: { data: T[]; headers: Headers } = await this.call<T[]>('GET', path, { query: { ...query, per_page: 100, page } });
      out.push(...(answer.data ?? []));
      page = answer.headers.get('x-next-page') || null;
    }
    return out;
  }
}

/** `what` failed on GitLab: the reason and its fix. */
export function explainGitLabError(err: unknown, what: string): GitLabError {
  if (err instanceof GitLabError) return err;
  const status = (err as GitLabResponseError).status;
  const detail = err instanceof GitLabResponseError ? err.detail : err instanceof Error ? err.message : String(err);
  switch (status) {
    case 401:
      return new GitLabError(
        `GitLab rejected the token while trying to ${what} (401: ${detail}). It is wrong, expired or revoked: create a token with the api scope and set it as GITLAB_TOKEN (or "Pullmint: Set GitLab Token" in the editor).`,
        401,
        detail,
      );
    case 403:
      return new GitLabError(
        `GitLab refused to ${what} (403: ${detail}). The token needs the api scope (read_api cannot write), and its user at least the Reporter role to comment and Developer to set a commit status; a CI job token cannot post notes.`,
        403,
        detail,
      );
    case 404:
      return new GitLabError(
        `GitLab found nothing while trying to ${what} (404: ${detail}). Either the merge request does not exist, or the token cannot see the project: check the project path, and that the token's user is a member.`,
        404,
        detail,
      );
    case 409:
      return new GitLabError(
        `GitLab reported a conflict while trying to ${what} (409: ${detail}): something else changed it at the same time. Run the command again.`,
        409,
        detail,
      );
    case 422:
      return new GitLabError(`GitLab could not process the request to ${what} (422: ${detail}).`, 422, detail);
    case 400:
      return new GitLabError(`GitLab rejected the request to ${what} (400: ${detail}).`, 400, detail);
    case undefined:
      return new GitLabError(
        `Could not reach GitLab to ${what} (${detail}). Check the network and the instance URL (pullmint.gitlab.url / GITLAB_URL).`,
        undefined,
        detail,
      );
    default:
      return new GitLabError(`Could not ${what}: GitLab answered ${status} (${detail}).`, status, detail);
  }
}
