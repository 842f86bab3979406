import { z } from 'zod';
import { setting } from '../config/setting.js';
import { ANSWER_LIMITS, overLongAnswer, REVIEW_JSON_SCHEMA } from '../output/contract.js';
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

export interface OpenAICompatibleOptions {
  /** e.g. http://gpu-box:8000 (vLLM), http://127.0.0.1:1234 (LM Studio). From user settings only. */
  baseURL: string;
  model: string;
  apiKey?: string;
  contextTokens: number;
  outputReserve: number;
}

/** OpenAI-compatible chat completions (vLLM, LM Studio, llama.cpp server): plain fetch, SSE streaming. */
export class OpenAICompatibleProvider implements ReviewProvider {
  readonly name = 'openai';
  readonly isCloud: boolean;
  readonly concurrency = 2;

  constructor(private readonly opts: OpenAICompatibleOptions) {
    // A shared team server is another machine: treat it like the cloud and redact secrets.
    this.isCloud = !isLoopbackUrl(opts.baseURL);
  }

  get model(): string {
    return this.opts.model;
  }

  private url(): string {
    const base = this.opts.baseURL.replace(/\/+$/, '');
    return base.endsWith('/v1') ? `${base}/chat/completions` : `${base}/v1/chat/completions`;
  }

  async prepare(): Promise<{ contextTokens: number; warnings: string[] }> {
    if (!this.opts.baseURL) {
      throw new ProviderError(
        'unreachable',
        'No OpenAI-compatible server is configured',
        'Set pullmint.openai.baseUrl in your user settings (or ~/.config/pullmint/config.json).',
      );
    }
    return { contextTokens: this.opts.contextTokens - this.opts.outputReserve, warnings: [] };
  }

  async complete(req: CompletionRequest): Promise<Completion> {
    const { signal: callerOrTimeout, timedOut } = callSignal(req.signal, req.timeoutMs);
    // Ends the request when the answer runs past the cap, so the server stops generating for nobody.
    const enough = new AbortController();
    const signal = AbortSignal.any([callerOrTimeout, enough.signal]);
    const warnings: string[] = [];
    let overLong = false;
    let text = '';
    let promptTokens = 0;
    let completionTokens = 0;
    let finish: string | null = null;
    let ended = false;
    try {
      const res = await fetch(this.url(), {
        method: 'POST',
        signal,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.opts.model,
          stream: true,
          stream_options: { include_usage: true },
          temperature: 0.1,
          max_tokens: this.opts.outputReserve,
          response_format: {
            type: 'json_schema',
            json_schema: { name: req.answerSchema?.name ?? 'review', schema: req.answerSchema?.schema ?? REVIEW_JSON_SCHEMA },
          },
          messages: [
            { role: 'system', content: req.system },
            { role: 'user', content: req.user },
          ],
        }),
      });
      if (!res.ok || !res.body) {
        const body = await res.text().catch(() => '');
        throw Object.assign(new Error(`HTTP ${res.status}: ${body.replace(/\s+/g, ' ').trim().slice(0, 300)}`), {
          status: res.status,
          retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
        });
      }
      for await (const data of sseData(res.body)) {
        if (data === '[DONE]') {
          ended = true;
          break;
        }
        let evt: {
          choices?: { delta?: { content?: string }; finish_reason?: string | null }[];
          usage?: { prompt_tokens?: number; completion_tokens?: number };
        };
        try {
          evt = JSON.parse(data);
        } catch {
          continue;
        }
        const delta = evt.choices?.[0]?.delta?.content;
        if (delta) {
          text += delta;
          req.onDelta?.(delta);
          if (text.length > ANSWER_LIMITS.answerChars) {
            overLong = true;
            break;
          }
        }
        finish = evt.choices?.[0]?.finish_reason ?? finish;
        if (evt.usage) {
          promptTokens = evt.usage.prompt_tokens ?? promptTokens;
          completionTokens = evt.usage.completion_tokens ?? completionTokens;
        }
      }
    } catch (err) {
      throw this.explain(err, timedOut(), req.signal);
    }
    if (overLong) {
      enough.abort();
      text = text.slice(0, ANSWER_LIMITS.answerChars);
      warnings.push(overLongAnswer());
    } else if (!ended && finish === null) throw this.cutOff();
    if (finish === 'length') warnings.push('the server stopped at its output limit; the last finding may be missing');
    // Servers that shorten an over-long prompt (llama.cpp's context shift) count only what they kept.
    return finishCompletion(
      req,
      { text, promptTokens, completionTokens, warnings },
      { truncated: promptLooksCut(req.promptTokens, promptTokens), evaluatedBy: this.opts.baseURL, how: 'it cut the prompt' },
    );
  }

  private cutOff(): ProviderError {
    return new ProviderError(
      'other',
      `${this.opts.baseURL} closed the connection before the answer was complete`,
      'The server may have restarted or run out of memory: check its logs.',
      { transient: true },
    );
  }

  private explain(err: unknown, timedOut: boolean, callerSignal?: AbortSignal): Error {
    if (callerSignal?.aborted && !timedOut) return err instanceof Error ? err : new Error(String(err));
    if (timedOut)
      return new ProviderError(
        'timeout',
        `${this.opts.baseURL} did not answer within the time limit`,
        'Raise the timeout or use a faster model.',
      );
    if (isAbort(err)) return err as Error;
    const status = (err as { status?: number }).status;
    const msg = err instanceof Error ? err.message : String(err);
    if (status === 401 || status === 403)
      return new ProviderError('auth', `${this.opts.baseURL} refused the request (${status})`, "Check the server's API key setting.");
    if (status === 404)
      return new ProviderError(
        'model-missing',
        `${this.opts.baseURL} has no model ${this.opts.model} (404)`,
        'Check pullmint.openai.model against the models the server lists.',
      );
    if (status === 400 && /context/i.test(msg) && /exceed|maximum|longer|too long/i.test(msg))
      return new ProviderError(
        'other',
        `${this.opts.baseURL} refused a prompt longer than its window: ${msg}`,
        'Set pullmint.openai.contextTokens to the context length the server runs the model with.',
        { promptTooLong: true },
      );
    if (retryableStatus(status))
      return new ProviderError(
        'other',
        `${this.opts.baseURL} ${status === 429 ? 'is busy' : 'failed'} (${msg})`,
        status === 429 ? 'Wait a moment, or lower --max-calls.' : 'Check the server logs.',
        { transient: true, busy: true, retryAfterMs: (err as { retryAfterMs?: number }).retryAfterMs },
      );
    const failure = connectionFailure(err);
    if (failure === 'reset') return this.cutOff();
    if (failure === 'refused')
      return new ProviderError(
        'unreachable',
        `The OpenAI-compatible server is not reachable at ${this.opts.baseURL}`,
        'Start the server or correct pullmint.openai.baseUrl.',
      );
    return new ProviderError('other', `OpenAI-compatible request failed: ${msg}`, 'Check the server logs.');
  }
}

