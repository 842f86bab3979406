import { z } from 'zod';
import { setting } from '../config/setting.js';
import { REVIEW_JSON_SCHEMA } from '../output/contract.js';
import {
  callSignal,
  connectionFailure,
  isAbort,
  defineProvider,
  isLoopbackUrl,
  ProviderError,
  type Completion,
  type CompletionRequest,
  type ReviewProvider,
} from './types.js';

export interface AnthropicOptions {
  apiKey: string | undefined;
  /** Only from the user's environment or settings; the SDK default otherwise. */
  baseURL?: string;
  model: string;
  maxOutputTokens: number;
  maxRetries: number;
}

/** claude-sonnet-4-5 reaches end of life on 2026-11-30 (the SDK warns on every call); Sonnet 5 replaces it. */
export const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-5';
const CONTEXT_TOKENS = 200_000;
const TOOL_NAME = 'report_review';

/** US$ per million tokens: input, output. Cache writes cost 1.25× input, cache reads 0.1×. */
const PRICES: [RegExp, number, number][] = [
  [/fable/, 10, 50],
  [/opus-(?:5|4-[5-9])/, 5, 25],
  [/opus/, 15, 75],
  [/haiku-(?:4|5)/, 1, 5],
  [/haiku/, 0.8, 4],
  [/sonnet-5/, 2, 10],
  [/sonnet/, 3, 15],
];

export function estimateCost(
  model: string,
  usage: { input: number; output: number; cacheWrite: number; cacheRead: number },
): number | undefined {
  const price = PRICES.find(([re]) => re.test(model));
  if (!price) return undefined;
  const [, inp, out] = price;
  return (usage.input * inp + usage.cacheWrite * inp * 1.25 + usage.cacheRead * inp * 0.1 + usage.output * out) / 1_000_000;
}

type AnthropicModule = typeof import('@anthropic-ai/sdk');

export class AnthropicProvider implements ReviewProvider {
  readonly name = 'anthropic';
  readonly isCloud = true;
  readonly concurrency = 4;
  private sdk: Promise<AnthropicModule> | null = null;

  constructor(private readonly opts: AnthropicOptions) {}

  get model(): string {
    return this.opts.model;
  }

  /** The SDK is loaded on first use so that activation and rules-only runs never pay for it. */
  private async client(timeoutMs: number) {
    this.sdk ??= import('@anthropic-ai/sdk');
    const { default: Anthropic } = await this.sdk;
    return new Anthropic({
      apiKey: this.opts.apiKey,
      baseURL: this.opts.baseURL || undefined,
      maxRetries: this.opts.maxRetries,
      timeout: timeoutMs,
    });
  }

  async prepare(): Promise<{ contextTokens: number; warnings: string[] }> {
    if (!this.opts.apiKey) {
      throw new ProviderError(
        'auth',
        'No Anthropic API key is set',
        'Set ANTHROPIC_API_KEY (CLI) or run "Pullmint: Set Anthropic API Key" (VS Code).',
      );
    }
    return { contextTokens: CONTEXT_TOKENS - this.opts.maxOutputTokens, warnings: [] };
  }

