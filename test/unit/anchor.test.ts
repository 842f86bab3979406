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

  it('anchors a finding on a removed line to the nearest new line, keeping the old line for the LEFT side', () => {
    const byQuote = anchorFindings(chunk, [{ ...base, line: 3, quote: 'return 1;', title: 'Removed return' }]);
    assert.deepEqual(byQuote.warnings, []);
    assert.equal(byQuote.findings[0].oldLine, 11);
    assert.equal(byQuote.findings[0].line, 11, 'shown where the removed line was: before new line 11');
    assert.equal(byQuote.findings[0].quote, '  return 1;');
    const bySide = anchorFindings(chunk, [{ ...base, side: 'old', line: 11, title: 'Removed return' }]).findings[0];
    assert.equal(bySide.oldLine, 11);
    assert.equal(bySide.suggestion, undefined);
    // Without `side: "old"`, line 11 is the new line 11: no removal is meant.
    assert.equal(anchorFindings(chunk, [{ ...base, line: 11 }]).findings[0].oldLine, undefined);
  });

  it('anchors findings in a deleted file, which has no new line, at line 1', () => {
    const deleted: FileDiff = {
      ...file,
      path: 'src/auth.ts',
      oldPath: 'src/auth.ts',
      newPath: null,
      status: 'deleted',
      hunks: [
        {
          oldStart: 1,
          oldLines: 2,
          newStart: 0,
          newLines: 0,
          section: '',
          lines: [
            { kind: 'del', text: 'export function check() {', oldLine: 1 },
            { kind: 'del', text: '  requireAdmin(user);', oldLine: 2 },
          ],
        },
      ],
    };
    const c = packChunks([deleted], { budgetTokens: 1000, overlapLines: 3 })[0];
    const f = anchorFindings(c, [{ ...base, file: 'src/auth.ts', side: 'old', line: 2, quote: 'requireAdmin(user);' }]).findings[0];
    assert.deepEqual([f.line, f.oldLine], [1, 2]);
  });

  it('matches paths exactly before any normalisation and never maps a/x.js or b/x.js to x.js', () => {
    const names = ['x.js', 'a/x.js', 'b/x.js', ' lead.js', 'trail.js ', 'back\\slash.js'];
    const files = names.map((path) => ({ ...file, path, oldPath: path, newPath: path }));
    const c = packChunks(files, { budgetTokens: 4000, overlapLines: 3 })[0];
    const got = anchorFindings(
      c,
      names.map((n) => ({ ...base, file: n })),
    );
    assert.deepEqual(warningsOf(got), []);
    assert.deepEqual(
      got.findings.map((f) => f.file),
      names,
    );
    // The JSON string as the header shows it, quotes and escapes included, is the same file.
    assert.equal(anchorFindings(c, [{ ...base, file: JSON.stringify('back\\slash.js') }]).findings[0].file, 'back\\slash.js');
  });
});

function warningsOf(r: { warnings: string[] }): string[] {
  return r.warnings;
}
