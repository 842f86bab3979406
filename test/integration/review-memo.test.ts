import assert from 'node:assert/strict';
import cacache from 'cacache';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { ReviewCache } from '../../src/core/cache.js';
import { DEFAULT_CONFIG, type PullmintConfig } from '../../src/core/config/schema.js';
import { runReview } from '../../src/core/engine.js';
import type { ActiveDismissal } from '../../src/core/dismissals/apply.js';
import { OllamaProvider } from '../../src/core/providers/ollama.js';
import { FakeOllama } from '../fakes/ollama.js';
import { localModel } from '../helpers/model.js';
import { TempRepo, tempDir } from '../helpers/git.js';

describe('a review of the same commits, kept whole (real git, loopback Ollama)', () => {
  let server: FakeOllama;
  let repo: TempRepo;
  let range: string;
  let cacheDir: string;
  const config = (over: Partial<PullmintConfig> = {}): PullmintConfig => ({ ...structuredClone(DEFAULT_CONFIG), cache: true, ...over });
  const provider = (): OllamaProvider => localModel(server.url);
  const review = (over: Partial<PullmintConfig> = {}, dismissals?: ReadonlyMap<string, ActiveDismissal>) =>
    runReview({
      repoDir: repo.dir,
      target: { kind: 'range', range },
      config: config(over),
      provider: provider(),
      cache: new ReviewCache(cacheDir, { onWarning: () => undefined }),
      dismissals,
    });

  beforeEach(async () => {
    server = new FakeOllama({ contextLength: 32768 });
    await server.start();
    repo = new TempRepo();
    const base = repo.write('src/a.ts', 'export const a = 1;\n').write('src/b.ts', 'export const b = 2;\n').commit('base');
    repo.write('src/a.ts', 'export const a = (s: string) => eval(s);\n// TODO tidy\n');
    repo.write('src/b.ts', 'export const b = 3;\nconst key = "AKIAIOSFODNN7EXAMPLE";\n');
    range = `${base}..${repo.commit('change')}`;
    cacheDir = tempDir();
  });
  afterEach(async () => {
    await server.stop();
    repo.remove();
  });

  it('answers again without git or the model, with the same findings, coverage and decision', async () => {
    const first = await review();
    assert.equal(first.coverage.complete, true);
    assert.ok(first.stats.llmCalls > 0);
    const calls = server.chatRequests.length;
    // Without its objects git can show no diff: only the kept review can answer.
    const objects = join(repo.dir, '.git', 'objects');
    renameSync(objects, `${objects}.away`);
    try {
      const again = await review();
      assert.equal(server.chatRequests.length, calls, 'no model call');
      assert.equal(again.stats.llmCalls, 0);
      assert.equal(again.stats.cacheHits, first.stats.chunks);
      // As JSON, the way every report shows them (a kept review has no properties set to undefined).
      const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
      assert.deepEqual(json(again.findings), json(first.findings));
      assert.deepEqual(json(again.coverage), json(first.coverage));
      assert.ok(again.findings.length >= 3);
      assert.equal(again.decision, first.decision);
      assert.equal(again.riskScore, first.riskScore);
      assert.notEqual(again.executionId, first.executionId);
      assert.equal(again.target.label, range);
    } finally {
      renameSync(`${objects}.away`, objects);
    }
  });

  it('applies dismissals made since, and re-scores without them', async () => {
    const first = await review();
    const secret = first.findings.find((f) => f.rule === 'hardcoded-secret')!;
    assert.ok(secret);
    const dismissals = new Map<string, ActiveDismissal>([
      [secret.id, { reason: 'test key', author: 'me', date: '2026-11-22', scope: 'local' }],
    ]);
    const again = await review({}, dismissals);
    assert.equal(again.stats.llmCalls, 0);
    assert.ok(!again.findings.some((f) => f.id === secret.id));
    assert.deepEqual(
      again.dismissed?.map((f) => f.id),
      [secret.id],
    );
    assert.ok(again.riskScore < first.riskScore);
  });

  it('is not used when a setting, the model or the commits differ', async () => {
    await review();
    const calls = server.chatRequests.length;
    await review({ instructions: 'Check SQL for injection.' });
    assert.ok(server.chatRequests.length > calls, 'other instructions: the model is asked');
  });

  it('keeps no review the model did not finish: the next run asks the model again', async () => {
    await server.stop();
    server = new FakeOllama({ contextLength: 32768, failWhen: (p) => (p.includes('src/b.ts') ? 'server-error' : undefined) });
    await server.start();
    const first = await review();
    assert.equal(first.coverage.complete, false);
    const calls = server.chatRequests.length;
    const again = await review();
    assert.ok(server.chatRequests.length > calls);
    assert.equal(again.coverage.complete, false);
  });

  it('a damaged kept review is a miss, said once and removed; the review is made again', async () => {
    await review();
    const store = join(cacheDir, 'replies');
    const key = Object.keys(await cacache.ls(store)).find((k) => k.startsWith('review-'))!;
    assert.ok(key);
    await cacache.put(store, key, JSON.stringify({ memo: 1, createdAt: Date.now(), warnings: [], result: { findings: 'nope' } }));
    const warnings: string[] = [];
    const again = await runReview({
      repoDir: repo.dir,
      target: { kind: 'range', range },
      config: config(),
      provider: provider(),
      cache: new ReviewCache(cacheDir, { onWarning: (m) => warnings.push(m) }),
    });
    assert.equal(again.coverage.complete, true);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /kept review .* is invalid/);
  });
});
