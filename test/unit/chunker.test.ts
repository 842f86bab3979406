import assert from 'node:assert/strict';
import { markAscii, type DiffLine, type FileDiff, type Hunk } from '../../src/core/diff/model.js';
import { countOwned, ownedLines, ownedRemovedLines, packFile, splitChunk, toRanges, type Chunk } from '../../src/core/pack/chunker.js';
import { addedFile, packChunks } from '../helpers/diff.js';

/** A small deterministic PRNG so that every failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomFile(rand: () => number, path: string): FileDiff {
  const hunks: Hunk[] = [];
  let newNo = 1 + Math.floor(rand() * 5);
  let oldNo = newNo;
  const hunkCount = 1 + Math.floor(rand() * 4);
  for (let h = 0; h < hunkCount; h++) {
    const lines: DiffLine[] = [];
    const start = newNo;
    const oldStart = oldNo;
    const n = 1 + Math.floor(rand() * (rand() < 0.2 ? 400 : 30));
    for (let i = 0; i < n; i++) {
      const r = rand();
      const text = 'x'.repeat(Math.floor(rand() * (rand() < 0.05 ? 900 : 60)));
      if (r < 0.55) lines.push({ kind: 'add', text, newLine: newNo++ });
      else if (r < 0.75) lines.push({ kind: 'del', text, oldLine: oldNo++ });
      else lines.push({ kind: 'ctx', text, newLine: newNo++, oldLine: oldNo++ });
    }
    hunks.push({ oldStart, oldLines: oldNo - oldStart, newStart: start, newLines: newNo - start, section: '', lines });
    newNo += 10 + Math.floor(rand() * 50);
    oldNo = newNo;
  }
  return { oldPath: path, newPath: path, path, status: 'modified', binary: false, submodule: false, modeOnly: false, crlf: false, hunks };
}

/** Every added line a chunk carries, owned or clipped, per file. */
function linesOf(c: Chunk): Map<string, number[]> {
  const out = new Map([...ownedLines(c)].map(([f, l]) => [f, [...l]]));
  for (const x of c.clipped) if (!x.removed) out.set(x.file, [...(out.get(x.file) ?? []), x.line]);
  return out;
}

function sorted(m: Map<string, number[]>): [string, number[]][] {
  return [...m].map(([f, l]): [string, number[]] => [f, [...l].sort((a, b) => a - b)]).sort((a, b) => a[0].localeCompare(b[0]));
}

const NAMES = [
  'src/auth/login.ts',
  'src/util.ts',
  'README.md',
  'db/migrations/001.sql',
  'lib/a.js',
  '.github/workflows/ci.yml',
  'test/a.test.ts',
];

