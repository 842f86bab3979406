import assert from 'node:assert/strict';
import cacache from 'cacache';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReviewCache } from '../../src/core/cache.js';
import { DEFAULT_CONFIG } from '../../src/core/config/schema.js';
import { runReview } from '../../src/core/engine.js';
import { HISTORY_RETENTION_MS, HistoryStore, type ExecutionRecord } from '../../src/core/history.js';
import { FakeOllama } from '../fakes/ollama.js';
import { localModel } from '../helpers/model.js';
import { CLI, cliEnv, ensureBuilt, ROOT, runCli } from '../helpers/cli.js';
import { TempRepo, tempDir } from '../helpers/git.js';

function repoWithChange(): TempRepo {
  const repo = new TempRepo();
  repo.write('src/a.js', 'export const a = 1;\n');
  repo.commit('base');
  repo.write('src/a.js', 'export const a = 1;\ndebugger;\n');
  return repo;
}

function rec(id: string, root: string, at: number, over: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    executionId: id,
    repo: root,
    target: { kind: 'working-tree', base: 'a', head: 'WORKTREE', label: 'working tree' },
    status: 'completed',
    provider: 'rules',
    model: '',
    createdAt: new Date(at).toISOString(),
    updatedAt: '',
    ...over,
  };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

const RUNNING = new Set(['pending', 'analyzing']);