  async complete(req: CompletionRequest): Promise<Completion> {
    const warnings: string[] = [];
    const { signal, timedOut } = callSignal(req.signal, req.timeoutMs);
    let json = '';
    const usage = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
    let stopReason: string | null = null;
    try {
      const client = await this.client(req.timeoutMs);
      const stream = client.messages.stream(
        {
          model: this.opts.model,
          max_tokens: this.opts.maxOutputTokens,
          temperature: 0,
          // The fixed instructions and the tool are identical on every call: cache them.
          system: [{ type: 'text', text: req.system, cache_control: { type: 'ephemeral' } }],
          tools: [
            {
              name: req.answerSchema?.name ?? TOOL_NAME,
              description: req.answerSchema?.description ?? 'Report the review of the diff: a summary and the findings.',
              input_schema: (req.answerSchema?.schema ?? REVIEW_JSON_SCHEMA) as unknown as { type: 'object'; [k: string]: unknown },
            },
          ],
          tool_choice: { type: 'tool', name: req.answerSchema?.name ?? TOOL_NAME },
          messages: [{ role: 'user', content: req.user }],
        },
        { signal },
      );
      for await (const event of stream) {
        if (event.type === 'message_start') {
          const u = event.message.usage;
          usage.input = u.input_tokens ?? 0;
          usage.cacheWrite = u.cache_creation_input_tokens ?? 0;
          usage.cacheRead = u.cache_read_input_tokens ?? 0;
          usage.output = u.output_tokens ?? 0;
        } else if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
          json += event.delta.partial_json;
          req.onDelta?.(event.delta.partial_json);
        } else if (event.type === 'message_delta') {
          usage.output = event.usage.output_tokens ?? usage.output;
          stopReason = event.delta.stop_reason ?? stopReason;
        }
      }
    } catch (err) {
      throw this.explain(err, timedOut(), req.signal);
    }
    if (stopReason === 'max_tokens') warnings.push('Claude reached the output limit; the last finding may be missing');
    return {
      text: json,
      promptTokens: usage.input + usage.cacheRead + usage.cacheWrite,
      completionTokens: usage.output,
      costUsd: estimateCost(this.opts.model, usage),
      warnings,
    };
  }

  private explain(err: unknown, timedOut: boolean, callerSignal?: AbortSignal): Error {
    if (callerSignal?.aborted && !timedOut) return err instanceof Error ? err : new Error(String(err));
    const status = (err as { status?: number }).status;
    const msg = err instanceof Error ? err.message : String(err);
    const name = err instanceof Error ? err.name : '';
    if (timedOut || name === 'APIConnectionTimeoutError') {
      return new ProviderError(
        'timeout',
        'Claude did not answer within the time limit',
        'Raise the timeout (--timeout / pullmint.timeoutSeconds) or review fewer changes at once.',
      );
    }
    if (isAbort(err)) return err as Error;
    if (status === 401)
      return new ProviderError(
        'auth',
        'Anthropic rejected the API key (401)',
        'Check ANTHROPIC_API_KEY, or run "Pullmint: Set Anthropic API Key".',
      );
    if (status === 403)
      return new ProviderError('auth', `Anthropic refused the request (403): ${msg}`, "Check the key's workspace permissions.");
    if (status === 404)
      return new ProviderError(
        'model-missing',
        `Anthropic does not know the model ${this.opts.model}`,
        `Pick another model: --model ${DEFAULT_ANTHROPIC_MODEL} or pullmint.anthropic.model.`,
      );
    if (status === 429)
      return new ProviderError('other', 'Anthropic rate limit reached after retries', 'Wait a minute, or lower --max-calls.');
    if (status === 400 && /prompt is too long/i.test(msg))
      return new ProviderError(
        'other',
        `Anthropic refused a prompt longer than the model's window: ${msg}`,
        'Review fewer changes at once.',
        {
          promptTooLong: true,
        },
      );
    // The SDK retries a failed request itself, but not a stream cut in the middle of an answer.
    const failure = connectionFailure(err);
    if (failure === 'reset')
      return new ProviderError(
        'other',
        'The connection to Anthropic closed before the answer was complete',
        'Try again; if it persists, check the network or a proxy in between.',
        { transient: true },
      );
    if (name === 'APIConnectionError' || failure === 'refused') {
      return new ProviderError(
        'unreachable',
        `Anthropic API is not reachable${this.opts.baseURL ? ' at ' + this.opts.baseURL : ''}`,
        'Check the network connection or ANTHROPIC_BASE_URL.',
      );
    }
    return new ProviderError('other', `Anthropic request failed: ${msg}`, 'Try again; if it persists, check status.anthropic.com.');
  }
}

export const anthropicSettings = z.object({
  model: setting(z.string(), {
    default: DEFAULT_ANTHROPIC_MODEL,
    description: "Anthropic model id. The API key lives in VS Code's secret storage: **Pullmint: Set Anthropic API Key**.",
  }),
  baseUrl: setting(z.string(), {
    default: '',
    description: "Messages API base URL (empty: Anthropic's). Only user settings may set it.",
    scope: 'machine',
    env: { name: 'ANTHROPIC_BASE_URL' },
  }),
  maxOutputTokens: setting(z.number().int().min(256), { default: 8192, description: 'Most tokens one answer may have.' }),
});

const KNOWN_MODELS = ['claude-sonnet-5', 'claude-opus-5', 'claude-haiku-4-5', 'claude-sonnet-4-6'];

export const anthropic = defineProvider({
  name: 'anthropic',
  label: 'Anthropic Claude (cloud)',
  settings: anthropicSettings,
  secret: 'anthropicApiKey',
  isRemote: (s) => !isLoopbackUrl(s.baseUrl || 'https://api.anthropic.com'),
  create: (s, ctx) =>
    new AnthropicProvider({
      apiKey: ctx.apiKey,
      baseURL: s.baseUrl || undefined,
      model: s.model,
      maxOutputTokens: s.maxOutputTokens,
      maxRetries: 2,
    }),
  checks: async (s, ctx) => [
    ctx.apiKey
      ? { name: 'Anthropic API key', ok: true, detail: `set; model ${s.model}; diff chunks are sent to Anthropic with secrets redacted` }
      : {
          name: 'Anthropic API key',
          ok: false,
          detail: 'not set',
          fix: { label: 'Set Anthropic API Key', kind: 'set-secret', arg: 'anthropicApiKey' },
        },
  ],
  listModels: async () => KNOWN_MODELS.map((name) => ({ name })),
});
