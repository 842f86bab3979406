import type { ServerResponse } from 'node:http';
import { LoopbackServer, sendJson, type RecordedRequest } from './http.js';
import { reviewPrompt } from './reviewer.js';

export type AnthropicMode = 'ok' | 'unauthorized' | 'max-tokens' | 'overloaded-once';

/** The Messages API (POST /v1/messages, SSE streaming with a forced tool_use) on loopback. */
export class FakeAnthropic extends LoopbackServer {
  mode: AnthropicMode = 'ok';
  /** The tool input to answer with, given the user message; a review of the diff otherwise. */
  answer?: (user: string) => unknown;
  private overloadedSent = false;

  constructor(readonly apiKey = 'sk-ant-test-key') {
    super((req, res) => this.handle(req, res));
  }

  get messageRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/v1/messages'));
  }

  private handle(req: RecordedRequest, res: ServerResponse): void {
    if (!req.path.startsWith('/v1/messages'))
      return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'Not found' } });
    // The SDK sends the key as x-api-key or as a bearer token depending on its version.
    const key = req.headers['x-api-key'] ?? String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (key !== this.apiKey || this.mode === 'unauthorized') {
      return sendJson(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
    }
    if (this.mode === 'overloaded-once' && !this.overloadedSent) {
      this.overloadedSent = true;
      res.writeHead(529, { 'content-type': 'application/json', 'retry-after': '0' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
      return;
    }
    const body = req.json as { model: string; messages: { content: string }[]; tool_choice?: { name: string } };
    const user = typeof body.messages[0].content === 'string' ? body.messages[0].content : '';
    let input = JSON.stringify(this.answer ? this.answer(user) : reviewPrompt(user));
    if (this.mode === 'max-tokens') input = input.slice(0, Math.floor(input.length * 0.7));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const event = (type: string, data: unknown): boolean => res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    const cached = this.messageRequests.length > 1;
    event('message_start', {
      type: 'message_start',
      message: {
        id: `msg_${this.messageRequests.length}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: Math.ceil(user.length / 4),
          cache_creation_input_tokens: cached ? 0 : 600,
          cache_read_input_tokens: cached ? 600 : 0,
          output_tokens: 1,
        },
      },
    });
    event('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: 'toolu_01', name: body.tool_choice?.name ?? 'report_review', input: {} },
    });
    for (const part of input.match(/[\s\S]{1,25}/g) ?? []) {
      event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: part } });
    }
    event('content_block_stop', { type: 'content_block_stop', index: 0 });
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: this.mode === 'max-tokens' ? 'max_tokens' : 'tool_use', stop_sequence: null },
      usage: { output_tokens: Math.ceil(input.length / 4) },
    });
    event('message_stop', { type: 'message_stop' });
    res.end();
  }
}
