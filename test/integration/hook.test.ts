import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parsePushLines } from '../../src/core/hooks.js';
import { FakeOllama } from '../fakes/ollama.js';
import { cliEnv, CLI, deadPort, ensureBuilt } from '../helpers/cli.js';
import { TempRepo, tempDir } from '../helpers/git.js';

/** A clone of a local bare remote with the hook installed through the real CLI. */
function setup(env: Record<string, string>): { repo: TempRepo; remote: string } {
  const remote = join(tempDir('pullmint-remote-'), 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  const repo = new TempRepo();
  repo.write('README.md', '# project\n').commit('base');
  repo.git('remote', 'add', 'origin', remote);
  repo.git('push', '-q', '-u', 'origin', 'main');
  repo.git('remote', 'set-head', 'origin', 'main');
  const out = execFileSync(process.execPath, [CLI, 'hook', 'install'], { cwd: repo.dir, env, encoding: 'utf8' });
  assert.match(out, /Installed the pre-push hook/);
  return { repo, remote };
}

/** Async, so that the loopback Ollama in this process can answer the hook while git runs. */
function push(repo: TempRepo, env: Record<string, string>, ...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('git', ['push', ...args], { cwd: repo.dir, env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

const remoteHas = (remote: string, ref: string): string =>
  spawnSync('git', ['--git-dir', remote, 'rev-parse', '--verify', '-q', ref], { encoding: 'utf8' }).stdout.trim();

describe('pre-push hook (real pushes to a local bare remote)', () => {
  let env: Record<string, string>;
  let server: FakeOllama;
  before(() => ensureBuilt());
  beforeEach(async () => {
    server = new FakeOllama();
    await server.start();
    env = cliEnv({ OLLAMA_HOST: server.url });
  });
  afterEach(() => server.stop());

  it('blocks a push that adds a secret and says how to bypass; a clean change pushes', async () => {
    const { repo, remote } = setup(env);
    repo
      .write('src/config.js', 'exports.key = "AKIAIOSFODNN7EXAMPLE";\nexports.token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";\n')
      .commit('add keys');
    const blocked = await push(repo, env, 'origin', 'main');
    assert.notEqual(blocked.code, 0);
    assert.match(blocked.stderr, /risk 60\/100 → manual-review/);
    assert.match(blocked.stderr, /CRITICAL +src\/config\.js:1/);
    assert.match(blocked.stderr, /git push --no-verify/);
    assert.notEqual(remoteHas(remote, 'main'), repo.git('rev-parse', 'HEAD').trim());
    // Bypass with PULLMINT_SKIP, as the message says.
    assert.equal((await push(repo, { ...env, PULLMINT_SKIP: '1' }, 'origin', 'main')).code, 0);
    repo.write('src/ok.js', 'exports.ok = true;\n').commit('clean');
    const clean = await push(repo, env, 'origin', 'main');
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stderr, /auto-approve/);
  });

  it('a new branch reviews only its own commits', async () => {
    const { repo } = setup(env);
    repo.write('old.js', 'exports.k = "AKIAIOSFODNN7EXAMPLE";\n').commit('old secret on main');
    await push(repo, { ...env, PULLMINT_SKIP: '1' }, 'origin', 'main');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('feature.js', 'exports.f = 1;\n').commit('feature');
    const r = await push(repo, env, '-u', 'origin', 'feature');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /risk 0\/100 → auto-approve/);
  });

  it('keeps an existing hook, which still runs first and can still block; uninstall restores it', async () => {
    const remote = join(tempDir('pullmint-remote-'), 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
    const repo = new TempRepo();
    repo.write('README.md', 'x\n').commit('base');
    repo.git('remote', 'add', 'origin', remote);
    const marker = join(repo.dir, 'existing-hook-ran');
    const existing = `#!/bin/sh\ncat > "${marker}"\n[ -f "${join(repo.dir, 'deny')}" ] && exit 7\nexit 0\n`;
    writeFileSync(join(repo.dir, '.git', 'hooks', 'pre-push'), existing);
    chmodSync(join(repo.dir, '.git', 'hooks', 'pre-push'), 0o755);
    const out = execFileSync(process.execPath, [CLI, 'hook', 'install'], { cwd: repo.dir, env, encoding: 'utf8' });
    assert.match(out, /existing hook runs first/);
    repo.write('a.js', 'exports.a = 1;\n').commit('a');
    assert.equal((await push(repo, env, 'origin', 'main')).code, 0);
    assert.match(
      readFileSync(marker, 'utf8'),
      /refs\/heads\/main [0-9a-f]{40} refs\/heads\/main 0{40}/,
      "the chained hook got git's stdin",
    );
    writeFileSync(join(repo.dir, 'deny'), '');
    repo.write('b.js', 'exports.b = 1;\n').commit('b');
    assert.notEqual((await push(repo, env, 'origin', 'main')).code, 0, 'the existing hook still blocks');
    execFileSync(process.execPath, [CLI, 'hook', 'uninstall'], { cwd: repo.dir, env });
    assert.equal(readFileSync(join(repo.dir, '.git', 'hooks', 'pre-push'), 'utf8'), existing);
    assert.ok(!existsSync(join(repo.dir, '.git', 'hooks', 'pre-push.pullmint-chained')));
  });

  it('honours core.hooksPath', async () => {
    const repo = new TempRepo();
    repo.write('README.md', 'x\n').commit('base');
    mkdirSync(join(repo.dir, 'githooks'));
    repo.git('config', 'core.hooksPath', 'githooks');
    execFileSync(process.execPath, [CLI, 'hook', 'install'], { cwd: repo.dir, env });
    assert.ok(readFileSync(join(repo.dir, 'githooks', 'pre-push'), 'utf8').includes('pullmint pre-push hook'));
    assert.ok(!existsSync(join(repo.dir, '.git', 'hooks', 'pre-push')));
  });

  it('lets the push through on rules when the model is down, unless strict', async () => {
    const downEnv = { ...env, OLLAMA_HOST: `http://127.0.0.1:${await deadPort()}` };
    const { repo } = setup(downEnv);
    repo.write('x.js', 'exports.x = 1;\n').commit('x');
    const r = await push(repo, downEnv, 'origin', 'main');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /NOT REVIEWED by the model \(Ollama is not reachable at [^)]+\) — push allowed/);
    assert.doesNotMatch(r.stderr, /auto-approve/, 'no score that reads as approval');
    repo.write('y.js', 'exports.y = 1;\n').commit('y');
    assert.notEqual((await push(repo, { ...downEnv, PULLMINT_STRICT: '1' }, 'origin', 'main')).code, 0);
  });

  it("parses git's pre-push lines: updates, new branches, deletions", () => {
    const z = '0'.repeat(40);
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    assert.deepEqual(
      parsePushLines(
        `refs/heads/main ${a} refs/heads/main ${b}\nrefs/heads/new ${a} refs/heads/new ${z}\n(delete) ${z} refs/heads/old ${b}\n\n`,
      ),
      [
        { kind: 'update', localRef: 'refs/heads/main', remoteRef: 'refs/heads/main', from: b, to: a },
        { kind: 'new-branch', localRef: 'refs/heads/new', remoteRef: 'refs/heads/new', to: a },
        { kind: 'delete', remoteRef: 'refs/heads/old' },
      ],
    );
  });
});
