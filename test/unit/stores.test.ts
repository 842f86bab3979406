import assert from 'node:assert/strict';
import cacache from 'cacache';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CACHE_TTL_MS, ReviewCache } from '../../src/core/cache.js';
import { HISTORY_RETENTION_MS, HistoryStore, type ExecutionRecord } from '../../src/core/history.js';
import { tempDir } from '../helpers/git.js';

const parsed = { summary: 's', findings: [], warnings: [], truncated: false, unusable: false };
const finding = { file: 'a.ts', line: 1, severity: 'high', category: 'bug', title: 't', message: 'm' } as const;
const key = (c: string): string => c.repeat(64);

function rec(id: string, at: number, over: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    executionId: id,
    repo: '/repo',
    target: { kind: 'working-tree', base: 'a', head: 'WORKTREE', label: 'working tree' },
    status: 'completed',
    provider: 'ollama',
    model: 'm',
    createdAt: new Date(at).toISOString(),
    updatedAt: '',
    ...over,
  };
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  return Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
}

function historyFolder(stateDir: string): string {
  const folders = readdirSync(join(stateDir, 'history')).filter((n) => !n.includes('.'));
  assert.equal(folders.length, 1);
  return join(stateDir, 'history', folders[0]);
}

describe('cache on disk (cacache)', () => {
  it('a hit within 7 days, a miss after; prune drops expired entries once a day', async () => {
    let now = Date.parse('2026-11-01T00:00:00Z');
    const dir = tempDir();
    const cache = new ReviewCache(dir, { now: () => now, onWarning: () => assert.fail('no warning expected') });
    await cache.set(key('a'), { parsed: { ...parsed, findings: [finding] }, promptTokens: 1, completionTokens: 1 });
    await cache.set(key('b'), { parsed, promptTokens: 1, completionTokens: 1 });
    assert.deepEqual((await cache.get(key('a')))?.parsed.findings, [finding]);
    now += CACHE_TTL_MS + 1;
    await cache.set(key('b'), { parsed, promptTokens: 2, completionTokens: 2 });
    assert.equal(await cache.get(key('a')), null);
    assert.equal(await cache.maybePrune(), 1);
    assert.deepEqual(Object.keys(await cacache.ls(join(dir, 'replies'))), [key('b')]);
    assert.equal((await cache.get(key('b')))?.promptTokens, 2);
    assert.equal(await cache.maybePrune(), 0, 'not twice in a day');
  });

  it('a corrupt, invalid or tampered entry is a miss with one warning, removed; good entries stay', async () => {
    const dir = tempDir();
    const store = join(dir, 'replies');
    const warnings: string[] = [];
    const cache = new ReviewCache(dir, { onWarning: (m) => warnings.push(m) });
    await cache.set(key('0'), { parsed: { ...parsed, findings: [finding] }, promptTokens: 1, completionTokens: 1 });
    await cacache.put(store, key('1'), '{ torn');
    await cacache.put(
      store,
      key('2'),
      JSON.stringify({ parsed: { ...parsed, findings: [null] }, promptTokens: 0, completionTokens: 0, createdAt: Date.now() }),
    );
    await cache.set(key('3'), { parsed, promptTokens: 1, completionTokens: 1 });
    const info = await cacache.get.info(store, key('3'));
    writeFileSync(info!.path, 'tampered');
    for (const k of [key('1'), key('2'), key('3')]) assert.equal(await cache.get(k), null, k);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /cache entry .* (not valid JSON|invalid|could not be read)/);
    assert.deepEqual((await cache.get(key('0')))?.parsed.findings, [finding]);
    assert.equal(await cache.get(key('2')), null, 'removed, so a miss');
    assert.ok(!Object.keys(await cacache.ls(store)).includes(key('2')));
  });

  it('cuts a huge reply to its bounds, with one warning', async () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const cache = new ReviewCache(dir, { onWarning: (m) => warnings.push(m) });
    const huge = {
      ...parsed,
      summary: 'x'.repeat(10 * 1024 * 1024),
      findings: Array.from({ length: 500 }, (_, i) => ({ ...finding, line: i + 1 })),
    };
    await cache.set(key('c'), { parsed: huge, promptTokens: 1, completionTokens: 1 });
    const got = await cache.get(key('c'));
    assert.equal(got?.parsed.findings.length, 100);
    assert.ok(got!.parsed.summary.length < 9_000);
    assert.equal(warnings.length, 1);
  });

  it('a cache that cannot be written costs one warning and no error', async () => {
    const file = join(tempDir(), 'not-a-folder');
    writeFileSync(file, '');
    const warnings: string[] = [];
    const cache = new ReviewCache(file, { onWarning: (m) => warnings.push(m) });
    await cache.set(key('d'), { parsed, promptTokens: 1, completionTokens: 1 });
    await cache.set(key('e'), { parsed, promptTokens: 1, completionTokens: 1 });
    assert.equal(await cache.get(key('d')), null);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /could not be written/);
  });
});

