import type { Ollama } from 'ollama';
import { z } from 'zod';
import { setting } from '../config/setting.js';
import { ANSWER_LIMITS, overLongAnswer, REVIEW_JSON_SCHEMA } from '../output/contract.js';
import type { SetupCheck } from '../types.js';
import {
  callSignal,
  connectionFailure,
  isAbort,
  defineProvider,
  finishCompletion,
  isLoopbackUrl,
  parseRetryAfter,
  promptLooksCut,
  ProviderError,
  retryableStatus,
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
  /** Calls in flight at once; Ollama serves them in parallel up to its `OLLAMA_NUM_PARALLEL`. */
  parallel?: number;
  /** Limit for the setup question (/api/show), as for every other request: the user's --timeout. */
  timeoutMs?: number;
}

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
export const DEFAULT_OLLAMA_MODEL = 'qwen2.5-coder:7b';

/** Context length when /api/show does not say: Ollama's own default window. */
const FALLBACK_CONTEXT = 4096;
/** The /api/show limit when none is given (the schema's default timeout is longer). */
const DEFAULT_SHOW_TIMEOUT_MS = 180_000;

export class OllamaProvider implements ReviewProvider {
  readonly name = 'ollama';
  /** Ollama on another machine receives the code like any remote server: secrets are redacted. */
  readonly isCloud: boolean;
  readonly concurrency: number;
  private modelContext = FALLBACK_CONTEXT;
  /** Sent on every call of a review: Ollama reloads the model whenever num_ctx changes. */
  private numCtx: number;

  constructor(private readonly opts: OllamaOptions) {
    this.isCloud = !isLoopbackUrl(opts.host);
    this.concurrency = Math.max(1, Math.floor(opts.parallel ?? 1));
    this.numCtx = Math.min(FALLBACK_CONTEXT, opts.maxNumCtx);
  }

  get model(): string {
    return this.opts.model;
  }

  /**
   * A client whose every request, the first POST included, honours the signal. The client throws
   * away an error response's headers, so a Retry-After is kept aside for `explain`.
   */
  private async client(signal?: AbortSignal, seen?: { retryAfterMs?: number }): Promise<Ollama> {
    // The client library is read when a review first talks to Ollama, not by every command.
    const { Ollama } = await import('ollama');
    const fetchWithSignal: typeof fetch = async (input, init) => {
      const res = await fetch(input, {
        ...init,
        signal: signal && init?.signal ? AbortSignal.any([signal, init.signal]) : (signal ?? init?.signal),
      });
      if (!res.ok && seen) seen.retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      return res;
    };
    return new Ollama({ host: this.opts.host, fetch: fetchWithSignal });
  }

  async prepare(signal?: AbortSignal): Promise<{ contextTokens: number; warnings: string[] }> {
    const warnings: string[] = [];
    const { signal: s, timedOut } = callSignal(signal, this.opts.timeoutMs ?? DEFAULT_SHOW_TIMEOUT_MS);
    for (let attempt = 1; ; attempt++) {
      try {
        const info = await (await this.client(s)).show({ model: this.opts.model });
        const ctx = contextLengthOf(info.model_info);
        if (ctx) this.modelContext = ctx;
        else warnings.push(`Ollama did not report ${this.opts.model}'s context length; assuming ${FALLBACK_CONTEXT} tokens`);
        break;
      } catch (err) {
        const e = this.explain(err, timedOut(), signal);
        if (!(e instanceof ProviderError && e.transient && attempt === 1)) throw e;
      }
    }
    // The whole window the user allows, not a size per chunk: a smaller review gains little from a
    // smaller window and would pay a model reload on every call whose size differs.
    this.numCtx = Math.min(this.modelContext, this.opts.maxNumCtx);
    return { contextTokens: this.numCtx - this.opts.outputReserve, warnings };
  }

