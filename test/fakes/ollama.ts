import type { ServerResponse } from 'node:http';
import { LoopbackServer, sendJson, sleep, type RecordedRequest } from './http.js';
import { reviewPrompt, type Trigger } from './reviewer.js';

/**
 * `reset`: the connection closes before any answer, as when Ollama restarts. `html-error`: a 500
 * page from a proxy in front of Ollama. `rate-limited`: 429, with `retryAfter` when set.
 */
export type OllamaMode =
  'ok' | 'missing-model' | 'server-error' | 'cut-stream' | 'slow' | 'garbage' | 'reset' | 'html-error' | 'rate-limited';

export interface OllamaFakeOptions {
  models?: string[];
  /** What /api/show reports, and the most the runner loads whatever num_ctx asks. */
  contextLength?: number;
  mode?: OllamaMode;
  /** The mode of particular chat calls, by number from 1 (retries count); other calls follow `mode`. */
  calls?: Record<number, OllamaMode>;
  /** Milliseconds between streamed parts in 'slow' mode. */
  slowMs?: number;
  triggers?: Trigger[];
  /** Override the answer text entirely; given the prompt as the model saw it. */
  answer?: (seen: string) => string;
  /** Prompt characters per token: Qwen's tokenizer averages about 3 on code. */
  charsPerToken?: number;
  /**
   * How a prompt longer than the window is shortened, its start dropped either way: `window` keeps
   * num_ctx tokens (Ollama's own engine), `half` keeps 4 + half the rest (the llama.cpp runner).
   */
  cut?: 'window' | 'half';
  /** Refuse an over-long prompt with 400 when the request says `truncate: false`, as Ollama 0.12+ does. */
  honorTruncate?: boolean;
  /** Retry-After sent with a 429 or a 500. */
  retryAfter?: string;
  /** Milliseconds /api/show takes to answer. */
  showDelayMs?: number;
  /** Milliseconds a chat call thinks before its first streamed part (a model's fixed latency). */
  latencyMs?: number;
  /** Milliseconds between streamed parts of every chat call, whatever the mode. */
  partMs?: number;
  /** The mode of every chat call whose prompt this picks (a chunk that always fails); undefined: as usual. */
  failWhen?: (prompt: string) => OllamaMode | undefined;
}

const HTML_500 =
  '<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server Error</h1></center><hr><center>nginx</center></body></html>\n';

/** What the fake's runner did with one chat call's prompt. */
export interface Evaluation {
  numCtx: number;
  /** The whole prompt, templated, in the fake's tokens. */
  promptTokens: number;
  /** What it kept and reported as prompt_eval_count. */
  evaluated: number;
  cut: boolean;
}

/** Ollama's window when a request sets no num_ctx. */
const DEFAULT_NUM_CTX = 4096;
/** Tokens at the start that survive a cut (Ollama's num_keep). */
const KEEP = 4;

/** The Ollama HTTP API (/api/show, /api/chat streaming NDJSON, /api/tags, /api/version) on loopback. */
export class FakeOllama extends LoopbackServer {
  opts: Required<Omit<OllamaFakeOptions, 'answer' | 'triggers' | 'calls' | 'retryAfter' | 'failWhen'>> &
    Pick<OllamaFakeOptions, 'answer' | 'triggers' | 'calls' | 'retryAfter' | 'failWhen'>;
  readonly evaluations: Evaluation[] = [];
  /** Chat calls being answered now, and the most there ever were at once. */
  inFlight = 0;
  maxInFlight = 0;

  constructor(opts: OllamaFakeOptions = {}) {
    super((req, res) => this.handle(req, res));
    this.opts = {
      models: ['qwen2.5-coder:7b'],
      contextLength: 32768,
      mode: 'ok',
      slowMs: 200,
      charsPerToken: 3,
      cut: 'window',
      honorTruncate: false,
      showDelayMs: 0,
      latencyMs: 0,
      partMs: 0,
      ...opts,
    };
  }

