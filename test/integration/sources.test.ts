import assert from 'node:assert/strict';
import { chmodSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addedLines, filterFiles } from '../helpers/diff.js';
import { EMPTY_TREE } from '../../src/core/git/repo.js';
import { collectDiff } from '../../src/core/git/diff.js';
import { isAsciiFile } from '../../src/core/diff/model.js';
import { packFile } from '../../src/core/pack/chunker.js';
import { GitError } from '../../src/core/git/run.js';
import { TempRepo } from '../helpers/git.js';

const opts = { contextLines: 3 };
let repo: TempRepo;
afterEach(() => repo?.remove());

describe('diff sources on real repositories', () => {
  it('knows which files git wrote as ASCII, and packs the others by their UTF-8 size', async () => {
    repo = new TempRepo();
    const base = repo.write('plain.ts', 'export const a = 1;\n').write('wide.ts', 'export const b = 1;\n').commit('base');
    const plain = repo.write('plain.ts', 'export const a = 2;\n').commit('plain');
    const wide = repo.write('wide.ts', `export const b = '${'変数'.repeat(300)}';\n`).commit('wide');
    const [first] = (await collectDiff(repo.dir, { kind: 'range', range: `${base}..${plain}` }, opts)).files;
    assert.equal(first.path, 'plain.ts');
    assert.equal(isAsciiFile(first), true);
    const [second] = (await collectDiff(repo.dir, { kind: 'range', range: `${plain}..${wide}` }, opts)).files;
    assert.equal(second.path, 'wide.ts');
    assert.equal(isAsciiFile(second), false);
    // 600 CJK characters are 1,800 bytes: a window of 400 tokens (1,200 bytes) cannot hold the line whole.
    const chunks = packFile(second, { budgetTokens: 400, overlapLines: 3 });
    assert.ok(chunks.every((c) => c.tokens <= 400));
    assert.deepEqual(
      chunks.flatMap((c) => c.clipped.map((k) => [k.line, k.chars])),
      [[1, 620]],
    );
  });

  it('working tree: staged + unstaged + untracked, not ignored, without touching the index', async () => {
    repo = new TempRepo();
    repo.write('.gitignore', 'secret.env\n').write('a.txt', 'one\n').commit('base');
    repo.write('a.txt', 'one\ntwo\n');
    repo.write('staged.txt', 'staged\n');
    repo.git('add', 'staged.txt');
    repo.write('untracked.txt', 'new\n').write('secret.env', 'TOKEN=1\n');
    const indexBefore = readFileSync(join(repo.dir, '.git', 'index'));
    const d = await collectDiff(repo.dir, { kind: 'working-tree' }, opts);
    assert.deepEqual(d.files.map((f) => f.path).sort(), ['a.txt', 'staged.txt', 'untracked.txt']);
    assert.equal(d.target.kind, 'working-tree');
    assert.equal(d.target.head, 'WORKTREE');
    assert.deepEqual(readFileSync(join(repo.dir, '.git', 'index')), indexBefore, 'the user index is unchanged');
    assert.equal(repo.git('status', '--porcelain').includes('?? untracked.txt'), true, 'untracked stays untracked');
  });

  it('working tree: an edit in the same second as the commit, of the same size, is seen (racily clean)', async () => {
    repo = new TempRepo();
    const file = join(repo.dir, 'a.js');
    // Whole seconds, so that the times below match the index's record to the nanosecond.
    const t = new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000);
    repo.write('a.js', 'exports.a = 1;\n');
    utimesSync(file, t, t);
    repo.commit('base');
    writeFileSync(file, 'exports.a = 2;\n');
    // Same size and time as the index records, and not older than the index: git must look inside.
    utimesSync(file, t, t);
    utimesSync(join(repo.dir, '.git', 'index'), t, t);
    const d = await collectDiff(repo.dir, { kind: 'working-tree' }, opts);
    assert.deepEqual(
      d.files.map((f) => f.path),
      ['a.js'],
    );
    assert.deepEqual(
      addedLines(d.files[0]).map((l) => l.text),
      ['exports.a = 2;'],
    );
  });

  it('a repository with no commits is reviewed against the empty tree', async () => {
    repo = new TempRepo();
    repo.write('first.js', 'console.log(1);\n');
    const d = await collectDiff(repo.dir, { kind: 'working-tree' }, opts);
    assert.equal(d.target.base, EMPTY_TREE);
    assert.deepEqual(
      d.files.map((f) => [f.path, f.status]),
      [['first.js', 'added']],
    );
  });

  it('staged: only the index', async () => {
    repo = new TempRepo();
    repo.write('a.txt', 'a\n').commit();
    repo.write('a.txt', 'a\nstaged\n');
    repo.git('add', 'a.txt');
    repo.write('a.txt', 'a\nstaged\nunstaged\n');
    const d = await collectDiff(repo.dir, { kind: 'staged' }, opts);
    assert.deepEqual(
      addedLines(d.files[0]).map((l) => l.text),
      ['staged'],
    );
  });

  it('base: merge-base with the default branch, origin/HEAD first', async () => {
    repo = new TempRepo();
    repo.write('a.txt', 'a\n').commit('base');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('b.txt', 'feature work\n').commit('feature');
    repo.git('checkout', '-q', 'main');
    repo.write('c.txt', 'main moved on\n').commit('main');
    repo.git('checkout', '-q', 'feature');
    const d = await collectDiff(repo.dir, { kind: 'base' }, opts);
    assert.equal(d.target.label, 'main');
    assert.deepEqual(
      d.files.map((f) => f.path),
      ['b.txt'],
      'only the branch own commits, not main',
    );
    // With a remote whose HEAD points elsewhere, origin/HEAD wins.
    repo.git('update-ref', 'refs/remotes/origin/trunk', 'main');
    repo.git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk');
    assert.equal((await collectDiff(repo.dir, { kind: 'base' }, opts)).target.label, 'origin/trunk');
    await assert.rejects(collectDiff(repo.dir, { kind: 'base', ref: 'nope' }, opts), GitError);
  });

  it('range A..B and A...B', async () => {
    repo = new TempRepo();
    const a = repo.write('x.txt', '1\n').commit();
    repo.write('x.txt', '1\n2\n').commit();
    const b = repo.write('x.txt', '1\n2\n3\n').commit();
    const d = await collectDiff(repo.dir, { kind: 'range', range: `${a}..${b}` }, opts);
    assert.deepEqual(
      addedLines(d.files[0]).map((l) => l.newLine),
      [2, 3],
    );
    await assert.rejects(collectDiff(repo.dir, { kind: 'range', range: 'not-a-range' }, opts), GitError);
  });

  it('renames, deletions, binaries, mode changes, CRLF, odd paths, lockfiles and huge files', async () => {
    repo = new TempRepo();
    repo.write('old.ts', Array.from({ length: 30 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n');
    repo.write('gone.ts', 'export function removedHelper() { return 42; }\n').write('run.sh', 'echo\n').write('win.txt', 'a\r\n');
    repo.commit('base');
    repo.git('mv', 'old.ts', 'new.ts');
    repo.write('new.ts', readFileSync(join(repo.dir, 'new.ts'), 'utf8').replace('v3 = 3', 'v3 = 33'));
    repo.git('rm', '-q', 'gone.ts');
    chmodSync(join(repo.dir, 'run.sh'), 0o755);
    repo.write('img.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]));
    repo.write('win.txt', 'a\r\nb\r\n');
    repo.write('dir with space/naïve file.ts', 'const s = 1;\n');
    repo.write('package-lock.json', '{}\n').write('dist/app.min.js', 'x\n').write('vendor/lib.js', 'x\n');
    repo.write('big.ts', Array.from({ length: 120 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const d = await collectDiff(repo.dir, { kind: 'working-tree' }, opts);
    const byPath = new Map(d.files.map((f) => [f.path, f]));
    assert.equal(byPath.get('new.ts')?.status, 'renamed');
    assert.deepEqual(
      addedLines(byPath.get('new.ts')!).map((l) => l.newLine),
      [4],
    );
    assert.equal(byPath.get('gone.ts')?.status, 'deleted');
    assert.equal(byPath.get('img.png')?.binary, true);
    assert.equal(byPath.get('run.sh')?.modeOnly, true);
    assert.deepEqual(
      addedLines(byPath.get('win.txt')!).map((l) => l.text),
      ['b'],
    );
    assert.ok(byPath.has('dir with space/naïve file.ts'));
    const filtered = filterFiles(d.files, { ignoreGlobs: [], maxLinesPerFile: 100 });
    const reasons = Object.fromEntries(filtered.skipped.map((s) => [s.file, s.reason]));
    // A deleted file is reviewed: its removed lines are the change.
    assert.ok(filtered.files.some((f) => f.path === 'gone.ts'));
    assert.deepEqual(reasons, {
      'img.png': 'binary',
      'run.sh': 'mode change only',
      'package-lock.json': 'lockfile',
      'dist/app.min.js': 'minified or source map',
      'vendor/lib.js': 'vendored',
    });
    assert.deepEqual(filtered.clipped, [{ file: 'big.ts', fromLine: 101, lines: 20 }]);
    const ignored = filterFiles(d.files, { ignoreGlobs: ['dir with space/**'], maxLinesPerFile: 1000 });
    assert.equal(ignored.skipped.find((s) => s.file.startsWith('dir with space'))?.reason, 'ignored by configuration');
  });

  it('lists a submodule and skips it', async () => {
    const sub = new TempRepo('pullmint-sub-');
    sub.commit('one');
    sub.commit('two');
    repo = new TempRepo();
    repo.git('-c', 'protocol.file.allow=always', 'submodule', '-q', 'add', sub.dir, 'sub');
    repo.commit('with submodule');
    const git = (...a: string[]) => repo.git('-C', 'sub', ...a);
    git('checkout', '-q', 'HEAD~1');
    const d = await collectDiff(repo.dir, { kind: 'working-tree' }, opts);
    const f = d.files.find((x) => x.path === 'sub');
    assert.equal(f?.submodule, true);
    assert.equal(filterFiles(d.files, { ignoreGlobs: [], maxLinesPerFile: 10 }).skipped[0].reason, 'submodule');
    sub.remove();
  });

  it('fails with a hint outside a repository', async () => {
    const outside = new TempRepo();
    const dir = join(outside.dir, '..');
    outside.remove();
    await assert.rejects(collectDiff(dir, { kind: 'working-tree' }, opts), (e: unknown) => e instanceof GitError && Boolean(e.hint));
  });
});

describe('review on save: the working-tree diff of one file', () => {
  it('matches the full working-tree diff for a tracked file, a new file, and a file with nothing changed', async () => {
    repo = new TempRepo();
    repo.write('a.js', 'one\ntwo\n').write('b.js', 'same\n').commit('base');
    repo.write('a.js', 'one\ntwo\nthree\n').write('new file.js', 'fresh\n');
    repo.git('add', 'a.js');
    repo.write('a.js', 'one\n2\nthree\n');
    const full = await collectDiff(repo.dir, { kind: 'working-tree' }, opts);
    for (const path of ['a.js', 'new file.js']) {
      const one = await collectDiff(repo.dir, { kind: 'working-tree' }, { ...opts, paths: [path] });
      assert.equal(one.files.length, 1, path);
      const expected = full.files.find((f) => f.path === path)!;
      assert.deepEqual(addedLines(one.files[0]), addedLines(expected), path);
      assert.equal(one.files[0].status, expected.status, path);
      assert.equal(one.target.base, full.target.base);
    }
    assert.deepEqual((await collectDiff(repo.dir, { kind: 'working-tree' }, { ...opts, paths: ['b.js'] })).files, []);
  });
});
