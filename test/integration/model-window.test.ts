import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, type PullmintConfig } from '../../src/core/config/schema.js';
import { runReview, type ReviewEvent } from '../../src/core/engine.js';
import { WINDOW_CUT_REASON } from '../../src/core/model-phase.js';
import { toRanges } from '../../src/core/pack/chunker.js';
import { OllamaProvider } from '../../src/core/providers/ollama.js';
import type { ReviewResult, UnreviewedRange } from '../../src/core/types.js';
import { FakeOllama, type OllamaFakeOptions } from '../fakes/ollama.js';
import type { RecordedRequest } from '../fakes/http.js';
import { headerPath } from '../fakes/reviewer.js';
import { TempRepo } from '../helpers/git.js';

/**
 * What the model read, checked against an Ollama that counts tokens as a real tokenizer does (about
 * 3 characters each), evaluates at most num_ctx of them and drops the start of a longer prompt.
 */

const config = (over: Partial<PullmintConfig> = {}): PullmintConfig => ({ ...structuredClone(DEFAULT_CONFIG), ...over });

function ollama(host: string, maxNumCtx = 16384, outputReserve = 512): OllamaProvider {
  return new OllamaProvider({ host, model: 'qwen2.5-coder:7b', maxNumCtx, outputReserve, keepAlive: '5m', temperature: 0.1 });
}

/** `lines` added lines of ordinary code, a TODO every 40th so that the scripted model has findings to make. */
function source(name: string, lines: number): string {
  return Array.from({ length: lines }, (_, i) =>
    i % 40 === 7 ? `  // TODO ${name} ${i}: tidy this up` : `export const ${name}${i} = compute(${i}, "${name}") + offset; // value ${i}`,
  ).join('\n');
}

function repoWith(files: Record<string, string>): TempRepo {
  const repo = new TempRepo();
  repo.write('README.md', 'base\n');
  repo.commit('base');
  for (const [path, text] of Object.entries(files)) repo.write(path, text + '\n');
  return repo;
}

/** The added lines a chat request showed the model, per file, read the way the scripted model reads them. */
function shownLines(req: RecordedRequest): Map<string, number[]> {
  const user = (req.json as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === 'user')!.content;
  const out = new Map<string, number[]>();
  let file = '';
  let n = 0;
  for (const line of user.split('\n')) {
    const head = headerPath(line);
    if (head !== null) file = head;
    const hunk = /^@@ -\d+ \+(\d+) @@/.exec(line);
    if (hunk) n = Number(hunk[1]);
    else if (line.startsWith('+')) out.set(file, [...(out.get(file) ?? []), n++]);
    else if (line.startsWith(' ')) n++;
  }
  return out;
}

function rangesOf(lines: Map<string, number[]>): [string, number, number][] {
  return [...lines].flatMap(([file, l]) => toRanges(l).map(([s, e]): [string, number, number] => [file, s, e]));
}

const count = (ranges: UnreviewedRange[]): number => ranges.reduce((n, u) => n + u.endLine - u.startLine + 1, 0);

function assertAccounted(r: ReviewResult): void {
  assert.equal(r.coverage.reviewedLines + count(r.coverage.unreviewed), r.coverage.changedLines, 'every changed line reviewed or listed');
}

const numCtxs = (server: FakeOllama): Set<number> =>
  new Set(server.chatRequests.map((r) => (r.json as { options: { num_ctx: number } }).options.num_ctx));