describe('packChunks', () => {
  it('sends every added line exactly once across chunks, owned or clipped, for 300 generated diffs', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rand = rng(seed);
      const files = NAMES.slice(0, 1 + Math.floor(rand() * NAMES.length)).map((n) => randomFile(rand, n));
      const budget = 64 + Math.floor(rand() * 3000);
      const chunks = packChunks(files, { budgetTokens: budget, overlapLines: 3 });
      const expected = new Map<string, number[]>();
      for (const f of files)
        expected.set(
          f.path,
          f.hunks.flatMap((h) => h.lines.filter((l) => l.kind === 'add').map((l) => l.newLine!)),
        );
      const seen = new Map<string, number[]>();
      for (const c of chunks) {
        for (const [file, lines] of linesOf(c)) seen.set(file, [...(seen.get(file) ?? []), ...lines]);
        // The rendered '+' lines are exactly the owned and the clipped ones: overlap is shown as context.
        const plus = c.text.split('\n').filter((l) => l.startsWith('+')).length;
        const owned = [...ownedLines(c).values()].reduce((n, l) => n + l.length, 0);
        assert.equal(
          plus,
          owned + c.clipped.filter((x) => !x.removed).length,
          `seed ${seed}: rendered + lines equal owned and clipped lines`,
        );
      }
      for (const [file, lines] of expected) {
        assert.deepEqual(
          (seen.get(file) ?? []).sort((a, b) => a - b),
          lines.sort((a, b) => a - b),
          `seed ${seed}, ${file}`,
        );
      }
    }
  });

  it('keeps every chunk within the budget, clipping lines longer than it', () => {
    let clipped = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const rand = rng(seed * 7);
      const files = NAMES.map((n) => randomFile(rand, n));
      const budget = 64 + Math.floor(rand() * 2000);
      for (const c of packChunks(files, { budgetTokens: budget, overlapLines: 2 })) {
        assert.ok(c.tokens <= budget, `seed ${seed}: ${c.tokens} > ${budget}`);
        const estimate = Math.ceil(Buffer.byteLength(c.text) / 3);
        // Merged chunks add up their parts' counts: never below the estimate of the text sent, at most a token a part above.
        assert.ok(c.tokens >= estimate && c.tokens <= estimate + c.segments.length, `seed ${seed}: ${c.tokens} for ${estimate}`);
        clipped += c.clipped.length;
      }
    }
    assert.ok(clipped > 0, 'the generated lines of up to 900 characters include some longer than small budgets');
  });

  it('clips a 1 MB line to the window, lists it as clipped and never as owned', () => {
    const huge = 'const blob = "' + 'abcdefgh'.repeat(131_072) + '";';
    const file = addedFile('src/blob.ts', ['export const before = 1;', huge, 'export const after = 2;']);
    const chunks = packFile(file, { budgetTokens: 4000, overlapLines: 3 });
    const text = chunks.map((c) => c.text).join('');
    assert.ok(text.length < 13_000, `${text.length} characters sent for a ${huge.length}-character line`);
    assert.ok(chunks.every((c) => c.tokens <= 4000));
    assert.deepEqual(
      chunks.flatMap((c) => c.clipped),
      [{ file: 'src/blob.ts', line: 2, chars: huge.length }],
    );
    assert.deepEqual(
      chunks.flatMap((c) => ownedLines(c).get('src/blob.ts') ?? []),
      [1, 3],
    );
    assert.match(
      text,
      new RegExp(`^\\+const blob = "abcdefgh(abcdefgh)+[a-h]* \\[\\.\\.\\. line clipped: ${huge.length} characters in all\\]$`, 'm'),
    );
  });

  it('counts UTF-8 bytes, so text outside ASCII is not undercounted, and never clips inside a character', () => {
    const wide = '変数の名前'.repeat(400) + '😀'.repeat(300);
    const chunks = packFile(addedFile('a.ts', [wide]), { budgetTokens: 300, overlapLines: 0 });
    assert.equal(chunks.length, 1);
    assert.ok(chunks[0].tokens <= 300);
    assert.equal(chunks[0].clipped[0].chars, wide.length);
    const shown = /^\+(.*) \[\.\.\. line clipped/m.exec(chunks[0].text)![1];
    assert.ok(wide.startsWith(shown) && shown.length > 200, 'a prefix of whole characters');
    assert.ok(!/[\ud800-\udbff]$/.test(shown));
  });

  it('counts the lines a chunk reviews as ownedLines and ownedRemovedLines list them, clipped lines left out', () => {
    let clipped = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const rand = rng(seed * 13);
      const files = NAMES.map((n) => randomFile(rand, n));
      for (const c of packChunks(files, { budgetTokens: 64 + Math.floor(rand() * 1500), overlapLines: 3 })) {
        const listed = [...ownedLines(c).values(), ...ownedRemovedLines(c).values()].reduce((n, l) => n + l.length, 0);
        assert.equal(countOwned(c), listed, `seed ${seed}`);
        clipped += c.clipped.length;
      }
    }
    assert.ok(clipped > 0, 'some chunks clip lines');
  });

  it('packs a file known to be ASCII exactly as one whose bytes are measured line by line', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rand = rng(seed);
      // git writes a non-ASCII name quoted, in ASCII: the file's text is ASCII, its name is not.
      const file = randomFile(rand, seed % 4 === 0 ? `src/ré${seed}.ts` : `src/f${seed}.ts`);
      const known = { ...file };
      markAscii(known);
      for (const budgetTokens of [80, 300, 2000]) {
        const measured = packFile(file, { budgetTokens, overlapLines: 3 });
        const counted = packFile(known, { budgetTokens, overlapLines: 3 });
        assert.deepEqual(
          counted.map((c) => [c.text, c.tokens]),
          measured.map((c) => [c.text, c.tokens]),
          `seed ${seed}, budget ${budgetTokens}`,
        );
        for (const c of counted) assert.equal(c.tokens, Math.ceil(Buffer.byteLength(c.text) / 3), `seed ${seed}: tokens from bytes`);
      }
    }
  });

  it('re-packs a chunk into pieces that fit a smaller budget, each added line owned once and clipped again to fit', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rand = rng(seed * 13);
      const files = NAMES.slice(0, 4).map((n) => randomFile(rand, n));
      const budget = 400 + Math.floor(rand() * 3000);
      for (const chunk of packChunks(files, { budgetTokens: budget, overlapLines: 3 })) {
        const smaller = Math.max(64, Math.floor(budget / (1.1 + rand() * 1.5)));
        const pieces = splitChunk(chunk, smaller, 3);
        for (const p of pieces) assert.ok(p.tokens <= smaller, `seed ${seed}: ${p.tokens} > ${smaller}`);
        const before = sorted(linesOf(chunk));
        const after = sorted(
          new Map(
            [...pieces.flatMap((p) => [...linesOf(p)])].reduce(
              (m, [f, l]) => m.set(f, [...(m.get(f) ?? []), ...l]),
              new Map<string, number[]>(),
            ),
          ),
        );
        assert.deepEqual(after, before, `seed ${seed}: the same added lines, owned or clipped`);
        assert.ok(pieces.every((p) => p.priority === chunk.priority));
      }
    }
  });

  it('puts high-risk files first so that limits cut the low-risk ones', () => {
    const rand = rng(42);
    const files = ['docs/guide.md', 'src/auth/session.ts', 'src/app.ts'].map((n) => randomFile(rand, n));
    const chunks = packChunks(files, { budgetTokens: 100, overlapLines: 0 });
    assert.equal(chunks[0].segments[0].file, 'src/auth/session.ts');
    assert.equal(chunks[chunks.length - 1].segments[0].file, 'docs/guide.md');
  });

  it('packs several small files into one chunk and repeats overlap as context', () => {
    const rand = rng(3);
    const small = ['a.ts', 'b.ts', 'c.ts'].map((n) => ({
      ...randomFile(rand, n),
      hunks: [
        {
          oldStart: 1,
          oldLines: 0,
          newStart: 1,
          newLines: 2,
          section: '',
          lines: [
            { kind: 'add' as const, text: 'one', newLine: 1 },
            { kind: 'add' as const, text: 'two', newLine: 2 },
          ],
        },
      ],
    }));
    assert.equal(packChunks(small, { budgetTokens: 1000, overlapLines: 3 }).length, 1);
    const big: FileDiff = {
      ...small[0],
      hunks: [
        {
          oldStart: 1,
          oldLines: 0,
          newStart: 1,
          newLines: 200,
          section: '',
          lines: Array.from({ length: 200 }, (_, i) => ({
            kind: 'add' as const,
            text: `line number ${i + 1} with some text`,
            newLine: i + 1,
          })),
        },
      ],
    };
    const chunks = packChunks([big], { budgetTokens: 300, overlapLines: 3 });
    assert.ok(chunks.length > 1);
    const second = chunks[1].text.split('\n');
    assert.match(second[1], /^@@ -\d+ \+\d+ @@/, 'the piece says where its lines start');
    assert.match(second[2], /^ line number/, 'the second piece opens with overlap shown as context');
  });

  it('toRanges groups consecutive lines', () => {
    assert.deepEqual(toRanges([9, 3, 4, 5, 11, 12]), [
      [3, 5],
      [9, 9],
      [11, 12],
    ]);
  });
});

describe('filePriority', () => {
  it('ranks auth, crypto, SQL, infrastructure and CI above ordinary code, and docs/tests below', async () => {
    const { filePriority } = await import('../../src/core/pack/priority.js');
    for (const p of [
      'src/auth/session.ts',
      'lib/crypto.ts',
      'src/db/users.ts',
      'migrations/002_add.sql',
      'infra/main.tf',
      '.github/workflows/ci.yml',
      'Dockerfile',
      'scripts/deploy.sh',
    ]) {
      assert.equal(filePriority(p), 2, p);
    }
    assert.equal(filePriority('src/app.ts'), 1);
    assert.equal(filePriority('docs/guide.md'), 0);
    assert.equal(filePriority('test/app.test.ts'), 0);
  });
});
