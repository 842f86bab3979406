import type { z } from 'zod';
import type { SecretName } from '../secrets.js';
import type { ModelErrorInfo, ModelErrorKind, SetupCheck } from '../types.js';

export interface CompletionRequest {
  system: string;
  user: string;
  /** Our estimate of the prompt's size in the provider's tokens (calibrated by earlier replies), to spot a cut prompt. */
  promptTokens: number;
  signal?: AbortSignal;
  /** Limit for this one call; a call that takes longer fails as a timeout. */
  timeoutMs: number;
  /** Streamed text as it arrives (for progress). */
  onDelta?: (text: string) => void;
}

export interface Completion {
  /** The JSON answer (Anthropic's tool input arrives as JSON text too). */
  text: string;
  promptTokens: number;
  completionTokens: number;
  costUsd?: number;
  warnings: string[];
  /**
   * The provider evaluated less of the prompt than was sent: Ollama answers a prompt longer than
   * num_ctx from its end, the instructions dropped first. The answer is no review of the chunk.
   */
  truncatedPrompt?: boolean;
}

/**
 * A streamed answer as the model phase reads it: the endpoint's own prompt count when it gave one,
 * and a prompt it cut (`evaluatedBy` names who cut it) marked and said.
 */
export function finishCompletion(
  req: CompletionRequest,
  got: { text: string; promptTokens: number; completionTokens: number; warnings: string[] },
  cut: { truncated: boolean; evaluatedBy: string; how: string },
): Completion {
  if (cut.truncated)
    got.warnings.push(
      `${cut.evaluatedBy} evaluated ${got.promptTokens} of about ${req.promptTokens} prompt tokens: ${cut.how}, so its answer is not used`,
    );
  return {
    text: got.text,
    promptTokens: got.promptTokens || req.promptTokens,
    completionTokens: got.completionTokens,
    warnings: got.warnings,
    ...(cut.truncated ? { truncatedPrompt: true } : {}),
  };
}

export interface ReviewProvider {
  readonly name: string;
  readonly model: string;
  /** Sends code off this machine (any endpoint that is not loopback): secrets are redacted before any call. */
  readonly isCloud: boolean;
  /** Chunks that may run at once. */
  readonly concurrency: number;
  /** Checks the provider can be used and returns its usable context window in tokens. */
  prepare(signal?: AbortSignal): Promise<{ contextTokens: number; warnings: string[] }>;
  complete(req: CompletionRequest): Promise<Completion>;
}

export interface ProviderErrorOptions {
  /**
   * Worth another try after a pause: the connection was reset or the answer cut off mid-stream, or
   * the server said it is busy (429) or failed on its side (5xx).
   */
  transient?: boolean;
  /**
   * The server answered, busy (429) or failed (5xx): such answers come fast, so they are worth more
   * tries than a stream that broke after the model had worked on it.
   */
  busy?: boolean;
  /** How long the server asked to wait before the next try (its Retry-After), already capped. */
  retryAfterMs?: number;
  /** The provider refused a prompt longer than its window. */
  promptTooLong?: boolean;
}

/** A failure with a cause the user can act on. `setup` failures stop all further calls. */
export class ProviderError extends Error {
  readonly transient: boolean;
  readonly promptTooLong: boolean;
  readonly busy: boolean;
  readonly retryAfterMs?: number;

  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly fix: string,
    opts: ProviderErrorOptions = {},
  ) {
    super(message);
    this.name = 'ProviderError';
    this.transient = opts.transient ?? false;
    this.promptTooLong = opts.promptTooLong ?? false;
    this.busy = opts.busy ?? false;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }

  get setup(): boolean {
    return this.kind === 'unreachable' || this.kind === 'model-missing' || this.kind === 'auth';
  }

  info(): ModelErrorInfo {
    return { kind: this.kind, message: this.message, fix: this.fix };
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'APIUserAbortError');
}