/** The `data:` payloads of a server-sent event stream. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    let cut: number;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) yield data;
    }
  }
}

export const openaiSettings = z.object({
  baseUrl: setting(z.string(), {
    default: '',
    description: 'Base URL of an OpenAI-compatible server, e.g. `http://gpu-box:8000`. Only user settings may set it.',
    scope: 'machine',
  }),
  model: setting(z.string(), { default: 'qwen2.5-coder-7b-instruct', description: 'Model name on the OpenAI-compatible server.' }),
  contextTokens: setting(z.number().int().min(1024), {
    default: 32768,
    description: 'Context window of the OpenAI-compatible model, in tokens.',
  }),
});

function modelsUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return base.endsWith('/v1') ? `${base}/models` : `${base}/v1/models`;
}

export const openai = defineProvider({
  name: 'openai',
  label: 'OpenAI-compatible server',
  settings: openaiSettings,
  secret: 'openaiApiKey',
  isRemote: (s) => !isLoopbackUrl(s.baseUrl),
  create: (s, ctx) =>
    new OpenAICompatibleProvider({
      baseURL: s.baseUrl,
      model: s.model,
      apiKey: ctx.apiKey,
      contextTokens: s.contextTokens,
      outputReserve: ctx.outputReserveTokens,
    }),
  checks: async (s) => [
    s.baseUrl
      ? { name: 'OpenAI-compatible server', ok: true, detail: `${s.baseUrl}, model ${s.model}` }
      : {
          name: 'OpenAI-compatible server',
          ok: false,
          detail: 'pullmint.openai.baseUrl is empty',
          fix: { label: 'Open Settings', kind: 'open-settings', arg: 'pullmint.openai.baseUrl' },
        },
  ],
  listModels: async (s, ctx) => {
    if (!s.baseUrl) throw new ProviderError('unreachable', 'No OpenAI-compatible server is configured', 'Set pullmint.openai.baseUrl.');
    try {
      const res = await fetch(modelsUrl(s.baseUrl), {
        headers: ctx.apiKey ? { authorization: `Bearer ${ctx.apiKey}` } : {},
        signal: AbortSignal.timeout(5000),
      });
      const body = (await res.json()) as { data?: { id?: unknown }[] };
      return (body.data ?? []).filter((m) => typeof m.id === 'string').map((m) => ({ name: String(m.id) }));
    } catch (err) {
      throw new ProviderError(
        'unreachable',
        `${s.baseUrl} did not list its models: ${(err as Error).message}`,
        'Check pullmint.openai.baseUrl.',
      );
    }
  },
});
