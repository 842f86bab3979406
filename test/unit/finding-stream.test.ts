import assert from 'node:assert/strict';
import { FindingStream } from '../../src/core/output/stream.js';

const answer = JSON.stringify({
  summary: 'Two {issues} with "quotes" and ] brackets',
  findings: [
    { file: 'a.ts', line: 3, severity: 'high', title: 'x {', message: 'has "}" in it' },
    { file: 'b.ts', line: 9, severity: 'low', title: 'y', message: 'nested {"k":[1,{"z":2}]}', extra: { deep: [{ n: 1 }] } },
  ],
});

describe('FindingStream: findings read while the answer streams', () => {
  it('hands over each finding when its closing brace arrives, whatever the piece sizes', () => {
    for (const size of [1, 3, 7, 40, answer.length]) {
      const s = new FindingStream();
      const got: unknown[] = [];
      const at: number[] = [];
      for (let i = 0; i < answer.length; i += size) {
        const out = s.push(answer.slice(i, i + size));
        got.push(...out);
        out.forEach(() => at.push(Math.min(i + size, answer.length)));
      }
      assert.deepEqual(got, JSON.parse(answer).findings, `pieces of ${size}`);
      if (size === 1) assert.ok(at[0] < answer.indexOf('b.ts'), 'the first finding came before the second was written');
    }
  });

  it('reads a bare list, skips prose before it, and gives nothing for a finding cut off', () => {
    const s = new FindingStream();
    assert.deepEqual(s.push('Here you go:\n[{"file":"a","line":1},{"file":"b",'), [{ file: 'a', line: 1 }]);
    assert.deepEqual(s.push('"line":'), []);
    const s2 = new FindingStream();
    assert.deepEqual(s2.push('{"summary":"s","findings":[{"file":"a","line":1'), []);
  });

  it('stops at the end of the root value: later text is not read as findings', () => {
    const s = new FindingStream();
    assert.deepEqual(s.push('{"findings":[]} {"findings":[{"file":"x","line":1}]}'), []);
  });
});
