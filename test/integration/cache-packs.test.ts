import assert from 'node:assert/strict';
import cacache from 'cacache';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ReviewCache } from '../../src/core/cache.js';
import { DEFAULT_CONFIG } from '../../src/core/config/schema.js';
import { runReview } from '../../src/core/engine.js';
import { OllamaProvider } from '../../src/core/providers/ollama.js';
import { FakeOllama } from '../fakes/ollama.js';
import { localModel } from '../helpers/model.js';
import { TempRepo, tempDir } from '../helpers/git.js';

const ROOT = resolve(__dirname, '..', '..');
const FILES = 80;

/** Counts what a review reads from the cache: single entries and packs. */
class CountingCache extends ReviewCache {
  singles = 0;
  packs = 0;
  override async get(key: string) {
    this.singles++;
    return super.get(key);
  }
  override async getPack(key: string) {
    this.packs++;
    return super.getPack(key);
  }
}

function source(i: number, edited = false): string {
  const lines = [`export const v${i} = ${i};`, `export function f${i}(x: number) {`, `  return x + ${i};`, '}'];
  if (edited)
    lines.push(`// TODO revisit f${i}`, i % 10 === 0 ? `export const g${i} = (s: string) => eval(s);` : `export const h${i} = ${i * 2};`);
  return lines.join('\n') + '\n';
}

/** Pack entries hold `pack: 1`; unit entries do not. */
async function packKeys(dir: string): Promise<string[]> {
  const store = join(dir, 'replies');
  const keys: string[] = [];
  for (const k of Object.keys(await cacache.ls(store)))
    if ((JSON.parse((await cacache.get(store, k)).data.toString('utf8')) as { pack?: number }).pack === 1) keys.push(k);
  return keys;
}

