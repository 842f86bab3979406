import { Ollama } from 'ollama';
import { REVIEW_JSON_SCHEMA } from '../output/schema.js';
import {
  callSignal,
  isAbort,
  isConnectionError,
  ProviderError,
  type Completion,
  type CompletionRequest,
  type ReviewProvider,
} from './types.js';

export interface OllamaOptions {
  host: string;
  model: string;
  /** Upper bound for num_ctx: large windows cost memory on the user's machine. */
  maxNumCtx: number;
  /** Tokens kept free for the answer. */
  outputReserve: number;
  keepAlive: string;
  temperature: number;
}

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
export const DEFAULT_OLLAMA_MODEL = 'qwen2.5-coder:7b';

/** Context length when /api/show does not say: Ollama's own default window. */
const FALLBACK_CONTEXT = 4096;

export class OllamaProvider implements ReviewProvider {
  readonly name = 'ollama';
  readonly isCloud = false;
  readonly concurrency = 1;
  private modelContext = FALLBACK_CONTEXT;

  constructor(private readonly opts: OllamaOptions) {}

  get model(): string {
    return this.opts.model;
  }

  /** A client whose every request, the first POST included, honours the signal. */
  private client(signal?: AbortSignal): Ollama {
    const fetchWithSignal: typeof fetch = (input, init) =>
      fetch(input, { ...init, signal: signal && init?.signal ? AbortSignal.any([signal, init.signal]) : (signal ?? init?.signal) });
    return new Ollama({ host: this.opts.host, fetch: fetchWithSignal });
  }

  async prepare(signal?: AbortSignal): Promise<{ contextTokens: number; warnings: string[] }> {
    const warnings: string[] = [];
    const { signal: s, timedOut } = callSignal(signal, 15_000);
    try {
      const info = await this.client(s).show({ model: this.opts.model });
      const ctx = contextLengthOf(info.model_info);
      if (ctx) this.modelContext = ctx;
      else warnings.push(`Ollama did not report ${this.opts.model}'s context length; assuming ${FALLBACK_CONTEXT} tokens`);
    } catch (err) {
      throw this.explain(err, timedOut());
    }
    return { contextTokens: Math.min(this.modelContext, this.opts.maxNumCtx) - this.opts.outputReserve, warnings };
  }

  async complete(req: CompletionRequest): Promise<Completion> {
    const warnings: string[] = [];
    const numCtx = Math.min(
      Math.min(this.modelContext, this.opts.maxNumCtx),
      roundUp(req.promptTokens + this.opts.outputReserve + 256, 1024),
    );
    const { signal, timedOut } = callSignal(req.signal, req.timeoutMs);
    let text = '';
    let promptTokens = 0;
    let completionTokens = 0;
    let done = false;
    try {
      const stream = await this.client(signal).chat({
        model: this.opts.model,
        stream: true,
        format: REVIEW_JSON_SCHEMA as unknown as object,
        keep_alive: this.opts.keepAlive,
        options: { num_ctx: numCtx, temperature: this.opts.temperature },
        messages: [
          { role: 'system', content: req.system },
          { role: 'user', content: req.user },
        ],
      });
      const onAbort = (): void => stream.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const part of stream) {
          const delta = part.message?.content ?? '';
          if (delta) {
            text += delta;
            req.onDelta?.(delta);
          }
          if (part.done) {
            done = true;
            promptTokens = part.prompt_eval_count ?? 0;
            completionTokens = part.eval_count ?? 0;
          }
        }
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    } catch (err) {
      throw this.explain(err, timedOut(), req.signal);
    }
    if (signal.aborted) throw this.explain(new DOMException('aborted', 'AbortError'), timedOut(), req.signal);
    if (!done) warnings.push('Ollama closed the stream before the answer was complete');
    // Ollama silently drops the start of a prompt that exceeds num_ctx; the count tells.
    if (done && req.promptTokens > 512 && promptTokens > 0 && promptTokens < req.promptTokens * 0.5) {
      warnings.push(
        `Ollama evaluated ${promptTokens} prompt tokens of about ${req.promptTokens} sent: the prompt was probably truncated (num_ctx ${numCtx})`,
      );
    }
    return { text, promptTokens: promptTokens || req.promptTokens, completionTokens, warnings };
  }

  private explain(err: unknown, timedOut: boolean, callerSignal?: AbortSignal): Error {
    if (callerSignal?.aborted && !timedOut) return err instanceof Error ? err : new Error(String(err));
    const host = this.opts.host;
    const model = this.opts.model;
    if (timedOut) {
      return new ProviderError(
        'timeout',
        `Ollama did not answer within the time limit (model ${model} at ${host})`,
        'Raise the timeout (--timeout / pullmint.timeoutSeconds), pick a smaller model, or review fewer changes at once.',
      );
    }
    if (isAbort(err)) return err as Error;
    const status = (err as { status_code?: number }).status_code;
    const msg = err instanceof Error ? err.message : String(err);
    if (status === 404 || (/not found/i.test(msg) && /model/i.test(msg))) {
      return new ProviderError('model-missing', `Model ${model} is not pulled. Run \`ollama pull ${model}\`.`, `ollama pull ${model}`);
    }
    if (isConnectionError(err)) {
      return new ProviderError(
        'unreachable',
        `Ollama is not reachable at ${host}`,
        `Install Ollama (https://ollama.com/download), start it with \`ollama serve\`, then \`ollama pull ${model}\`. Or set OLLAMA_HOST / --ollama-host, or choose Anthropic with --provider anthropic and ANTHROPIC_API_KEY.`,
      );
    }
    if (status && status >= 500) {
      return new ProviderError(
        'other',
        `Ollama failed with HTTP ${status}: ${msg}`,
        'Check `ollama serve` logs; the model may not fit in memory. Try a smaller model.',
      );
    }
    return new ProviderError('other', `Ollama request failed: ${msg}`, 'Check that Ollama is running and up to date.');
  }
}

function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step;
}

/** model_info keys are prefixed by the architecture: `llama.context_length`, `qwen2.context_length`. */
export function contextLengthOf(modelInfo: unknown): number | null {
  if (!modelInfo || typeof modelInfo !== 'object') return null;
  const entries = modelInfo instanceof Map ? [...modelInfo.entries()] : Object.entries(modelInfo as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (String(key).endsWith('.context_length') && typeof value === 'number' && value > 0) return value;
  }
  return null;
}
