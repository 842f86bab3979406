import type { ServerResponse } from 'node:http';
import { LoopbackServer, sendJson, sleep, type RecordedRequest } from './http.js';
import { reviewPrompt, type Trigger } from './reviewer.js';

export type OllamaMode = 'ok' | 'missing-model' | 'server-error' | 'cut-stream' | 'slow' | 'garbage';

export interface OllamaFakeOptions {
  models?: string[];
  contextLength?: number;
  mode?: OllamaMode;
  /** Milliseconds between streamed parts in 'slow' mode. */
  slowMs?: number;
  triggers?: Trigger[];
  /** Override the answer text entirely. */
  answer?: (user: string) => string;
  /** Report fewer evaluated prompt tokens than sent (simulates Ollama truncating the prompt). */
  promptEvalFactor?: number;
}

/** The Ollama HTTP API (/api/show, /api/chat streaming NDJSON, /api/tags, /api/version) on loopback. */
export class FakeOllama extends LoopbackServer {
  opts: Required<Omit<OllamaFakeOptions, 'answer' | 'triggers'>> & Pick<OllamaFakeOptions, 'answer' | 'triggers'>;

  constructor(opts: OllamaFakeOptions = {}) {
    super((req, res) => this.handle(req, res));
    this.opts = { models: ['qwen2.5-coder:7b'], contextLength: 32768, mode: 'ok', slowMs: 200, promptEvalFactor: 1, ...opts };
  }

  get chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/api/chat');
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
    if (!known || this.opts.mode === 'missing-model')
      return sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
    if (this.opts.mode === 'server-error') return sendJson(res, 500, { error: 'llama runner process has terminated: signal: killed' });
    const messages = (body.messages ?? []) as { role: string; content: string }[];
    const user = messages.find((m) => m.role === 'user')?.content ?? '';
    const text =
      this.opts.mode === 'garbage'
        ? 'I am sorry, I cannot help with that.'
        : (this.opts.answer?.(user) ?? JSON.stringify(reviewPrompt(user, this.opts.triggers)));
    const promptChars = messages.reduce((n, m) => n + m.content.length, 0);
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const parts = text.match(/[\s\S]{1,40}/g) ?? [''];
    const send = (obj: unknown): boolean => res.write(JSON.stringify(obj) + '\n');
    for (let i = 0; i < parts.length; i++) {
      if (this.opts.mode === 'cut-stream' && i >= parts.length / 2) {
        res.socket?.destroy();
        return;
      }
      if (this.opts.mode === 'slow') await sleep(this.opts.slowMs);
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
      prompt_eval_count: Math.round((promptChars / 4) * this.opts.promptEvalFactor),
      prompt_eval_duration: 1000,
      eval_count: Math.ceil(text.length / 4),
      eval_duration: 1000,
    });
    res.end();
  }
}
