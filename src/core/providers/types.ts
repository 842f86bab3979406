import type { ModelErrorInfo, ModelErrorKind } from '../types.js';

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
  readonly name: 'ollama' | 'anthropic' | 'openai';
  readonly model: string;
  /** Sends code off this machine: secrets are redacted before any call. */
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