  get chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/api/chat');
  }

  /** Tokens of a text as the fake's tokenizer counts them. */
  tokensOf(text: string): number {
    return Math.ceil(text.length / this.opts.charsPerToken);
  }

  private async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    const body = (req.json ?? {}) as Record<string, unknown>;
    const model = String(body.model ?? '');
    const known = this.opts.models.some((m) => m === model || m === `${model}:latest`);
    if (req.path === '/api/version') return sendJson(res, 200, { version: '0.12.6' });
    if (req.path === '/api/tags') {
      return sendJson(res, 200, {
        models: this.opts.models.map((name) => ({
          name,
          model: name,
          modified_at: '2026-11-01T10:00:00Z',
          size: 4_683_087_332,
          digest: 'a'.repeat(64),
          details: { format: 'gguf', family: 'qwen2', parameter_size: '7.6B', quantization_level: 'Q4_K_M' },
        })),
      });
    }
    if (req.path === '/api/show') {
      if (this.opts.showDelayMs) await sleep(this.opts.showDelayMs);
      if (res.destroyed) return;
      if (!known || this.opts.mode === 'missing-model') return sendJson(res, 404, { error: `model '${model}' not found` });
      return sendJson(res, 200, {
        modelfile: '# Modelfile',
        parameters: 'stop "<|im_end|>"',
        template: '{{ .Prompt }}',
        details: { format: 'gguf', family: 'qwen2', parameter_size: '7.6B', quantization_level: 'Q4_K_M' },
        model_info: { 'general.architecture': 'qwen2', 'qwen2.context_length': this.opts.contextLength },
        capabilities: ['completion', 'tools'],
        modified_at: '2026-11-01T10:00:00Z',
      });
    }
    if (req.path !== '/api/chat') return sendJson(res, 404, { error: 'not found' });
    const asked = ((body.messages ?? []) as { content?: string }[]).map((m) => m.content ?? '').join('\n');
    const mode = this.opts.calls?.[this.chatRequests.indexOf(req) + 1] ?? this.opts.failWhen?.(asked) ?? this.opts.mode;
    const retryAfter = this.opts.retryAfter !== undefined ? { 'retry-after': this.opts.retryAfter } : {};
    if (mode === 'html-error') {
      res.writeHead(500, { 'content-type': 'text/html', ...retryAfter });
      res.end(HTML_500);
      return;
    }
    if (mode === 'rate-limited') {
      res.writeHead(429, { 'content-type': 'application/json', ...retryAfter });
      res.end(JSON.stringify({ error: 'server busy, please try again.  maximum pending requests exceeded' }));
      return;
    }
    if (mode === 'reset') {
      res.socket?.destroy();
      return;
    }
    if (!known || mode === 'missing-model') return sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
    if (mode === 'server-error') {
      res.writeHead(500, { 'content-type': 'application/json', ...retryAfter });
      res.end(JSON.stringify({ error: 'llama runner process has terminated: signal: killed' }));
      return;
    }

    // The runner: the chat template around the messages, num_ctx capped at the model's length, and
    // a prompt longer than that shortened from the start, as `truncating input prompt` does.
    const messages = (body.messages ?? []) as { role: string; content: string }[];
    const prompt = messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') + '<|im_start|>assistant\n';
    const options = (body.options ?? {}) as { num_ctx?: number };
    const numCtx = Math.min(Number(options.num_ctx) || DEFAULT_NUM_CTX, this.opts.contextLength);
    const promptTokens = this.tokensOf(prompt);
    let seen = prompt;
    let evaluated = promptTokens;
    if (promptTokens > numCtx) {
      if (this.opts.honorTruncate && body.truncate === false) {
        return sendJson(res, 400, { error: `the input length (${promptTokens} tokens) exceeds the context length (${numCtx} tokens)` });
      }
      evaluated = this.opts.cut === 'half' ? KEEP + Math.floor((numCtx - KEEP) / 2) : numCtx;
      const cpt = this.opts.charsPerToken;
      seen = prompt.slice(0, KEEP * cpt) + prompt.slice(prompt.length - (evaluated - KEEP) * cpt);
    }
    this.evaluations.push({ numCtx, promptTokens, evaluated, cut: evaluated < promptTokens });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.answer(res, model, mode, seen, evaluated);
    } finally {
      this.inFlight--;
    }
  }

  private async answer(res: ServerResponse, model: string, mode: OllamaMode, seen: string, evaluated: number): Promise<void> {
    if (this.opts.latencyMs) await sleep(this.opts.latencyMs);
    if (res.destroyed) return;

    // The scripted model reads what the runner kept: a prompt that lost its start has no BEGIN-DIFF.
    const text =
      mode === 'garbage'
        ? 'I am sorry, I cannot help with that.'
        : (this.opts.answer?.(seen) ?? JSON.stringify(reviewPrompt(seen, this.opts.triggers)));
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const parts = text.match(/[\s\S]{1,40}/g) ?? [''];
    const send = (obj: unknown): boolean => res.write(JSON.stringify(obj) + '\n');
    for (let i = 0; i < parts.length; i++) {
      if (mode === 'cut-stream' && i >= parts.length / 2) {
        // What was written reaches the client before the connection drops mid-answer.
        await new Promise<void>((resolve) => res.write('', () => resolve()));
        res.socket?.destroy();
        return;
      }
      if (mode === 'slow') await sleep(this.opts.slowMs);
      else if (this.opts.partMs) await sleep(this.opts.partMs);
      if (res.destroyed) return;
      send({ model, created_at: new Date().toISOString(), message: { role: 'assistant', content: parts[i] }, done: false });
    }
    send({
      model,
      created_at: new Date().toISOString(),
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'stop',
      total_duration: 1_000_000,
      load_duration: 1000,
      prompt_eval_count: evaluated,
      prompt_eval_duration: 1000,
      eval_count: this.tokensOf(text),
      eval_duration: 1000,
    });
    res.end();
  }
}
