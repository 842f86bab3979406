import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../src/core/config/schema.js';
import { collectDiff } from '../../src/core/git/diff.js';
import { runModelPhase } from '../../src/core/model-phase.js';
import { parseRetryAfter, ProviderError, type CompletionRequest, type ReviewProvider } from '../../src/core/providers/types.js';
import { FakeAnthropic } from '../fakes/anthropic.js';
import { FakeOllama, type OllamaFakeOptions } from '../fakes/ollama.js';
import { cliEnv, ensureBuilt, runCli, type CliRun } from '../helpers/cli.js';
import { TempRepo } from '../helpers/git.js';

const FILES = ['alpha', 'beta', 'gamma'];

/** Three new files, each with an eval the scripted model reports, large enough to need a chunk each. */
function threeFileRepo(): TempRepo {
  const repo = new TempRepo();
  repo.write('README.md', 'base\n').commit('base');
  for (const name of FILES) {
    const lines = Array.from({ length: 60 }, (_, i) => `export const ${name}_${i} = compute(${i}, '${name} value number ${i}');`);
    lines[5] = `export const run_${name} = (s) => eval(s);`;
    repo.write(`src/${name}.js`, lines.join('\n') + '\n');
  }
  return repo;
}

/** The whole of stdout is one JSON value, nothing before or after it. */
function oneJson(r: CliRun): any {
  assert.match(r.stdout, /^\{/, `stdout starts with the JSON object: ${r.stdout.slice(0, 200)}`);
  return JSON.parse(r.stdout);
}

const llmFiles = (out: any): string[] =>
  [...new Set<string>(out.findings.filter((f: any) => f.origin === 'llm').map((f: any) => f.file))].sort();

describe('model faults through the built CLI: stdout stays one JSON object, a failed call fails its own chunk', () => {
  let repo: TempRepo;
  let ollama: FakeOllama;
  let env: Record<string, string>;
  before(() => ensureBuilt());
  const start = async (opts: OllamaFakeOptions): Promise<void> => {
    // A 4096-token model with 1024 tokens kept for the answer: one chunk per file.
    ollama = new FakeOllama({ contextLength: 4096, ...opts });
    await ollama.start();
    env = cliEnv({ OLLAMA_HOST: ollama.url });
    mkdirSync(join(env.XDG_CONFIG_HOME, 'pullmint'), { recursive: true });
    writeFileSync(join(env.XDG_CONFIG_HOME, 'pullmint', 'config.json'), JSON.stringify({ outputReserveTokens: 1024 }));
  };
  beforeEach(() => {
    repo = threeFileRepo();
  });
  afterEach(async () => {
    repo.remove();
    await ollama?.stop();
  });

  it('reviews three files in three chunks when nothing fails (the baseline the cases below depend on)', async () => {
    await start({});
    const r = await runCli(['review', '--format', 'json', '--no-cache'], { cwd: repo.dir, env });
    assert.equal(r.code, 0, r.stderr);
    const out = oneJson(r);
    assert.equal(ollama.chatRequests.length, 3);
    assert.deepEqual(llmFiles(out), ['src/alpha.js', 'src/beta.js', 'src/gamma.js']);
    assert.equal(out.coverage.complete, true);
  });

  it('an HTML 500 page: the ollama client prints to the console, but stdout is still exactly the JSON report', async () => {
    await start({ mode: 'html-error', retryAfter: '0' });
    const r = await runCli(['review', '--format', 'json', '--no-cache'], { cwd: repo.dir, env });
    assert.equal(r.code, 3, r.stderr);
    const out = oneJson(r);
    // What the client printed went to stderr instead.
    assert.match(r.stderr, /Getting text from response/);
    assert.match(out.modelError.message, /Ollama failed with HTTP 500: an HTML page titled "500 Internal Server Error"/);
    assert.doesNotMatch(JSON.stringify(out), /<html>/i, 'the page itself is not pasted into the report');
    assert.equal(ollama.chatRequests.length, 9, 'each chunk tried three times');
  });

  it('a 429 on one call, then the retry: every chunk is reviewed, the Retry-After honoured', async () => {
    await start({ calls: { 2: 'rate-limited' }, retryAfter: '1' });
    const t0 = Date.now();
    const r = await runCli(['review', '--format', 'json', '--no-cache'], { cwd: repo.dir, env });
    const ms = Date.now() - t0;
    assert.equal(r.code, 0, r.stderr);
    const out = oneJson(r);
    assert.equal(ollama.chatRequests.length, 4);
    assert.deepEqual(llmFiles(out), ['src/alpha.js', 'src/beta.js', 'src/gamma.js']);
    assert.equal(out.coverage.complete, true);
    assert.ok(
      out.warnings.some((w: string) => /chunk 2\/3: Ollama is busy \(HTTP 429\).*trying once more in 1 s \(retry 1 of 2\)/.test(w)),
    );
    assert.ok(ms >= 1000, `waited for Retry-After: 1 (took ${ms} ms)`);
  });

  it('a 500 on one call, then the retry: every chunk is reviewed', async () => {
    await start({ calls: { 1: 'server-error' } });
    const r = await runCli(['review', '--format', 'json', '--no-cache'], { cwd: repo.dir, env });
    assert.equal(r.code, 0, r.stderr);
    const out = oneJson(r);
    assert.equal(ollama.chatRequests.length, 4);
    assert.deepEqual(llmFiles(out), ['src/alpha.js', 'src/beta.js', 'src/gamma.js']);
    assert.equal(out.coverage.complete, true);
  });

  it('a 500 on every try of one chunk: that chunk is listed unreviewed after two retries, the others are reviewed', async () => {
    await start({ failWhen: (prompt) => (prompt.includes('src/beta.js') ? 'server-error' : undefined), retryAfter: '0' });
    const r = await runCli(['review', '--format', 'json', '--no-cache'], { cwd: repo.dir, env });
    assert.equal(r.code, 0, r.stderr);
    const out = oneJson(r);
    const tries = ollama.chatRequests.filter((q) => q.body.includes('src/beta.js')).length;
    assert.equal(tries, 3, 'one call and two retries');
    assert.equal(ollama.chatRequests.length, 5);
    assert.deepEqual(llmFiles(out), ['src/alpha.js', 'src/gamma.js']);
    assert.equal(out.modelError, undefined, 'the model did work: no "could not be used"');
    assert.equal(out.coverage.complete, false);
    assert.deepEqual(
      out.coverage.unreviewed.map((u: any) => [u.file, u.startLine, u.endLine]),
      [['src/beta.js', 1, 60]],
    );
    assert.match(out.coverage.unreviewed[0].reason, /Ollama failed with HTTP 500: llama runner process has terminated/);
  });

  it('/api/show slower than --timeout fails within the timeout, and says which limit to raise', async () => {
    await start({ showDelayMs: 10_000 });
    const t0 = Date.now();
    const r = await runCli(['review', '--format', 'json', '--timeout', '1'], { cwd: repo.dir, env, timeoutMs: 9000 });
    const ms = Date.now() - t0;
    assert.equal(r.code, 3, r.stderr);
    const out = oneJson(r);
    assert.equal(out.modelError.kind, 'timeout');
    assert.match(out.modelError.message, /Ollama did not answer within the time limit/);
    assert.match(out.modelError.fix, /--timeout/);
    assert.ok(ms < 5000, `gave up after the 1 s limit, not the fake's 10 s (took ${ms} ms)`);
    assert.equal(ollama.chatRequests.length, 0);
  });

  it('an answer of 5,000 findings and over 256 KB: read up to the cap, 50 findings kept, both said', async () => {
    const finding = (i: number): Record<string, unknown> => ({
      file: 'src/alpha.js',
      line: (i % 60) + 1,
      severity: i % 7 === 0 ? 'high' : 'low',
      category: 'maintainability',
      title: `Repeated remark ${i}`,
      message: `Remark number ${i} about this line, written at length so that the answer grows past the cap.`,
    });
    await start({
      answer: (seen) =>
        seen.includes('src/alpha.js')
          ? JSON.stringify({ summary: 'y'.repeat(10_000), findings: Array.from({ length: 5000 }, (_, i) => finding(i)) })
          : JSON.stringify({ summary: 'fine', findings: [] }),
    });
    const r = await runCli(['review', '--format', 'json', '--no-cache'], { cwd: repo.dir, env });
    assert.equal(r.code, 0, r.stderr);
    const out = oneJson(r);
    const llm = out.findings.filter((f: any) => f.origin === 'llm');
    assert.ok(llm.length > 0 && llm.length <= 50, `${llm.length} findings kept`);
    assert.ok(
      llm.every((f: any) => f.severity === 'high'),
      'the most severe are the ones kept',
    );
    // Ollama's stream is left once the answer passes the cap; what was read is parsed.
    assert.ok(out.warnings.some((w: string) => /the model kept answering past 262,144 characters; the rest was not read/.test(w)));
    assert.ok(out.warnings.some((w: string) => /only the 50 most severe are kept/.test(w)));
    assert.ok(out.warnings.some((w: string) => /summary was 10000 characters; cut to 4000/.test(w)));
  });
});

describe('ANTHROPIC_LOG=debug through the built CLI', () => {
  let repo: TempRepo;
  let server: FakeAnthropic;
  before(() => ensureBuilt());
  beforeEach(async () => {
    repo = threeFileRepo();
    server = new FakeAnthropic();
    await server.start();
  });
  afterEach(async () => {
    repo.remove();
    await server.stop();
  });

  it("the SDK's debug log goes to stderr; stdout is exactly the JSON report", async () => {
    const env = cliEnv({ ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.url, ANTHROPIC_LOG: 'debug' });
    const r = await runCli(['review', '--provider', 'anthropic', '--format', 'json', '--no-cache'], { cwd: repo.dir, env });
    assert.equal(r.code, 0, r.stderr);
    const out = oneJson(r);
    assert.ok(server.messageRequests.length > 0);
    assert.deepEqual(llmFiles(out), ['src/alpha.js', 'src/beta.js', 'src/gamma.js']);
    assert.match(r.stderr, /\[log_[0-9a-f]+\]|sending request|response/i, 'the SDK did log, to stderr');
  });
});

describe('retry schedule of one call (real git diff, a scripted provider, the pause recorded instead of slept)', () => {
  let repo: TempRepo;
  beforeEach(() => {
    repo = new TempRepo();
    repo.write('a.js', 'base\n').commit('base');
    repo.write('a.js', 'base\nconst x = eval(input);\n');
  });
  afterEach(() => repo.remove());

  const phase = async (failures: ProviderError[]): Promise<{ sleeps: number[]; calls: number; reviewed: boolean; warnings: string[] }> => {
    const files = (await collectDiff(repo.dir, { kind: 'working-tree' }, { contextLines: 3 })).files;
    let calls = 0;
    const provider: ReviewProvider = {
      name: 'scripted',
      model: 'm',
      isCloud: false,
      concurrency: 1,
      prepare: async () => ({ contextTokens: 8000, warnings: [] }),
      complete: async (req: CompletionRequest) => {
        const failure = failures[calls++];
        if (failure) throw failure;
        return { text: JSON.stringify({ summary: 'ok', findings: [] }), promptTokens: req.promptTokens, completionTokens: 5, warnings: [] };
      },
    };
    const sleeps: number[] = [];
    const warnings: string[] = [];
    const r = await runModelPhase(
      {
        files,
        provider,
        config: { ...DEFAULT_CONFIG, cache: false },
        cache: null,
        warn: (w) => warnings.push(w),
        onChunk: () => undefined,
        onProgress: () => undefined,
        onPlanned: () => undefined,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
      8000,
    );
    return { sleeps, calls, reviewed: r.outcomes.every((o) => o.reviewed), warnings };
  };
  const busy = (retryAfter?: string): ProviderError =>
    new ProviderError('other', 'busy', 'wait', { transient: true, busy: true, retryAfterMs: parseRetryAfter(retryAfter) });
  const reset = (): ProviderError => new ProviderError('other', 'reset', 'again', { transient: true });

  it("waits the server's Retry-After, capped at 60 s, then backs off on its own; the third try is reviewed", async () => {
    const r = await phase([busy('3600'), busy()]);
    assert.deepEqual(r.sleeps, [60_000, 1000]);
    assert.equal(r.calls, 3);
    assert.equal(r.reviewed, true);
    assert.match(r.warnings[0], /busy; trying once more in 60 s \(retry 1 of 2\)/);
  });

  it('gives up after two retries of a busy server, and after one of a broken stream', async () => {
    const b = await phase([busy('0'), busy('0'), busy('0')]);
    assert.deepEqual([b.calls, b.reviewed], [3, false]);
    const r = await phase([reset(), reset()]);
    assert.deepEqual([r.calls, r.reviewed, r.sleeps], [2, false, [500]]);
  });
});
