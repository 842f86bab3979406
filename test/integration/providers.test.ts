import assert from 'node:assert/strict';
import { AnthropicProvider } from '../../src/core/providers/anthropic.js';
import { OllamaProvider } from '../../src/core/providers/ollama.js';
import { OpenAICompatibleProvider } from '../../src/core/providers/openai.js';
import { parseRetryAfter, ProviderError } from '../../src/core/providers/types.js';
import { parseModelOutput } from '../../src/core/output/parse.js';
import { FakeAnthropic } from '../fakes/anthropic.js';
import { FakeOllama } from '../fakes/ollama.js';
import { FakeOpenAI } from '../fakes/openai.js';

const USER = ['BEGIN-DIFF abc', '### "src/a.js" (added)', '@@ -0 +1 @@', '+const x = eval(input);', '+// TODO later', 'END-DIFF abc'].join(
  '\n',
);
const req = { system: 'instructions', user: USER, promptTokens: 40, timeoutMs: 5000 };

function ollama(host: string, model = 'qwen2.5-coder:7b'): OllamaProvider {
  return new OllamaProvider({ host, model, maxNumCtx: 16384, outputReserve: 2048, keepAlive: '5m', temperature: 0.1 });
}

async function rejects(p: Promise<unknown>, kind: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ProviderError, `ProviderError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    assert.match(err.message, message);
    return true;
  });
}

describe('Ollama provider through the ollama client, against a loopback Ollama API', () => {
  let server: FakeOllama;
  beforeEach(async () => {
    server = new FakeOllama({ contextLength: 8192 });
    await server.start();
  });
  afterEach(() => server.stop());

  it('reads the context length, streams the answer, sets num_ctx, format, keep_alive and temperature', async () => {
    const p = ollama(server.url);
    const prep = await p.prepare();
    assert.equal(prep.contextTokens, 8192 - 2048);
    const deltas: string[] = [];
    const reply = await p.complete({ ...req, onDelta: (d) => deltas.push(d) });
    assert.ok(deltas.length > 1, 'streamed in parts');
    const parsed = parseModelOutput(reply.text);
    assert.deepEqual(
      parsed.findings.map((f) => [f.line, f.title]),
      [
        [1, 'eval on untrusted input'],
        [2, 'Unfinished work'],
      ],
    );
    const body = server.chatRequests[0].json as Record<string, any>;
    assert.equal(body.stream, true);
    assert.equal(body.keep_alive, '5m');
    assert.equal(body.options.temperature, 0.1);
    assert.equal(body.options.num_ctx, 8192, "the model's whole window, within numCtx");
    assert.equal(body.truncate, false, 'asks Ollama to refuse an over-long prompt rather than cut it');
    assert.equal(body.format.type, 'object');
    assert.ok(reply.completionTokens > 0);
    assert.equal(reply.truncatedPrompt, undefined);
  });

  it('sends the same num_ctx on every call, whatever the prompt size', async () => {
    const p = ollama(server.url);
    await p.prepare();
    await p.complete(req);
    await p.complete({ ...req, user: USER + '\n' + '// padding\n'.repeat(1500), promptTokens: 5500 });
    await p.complete(req);
    assert.deepEqual(
      server.chatRequests.map((r) => (r.json as Record<string, any>).options.num_ctx),
      [8192, 8192, 8192],
    );
  });

  it('says how to pull a missing model', async () => {
    await rejects(
      ollama(server.url, 'llama9:70b').prepare(),
      'model-missing',
      /Model llama9:70b is not pulled\. Run `ollama pull llama9:70b`\./,
    );
  });

  it('says Ollama is not reachable when nothing listens', async () => {
    const url = server.url;
    await server.stop();
    await rejects(ollama(url).prepare(), 'unreachable', new RegExp(`Ollama is not reachable at ${url.replace(/\./g, '\\.')}`));
    server = new FakeOllama();
    await server.start();
  });

  it('explains a 500 from the runner, as worth retrying after the Retry-After it sent', async () => {
    server.opts.mode = 'server-error';
    server.opts.retryAfter = '7';
    const p = ollama(server.url);
    await p.prepare();
    await assert.rejects(p.complete(req), (err: unknown) => {
      assert.ok(err instanceof ProviderError, String(err));
      assert.match(err.message, /HTTP 500: llama runner process has terminated/);
      assert.equal(err.transient && err.busy && !err.setup, true);
      assert.equal(err.retryAfterMs, 7000);
      return true;
    });
  });

  it('takes a 429 for a busy server to retry, not a failure of the review', async () => {
    server.opts.mode = 'rate-limited';
    const p = ollama(server.url);
    await p.prepare();
    await assert.rejects(p.complete(req), (err: unknown) => {
      assert.ok(err instanceof ProviderError, String(err));
      assert.match(err.message, /Ollama is busy \(HTTP 429\)/);
      assert.equal(err.transient && err.busy && !err.setup, true);
      assert.equal(err.retryAfterMs, undefined, 'no Retry-After: the review backs off on its own');
      return true;
    });
  });

  it('/api/show honours the timeout it is given', async () => {
    server.opts.showDelayMs = 5000;
    const p = new OllamaProvider({
      host: server.url,
      model: 'qwen2.5-coder:7b',
      maxNumCtx: 16384,
      outputReserve: 2048,
      keepAlive: '5m',
      temperature: 0.1,
      timeoutMs: 300,
    });
    const t0 = Date.now();
    await rejects(p.prepare(), 'timeout', /did not answer within the time limit/);
    assert.ok(Date.now() - t0 < 2000, `${Date.now() - t0} ms`);
  });

  it('takes a stream cut mid-answer for a broken connection worth retrying, not for Ollama being unreachable', async () => {
    server.opts.answer = () =>
      JSON.stringify({
        summary: 's',
        findings: Array.from({ length: 6 }, (_, i) => ({
          file: 'src/a.js',
          line: 1,
          severity: 'low',
          category: 'bug',
          title: `t${i}`,
          message: 'm',
        })),
      });
    server.opts.mode = 'cut-stream';
    const p = ollama(server.url);
    await p.prepare();
    await assert.rejects(p.complete(req), (err: unknown) => {
      assert.ok(err instanceof ProviderError, String(err));
      assert.equal(err.kind, 'other');
      assert.equal(err.transient, true);
      assert.equal(err.setup, false, 'does not stop the review');
      assert.match(err.message, /closed the connection before the answer was complete/);
      return true;
    });
  });

  it('takes a connection reset before any answer for a retryable failure too', async () => {
    server.opts.mode = 'reset';
    const p = ollama(server.url);
    await p.prepare();
    await assert.rejects(p.complete(req), (err: unknown) => err instanceof ProviderError && err.transient && err.kind === 'other');
  });

  it('still says Ollama is not reachable when nothing listens at call time', async () => {
    const p = ollama(server.url);
    await p.prepare();
    const url = server.url;
    await server.stop();
    await rejects(p.complete(req), 'unreachable', new RegExp(`Ollama is not reachable at ${url.replace(/\./g, '\\.')}`));
    server = new FakeOllama();
    await server.start();
  });

  it('cancels a slow answer through the AbortSignal', async () => {
    server.opts.mode = 'slow';
    server.opts.slowMs = 300;
    const p = ollama(server.url);
    await p.prepare();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = Date.now();
    await assert.rejects(
      p.complete({ ...req, signal: controller.signal }),
      (err: Error) => err.name === 'AbortError' || /abort/i.test(err.message),
    );
    assert.ok(Date.now() - started < 2000, 'stopped promptly');
  });

  it('turns a slow answer into a timeout failure, not a hang', async () => {
    server.opts.mode = 'slow';
    server.opts.slowMs = 400;
    const p = ollama(server.url);
    await p.prepare();
    await rejects(p.complete({ ...req, timeoutMs: 300 }), 'timeout', /time limit/);
  });

  // 9,000 characters of padding before the diff: about 3,000 of the fake's tokens against a 2,048-token window.
  const long = { ...req, user: '// padding\n'.repeat(900) + USER, promptTokens: 3100 };

  for (const cut of ['window', 'half'] as const) {
    it(`marks a prompt longer than num_ctx as cut when Ollama answers from its end (${cut === 'window' ? 'Ollama engine' : 'llama.cpp runner'})`, async () => {
      server.opts.contextLength = 2048;
      server.opts.cut = cut;
      const p = ollama(server.url);
      await p.prepare();
      const reply = await p.complete(long);
      assert.equal(reply.truncatedPrompt, true);
      assert.equal(server.evaluations[0].cut, true);
      assert.equal(reply.promptTokens, cut === 'window' ? 2048 : 1026, 'what Ollama reports as prompt_eval_count');
      assert.ok(
        reply.warnings.some((w) => /num_ctx 2048 cut the start of the prompt/.test(w)),
        reply.warnings.join('; '),
      );
    });
  }

  it('explains a prompt refused for its length by an Ollama that honours truncate: false', async () => {
    server.opts.contextLength = 2048;
    server.opts.honorTruncate = true;
    const p = ollama(server.url);
    await p.prepare();
    await assert.rejects(p.complete(long), (err: unknown) => {
      assert.ok(err instanceof ProviderError, String(err));
      assert.equal(err.promptTooLong, true);
      assert.equal(err.setup, false);
      assert.match(err.message, /refused a prompt longer than its window \(num_ctx 2048\)/);
      return true;
    });
  });
});

describe('Anthropic provider through @anthropic-ai/sdk, against a loopback Messages API', () => {
  let server: FakeAnthropic;
  beforeEach(async () => {
    server = new FakeAnthropic();
    await server.start();
  });
  afterEach(() => server.stop());
  const make = (apiKey: string | undefined = 'sk-ant-test-key') =>
    new AnthropicProvider({ apiKey, baseURL: server.url, model: 'claude-sonnet-5', maxOutputTokens: 8192, maxRetries: 2 });

  it('streams a forced tool call, caches the instructions and reports tokens and cost', async () => {
    const p = make();
    assert.equal((await p.prepare()).contextTokens, 200_000 - 8192);
    const reply = await p.complete(req);
    const parsed = parseModelOutput(reply.text);
    assert.equal(parsed.findings.length, 2);
    const body = server.messageRequests[0].json as Record<string, any>;
    assert.equal(body.stream, true);
    assert.deepEqual(body.tool_choice, { type: 'tool', name: 'report_review' });
    assert.equal(body.tools[0].input_schema.type, 'object');
    assert.deepEqual(body.system[0].cache_control, { type: 'ephemeral' });
    assert.ok(reply.promptTokens > 600, 'cache tokens counted');
    assert.ok(reply.costUsd !== undefined && reply.costUsd > 0);
    const second = await p.complete(req);
    assert.ok(second.costUsd! < reply.costUsd!, 'a cache read costs less than a cache write');
  });

  it('needs a key before any call, and explains a rejected key', async () => {
    await rejects(make('').prepare(), 'auth', /No Anthropic API key/);
    await rejects(make('sk-ant-wrong').complete(req), 'auth', /rejected the API key/);
  });

  it('retries an overloaded answer through the SDK', async () => {
    server.mode = 'overloaded-once';
    const reply = await make().complete(req);
    assert.equal(parseModelOutput(reply.text).findings.length, 2);
    assert.equal(server.messageRequests.length, 2);
  });

  it('keeps complete findings when Claude stops at max_tokens', async () => {
    server.mode = 'max-tokens';
    const reply = await make().complete(req);
    assert.ok(reply.warnings.some((w) => /output limit/.test(w)));
    const parsed = parseModelOutput(reply.text);
    assert.equal(parsed.truncated, true);
    assert.equal(parsed.findings.length, 1);
  });
});

describe('OpenAI-compatible provider against a loopback chat/completions server', () => {
  it('takes 429 and 5xx for a busy server to retry, with its Retry-After capped at 60 s', async () => {
    const server = new FakeOpenAI();
    await server.start();
    try {
      server.failures = { 1: { status: 429, retryAfter: '3600' }, 2: { status: 503 } };
      const p = new OpenAICompatibleProvider({ baseURL: server.url, model: 'qwen', contextTokens: 32768, outputReserve: 2048 });
      for (const [status, wait] of [
        [429, 60_000],
        [503, undefined],
      ] as const) {
        await assert.rejects(p.complete(req), (err: unknown) => {
          assert.ok(err instanceof ProviderError, String(err));
          assert.equal(err.transient && err.busy && !err.setup, true, `${status}`);
          assert.equal(err.retryAfterMs, wait);
          return true;
        });
      }
      assert.equal(parseModelOutput((await p.complete(req)).text).findings.length, 2, 'the third call answers');
    } finally {
      await server.stop();
    }
  });

  it('reads Retry-After as seconds or an HTTP date, never past 60 s', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    assert.equal(parseRetryAfter('2', now), 2000);
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter('86400', now), 60_000);
    assert.equal(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  it('streams SSE with a JSON schema response_format', async () => {
    const server = new FakeOpenAI();
    await server.start();
    try {
      const p = new OpenAICompatibleProvider({ baseURL: server.url, model: 'qwen', contextTokens: 32768, outputReserve: 2048 });
      assert.equal(p.isCloud, false, 'loopback is local');
      await p.prepare();
      const reply = await p.complete(req);
      assert.equal(parseModelOutput(reply.text).findings.length, 2);
      const body = server.requests[0].json as Record<string, any>;
      assert.equal(body.response_format.type, 'json_schema');
      assert.equal(body.stream, true);
      assert.ok(reply.completionTokens > 0);
      assert.equal(
        new OpenAICompatibleProvider({ baseURL: 'http://gpu-box:8000', model: 'm', contextTokens: 1, outputReserve: 1 }).isCloud,
        true,
      );
    } finally {
      await server.stop();
    }
  });
});