  async complete(req: CompletionRequest): Promise<Completion> {
    const warnings: string[] = [];
    const numCtx = this.numCtx;
    const { signal, timedOut } = callSignal(req.signal, req.timeoutMs);
    let text = '';
    let promptTokens = 0;
    let completionTokens = 0;
    let done = false;
    let overLong = false;
    const seen: { retryAfterMs?: number } = {};
    try {
      const request = {
        model: this.opts.model,
        stream: true as const,
        format: (req.answerSchema?.schema ?? REVIEW_JSON_SCHEMA) as unknown as object,
        keep_alive: this.opts.keepAlive,
        options: { num_ctx: numCtx, temperature: this.opts.temperature },
        messages: [
          { role: 'system', content: req.system },
          { role: 'user', content: req.user },
        ],
        // Newer Ollama then refuses a prompt longer than num_ctx instead of answering from its end;
        // older versions ignore the field, and prompt_eval_count tells.
        truncate: false,
      };
      const stream = await (await this.client(signal, seen)).chat(request);
      const onAbort = (): void => stream.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const part of stream) {
          const delta = part.message?.content ?? '';
          if (delta) {
            text += delta;
            req.onDelta?.(delta);
            if (text.length > ANSWER_LIMITS.answerChars) {
              overLong = true;
              stream.abort();
              break;
            }
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
      throw this.explain(err, timedOut(), req.signal, seen.retryAfterMs);
    }
    if (signal.aborted) throw this.explain(new DOMException('aborted', 'AbortError'), timedOut(), req.signal);
    if (overLong) {
      text = text.slice(0, ANSWER_LIMITS.answerChars);
      warnings.push(overLongAnswer());
    } else if (!done) throw this.cutOff();
    return finishCompletion(
      req,
      { text, promptTokens, completionTokens, warnings },
      {
        truncated: ollamaCutPrompt(promptTokens, req.promptTokens, numCtx),
        evaluatedBy: 'Ollama',
        how: `num_ctx ${numCtx} cut the start of the prompt`,
      },
    );
  }

  private cutOff(): ProviderError {
    return new ProviderError(
      'other',
      `Ollama closed the connection before the answer was complete (model ${this.opts.model} at ${this.opts.host})`,
      'Ollama may have restarted or run out of memory: check the `ollama serve` logs, or pick a smaller model.',
      { transient: true },
    );
  }

  private explain(err: unknown, timedOut: boolean, callerSignal?: AbortSignal, retryAfterMs?: number): Error {
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
    const msg = errorBodyText(err instanceof Error ? err.message : String(err));
    if (status === 404 || (/not found/i.test(msg) && /model/i.test(msg))) {
      return new ProviderError('model-missing', `Model ${model} is not pulled. Run \`ollama pull ${model}\`.`, `ollama pull ${model}`);
    }
    if (status === 400 && /context/i.test(msg) && /exceed|longer|too long/i.test(msg)) {
      return new ProviderError(
        'other',
        `Ollama refused a prompt longer than its window (num_ctx ${this.numCtx}): ${msg}`,
        'Raise pullmint.ollama.numCtx if the model allows a larger window.',
        { promptTooLong: true },
      );
    }
    // The client's own words for a stream that ended without its final part.
    const failure = /did not receive done/i.test(msg) ? 'reset' : connectionFailure(err);
    if (failure === 'reset') return this.cutOff();
    if (failure === 'refused') {
      return new ProviderError(
        'unreachable',
        `Ollama is not reachable at ${host}`,
        `Install Ollama (https://ollama.com/download), start it with \`ollama serve\`, then \`ollama pull ${model}\`. Or set OLLAMA_HOST / --ollama-host, or choose Anthropic with --provider anthropic and ANTHROPIC_API_KEY.`,
      );
    }
    if (status === 429) {
      return new ProviderError(
        'other',
        `Ollama is busy (HTTP 429): ${msg}`,
        'Wait a moment and try again: other clients may be using this Ollama.',
        {
          transient: true,
          busy: true,
          retryAfterMs,
        },
      );
    }
    if (retryableStatus(status)) {
      return new ProviderError(
        'other',
        `Ollama failed with HTTP ${status}: ${msg}`,
        'Check `ollama serve` logs; the model may not fit in memory. Try a smaller model.',
        { transient: true, busy: true, retryAfterMs },
      );
    }
    return new ProviderError('other', `Ollama request failed: ${msg}`, 'Check that Ollama is running and up to date.');
  }
}

/**
 * An error body fit for one line: a proxy in front of Ollama answers with an HTML page, which the
 * client hands over whole as the message.
 */
export function errorBodyText(body: string): string {
  const text = body.trim();
  if (/^<(!doctype|html|head|body)\b/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return `an HTML page${title ? ` titled "${title.slice(0, 120)}"` : ''} (a proxy in front of Ollama?)`;
  }
  const line = text.replace(/\s+/g, ' ');
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * Whether Ollama cut the prompt, from what it says it evaluated. A prompt longer than num_ctx is
 * answered from its end, the start (our instructions) dropped, and only what was kept is counted:
 * num_ctx tokens on Ollama's own engine, 4 + half the rest on the llama.cpp runner
 * (`truncating input prompt limit=2050 prompt=8707 keep=4 new=2050` at num_ctx 4096). Older
 * versions cut elsewhere; a count far below the estimate catches those.
 */
export function ollamaCutPrompt(evaluated: number, sentTokens: number, numCtx: number): boolean {
  if (!(evaluated > 0)) return false;
  if (evaluated >= numCtx - 8) return true;
  const half = 4 + Math.floor((numCtx - 4) / 2);
  // Only a prompt estimated near the window can have overflowed it; the estimate errs high, rarely 25% low.
  if (Math.abs(evaluated - half) <= 4 && sentTokens >= numCtx * 0.75) return true;
  return promptLooksCut(sentTokens, evaluated);
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

/** OLLAMA_HOST may be `0.0.0.0:11434`, `host:port` or a URL, as the Ollama CLI accepts. */
export function normalizeOllamaHost(host: string): string {
  let h = host.trim();
  if (!/^https?:\/\//i.test(h)) h = `http://${h}`;
  h = h.replace('://0.0.0.0', '://127.0.0.1');
  if (!/:\d+(\/|$)/.test(h.replace(/^https?:\/\//, ''))) h = h.replace(/\/*$/, '') + ':11434';
  return h.replace(/\/+$/, '');
}

export const ollamaSettings = z.object({
  host: setting(z.string(), {
    default: DEFAULT_OLLAMA_HOST,
    description: 'Ollama server URL. Only user settings may set it.',
    scope: 'machine',
    env: { name: 'OLLAMA_HOST', parse: normalizeOllamaHost },
  }),
  model: setting(z.string(), {
    default: DEFAULT_OLLAMA_MODEL,
    description: 'Ollama model. Run `ollama pull <model>` first, or use **Pullmint: Select Model…**.',
  }),
  numCtx: setting(z.number().int().min(1024), {
    default: 16384,
    description:
      "Upper bound for Ollama's `num_ctx`. A review sends the model's context length, capped at this, on every call: Ollama reloads the model whenever `num_ctx` changes.",
  }),
  keepAlive: setting(z.string(), {
    default: '10m',
    description: 'How long Ollama keeps the model loaded after a review (`keep_alive`).',
  }),
  parallel: setting(z.number().int().min(1).max(16), {
    default: 1,
    description:
      'Chunks sent to Ollama at once. Ollama answers that many together only when the server allows it (`OLLAMA_NUM_PARALLEL`, set where `ollama serve` runs); each parallel slot takes `num_ctx` tokens of memory. Keep 1 on a machine that barely fits the model.',
  }),
});
type OllamaSettings = z.output<typeof ollamaSettings>;

/** A client for quick questions (list, show): five seconds, then the answer is "unreachable". */
async function quickClient(host: string): Promise<Ollama> {
  const { Ollama } = await import('ollama');
  return new Ollama({ host, fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(5000) }) });
}

async function ollamaChecks(s: OllamaSettings): Promise<SetupCheck[]> {
  const client = await quickClient(s.host);
  let names: string[];
  try {
    names = (await client.list()).models.map((m) => m.name);
  } catch {
    return [
      {
        name: 'Ollama reachable',
        ok: false,
        detail: `nothing answers at ${s.host}`,
        fix: { label: 'Install Ollama', kind: 'install-ollama' },
      },
    ];
  }
  const checks: SetupCheck[] = [{ name: 'Ollama reachable', ok: true, detail: `${s.host}, ${names.length} model(s) pulled` }];
  const pulled = names.some((n) => n === s.model || n === `${s.model}:latest`);
  if (!pulled) {
    checks.push({
      name: 'Model pulled',
      ok: false,
      detail: `${s.model} is not pulled${names.length ? `; pulled: ${names.slice(0, 5).join(', ')}` : ''}`,
      fix: { label: `Run ollama pull ${s.model}`, kind: 'pull-model', arg: s.model },
    });
    return checks;
  }
  checks.push({ name: 'Model pulled', ok: true, detail: s.model });
  try {
    const info = await client.show({ model: s.model });
    const ctx = contextLengthOf(info.model_info);
    const used = Math.min(ctx ?? FALLBACK_CONTEXT, s.numCtx);
    checks.push({
      name: 'Context length',
      ok: true,
      detail: `model ${ctx ? ctx.toLocaleString('en-US') : 'unknown'} tokens; Pullmint uses ${used.toLocaleString('en-US')} on every call (pullmint.ollama.numCtx)`,
    });
  } catch (err) {
    checks.push({
      name: 'Context length',
      ok: false,
      detail: `could not read the model: ${(err as Error).message}`,
      fix: { label: 'Select another model', kind: 'select-model' },
    });
  }
  return checks;
}

export const ollama = defineProvider({
  name: 'ollama',
  label: 'Ollama (local, private)',
  settings: ollamaSettings,
  isRemote: (s) => !isLoopbackUrl(s.host),
  create: (s, ctx) =>
    new OllamaProvider({
      host: s.host,
      model: s.model,
      maxNumCtx: s.numCtx,
      outputReserve: ctx.outputReserveTokens,
      keepAlive: s.keepAlive,
      temperature: 0.1,
      parallel: s.parallel,
      timeoutMs: ctx.timeoutMs,
    }),
  checks: (s) => ollamaChecks(s),
  listModels: async (s) => {
    let models;
    try {
      models = (await (await quickClient(s.host)).list()).models;
    } catch {
      throw new ProviderError('unreachable', `Ollama is not reachable at ${s.host}`, 'Start it with `ollama serve`.');
    }
    return models.map((m) => ({
      name: m.name,
      detail: [m.details?.parameter_size, m.details?.quantization_level, `${(m.size / 1e9).toFixed(1)} GB`].filter(Boolean).join(' · '),
    }));
  },
});
