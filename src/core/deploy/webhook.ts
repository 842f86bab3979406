import { createHmac, randomInt } from 'node:crypto';

export interface DeployPayload {
  deploymentId: string;
  executionId: string;
  repository: string;
  ref: string;
  sha: string;
  environment: string;
  riskScore: number;
  decision: string;
  findings: { critical: number; high: number; medium: number; low: number; info: number };
  requestedBy: string;
  requestedAt: string;
  override: boolean;
}

export interface WebhookOptions {
  url: string;
  token?: string;
  secret?: string;
  userAgent: string;
  /** Per attempt. */
  timeoutMs: number;
  maxAttempts: number;
  /** Backoff before attempt n+1 (n from 1): 1 s, 2 s, 4 s. */
  backoffMs: (attempt: number) => number;
  /** Injected so tests do not wait real seconds. */
  sleep: (ms: number) => Promise<void>;
  onAttempt?: (a: AttemptLog) => void;
  signal?: AbortSignal;
  /** The longest Retry-After honoured; a longer one fails the attempt (default 60 s). */
  maxRetryAfterMs?: number;
}

export interface AttemptLog {
  attempt: number;
  status?: number;
  error?: string;
  durationMs: number;
  /** How long it waits before the next attempt, when there is one. */
  retryInMs?: number;
}

export interface WebhookOutcome {
  ok: boolean;
  attempts: number;
  lastStatus?: number;
  error?: string;
}

export const DEFAULT_BACKOFF = (attempt: number): number => 1000 * 2 ** (attempt - 1) + randomInt(0, 250);

/** `sha256=<hex HMAC-SHA256(secret, raw body)>`, the X-Pullmint-Signature-256 header. */
export function signBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export const MAX_RETRY_AFTER_MS = 60_000;

const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * POSTs the payload: the same body, Idempotency-Key and signature on every attempt; retries
 * network errors, timeouts, 408, 429 and 5xx with backoff (Retry-After wins when given); never
 * retries another 4xx. A Retry-After beyond `maxRetryAfterMs` ends the deploy instead of holding
 * the terminal (and the deploy lock) for as long as the receiver asks.
 */
export async function sendDeployWebhook(payload: DeployPayload, opts: WebhookOptions): Promise<WebhookOutcome> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': opts.userAgent,
    'idempotency-key': payload.deploymentId,
  };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.secret) headers['x-pullmint-signature-256'] = signBody(opts.secret, body);
  let last: WebhookOutcome = { ok: false, attempts: 0 };
  for (let attempt = 1; attempt <= opts.maxAttempts; attempt++) {
    const started = Date.now();
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let status: number | undefined;
    let error: string | undefined;
    let wait: number | null = null;
    try {
      const res = await fetch(opts.url, { method: 'POST', headers, body, signal });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        opts.onAttempt?.({ attempt, status, durationMs: Date.now() - started });
        return { ok: true, attempts: attempt, lastStatus: status };
      }
      error = `HTTP ${status}`;
      if (!retryable(status)) {
        opts.onAttempt?.({ attempt, status, error, durationMs: Date.now() - started });
        return { ok: false, attempts: attempt, lastStatus: status, error: `${error} (not retried: the receiver refused the request)` };
      }
      wait = retryAfterMs(res.headers.get('retry-after'));
      const cap = opts.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS;
      if (wait !== null && wait > cap) {
        const asked = `${Math.ceil(wait / 1000)} s`;
        opts.onAttempt?.({ attempt, status, error, durationMs: Date.now() - started });
        return {
          ok: false,
          attempts: attempt,
          lastStatus: status,
          error: `${error}: the receiver asked to retry after ${asked} (Retry-After: ${res.headers.get('retry-after')}), longer than the ${cap / 1000} s Pullmint waits; deploy again after ${asked}`,
        };
      }
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      error = timeout.aborted ? `no answer within ${opts.timeoutMs / 1000} s` : describeNetworkError(err);
    }
    last = { ok: false, attempts: attempt, lastStatus: status, error };
    const retryInMs = attempt < opts.maxAttempts ? (wait ?? opts.backoffMs(attempt)) : undefined;
    opts.onAttempt?.({ attempt, status, error, durationMs: Date.now() - started, retryInMs });
    if (retryInMs !== undefined) await opts.sleep(retryInMs);
  }
  return { ...last, error: `${last.error} after ${last.attempts} attempt(s)` };
}

function describeNetworkError(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 4 && e instanceof Error; i++) {
    const code = (e as { code?: string }).code;
    if (code) return `${code} (${e.message})`;
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.message : String(err);
}
