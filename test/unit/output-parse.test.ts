import assert from 'node:assert/strict';
import { resolveFile } from '../../src/core/output/anchor.js';
import { parseModelOutput } from '../../src/core/output/parse.js';

const finding = (n: number) => ({
  file: 'a.ts',
  line: n,
  severity: 'high',
  category: 'bug',
  title: `Problem ${n}`,
  message: `Explanation ${n}`,
});
const answer = (k: number) => JSON.stringify({ summary: 'ok', findings: Array.from({ length: k }, (_, i) => finding(i + 1)) });

describe('parseModelOutput', () => {
  it('reads a clean answer', () => {
    const r = parseModelOutput(answer(2));
    assert.equal(r.summary, 'ok');
    assert.equal(r.findings.length, 2);
    assert.equal(r.truncated, false);
    assert.equal(r.unusable, false);
  });

  it('reads JSON inside code fences and surrounded by prose', () => {
    const r = parseModelOutput(`Here is my review:\n\`\`\`json\n${answer(1)}\n\`\`\`\nHope this helps!`);
    assert.equal(r.findings.length, 1);
    const r2 = parseModelOutput(`Sure. ${answer(2)} Let me know {if} you need more.`);
    assert.equal(r2.findings.length, 2);
  });

  it('repairs trailing commas and single quotes', () => {
    const r = parseModelOutput(
      `{"summary": "s", "findings": [{"file": "a.ts", "line": 3, "severity": "low", "category": "style", "title": "t", "message": "m",},],}`,
    );
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].line, 3);
  });

  it('keeps only complete findings from a truncated answer', () => {
    const full = answer(3);
    for (const cut of [full.indexOf('Problem 3'), full.indexOf('"line":3') + 4, full.length - 3]) {
      const r = parseModelOutput(full.slice(0, cut));
      assert.equal(r.truncated, true, `cut at ${cut}`);
      assert.deepEqual(
        r.findings.map((f) => f.title),
        ['Problem 1', 'Problem 2'],
        `cut at ${cut}`,
      );
    }
    const afterSecond = full.indexOf('},{', full.indexOf('Problem 2')) + 2;
    const r = parseModelOutput(full.slice(0, afterSecond));
    assert.deepEqual(
      r.findings.map((f) => f.title),
      ['Problem 1', 'Problem 2'],
    );
  });

  it('normalizes severity in any case and maps synonyms; unknown category becomes other', () => {
    const r = parseModelOutput(
      JSON.stringify({
        summary: '',
        findings: [
          { ...finding(1), severity: 'CRITICAL', category: 'Security' },
          { ...finding(2), severity: 'Warning', category: 'whatever' },
          { ...finding(3), severity: 'nit' },
        ],
      }),
    );
    assert.deepEqual(
      r.findings.map((f) => [f.severity, f.category]),
      [
        ['critical', 'security'],
        ['medium', 'other'],
        ['info', 'bug'],
      ],
    );
  });

  it('accepts a bare array and string line numbers; drops findings without file or line', () => {
    const r = parseModelOutput(JSON.stringify([{ ...finding(1), line: '7' }, { title: 'no location' }]));
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].line, 7);
    assert.equal(r.warnings.length, 1);
  });

  it('never throws on nonsense and marks it unusable', () => {
    for (const text of ['', 'I could not review this.', '{{{{', 'null', '42', '"just a string"']) {
      const r = parseModelOutput(text);
      assert.equal(r.findings.length, 0, text);
    }
    assert.equal(parseModelOutput('I could not review this.').unusable, true);
  });

  it('keeps the path as the model wrote it; anchoring tries it exactly before stripping decorations', () => {
    const r = parseModelOutput(
      JSON.stringify({
        summary: '',
        findings: [
          { ...finding(1), file: './src/a.ts' },
          { ...finding(2), file: 'b/src/b.ts' },
          { ...finding(3), file: '### src/c.ts (modified)' },
        ],
      }),
    );
    assert.deepEqual(
      r.findings.map((f) => f.file),
      ['./src/a.ts', 'b/src/b.ts', '### src/c.ts (modified)'],
    );
    const views = new Map([
      ['src/a.ts', 1],
      ['src/b.ts', 1],
      ['src/c.ts', 1],
    ]);
    assert.deepEqual(
      r.findings.map((f) => resolveFile(views, f.file)),
      ['src/a.ts', null, 'src/c.ts'],
      'b/src/b.ts is a path of its own, never src/b.ts',
    );
  });
});