describe('model window: what was sent is what the model read (real git, loopback Ollama)', () => {
  let server: FakeOllama;
  let repo: TempRepo | undefined;
  const start = async (opts: OllamaFakeOptions): Promise<void> => {
    server = new FakeOllama(opts);
    await server.start();
  };
  afterEach(async () => {
    await server.stop();
    repo?.remove();
    repo = undefined;
  });

  it('says so when the window left after the answer holds only a few lines per call, and still reviews every line', async () => {
    await start({ contextLength: 2048 });
    repo = repoWith({ 'src/small.ts': source('small', 40) });
    const tight = await runReview({
      repoDir: repo.dir,
      target: { kind: 'working-tree' },
      config: { ...config(), outputReserveTokens: 1536 },
      provider: ollama(server.url, 2048, 1536),
    });
    assert.ok(
      tight.warnings.some((w) =>
        /window leaves \d+ tokens of diff per call \(1536 are kept for the answer\).*lower outputReserveTokens/.test(w),
      ),
      tight.warnings.join('\n'),
    );
    assertAccounted(tight);
    const roomy = await runReview({
      repoDir: repo.dir,
      target: { kind: 'working-tree' },
      config: config(),
      provider: ollama(server.url, 2048, 256),
    });
    assert.ok(!roomy.warnings.some((w) => /tokens of diff per call/.test(w)), roomy.warnings.join('\n'));
  });

  it('sends no chunk of a normal-sized diff that Ollama would cut, and the same num_ctx on every call', async () => {
    await start({ contextLength: 4096 });
    repo = repoWith(Object.fromEntries(['alpha', 'beta', 'gamma', 'delta', 'epsilon'].map((n) => [`src/${n}.ts`, source(n, 400)])));
    const r = await runReview({ repoDir: repo.dir, target: { kind: 'working-tree' }, config: config(), provider: ollama(server.url) });
    assert.ok(server.evaluations.length >= 8, `${server.evaluations.length} calls`);
    for (const e of server.evaluations) assert.ok(!e.cut && e.evaluated <= e.numCtx, JSON.stringify(e));
    // Full chunks, so that an estimate of 4 characters a token (a third larger chunks) would have been cut.
    const fullest = Math.max(...server.evaluations.map((e) => e.promptTokens));
    assert.ok(fullest > 4096 * 0.75 && fullest * (4 / 3) > 4096, `fullest prompt ${fullest} tokens`);
    assert.deepEqual([...numCtxs(server)], [4096]);
    assert.equal(r.coverage.reviewedLines, 2000);
    assert.deepEqual(r.coverage.unreviewed, []);
    assert.equal(r.findings.filter((f) => f.origin === 'llm').length, 50, 'every TODO seen');
  });

  for (const variant of ['window', 'half', 'refused'] as const) {
    it(`lists the lines of a chunk the window cut as unreviewed, packs the later ones to fit (${variant})`, async () => {
      // A tokenizer denser than the estimate (2 characters a token): the first full chunk overflows num_ctx.
      await start({
        contextLength: 4096,
        charsPerToken: 2,
        cut: variant === 'half' ? 'half' : 'window',
        honorTruncate: variant === 'refused',
      });
      repo = repoWith(Object.fromEntries(['alpha', 'beta', 'gamma'].map((n) => [`src/${n}.ts`, source(n, 300)])));
      let planned = 0;
      const r = await runReview({
        repoDir: repo.dir,
        target: { kind: 'working-tree' },
        config: config(),
        provider: ollama(server.url),
        onEvent: (e: ReviewEvent) => void (e.type === 'started' && (planned = e.chunks)),
      });
      const first = shownLines(server.chatRequests[0]);
      const reason =
        variant === 'refused' ? /refused a prompt longer than its window \(num_ctx 4096\)/ : new RegExp(`^${WINDOW_CUT_REASON}$`);
      const cut = r.coverage.unreviewed.filter((u) => reason.test(u.reason));
      assert.deepEqual(
        cut.map((u) => [u.file, u.startLine, u.endLine]),
        rangesOf(first),
        "exactly the first chunk's lines",
      );
      assert.deepEqual(r.coverage.unreviewed, cut, 'nothing else unreviewed');
      assertAccounted(r);
      assert.ok(r.coverage.reviewedLines > 0 && !r.rulesOnly && !r.modelError);
      if (variant !== 'refused') {
        assert.equal(server.evaluations[0].cut, true);
        assert.ok(r.warnings.some((w) => /num_ctx 4096 cut the start of the prompt/.test(w)));
      }
      assert.ok(
        server.evaluations.slice(variant === 'refused' ? 0 : 1).every((e) => !e.cut),
        'once a reply showed the undercount, later chunks were packed to fit',
      );
      assert.ok(r.stats.chunks > planned, `re-packed: ${r.stats.chunks} chunks sent of ${planned} planned`);
      const unreviewedFiles = new Map([...first].map(([f, l]) => [f, new Set(l)]));
      assert.ok(
        r.findings.filter((f) => f.origin === 'llm').every((f) => !unreviewedFiles.get(f.file)?.has(f.line)),
        'no finding from the cut chunk',
      );
      assert.deepEqual([...numCtxs(server)], [4096]);
    });
  }

  it('clips a 1 MB line in the prompt and lists it as unreviewed; the rest of the file is reviewed', async () => {
    await start({ contextLength: 32768 });
    const huge = `export const blob = "${'0123456789abcdef'.repeat(65_536)}";`;
    repo = repoWith({ 'src/blob.ts': ['export const before = 1;', huge, '// TODO after the blob', 'export const after = 2;'].join('\n') });
    const r = await runReview({ repoDir: repo.dir, target: { kind: 'working-tree' }, config: config(), provider: ollama(server.url) });
    // The clipped line fills a chunk of its own: its neighbours go in the chunks before and after.
    const bodies = server.chatRequests.map((q) => q.body.length);
    assert.ok(
      bodies.every((n) => n < 60_000),
      `request bodies of ${bodies.join(', ')} bytes for a ${huge.length}-character line`,
    );
    assert.match(server.chatRequests.map((q) => q.body).join(''), /line clipped: 1048599 characters in all/);
    assert.deepEqual(r.coverage.unreviewed, [
      { file: 'src/blob.ts', startLine: 2, endLine: 2, reason: "line clipped: 1048599 characters, longer than the model's window" },
    ]);
    assert.equal(r.coverage.changedLines, 4);
    assert.equal(r.coverage.reviewedLines, 3);
    assert.deepEqual(
      r.findings.filter((f) => f.origin === 'llm').map((f) => [f.file, f.line]),
      [['src/blob.ts', 3]],
    );
  });

  describe('a call that fails leaves only its own chunk unreviewed', () => {
    const files = Object.fromEntries(['alpha', 'beta', 'gamma'].map((n) => [`src/${n}.ts`, source(n, 100)]));
    // About 8 KB of diff each against a budget of about 8.5 KB: one chunk per file, in path order.
    const review = async (calls: OllamaFakeOptions['calls'], more: OllamaFakeOptions = {}): Promise<ReviewResult> => {
      await start({ contextLength: 4096, calls, ...more });
      repo = repoWith(files);
      return runReview({ repoDir: repo.dir, target: { kind: 'working-tree' }, config: config(), provider: ollama(server.url) });
    };

    it('retries a stream cut on the 2nd of 3 chunks once; cut again, chunks 1 and 3 are reviewed and chunk 2 is listed', async () => {
      const r = await review({ 2: 'cut-stream', 3: 'cut-stream' });
      assert.equal(server.chatRequests.length, 4, 'chunk 2 tried twice');
      assert.deepEqual(
        [1, 2, 3, 4].map((n) => [...shownLines(server.chatRequests[n - 1]).keys()]),
        [['src/alpha.ts'], ['src/beta.ts'], ['src/beta.ts'], ['src/gamma.ts']],
      );
      assert.deepEqual(r.coverage.unreviewed, [
        { file: 'src/beta.ts', startLine: 1, endLine: 100, reason: r.coverage.unreviewed[0]?.reason },
      ]);
      assert.match(r.coverage.unreviewed[0].reason, /Ollama closed the connection before the answer was complete/);
      assert.equal(r.coverage.reviewedLines, 200);
      assert.equal(r.rulesOnly, false);
      assert.equal(r.modelError, undefined, 'not "Ollama is not reachable"');
      assert.ok(r.warnings.some((w) => /chunk 2\/3: .*closed the connection.*; trying once more/.test(w)));
      assert.deepEqual([...new Set(r.findings.filter((f) => f.origin === 'llm').map((f) => f.file))], ['src/alpha.ts', 'src/gamma.ts']);
    });

    for (const mode of ['cut-stream', 'reset'] as const) {
      it(`reviews a chunk whose first try was ${mode === 'reset' ? 'reset before any answer' : 'cut mid-answer'}`, async () => {
        const r = await review({ 2: mode });
        assert.equal(server.chatRequests.length, 4);
        assert.equal(r.coverage.reviewedLines, 300);
        assert.deepEqual(r.coverage.unreviewed, []);
        assert.equal(r.modelError, undefined);
        assert.deepEqual([...numCtxs(server)], [4096]);
      });
    }

    it('goes on past a chunk that answered garbage, without retrying it', async () => {
      const r = await review({ 2: 'garbage' });
      assert.equal(server.chatRequests.length, 3);
      assert.equal(r.coverage.unreviewed.length, 1);
      assert.equal(r.coverage.unreviewed[0].file, 'src/beta.ts');
      assert.match(r.coverage.unreviewed[0].reason, /the model answer could not be read/);
      assert.equal(r.coverage.reviewedLines, 200);
      assertAccounted(r);
      assert.equal(r.rulesOnly, false);
    });

    it('goes on past a chunk that keeps failing with HTTP 500, after its retries', async () => {
      const r = await review({}, { failWhen: (prompt) => (prompt.includes('src/beta.ts') ? 'server-error' : undefined) });
      assert.equal(server.chatRequests.length, 5, 'chunk 2 tried three times, the others once');
      assert.equal(r.coverage.unreviewed.length, 1);
      assert.equal(r.coverage.unreviewed[0].file, 'src/beta.ts');
      assert.match(r.coverage.unreviewed[0].reason, /Ollama failed with HTTP 500/);
      assert.equal(r.coverage.reviewedLines, 200);
      assertAccounted(r);
      assert.equal(r.rulesOnly, false);
    });
  });
});
