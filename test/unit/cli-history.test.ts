import assert from 'node:assert/strict';
import { historyRow, historyTable, localTime } from '../../src/cli/historyTable.js';
import type { ExecutionRecord } from '../../src/core/store/records.js';

describe('pullmint history table', () => {
  const A = '1b2c3d4e5f60718293a4b5c6d7e8f90112233445';
  const B = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';

  it('the CLI history table: header, local minute times, 8-character ids, short targets, deployments', () => {
    const rec = (over: Partial<ExecutionRecord>): ExecutionRecord => ({
      executionId: '6ed549c2-a1bd-404d-a285-7f0d28c3f322',
      repo: '/r',
      target: { kind: 'range', base: A, head: B, label: `${A}..${B}` },
      status: 'completed',
      provider: 'ollama',
      model: 'qwen2.5-coder:7b',
      createdAt: '2026-11-22T07:14:09.123Z',
      updatedAt: '',
      riskScore: 63,
      decision: 'manual-review',
      ...over,
    });
    const d = new Date('2026-11-22T07:14:09.123Z');
    const p = (n: number): string => String(n).padStart(2, '0');
    assert.equal(
      localTime(d.toISOString()),
      `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`,
    );
    assert.deepEqual(historyRow(rec({})).slice(1), ['6ed549c2', '1b2c3d4..9f8e7d6', '63', 'manual-review', 'ollama qwen2.5-coder:7b', '']);
    assert.deepEqual(historyRow(rec({ status: 'interrupted', riskScore: undefined, decision: undefined })).slice(3, 5), [
      '-',
      'interrupted',
    ]);
    const deployed = rec({
      rulesOnly: false,
      deployments: [
        {
          deploymentId: 'd',
          environment: 'staging',
          state: 'deployed',
          checksFailing: true,
          override: false,
          requestedBy: 'me',
          approvedAt: '',
          attempts: 1,
        },
      ],
    });
    const table = historyTable([
      deployed,
      rec({ target: { kind: 'working-tree', base: A, head: 'WORKTREE', label: 'working tree' }, rulesOnly: true }),
    ]).split('\n');
    assert.match(table[0], /^WHEN +ID +TARGET +RISK +DECISION +BY +DEPLOY$/);
    assert.match(
      table[1],
      /6ed549c2  1b2c3d4\.\.9f8e7d6  63 +manual-review +ollama qwen2\.5-coder:7b +deployed, checks failing \(staging\)$/,
    );
    assert.match(table[2], /working tree +63 +manual-review +rules only$/);
    assert.equal(table[1].indexOf('TARGET'), -1);
    assert.equal(table[0].indexOf('TARGET'), table[1].indexOf('1b2c3d4'), 'columns line up');
    assert.doesNotMatch(historyTable([rec({})]), /DEPLOY/, 'no empty deploy column');
  });
});
