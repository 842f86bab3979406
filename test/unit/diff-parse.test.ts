import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiffParser, unquote } from '../../src/core/diff/parse.js';
import { isAsciiFile } from '../../src/core/diff/model.js';
import { addedLines, parseUnifiedDiff } from '../helpers/diff.js';

const fixture = (name: string): string => readFileSync(join(__dirname, '..', 'fixtures', 'diffs', name), 'utf8');

describe('parseUnifiedDiff on real git output', () => {
  it('numbers added and context lines in the new file across two hunks', () => {
    const { files, warnings } = parseUnifiedDiff(fixture('modified-two-hunks.diff'));
    assert.deepEqual(warnings, []);
    assert.equal(files.length, 1);
    const f = files[0];
    assert.equal(f.path, 'multi.txt');
    assert.equal(f.status, 'modified');
    assert.equal(f.hunks.length, 2);
    assert.deepEqual(
      addedLines(f).map((l) => [l.newLine, l.text]),
      [
        [3, 'line three'],
        [20, 'line twenty'],
        [21, 'line twenty-one bis'],
      ],
    );
    const ctx = f.hunks[0].lines.find((l) => l.kind === 'ctx' && l.text === 'line 4');
    assert.equal(ctx?.newLine, 4);
    assert.equal(ctx?.oldLine, 4);
  });

  it('reads added and deleted files', () => {
    const added = parseUnifiedDiff(fixture('added.diff')).files[0];
    assert.equal(added.status, 'added');
    assert.equal(added.oldPath, null);
    assert.deepEqual(
      addedLines(added).map((l) => l.newLine),
      [1, 2],
    );
    const deleted = parseUnifiedDiff(fixture('deleted.diff')).files[0];
    assert.equal(deleted.status, 'deleted');
    assert.equal(deleted.path, 'gone.txt');
    assert.equal(addedLines(deleted).length, 0);
  });

  it('reviews the new path of a rename and of a copy', () => {
    const renamed = parseUnifiedDiff(fixture('renamed-modified.diff')).files[0];
    assert.equal(renamed.status, 'renamed');
    assert.equal(renamed.oldPath, 'old-name.txt');
    assert.equal(renamed.path, 'new-name.txt');
    assert.deepEqual(
      addedLines(renamed).map((l) => [l.newLine, l.text]),
      [[10, 'row ten']],
    );
    const files = parseUnifiedDiff(fixture('copied.diff')).files;
    const copy = files.find((f) => f.status === 'copied');
    assert.ok(copy, 'a copied file');
    assert.equal(copy.path, 'duplicate.txt');
    assert.equal(copy.oldPath, 'original.txt');
    assert.deepEqual(
      addedLines(copy).map((l) => [l.newLine, l.text]),
      [[41, 'one more']],
    );
  });

  it('marks mode-only changes, binaries and submodules, with no lines to review', () => {
    const mode = parseUnifiedDiff(fixture('mode-only.diff')).files[0];
    assert.equal(mode.modeOnly, true);
    assert.equal(mode.oldMode, '100644');
    assert.equal(mode.newMode, '100755');
    const bin = parseUnifiedDiff(fixture('binary.diff')).files[0];
    assert.equal(bin.binary, true);
    assert.equal(bin.path, 'blob.bin');
    const sub = parseUnifiedDiff(fixture('submodule.diff')).files[0];
    assert.equal(sub.submodule, true);
    assert.equal(sub.path, 'sub');
    assert.equal(sub.hunks.length, 0);
  });

  it('handles a missing newline at end of file and CRLF line endings', () => {
    const nonl = parseUnifiedDiff(fixture('no-newline.diff'));
    assert.deepEqual(nonl.warnings, []);
    assert.deepEqual(
      addedLines(nonl.files[0]).map((l) => [l.newLine, l.text]),
      [[2, 'last changed']],
    );
    const crlf = parseUnifiedDiff(fixture('crlf.diff')).files[0];
    assert.equal(crlf.crlf, true);
    assert.deepEqual(
      addedLines(crlf).map((l) => [l.newLine, l.text]),
      [
        [2, 'b changed'],
        [3, 'c'],
      ],
    );
  });

  it('reads paths with spaces, non-ASCII characters and quotes', () => {
    const paths = parseUnifiedDiff(fixture('special-paths.diff')).files.map((f) => f.path);
    assert.deepEqual(paths.sort(), ['café.txt', 'dir with space/file name.txt', 'quote"d.txt']);
  });

  it('unquotes octal-escaped UTF-8 the way git writes it without core.quotePath=false', () => {
    assert.equal(unquote('"caf\\303\\251.txt"'), 'café.txt');
    assert.equal(unquote('"tab\\there"'), 'tab\there');
    assert.equal(unquote('plain'), 'plain');
  });
});