describe('stores under crashes and concurrency (real processes)', function () {
  this.timeout(60_000);
  before(ensureBuilt);

  it('10 concurrent reviews through the built CLI are all recorded', async () => {
    const repo = repoWithChange();
    const env = cliEnv();
    const runs = await Promise.all(
      Array.from({ length: 10 }, () => runCli(['review', '--rules-only', '--format', 'json'], { cwd: repo.dir, env })),
    );
    const ids = runs.map((r) => (JSON.parse(r.stdout) as { executionId: string }).executionId);
    const history = await runCli(['history', '--json'], { cwd: repo.dir, env });
    assert.equal(history.code, 0, history.stderr);
    const records = JSON.parse(history.stdout) as ExecutionRecord[];
    assert.deepEqual(records.map((r) => r.executionId).sort(), [...ids].sort());
    assert.ok(records.every((r) => r.status === 'completed'));
  });

  it('SIGKILL at random points of reviews loses no record and leaves none running', async () => {
    const repo = repoWithChange();
    const env = cliEnv();
    const root = repo.git('rev-parse', '--show-toplevel').trim();
    const stateDir = join(env.XDG_STATE_HOME, 'pullmint');
    const seeded = new HistoryStore(stateDir, root, { onWarning: (m) => assert.fail(m) });
    for (let i = 0; i < 30; i++) await seeded.put(rec(`seed-${i}`, root, Date.now() - i * 1000, { riskScore: i }));
    // A slow model keeps each review analyzing for a while, so that kills land in every phase.
    const server = new FakeOllama({ contextLength: 32768, mode: 'slow', slowMs: 200 });
    await server.start();
    const args = ['review', '--no-cache', '--ollama-host', server.url];
    let delays: number[] = [];
    let whole = 0;
    try {
      // One whole run sets the range the kills are spread over: from spawn to after the last write.
      const t0 = Date.now();
      await runCli(args, { cwd: repo.dir, env });
      whole = Date.now() - t0;
      delays = Array.from({ length: 12 }, (_, i) => Math.round((1.5 * whole * (i + Math.random())) / 12));
      // In small batches: a dozen Node processes starting at once would all die before their first write.
      for (let b = 0; b < delays.length; b += 3)
        await Promise.all(
          delays.slice(b, b + 3).map(async (ms) => {
            const child = spawn(process.execPath, [CLI, ...args], { cwd: repo.dir, env, stdio: 'ignore' });
            const done = exited(child);
            setTimeout(() => child.kill('SIGKILL'), ms);
            await done;
          }),
        );
    } finally {
      await server.stop();
    }
    const warnings: string[] = [];
    const records = await new HistoryStore(stateDir, root, { onWarning: (m) => warnings.push(m) }).list();
    assert.deepEqual(warnings, [], 'a killed write leaves no torn record');
    for (let i = 0; i < 30; i++) assert.equal(records.find((r) => r.executionId === `seed-${i}`)?.riskScore, i, `seed-${i} kept`);
    const left = records.filter((r) => RUNNING.has(r.status));
    assert.deepEqual(left, [], `kills at ${delays.join(', ')} ms of a ${whole} ms run`);
    const statuses = new Set(records.filter((r) => !r.executionId.startsWith('seed-')).map((r) => r.status));
    assert.ok(statuses.has('completed'));
    assert.ok(statuses.has('interrupted'), `some kill landed while a review ran (kills at ${delays.join(', ')} ms)`);
    for (const s of statuses) assert.ok(['completed', 'interrupted'].includes(s), s);
  });

  it('SIGKILL at random points of pruning and of migrating the old file loses no live record', async () => {
    const now = Date.now();
    const day = 24 * 3600 * 1000;
    for (let round = 0; round < 4; round++) {
      const stateDir = tempDir();
      const store = new HistoryStore(stateDir, '/repo', { onWarning: (m) => assert.fail(m) });
      await store.put(rec('live-0', '/repo', now));
      const folder = readdirSync(join(stateDir, 'history'))[0];
      const exec = join(stateDir, 'history', folder, 'executions');
      const deps = join(stateDir, 'history', folder, 'deployments');
      mkdirSync(deps, { recursive: true });
      const deployment = (executionId: string, at: number): string =>
        JSON.stringify({
          executionId,
          deploymentId: 'd',
          environment: 'prod',
          state: 'deployed',
          override: false,
          requestedBy: 'x',
          approvedAt: new Date(at).toISOString(),
          attempts: 1,
        });
      for (let i = 0; i < 300; i++) {
        const at = now - HISTORY_RETENTION_MS - (i + 1) * day;
        writeFileSync(join(exec, `old-${i}.json`), JSON.stringify(rec(`old-${i}`, '/repo', at)));
        writeFileSync(join(deps, `old-${i}.d.json`), deployment(`old-${i}`, at));
      }
      for (let i = 1; i < 100; i++) {
        writeFileSync(join(exec, `live-${i}.json`), JSON.stringify(rec(`live-${i}`, '/repo', now - i * 1000)));
        writeFileSync(join(deps, `live-${i}.d.json`), deployment(`live-${i}`, now - i * 1000));
      }
      const legacy = Array.from({ length: 200 }, (_, i) => JSON.stringify(rec(`legacy-${i}`, '/repo', now - i * 1000)));
      writeFileSync(join(stateDir, 'history', `${folder}.jsonl`), legacy.join('\n') + '\n');

      const script = `
        const { HistoryStore } = require(${JSON.stringify(join(ROOT, 'src/core/history.ts'))});
        const store = new HistoryStore(${JSON.stringify(stateDir)}, '/repo', { onWarning() {} });
        process.stdout.write('ready\\n');
        (async () => { for (;;) { await store.list(); await store.prune(); } })();
      `;
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const done = exited(child);
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, Math.random() * 40 * (round + 1)));
      child.kill('SIGKILL');
      await done;

      const warnings: string[] = [];
      const records = await new HistoryStore(stateDir, '/repo', { onWarning: (m) => warnings.push(m) }).list();
      assert.deepEqual(warnings, []);
      const ids = new Set(records.map((r) => r.executionId));
      for (let i = 0; i < 100; i++) {
        assert.ok(ids.has(`live-${i}`), `live-${i} kept (round ${round})`);
        if (i > 0) assert.equal(records.find((r) => r.executionId === `live-${i}`)?.deployments?.length, 1);
      }
      for (let i = 0; i < 200; i++) assert.ok(ids.has(`legacy-${i}`), `legacy-${i} kept (round ${round})`);
      assert.equal(records.length, 300, 'no expired record reads back');
    }
  });

  it('corrupt history records: `pullmint history` warns once and lists the good ones', async () => {
    const repo = repoWithChange();
    const env = cliEnv();
    const review = await runCli(['review', '--rules-only', '--format', 'json'], { cwd: repo.dir, env });
    const id = (JSON.parse(review.stdout) as { executionId: string }).executionId;
    const history = join(env.XDG_STATE_HOME, 'pullmint', 'history');
    const exec = join(history, readdirSync(history)[0], 'executions');
    const good = rec('x', repo.dir, Date.now());
    writeFileSync(join(exec, 'torn.json'), '{"executionId": "torn", "status": "comp');
    writeFileSync(join(exec, 'notarget.json'), JSON.stringify({ ...good, executionId: 'notarget', target: undefined }));
    writeFileSync(join(exec, 'numeric.json'), JSON.stringify({ ...good, executionId: 'numeric', createdAt: Date.now() }));
    for (const args of [['history'], ['history', '--json']]) {
      const r = await runCli(args, { cwd: repo.dir, env });
      assert.equal(r.code, 0, r.stderr);
      // The table shows ids by their first 8 characters; JSON in full.
      assert.ok(r.stdout.includes(args.includes('--json') ? id : id.slice(0, 8)));
      assert.equal(r.stderr.match(/skipped 3 history record/g)?.length, 1, r.stderr);
    }
  });

  it('a read-only state directory: the review prints its result and says once that history could not be written', async () => {
    const repo = repoWithChange();
    const home = tempDir('pullmint-ro-');
    let state = join(home, 'state');
    mkdirSync(state);
    chmodSync(state, 0o555);
    try {
      accessSync(state, constants.W_OK);
      // Root ignores permission bits: a path through a regular file fails the same way for everyone.
      writeFileSync(join(home, 'file'), '');
      state = join(home, 'file', 'state');
    } catch {
      /* read-only as intended */
    }
    const env = cliEnv({ XDG_STATE_HOME: state });
    const r = await runCli(['review', '--rules-only'], { cwd: repo.dir, env });
    chmodSync(join(home, 'state'), 0o755);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /debugger/);
    assert.equal((r.stdout + r.stderr).match(/history could not be written/g)?.length, 1, r.stdout + r.stderr);
  });

  it('a cache entry with findings: [null] is a miss with one warning; the review completes and the cache heals', async () => {
    const server = new FakeOllama({ contextLength: 32768 });
    await server.start();
    try {
      const repo = repoWithChange();
      const provider = localModel(server.url);
      const warnings: string[] = [];
      const cache = new ReviewCache(tempDir(), { onWarning: (m) => warnings.push(m) });
      const review = (): ReturnType<typeof runReview> =>
        runReview({ repoDir: repo.dir, target: { kind: 'working-tree' }, config: structuredClone(DEFAULT_CONFIG), provider, cache });
      const first = await review();
      const store = join(cache.dir, 'replies');
      const keys = Object.keys(await cacache.ls(store));
      assert.ok(keys.length > 0);
      const bad = {
        parsed: { summary: '', findings: [null], warnings: [], truncated: false, unusable: false },
        promptTokens: 0,
        completionTokens: 0,
      };
      for (const k of keys) await cacache.put(store, k, JSON.stringify({ ...bad, createdAt: Date.now() }));
      const second = await review();
      assert.equal(second.stats.cacheHits, 0);
      assert.ok(second.stats.llmCalls > 0);
      assert.equal(second.decision, first.decision);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      const third = await review();
      assert.equal(third.stats.cacheHits, keys.length, 'the fresh answers were cached again');
    } finally {
      await server.stop();
    }
  });
});