describe('history on disk (one file per record)', () => {
  it('latest state per execution, 90-day retention, pruning deletes whole files', async () => {
    let now = Date.parse('2026-11-01T00:00:00Z');
    const dir = tempDir();
    const store = new HistoryStore(dir, '/repo', { now: () => now, onWarning: (m) => assert.fail(m) });
    await store.put(rec('old', now - HISTORY_RETENTION_MS + 1000));
    await store.put(rec('new', now, { status: 'pending' }));
    await store.put(rec('new', now, { status: 'completed', riskScore: 12 }));
    now += 2000;
    assert.deepEqual(
      (await store.list()).map((r) => [r.executionId, r.status, r.riskScore]),
      [['new', 'completed', 12]],
    );
    const folder = historyFolder(dir);
    assert.equal(readdirSync(join(folder, 'executions')).length, 2);
    assert.equal(await store.prune(), 1);
    assert.deepEqual(readdirSync(join(folder, 'executions')), ['new.json']);
    now += 1000;
    assert.equal((await store.get('new'))?.riskScore, 12);
  });

  it('skips invalid records with one warning and keeps every good one', async () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const store = new HistoryStore(dir, '/repo', { onWarning: (m) => warnings.push(m) });
    await store.put(rec('good1', Date.now()));
    await store.put(rec('good2', Date.now()));
    const exec = join(historyFolder(dir), 'executions');
    writeFileSync(join(exec, 'torn.json'), '{"executionId": "torn"');
    const { target: _t, ...noTarget } = rec('notarget', Date.now());
    writeFileSync(join(exec, 'notarget.json'), JSON.stringify(noTarget));
    writeFileSync(join(exec, 'numeric.json'), JSON.stringify({ ...rec('numeric', 0), createdAt: Date.now() }));
    const result = { findings: [null] };
    writeFileSync(join(exec, 'badresult.json'), JSON.stringify({ ...rec('badresult', Date.now()), result }));
    const list = await store.list();
    assert.deepEqual(list.map((r) => r.executionId).sort(), ['good1', 'good2']);
    await store.list();
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /skipped 4 history record/);
  });

  it('reads and migrates the single JSON-lines file of earlier versions', async () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const store = new HistoryStore(dir, '/repo', { onWarning: (m) => warnings.push(m) });
    await store.put(rec('current', Date.now()));
    const legacy = join(dir, 'history', `${readdirSync(join(dir, 'history'))[0]}.jsonl`);
    const lines = [
      rec('a', Date.now() - 2000, { status: 'pending' }),
      rec('a', Date.now() - 2000, { riskScore: 5 }),
      rec('b', Date.now() - 1000, {
        deployments: [
          {
            deploymentId: 'd1',
            environment: 'prod',
            state: 'deployed',
            override: false,
            requestedBy: 'x',
            approvedAt: new Date().toISOString(),
            attempts: 1,
          },
        ],
      }),
    ].map((r) => JSON.stringify(r));
    writeFileSync(legacy, [...lines, JSON.stringify({ ...rec('bad', 0), target: undefined }), '{"torn'].join('\n'));
    const first = await store.list();
    assert.deepEqual(first.map((r) => r.executionId).sort(), ['a', 'b', 'current']);
    assert.equal(first.find((r) => r.executionId === 'a')?.riskScore, 5);
    assert.equal(first.find((r) => r.executionId === 'b')?.deployments?.[0].state, 'deployed');
    assert.ok(
      readdirSync(join(dir, 'history')).some((n) => n.endsWith('.jsonl.migrated')),
      'old file set aside',
    );
    const again = await new HistoryStore(dir, '/repo', { onWarning: (m) => warnings.push(m) }).list();
    assert.deepEqual(again, first);
    assert.equal(warnings.length, 1, 'one record of the old file was invalid; said once');
  });

  it('a record left running by a dead process, or silent too long, reads as interrupted', async () => {
    const now = Date.now();
    const dir = tempDir();
    const store = new HistoryStore(dir, '/repo', { onWarning: (m) => assert.fail(m) });
    await store.put(rec('mine', now, { status: 'analyzing' }));
    const exec = join(historyFolder(dir), 'executions');
    const raw = (id: string, over: object): void =>
      writeFileSync(
        join(exec, `${id}.json`),
        JSON.stringify({ ...rec(id, now, { status: 'analyzing' }), updatedAt: new Date(now).toISOString(), ...over }),
      );
    raw('dead', { owner: { pid: deadPid(), host: hostname() } });
    raw('silent', { owner: { pid: process.pid, host: hostname() }, updatedAt: new Date(now - 11 * 60_000).toISOString() });
    raw('elsewhere', { owner: { pid: 1, host: 'another-host' } });
    const deps = join(historyFolder(dir), 'deployments');
    mkdirSync(deps, { recursive: true });
    const deployment = {
      deploymentId: 'd',
      environment: 'prod',
      override: false,
      requestedBy: 'x',
      approvedAt: new Date(now).toISOString(),
      attempts: 0,
    };
    writeFileSync(
      join(deps, 'mine.d.json'),
      JSON.stringify({
        ...deployment,
        executionId: 'mine',
        state: 'deploying',
        owner: { pid: deadPid(), host: hostname() },
        updatedAt: new Date(now).toISOString(),
      }),
    );
    const byId = Object.fromEntries((await store.list()).map((r) => [r.executionId, r]));
    assert.equal(byId.mine.status, 'analyzing', 'its owner is alive and recent');
    assert.equal(byId.elsewhere.status, 'analyzing', 'another host, recent: cannot be judged yet');
    assert.equal(byId.dead.status, 'interrupted');
    assert.equal(byId.silent.status, 'interrupted');
    assert.equal(byId.mine.deployments?.[0].state, 'interrupted');
    await store.put({ ...byId.mine, status: 'completed' });
  });

  it('the owner refreshes a running record, and stops when it finishes', async () => {
    let now = Date.now();
    const dir = tempDir();
    const store = new HistoryStore(dir, '/repo', { now: () => now, heartbeatMs: 20, onWarning: (m) => assert.fail(m) });
    await store.put(rec('r', now, { status: 'analyzing' }));
    const file = join(historyFolder(dir), 'executions', 'r.json');
    const first = JSON.parse(readFileSync(file, 'utf8')).updatedAt;
    now += 11 * 60_000;
    await new Promise((r) => setTimeout(r, 100));
    assert.notEqual(JSON.parse(readFileSync(file, 'utf8')).updatedAt, first);
    assert.equal((await store.get('r'))?.status, 'analyzing', 'refreshed, so not stale');
    await store.put(rec('r', now, { status: 'completed' }));
    const done = readFileSync(file, 'utf8');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(readFileSync(file, 'utf8'), done);
    assert.equal(JSON.parse(done).status, 'completed');
  });

  it("a put never overwrites another process's deployment with a stale copy", async () => {
    const dir = tempDir();
    const store = new HistoryStore(dir, '/repo', { onWarning: (m) => assert.fail(m) });
    const d = {
      deploymentId: 'theirs',
      environment: 'prod',
      override: false,
      requestedBy: 'x',
      approvedAt: new Date().toISOString(),
      attempts: 0,
    };
    await store.put(rec('e', Date.now(), { deployments: [{ ...d, state: 'deployed' }] }));
    const other = { pid: 424242, host: 'another-host' };
    const file = join(historyFolder(dir), 'deployments', 'e.theirs.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), owner: other, state: 'deployed', attempts: 3 }));
    const stale = { ...d, state: 'deploying' as const, owner: other };
    await store.put(rec('e', Date.now(), { deployments: [stale, { ...d, deploymentId: 'mine', state: 'approved' }] }));
    const got = await store.get('e');
    assert.deepEqual(got?.deployments?.map((x) => [x.deploymentId, x.state]).sort(), [
      ['mine', 'approved'],
      ['theirs', 'deployed'],
    ]);
  });

  it('a failed write rejects and is reported once', async () => {
    const file = join(tempDir(), 'not-a-folder');
    writeFileSync(file, '');
    const warnings: string[] = [];
    const store = new HistoryStore(file, '/repo', { onWarning: (m) => warnings.push(m) });
    await assert.rejects(store.put(rec('x', Date.now(), { status: 'pending' })));
    await assert.rejects(store.put(rec('x', Date.now())));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /history could not be written \(ENOTDIR/);
    assert.deepEqual(store.warnings, warnings);
  });
});