describe('parseUnifiedDiff on broken input', () => {
  it('keeps what it can read and warns about a truncated hunk', () => {
    const text = fixture('modified-two-hunks.diff').split('\n').slice(0, 9).join('\n');
    const { files, warnings } = parseUnifiedDiff(text);
    assert.equal(files.length, 1);
    assert.ok(
      warnings.some((w) => w.includes('ends early')),
      warnings.join('; '),
    );
  });

  it('does not throw on garbage and says so', () => {
    const { files, warnings } = parseUnifiedDiff('this is not a diff\n@@ nonsense');
    assert.equal(files.length, 0);
    assert.equal(warnings.length, 1);
  });

  it('stops a file at a malformed hunk line without losing the next file', () => {
    const text = [
      'diff --git a/x.txt b/x.txt',
      '--- a/x.txt',
      '+++ b/x.txt',
      '@@ -1,2 +1,2 @@',
      ' a',
      '?bogus',
      '+b',
      'diff --git a/y.txt b/y.txt',
      '--- a/y.txt',
      '+++ b/y.txt',
      '@@ -1 +1 @@',
      '-old',
      '+new',
      '',
    ].join('\n');
    const { files, warnings } = parseUnifiedDiff(text);
    assert.equal(files.length, 2);
    assert.ok(warnings.some((w) => w.startsWith('x.txt: malformed')));
    assert.deepEqual(
      addedLines(files[1]).map((l) => l.text),
      ['new'],
    );
  });
});

describe('DiffParser fed in pieces, as git output arrives through a pipe', () => {
  it('gives the same files, lines and warnings wherever the text is cut, and hands each file over once', async () => {
    const { DiffParser } = await import('../../src/core/diff/parse.js');
    const { readdirSync } = await import('node:fs');
    const dir = join(__dirname, '..', 'fixtures', 'diffs');
    const all = readdirSync(dir)
      .map((n) => fixture(n))
      .join('');
    const whole = parseUnifiedDiff(all);
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 50; round++) {
      const handed: string[] = [];
      const parser = new DiffParser((f) => handed.push(f.path));
      for (let at = 0; at < all.length;) {
        const n = 1 + Math.floor(rand() * 200);
        parser.push(all.slice(at, at + n));
        at += n;
      }
      const streamed = parser.end();
      assert.deepEqual(streamed, whole, `round ${round}`);
      assert.deepEqual(
        handed,
        whole.files.map((f) => f.path),
      );
    }
  });
});

describe('DiffParser: files whose bytes were all ASCII', () => {
  const two = [
    'diff --git a/a.ts b/a.ts',
    '--- a/a.ts',
    '+++ b/a.ts',
    '@@ -1 +1 @@',
    '-old',
    '+new',
    'diff --git a/b.ts b/b.ts',
    '--- a/b.ts',
    '+++ b/b.ts',
    '@@ -1 +1 @@',
    '-alt',
    '+neu',
    '',
  ].join('\n');

  it('marks a file only when every stretch of bytes it came from was ASCII, across a cut inside a line', () => {
    const at = two.indexOf('+neu') + 2;
    const cases: [boolean, boolean, [boolean, boolean]][] = [
      [true, true, [true, true]],
      [true, false, [true, false]],
      // The second file's header is in the first stretch, its last line in the second.
      [false, true, [false, false]],
    ];
    for (const [first, second, expected] of cases) {
      const parser = new DiffParser();
      parser.push(two.slice(0, at), first);
      parser.push(two.slice(at), second);
      const { files } = parser.end();
      assert.deepEqual(
        files.map((f) => isAsciiFile(f)),
        expected,
        `${first} ${second}`,
      );
    }
  });

  it('marks nothing when the caller does not say the bytes were ASCII', () => {
    const { files } = parseUnifiedDiff(two);
    assert.deepEqual(
      files.map((f) => isAsciiFile(f)),
      [false, false],
    );
  });
});
