import type { z } from 'zod';
import type { SecretName } from '../secrets.js';
import type { ModelErrorInfo, ModelErrorKind, SetupCheck } from '../types.js';

export interface CompletionRequest {
  system: string;
  user: string;
  /** Our estimate of the prompt's size, to size the context window and spot truncation. */
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

/** A failure with a cause the user can act on. `setup` failures stop all further calls. */
export class ProviderError extends Error {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'ProviderError';
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

/** Network-level failures: nothing listening, DNS, reset before an answer. */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const codes = ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'];
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as { code?: string }).code;
    if (code && codes.includes(code)) return true;
    if (e.message === 'fetch failed') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** What a provider is given besides its own settings. */
export interface ProviderContext {
  /** Its secret (an API key), from the environment or the editor's secret storage. */
  apiKey?: string;
  outputReserveTokens: number;
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

/** 127.0.0.0/8, localhost and [::1]: the only endpoints where code stays on this machine. */
export function isLoopbackUrl(url: string): boolean {
  return /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:|\/|$)/i.test(url.trim());
}
