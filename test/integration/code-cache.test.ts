import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireWithCodeCache } from '../../src/cli/codeCache.js';
import { cliEnv, ensureBuilt, runCli } from '../helpers/cli.js';
import { TempRepo, tempDir } from '../helpers/git.js';

function repoWithChange(): TempRepo {
  const repo = new TempRepo();
  repo.write('src/a.js', 'export const a = 1;\n');
  repo.commit('base');
  repo.write('src/a.js', "export const a = 1;\nconst key = 'AKIAIOSFODNN7EXAMPLE';\ndebugger;\n");
  return repo;
}

/** The parts of a JSON report that do not change from run to run. */
function stable(stdout: string): unknown {
  const r = JSON.parse(stdout) as Record<string, unknown>;
  return { findings: r.findings, riskScore: r.riskScore, decision: r.decision, coverage: r.coverage };
}

/** A cache file as written: a SHA-1 of the compiled code, then the code. */
function intact(data: Buffer): boolean {
  return data.length > 20 && createHash('sha1').update(data.subarray(20)).digest().equals(data.subarray(0, 20));
}

function cacheFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => n.startsWith('cli-main-'));
  } catch {
    return [];
  }
}

describe('the CLI code cache', function () {
  this.timeout(60_000);
  before(ensureBuilt);

  it('is written by the first run, read as it is by the next, and rewritten when damaged', async () => {
    const repo = repoWithChange();
    const env = cliEnv();
    const dir = join(env.XDG_CACHE_HOME, 'pullmint', 'code');
    const args = ['review', '--rules-only', '--no-cache', '--format', 'json'];

    const first = await runCli(args, { cwd: repo.dir, env });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, '');
    assert.ok((JSON.parse(first.stdout) as { findings: unknown[] }).findings.length > 0);
    const [name, ...others] = cacheFiles(dir);
    assert.ok(name, 'a cache file after the first run');
    assert.deepEqual(others, []);
    const file = join(dir, name);
    const written = readFileSync(file);
    assert.ok(intact(written));
    const mtime = statSync(file).mtimeMs;

    const second = await runCli(args, { cwd: repo.dir, env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stderr, '');
    assert.deepEqual(stable(second.stdout), stable(first.stdout));
    assert.equal(statSync(file).mtimeMs, mtime, 'a cache that was used is not written again');

    // A flipped byte in the middle of the compiled code: the file's own hash no longer matches.
    const damaged = Buffer.from(written);
    damaged[damaged.length >> 1] ^= 0xff;
    writeFileSync(file, damaged);
    const third = await runCli(args, { cwd: repo.dir, env });
    assert.equal(third.code, 0, third.stderr);
    assert.equal(third.stderr, '');
    assert.deepEqual(stable(third.stdout), stable(first.stdout));
    assert.ok(intact(readFileSync(file)), 'the damaged file is replaced by a good one');

    // Torn: only the first bytes were written.
    writeFileSync(file, written.subarray(0, 10));
    const fourth = await runCli(args, { cwd: repo.dir, env });
    assert.equal(fourth.code, 0, fourth.stderr);
    assert.deepEqual(stable(fourth.stdout), stable(first.stdout));

    // A pipe, then an endless device, at the cache's place: not read, the command still ends.
    for (const put of [() => execFileSync('mkfifo', [file]), () => symlinkSync('/dev/zero', file)]) {
      rmSync(file, { force: true });
      put();
      const r = await runCli(args, { cwd: repo.dir, env });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(stable(r.stdout), stable(first.stdout));
    }
  });

  it('a cache folder that cannot be written costs nothing but the compile; PULLMINT_CODE_CACHE=0 writes none', async () => {
    const repo = repoWithChange();
    const blocked = cliEnv();
    // The cache folder's parent is a file.
    writeFileSync(join(blocked.HOME, 'not-a-folder'), '');
    const env = { ...blocked, XDG_CACHE_HOME: join(blocked.HOME, 'not-a-folder') };
    const r = await runCli(['review', '--rules-only', '--no-cache', '--format', 'json'], { cwd: repo.dir, env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.ok((JSON.parse(r.stdout) as { findings: unknown[] }).findings.length > 0);

    const off = cliEnv({ PULLMINT_CODE_CACHE: '0' });
    const r2 = await runCli(['review', '--rules-only', '--no-cache', '--format', 'json'], { cwd: repo.dir, env: off });
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(cacheFiles(join(off.XDG_CACHE_HOME, 'pullmint', 'code')), []);
  });
});

describe('requireWithCodeCache', () => {
  it('loads a module that requires its neighbours, and keys the cache on the text, not its length', () => {
    const dist = tempDir('pullmint-bundle-');
    const cache = join(tempDir('pullmint-code-cache-'), 'code');
    writeFileSync(join(dist, 'helper.js'), 'module.exports = (x) => x * 2;');
    const bundle = join(dist, 'main.js');
    writeFileSync(bundle, 'const double = require("./helper.js"); exports.answer = () => double(21);');
    const a = requireWithCodeCache<{ answer: () => number }>(bundle, cache);
    assert.equal(a.exports.answer(), 42);
    a.saveCache();
    assert.equal(cacheFiles(cache).length, 1);

    // A rebuilt bundle of the same length: its own cache, its own behaviour.
    writeFileSync(bundle, 'const double = require("./helper.js"); exports.answer = () => double(12);');
    const b = requireWithCodeCache<{ answer: () => number }>(bundle, cache);
    assert.equal(b.exports.answer(), 24);
    b.saveCache();
    assert.equal(cacheFiles(cache).length, 2, 'the first bundle cache is kept a while for another installed version');

    const mtimes = (): number[] => cacheFiles(cache).map((n) => statSync(join(cache, n)).mtimeMs);
    const before = mtimes();
    const again = requireWithCodeCache<{ answer: () => number }>(bundle, cache);
    assert.equal(again.exports.answer(), 24);
    again.saveCache();
    assert.deepEqual(mtimes(), before, 'a cache that was used is not written again');
  });

  it('without a cache folder it is a plain require', () => {
    const dist = tempDir('pullmint-bundle-');
    writeFileSync(join(dist, 'main.js'), 'exports.value = 7;');
    const loaded = requireWithCodeCache<{ value: number }>(join(dist, 'main.js'), null);
    assert.equal(loaded.exports.value, 7);
    loaded.saveCache();
  });
});
