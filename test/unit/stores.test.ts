import assert from 'node:assert/strict';
import { readFileSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_TTL_MS, ReviewCache } from '../../src/core/cache.js';
import { HISTORY_RETENTION_MS, HistoryStore, type ExecutionRecord } from '../../src/core/history.js';
import { tempDir } from '../helpers/git.js';

const parsed = { summary: 's', findings: [], warnings: [], truncated: false, unusable: false };

describe('cache and history on disk', () => {
  it('cache: a hit within 7 days, a miss after; corrupt entries are misses; prune removes expired files once a day', async () => {
    let now = Date.parse('2026-11-01T00:00:00Z');
    const dir = tempDir();
    const cache = new ReviewCache(dir, () => now);
    await cache.set('ab'.repeat(32), { parsed, promptTokens: 1, completionTokens: 1 });
    assert.ok(await cache.get('ab'.repeat(32)));
    now += CACHE_TTL_MS + 1;
    assert.equal(await cache.get('ab'.repeat(32)), null);
    const file = join(dir, 'ab', `${'ab'.repeat(32)}.json`);
    utimesSync(file, new Date(now - CACHE_TTL_MS - 10), new Date(now - CACHE_TTL_MS - 10));
    assert.equal(await cache.maybePrune(), 1);
    assert.deepEqual(readdirSync(join(dir, 'ab')), []);
    assert.equal(await cache.maybePrune(), 0, 'not twice in a day');
    await cache.set('cd'.repeat(32), { parsed, promptTokens: 1, completionTokens: 1 });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'cd', `${'cd'.repeat(32)}.json`), '{ torn');
    assert.equal(await cache.get('cd'.repeat(32)), null);
  });

  it('history: latest state per execution, 90-day retention, torn lines skipped, compaction keeps one line each', async () => {
    let now = Date.parse('2026-11-01T00:00:00Z');
    const dir = tempDir();
    const store = new HistoryStore(dir, '/repo', () => now);
    const rec = (id: string, at: number): ExecutionRecord => ({
      executionId: id,
      repo: '/repo',
      target: { kind: 'working-tree', base: 'a', head: 'WORKTREE', label: 'working tree' },
      status: 'pending',
      provider: 'ollama',
      model: 'm',
      createdAt: new Date(at).toISOString(),
      updatedAt: '',
    });
    await store.put(rec('old', now - HISTORY_RETENTION_MS - 1000));
    await store.put(rec('new', now));
    await store.put({ ...rec('new', now), status: 'completed', riskScore: 12 });
    const file = join(dir, 'history', readdirSync(join(dir, 'history'))[0]);
    const { appendFileSync } = await import('node:fs');
    appendFileSync(file, '{"executionId": "torn"');
    const list = await store.list();
    assert.deepEqual(
      list.map((r) => [r.executionId, r.status]),
      [['new', 'completed']],
    );
    await store.compact();
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 1);
    now += 1000;
    assert.equal((await store.list())[0].riskScore, 12);
  });
});
