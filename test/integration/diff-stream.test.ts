import assert from 'node:assert/strict';
import { isAsciiFile } from '../../src/core/diff/model.js';
import { collectDiff } from '../../src/core/git/diff.js';
import { TempRepo } from '../helpers/git.js';

/** Added lines of one file, as the diff reader gives them. */
function added(files: Awaited<ReturnType<typeof collectDiff>>['files'], path: string): string[] {
  const file = files.find((f) => f.path === path);
  assert.ok(file, `${path} in the diff`);
  return file.hunks.flatMap((h) => h.lines.filter((l) => l.kind === 'add').map((l) => l.text));
}

describe("reading git's output as it streams", () => {
  it('keeps multi-byte characters whole across reads, and each invalid byte in its own line', async () => {
    const repo = new TempRepo();
    repo.write('README.md', 'start\n');
    const base = repo.commit('base');
    // Far more than one pipe read (64 KiB): with 1-, 2-, 3- and 4-byte characters mixed, reads end inside characters.
    const lines = Array.from({ length: 6000 }, (_, i) => `${i} é€𝄞 ${'ü'.repeat(i % 17)} x`);
    repo.write('src/text.txt', lines.join('\n') + '\n');
    repo.write('src/ascii.txt', 'plain\ntext\n');
    // A byte that is not UTF-8 between two good lines.
    repo.write('src/bytes.txt', Buffer.concat([Buffer.from('before\n'), Buffer.from([0x61, 0xff, 0x62, 0x0a]), Buffer.from('after\n')]));
    const head = repo.commit('change');

    const diff = await collectDiff(repo.dir, { kind: 'range', range: `${base}..${head}` }, { contextLines: 3 });
    assert.deepEqual(added(diff.files, 'src/text.txt'), lines);
    assert.deepEqual(added(diff.files, 'src/bytes.txt'), ['before', 'a\uFFFDb', 'after']);
    assert.deepEqual(added(diff.files, 'src/ascii.txt'), ['plain', 'text']);
    assert.equal(isAsciiFile(diff.files.find((f) => f.path === 'src/text.txt')!), false);
  });

  it('reads a last line that has no newline', async () => {
    const repo = new TempRepo();
    repo.write('a.txt', 'one\n');
    const base = repo.commit('base');
    repo.write('a.txt', 'one\ntwo € no newline');
    const head = repo.commit('change');
    const diff = await collectDiff(repo.dir, { kind: 'range', range: `${base}..${head}` }, { contextLines: 3 });
    assert.deepEqual(added(diff.files, 'a.txt'), ['two € no newline']);
  });

  it('marks the files of an ASCII diff as ASCII, which packing then measures without encoding', async () => {
    const repo = new TempRepo();
    repo.write('a.txt', 'one\n');
    const base = repo.commit('base');
    repo.write('a.txt', Array.from({ length: 20000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    repo.write('b.txt', 'plain\n');
    const head = repo.commit('change');
    const diff = await collectDiff(repo.dir, { kind: 'range', range: `${base}..${head}` }, { contextLines: 3 });
    assert.equal(added(diff.files, 'a.txt').length, 20000);
    assert.ok(diff.files.every((f) => isAsciiFile(f)));
  });
});
