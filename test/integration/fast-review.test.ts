import assert from 'node:assert/strict';
import { ReviewCache } from '../../src/core/cache.js';
import { DEFAULT_CONFIG, type PullmintConfig } from '../../src/core/config/schema.js';
import { runReview, type ReviewEvent } from '../../src/core/engine.js';
import { FIRST_CHUNK_TOKENS } from '../../src/core/model-phase.js';
import { FakeOllama, type OllamaFakeOptions } from '../fakes/ollama.js';
import { TempRepo, tempDir } from '../helpers/git.js';
import { localModel } from '../helpers/model.js';

const config = (over: Partial<PullmintConfig> = {}): PullmintConfig => ({ ...structuredClone(DEFAULT_CONFIG), ...over });

/** `lines` added lines of ordinary code, a TODO every 20th so that the scripted model reports some. */
function source(name: string, lines: number): string {
  return Array.from({ length: lines }, (_, i) =>
    i % 20 === 7 ? `  // TODO ${name} ${i}: tidy this up` : `export const ${name}${i} = compute(${i}, "${name}") + offset; // value ${i}`,
  ).join('\n');
}

function repoWith(files: Record<string, string>): TempRepo {
  const repo = new TempRepo();
  repo.write('README.md', 'base\n');
  repo.commit('base');
  for (const [path, text] of Object.entries(files)) repo.write(path, text + '\n');
  return repo;
}

const userOf = (json: unknown): string =>
  (json as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === 'user')!.content;

describe('fast where the user waits (real git, loopback Ollama)', () => {
  let server: FakeOllama;
  let repo: TempRepo | undefined;
  const start = async (opts: OllamaFakeOptions): Promise<void> => {
    server = new FakeOllama({ contextLength: 32768, ...opts });
    await server.start();
  };
  afterEach(async () => {
    await server.stop();
    repo?.remove();
    repo = undefined;
  });

  it('ollama.parallel 2 keeps two calls in flight; the default keeps one', async () => {
    const files = Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [`src/${n}.ts`, source(n, 700)]));
    for (const parallel of [1, 2]) {
      await start({ latencyMs: 150 });
      repo = repoWith(files);
      const r = await runReview({
        repoDir: repo.dir,
        target: { kind: 'working-tree' },
        config: config(),
        provider: localModel(server.url, { parallel }),
      });
      assert.ok(server.chatRequests.length >= 4, `${server.chatRequests.length} calls`);
      assert.equal(server.maxInFlight, parallel);
      assert.equal(r.coverage.complete, true);
      assert.equal(r.coverage.reviewedLines, 2800);
      await server.stop();
      repo.remove();
      repo = undefined;
    }
    await start({});
  });

  it('gives each finding as soon as the stream completes it, before its chunk ends, and once only', async () => {
    await start({ partMs: 15 });
    repo = repoWith({ 'src/util.ts': source('util', 200) });
    const events: { at: number; e: ReviewEvent }[] = [];
    const t0 = performance.now();
    const r = await runReview({
      repoDir: repo.dir,
      target: { kind: 'working-tree' },
      config: config(),
      provider: localModel(server.url),
      onEvent: (e) => events.push({ at: performance.now() - t0, e }),
    });
    const llm = events.filter((x) => x.e.type === 'findings' && x.e.source === 'llm');
    const streamed = llm.filter((x) => x.e.type === 'findings' && x.e.streamed);
    const final = r.findings.filter((f) => f.origin === 'llm');
    assert.equal(final.length, 10);
    assert.ok(streamed.length >= 9, `${streamed.length} findings streamed`);
    // The first finding arrived while the answer still streamed: well before the review ended.
    const end = performance.now() - t0;
    assert.ok(streamed[0].at < end - 100, `first at ${streamed[0].at} ms, end at ${end} ms`);
    const ids = llm.flatMap((x) => (x.e.type === 'findings' ? x.e.findings.map((f) => f.id) : []));
    assert.equal(new Set(ids).size, ids.length, 'no finding given twice');
    assert.deepEqual(new Set(ids), new Set(final.map((f) => f.id)));
    for (const f of final) assert.match(f.quote ?? '', /TODO util/);
  });

  it('opens with a small first chunk of the riskiest file, and still reviews every line once', async () => {
    await start({});
    repo = repoWith({ 'src/auth/session.ts': source('session', 900), 'src/util.ts': source('util', 300), 'docs/notes.md': 'a\nb' });
    const r = await runReview({ repoDir: repo.dir, target: { kind: 'working-tree' }, config: config(), provider: localModel(server.url) });
    const users = server.chatRequests.map((q) => userOf(q.json));
    assert.ok(users.length >= 3, `${users.length} calls`);
    assert.match(users[0], /src\/auth\/session\.ts/);
    assert.doesNotMatch(users[0], /src\/util\.ts|notes\.md/);
    const data = (u: string): number => u.length;
    assert.ok(data(users[0]) < FIRST_CHUNK_TOKENS * 4 + 2000, `first prompt ${data(users[0])} characters`);
    assert.ok(data(users[0]) * 3 < Math.max(...users.map(data)), 'the first call is a fraction of a full one');
    assert.equal(r.coverage.complete, true);
    assert.equal(r.coverage.reviewedLines, 1202);
    const todos = r.findings.filter((f) => f.origin === 'llm');
    assert.equal(todos.length, 45 + 15, 'every TODO once');
    assert.equal(new Set(todos.map((f) => `${f.file}:${f.line}`)).size, todos.length);
  });

  it('a line inserted at the top of a large file re-sends one piece; cached findings below move with their lines', async () => {
    await start({});
    const base = Array.from({ length: 3000 }, (_, i) => `export const v${i} = compute(${i}, "base") + offset; // line ${i}`);
    repo = repoWith({ 'src/big.ts': base.join('\n') });
    repo.commit('base file');
    const edited = base.map((l, i) => (i % 30 < 4 ? (i % 90 === 1 ? `  // TODO big ${i}: tidy this up` : `${l} // edited`) : l));
    repo.write('src/big.ts', edited.join('\n') + '\n');
    const cache = new ReviewCache(tempDir());
    const review = () =>
      runReview({
        repoDir: repo!.dir,
        target: { kind: 'working-tree' },
        config: config({ cache: true }),
        provider: localModel(server.url, { maxNumCtx: 4096 }),
        cache,
      });
    const first = await review();
    assert.ok(first.stats.llmCalls >= 6, `${first.stats.llmCalls} pieces`);
    const before = first.findings.filter((f) => f.origin === 'llm').map((f) => [f.line, f.quote]);
    assert.equal(before.length, 34);

    repo.write('src/big.ts', ['// inserted at the top', ...edited].join('\n') + '\n');
    const again = await review();
    assert.ok(again.stats.llmCalls <= 1, `${again.stats.llmCalls} pieces sent again`);
    assert.equal(again.coverage.complete, true);
    const after = again.findings.filter((f) => f.origin === 'llm').map((f) => [f.line, f.quote]);
    assert.deepEqual(
      after,
      before.map(([line, quote]) => [(line as number) + 1, quote]),
    );
  });
});