describe('review cache packs (real git, loopback Ollama)', () => {
  let server: FakeOllama;
  let repo: TempRepo;
  beforeEach(async () => {
    server = new FakeOllama({ contextLength: 32768 });
    await server.start();
    repo = new TempRepo();
    for (let i = 0; i < FILES; i++) repo.write(`src/m${i}.ts`, source(i));
    repo.commit('base');
    for (let i = 0; i < FILES; i++) repo.write(`src/m${i}.ts`, source(i, true));
  });
  afterEach(async () => {
    await server.stop();
    repo.remove();
  });

  const provider = (): OllamaProvider => localModel(server.url);
  const review = (cache: ReviewCache) =>
    runReview({
      repoDir: repo.dir,
      target: { kind: 'working-tree' },
      config: structuredClone(DEFAULT_CONFIG),
      provider: provider(),
      cache,
    });

  it('a re-review reads packs, not each file; one edited file re-sends only itself', async () => {
    const dir = tempDir();
    const first = await review(new ReviewCache(dir, { onWarning: (m) => assert.fail(m) }));
    assert.ok(first.stats.llmCalls >= 1);
    const llm = first.findings.filter((f) => f.origin === 'llm');
    assert.ok(llm.length >= FILES / 2, `${llm.length} model findings`);
    assert.ok((await packKeys(dir)).length >= 1, 'packs written');

    const cache = new CountingCache(dir, { onWarning: (m) => assert.fail(m) });
    const again = await review(cache);
    assert.equal(again.stats.llmCalls, 0);
    assert.equal(again.stats.cacheHits, FILES);
    assert.ok(cache.singles < FILES / 4, `${cache.singles} single reads, ${cache.packs} packs`);
    assert.deepEqual(again.findings.map((f) => f.id).sort(), first.findings.map((f) => f.id).sort());

    repo.write('src/m7.ts', source(7, true) + '// TODO one more\n');
    const before = server.chatRequests.length;
    const edited = await review(new CountingCache(dir, { onWarning: (m) => assert.fail(m) }));
    assert.equal(edited.stats.llmCalls, 1);
    assert.equal(edited.stats.cacheHits, FILES - 1);
    const sent = server.chatRequests.slice(before).map((r) => JSON.stringify(r.json));
    assert.ok(sent[0].includes('src/m7.ts') && !sent[0].includes('src/m8.ts'));
    const others = (r: typeof first): string[] =>
      r.findings
        .filter((f) => f.file !== 'src/m7.ts')
        .map((f) => f.id)
        .sort();
    assert.deepEqual(others(edited), others(first), 'the other files keep their cached findings');
    assert.ok(edited.findings.some((f) => f.file === 'src/m7.ts' && f.origin === 'llm'));

    const settled = new CountingCache(dir, { onWarning: (m) => assert.fail(m) });
    assert.equal((await review(settled)).stats.cacheHits, FILES);
    assert.ok(settled.singles < FILES / 4, 'the changed group was packed again');
  });

  it('a corrupt pack is a miss with one warning, removed; its files still come from their own entries', async () => {
    const dir = tempDir();
    const first = await review(new ReviewCache(dir));
    const packs = await packKeys(dir);
    assert.ok(packs.length >= 1);
    const store = join(dir, 'replies');
    for (const [i, k] of packs.entries()) {
      const info = await cacache.get.info(store, k);
      if (i % 2 === 0) await cacache.put(store, k, '{"pack":1,"replies":{"x":');
      else (await import('node:fs')).writeFileSync(info!.path, 'tampered');
    }
    const warnings: string[] = [];
    const again = await review(new ReviewCache(dir, { onWarning: (m) => warnings.push(m) }));
    assert.equal(again.stats.llmCalls, 0);
    assert.equal(again.stats.cacheHits, FILES);
    assert.equal(again.findings.length, first.findings.length);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /cache entry .* (not valid JSON|could not be read)/);
    const healed = new CountingCache(dir, { onWarning: (m) => assert.fail(m) });
    assert.equal((await review(healed)).stats.cacheHits, FILES);
    assert.ok(healed.singles < FILES / 4, 'packs written again');
  });

  it('two processes writing replies and packs at once lose nothing', async () => {
    const dir = tempDir();
    const script = (who: string): string => `
      const { ReviewCache } = require(${JSON.stringify(join(ROOT, 'src/core/cache.ts'))});
      const { packGroups, packKey } = require(${JSON.stringify(join(ROOT, 'src/core/cache-packs.ts'))});
      const { createHash } = require('node:crypto');
      const key = (s) => createHash('sha256').update(s).digest('hex');
      const cache = new ReviewCache(${JSON.stringify(dir)}, { onWarning: (m) => { console.error(m); process.exit(3); } });
      const parsed = (s) => ({ summary: s, findings: [{ file: 'a.ts', line: 1, severity: 'low', category: 'maintainability', title: s, message: s }], warnings: [], truncated: false, unusable: false });
      (async () => {
        const shared = Array.from({ length: 150 }, (_, i) => key('shared ' + i));
        const own = Array.from({ length: 150 }, (_, i) => key('${who} ' + i));
        const replies = new Map();
        for (const k of [...shared, ...own]) replies.set(k, await cache.set(k, { parsed: parsed(k), promptTokens: 1, completionTokens: 1 }));
        await Promise.all([...packGroups(shared), ...packGroups(own)].map((g) => cache.setPack(packKey(g), new Map(g.map((k) => [k, replies.get(k)])))));
      })();
    `;
    const run = (who: string) =>
      new Promise<number>((done) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '-e', script(who)], {
          cwd: ROOT,
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.on('exit', (code) => done(code ?? -1));
      });
    assert.deepEqual(await Promise.all([run('a'), run('b')]), [0, 0]);

    const { packGroups, packKey } = await import('../../src/core/cache-packs.js');
    const { createHash } = await import('node:crypto');
    const key = (s: string): string => createHash('sha256').update(s).digest('hex');
    const cache = new ReviewCache(dir, { onWarning: (m) => assert.fail(m) });
    for (const name of ['shared', 'a', 'b']) {
      const keys = Array.from({ length: 150 }, (_, i) => key(`${name} ${i}`));
      for (const k of keys) assert.equal((await cache.get(k))?.parsed.summary, k);
      for (const g of packGroups(keys)) {
        const pack = await cache.getPack(packKey(g));
        assert.deepEqual([...pack!.keys()].sort(), [...g].sort(), `pack of ${name}`);
        for (const k of g) assert.equal(pack!.get(k)!.parsed.summary, k);
      }
    }
  });
});