/** Joins the caller's signal with a per-call timeout; tells which one fired. */
export function callSignal(signal: AbortSignal | undefined, timeoutMs: number): { signal: AbortSignal; timedOut: () => boolean } {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  return { signal: combined, timedOut: () => timeout.aborted && !(signal?.aborted ?? false) };
}

const REFUSED = ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'];
const RESET = ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'];

/**
 * Network-level failures, told apart: `refused` when nothing answers (not running, DNS, no route),
 * `reset` when a server that accepted the connection closed it, before or in the middle of an answer.
 * A reset is a crash or a restart, or a proxy dropping an idle stream: the server may well answer the
 * next call, so it is no reason to call the server unreachable.
 */
export function connectionFailure(err: unknown): 'refused' | 'reset' | null {
  let refused = false;
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as { code?: string }).code;
    if ((code && RESET.includes(code)) || /^(terminated|socket hang up|other side closed)$/i.test(e.message)) return 'reset';
    if ((code && REFUSED.includes(code)) || e.message === 'fetch failed') refused = true;
    e = (e as { cause?: unknown }).cause;
  }
  return refused ? 'refused' : null;
}

/** A server may ask for a long pause; a review waits at most this long before one more try. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * A Retry-After header in milliseconds, capped at MAX_RETRY_AFTER_MS: delay-seconds or an HTTP
 * date. undefined when absent or unreadable, so the caller's own backoff applies.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, Math.round(ms)), MAX_RETRY_AFTER_MS);
}

/** 429 and 5xx: the server is busy or failed on its side, and the same call may go through shortly. */
export function retryableStatus(status: number | undefined): boolean {
  return status === 429 || (status !== undefined && status >= 500 && status <= 599);
}

/**
 * A server counted far fewer prompt tokens than our estimate, which errs high: it cut the prompt.
 * Small prompts are left alone, where the chat template's own tokens blur the comparison.
 */
export function promptLooksCut(sentTokens: number, countedTokens: number): boolean {
  return sentTokens > 512 && countedTokens > 0 && countedTokens < sentTokens * 0.5;
}

/** What a provider is given besides its own settings. */
export interface ProviderContext {
  /** Its secret (an API key), from the environment or the editor's secret storage. */
  apiKey?: string;
  outputReserveTokens: number;
  /** Limit for any one request to the provider, setup questions (Ollama's /api/show) included. */
  timeoutMs?: number;
}

export interface ModelChoice {
  name: string;
  /** Size, quantization, context: what helps to choose. */
  detail?: string;
}

/**
 * A provider describes itself: its settings (under `config[name]`), the secret it needs, whether
 * its endpoint is remote, its setup checks and its models. The registry lists them; nothing else
 * knows a provider by name.
 */
export interface ProviderModule<N extends string = string, S extends z.ZodObject = z.ZodObject> {
  readonly name: N;
  /** For pickers and the settings enum. */
  readonly label: string;
  readonly settings: S;
  readonly secret?: SecretName;
  isRemote(settings: z.output<S>): boolean;
  create(settings: z.output<S>, ctx: ProviderContext): ReviewProvider;
  checks(settings: z.output<S>, ctx: ProviderContext): Promise<SetupCheck[]>;
  /** The models one may pick; throws a ProviderError when the server cannot be asked. */
  listModels(settings: z.output<S>, ctx: ProviderContext): Promise<ModelChoice[]>;
}

export function defineProvider<N extends string, S extends z.ZodObject>(m: ProviderModule<N, S>): ProviderModule<N, S> {
  return m;
}

/**
 * 127.0.0.0/8, localhost and [::1]: the only endpoints where code stays on this machine. The URL is
 * parsed as the HTTP client will parse it, so `http://127.0.0.1:1@gpu-box` is gpu-box; a host
 * without a scheme (`gpu-box:11434`, as OLLAMA_HOST may be) is read as http. Anything that cannot
 * be read is taken as remote: secrets are then redacted.
 */
export function isLoopbackUrl(url: string): boolean {
  const raw = url.trim();
  let parsed: URL;
  try {
    parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  if (parsed.username || parsed.password) return false;
  const host = parsed.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
