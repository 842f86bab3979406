import type { ServerResponse } from 'node:http';
import { LoopbackServer, sendJson, type RecordedRequest } from './http.js';
import { reviewPrompt } from './reviewer.js';

/** OpenAI-compatible POST /v1/chat/completions with SSE streaming, as vLLM and LM Studio serve it. */
export class FakeOpenAI extends LoopbackServer {
  /** An error status for particular calls, by number from 1; other calls answer. */
  failures: Record<number, { status: number; retryAfter?: string }> = {};
  /** Override the answer text entirely; given the user prompt. */
  answer?: (user: string) => string;

  constructor() {
    super((req, res) => this.handle(req, res));
  }

  get chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/v1/chat/completions');
  }

  private handle(req: RecordedRequest, res: ServerResponse): void {
    if (req.path !== '/v1/chat/completions') return sendJson(res, 404, { error: { message: 'not found' } });
    const failure = this.failures[this.chatRequests.indexOf(req) + 1];
    if (failure) {
      res.writeHead(failure.status, {
        'content-type': 'application/json',
        ...(failure.retryAfter !== undefined ? { 'retry-after': failure.retryAfter } : {}),
      });
      res.end(JSON.stringify({ error: { message: failure.status === 429 ? 'Rate limit exceeded' : 'Internal server error' } }));
      return;
    }
    const body = req.json as { model: string; messages: { role: string; content: string }[] };
    const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
    const text = this.answer?.(user) ?? JSON.stringify(reviewPrompt(user));
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (d: unknown): boolean => res.write(`data: ${JSON.stringify(d)}\n\n`);
    for (const part of text.match(/[\s\S]{1,30}/g) ?? []) {
      send({
        id: 'c1',
        object: 'chat.completion.chunk',
        model: body.model,
        choices: [{ index: 0, delta: { content: part }, finish_reason: null }],
      });
    }
    send({ id: 'c1', object: 'chat.completion.chunk', model: body.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    send({
      id: 'c1',
      object: 'chat.completion.chunk',
      model: body.model,
      choices: [],
      // The whole prompt, system message included, as a server counts it.
      usage: {
        prompt_tokens: Math.ceil(body.messages.map((m) => m.content).join('').length / 4),
        completion_tokens: Math.ceil(text.length / 4),
      },
    });
    res.write('data: [DONE]\n\n');
    res.end();
  }
}
