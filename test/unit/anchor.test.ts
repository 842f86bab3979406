import assert from 'node:assert/strict';
import type { FileDiff } from '../../src/core/diff/model.js';
import { mergeDuplicates } from '../../src/core/findings.js';
import { anchorFindings } from '../../src/core/output/anchor.js';
import type { ParsedFinding } from '../../src/core/output/parse.js';
import { packChunks } from '../helpers/diff.js';

const file: FileDiff = {
  oldPath: 'src/app.ts',
  newPath: 'src/app.ts',
  path: 'src/app.ts',
  status: 'modified',
  binary: false,
  submodule: false,
  modeOnly: false,
  crlf: false,
  hunks: [
    {
      oldStart: 10,
      oldLines: 3,
      newStart: 10,
      newLines: 4,
      section: '',
      lines: [
        { kind: 'ctx', text: 'function f() {', oldLine: 10, newLine: 10 },
        { kind: 'del', text: '  return 1;', oldLine: 11 },
        { kind: 'add', text: '  const secret = load();', newLine: 11 },
        { kind: 'add', text: '  return eval(secret);', newLine: 12 },
        { kind: 'ctx', text: '}', oldLine: 12, newLine: 13 },
      ],
    },
  ],
};
const chunk = packChunks([file], { budgetTokens: 1000, overlapLines: 3 })[0];
const base: ParsedFinding = { file: 'src/app.ts', line: 12, severity: 'high', category: 'security', title: 'eval of input', message: 'm' };

describe('anchorFindings', () => {
  it('follows the quote when the line number is wrong', () => {
    const { findings, warnings } = anchorFindings(chunk, [{ ...base, line: 40, quote: 'return eval(secret);' }]);
    assert.deepEqual(warnings, []);
    assert.equal(findings[0].line, 12);
    assert.equal(findings[0].quote, '  return eval(secret);');
  });

  it('uses the line when there is no matching quote and the line is in a hunk', () => {
    assert.equal(anchorFindings(chunk, [{ ...base, line: 13, quote: 'not there' }]).findings[0].line, 13);
  });

  it('drops findings outside the hunks and for files not in the chunk, with warnings', () => {
    const { findings, warnings } = anchorFindings(chunk, [
      { ...base, line: 99 },
      { ...base, file: 'other.ts' },
    ]);
    assert.equal(findings.length, 0);
    assert.equal(warnings.length, 2);
  });

  it('matches a path suffix the model shortened', () => {
    assert.equal(anchorFindings(chunk, [{ ...base, file: 'app.ts' }]).findings[0].file, 'src/app.ts');
  });

  it('gives the same fingerprint to the same finding on a shifted line', () => {
    const a = anchorFindings(chunk, [{ ...base, quote: 'return eval(secret);' }]).findings[0];
    const shifted = {
      ...file,
      hunks: file.hunks.map((h) => ({ ...h, lines: h.lines.map((l) => ({ ...l, newLine: l.newLine && l.newLine + 5 })) })),
    };
    const b = anchorFindings(packChunks([shifted], { budgetTokens: 1000, overlapLines: 3 })[0], [
      { ...base, line: 17, quote: 'return eval(secret);' },
    ]).findings[0];
    assert.equal(b.line, 17);
    assert.equal(a.id, b.id);
  });

  it('merges duplicates on the same line and title, keeping the higher severity', () => {
    const found = anchorFindings(chunk, [base, { ...base, severity: 'critical', title: 'Eval of input!' }]).findings;
    const merged = mergeDuplicates(found);
    assert.equal(merged.length, 1);
    assert.equal(merged[0].severity, 'critical');
  });
});
