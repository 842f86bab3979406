import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deploy, type DeployRequest } from '../../src/core/deploy/deploy.js';
import { DEFAULT_CONFIG } from '../../src/core/config/schema.js';
import { runReview } from '../../src/core/engine.js';
import { withExclusive, LockBusyError } from '../../src/core/exclusive.js';
import { repoRoot } from '../../src/core/git/repo.js';
import { defaultStateDir, HistoryStore, type DeploymentRecord } from '../../src/core/history.js';
import { FakeOllama } from '../fakes/ollama.js';
import { LoopbackServer, sendJson, sleep } from '../fakes/http.js';
import { CLI, cliEnv, ensureBuilt, runCli } from '../helpers/cli.js';
import { TempRepo, tempDir } from '../helpers/git.js';
import { localModel } from '../helpers/model.js';

/** A receiver that answers 200 after `delayMs`, long enough for a second deploy to overlap the first. */
function slowReceiver(delayMs: number): LoopbackServer {
  return new LoopbackServer(async (_req, res) => {
    await sleep(delayMs);
    if (!res.destroyed) sendJson(res, 200, { ok: true });
  });
}

async function deploymentsOf(stateDir: string, dir: string, environment: string): Promise<DeploymentRecord[]> {
  const records = await new HistoryStore(stateDir, await repoRoot(dir)).list();
  return records.flatMap((r) => r.deployments ?? []).filter((d) => d.environment === environment);
}

describe('deploy: exactly one webhook per commit and environment, across processes', function () {
  this.timeout(60_000);
  let model: FakeOllama;
  let hook: LoopbackServer;
  let repo: TempRepo;
  let env: Record<string, string>;
  before(() => ensureBuilt());
  beforeEach(async () => {
    model = new FakeOllama();
    await model.start();
    repo = new TempRepo();
    repo.write('a.js', 'exports.a = 1;\n').commit('base');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('b.js', 'exports.b = 2;\n').commit('b');
  });
  afterEach(async () => {
    await model.stop();
    await hook?.stop();
    repo.remove();
  });

  const reviewed = async (url: string): Promise<void> => {
    env = cliEnv({ PULLMINT_DEPLOY_URL: url, OLLAMA_HOST: model.url });
    const review = await runCli(['review', '--base', 'main'], { cwd: repo.dir, env });
    assert.equal(review.code, 0, review.stderr);
  };

  it('two `pullmint deploy` processes started together send one webhook and record one deployment', async () => {
    hook = slowReceiver(1500);
    await hook.start();
    await reviewed(hook.url);
    const runs = await Promise.all([
      runCli(['deploy', '--environment', 'staging'], { cwd: repo.dir, env }),
      runCli(['deploy', '--environment', 'staging'], { cwd: repo.dir, env }),
    ]);
    assert.equal(hook.requests.length, 1, 'exactly one webhook request');
    assert.deepEqual(runs.map((r) => r.code).sort(), [0, 1], runs.map((r) => r.stderr).join('\n---\n'));
    const refused = runs.find((r) => r.code === 1)!;
    assert.match(refused.stderr, /already (deployed|deploying) to staging/);
    const deployments = await deploymentsOf(defaultStateDir(env), repo.dir, 'staging');
    assert.deepEqual(
      deployments.map((d) => d.state),
      ['deployed'],
    );
  });

  it('once per commit and environment: a second review of the same commit does not deploy it again without --force', async () => {
    hook = slowReceiver(0);
    await hook.start();
    await reviewed(hook.url);
    assert.equal((await runCli(['deploy', '--environment', 'prod'], { cwd: repo.dir, env })).code, 0);
    // The same state folder: a second review of the same commit, answered from the cache.
    assert.equal((await runCli(['review', '--base', 'main'], { cwd: repo.dir, env })).code, 0);
    const again = await runCli(['deploy', '--environment', 'prod'], { cwd: repo.dir, env });
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /is already deployed to prod .*--force/);
    assert.equal(hook.requests.length, 1);
    assert.equal((await runCli(['deploy', '--environment', 'prod', '--force'], { cwd: repo.dir, env })).code, 0);
    assert.equal(hook.requests.length, 2);
  });

  it('a deployment record that cannot be read is not taken for "never deployed"; a file where the locks go is named', async () => {
    hook = slowReceiver(0);
    await hook.start();
    await reviewed(hook.url);
    assert.equal((await runCli(['deploy', '--environment', 'staging'], { cwd: repo.dir, env })).code, 0);
    const historyDir = join(defaultStateDir(env), 'history');
    const [repoDir] = readdirSync(historyDir).filter((n) => !n.endsWith('.jsonl'));
    const deploymentsDir = join(historyDir, repoDir, 'deployments');
    const [file] = readdirSync(deploymentsDir);
    writeFileSync(join(deploymentsDir, file), '{"x":1}');
    const again = await runCli(['deploy', '--environment', 'staging'], { cwd: repo.dir, env });
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /could not be read .*whether it was already deployed is unknown/);
    assert.match(again.stderr, /^pullmint: warning: skipped 1 history record/m);
    assert.equal(hook.requests.length, 1, 'nothing sent twice');

    const locks = join(defaultStateDir(env), 'locks');
    rmSync(locks, { recursive: true, force: true });
    writeFileSync(locks, 'x');
    const blocked = await runCli(['deploy', '--environment', 'qa'], { cwd: repo.dir, env });
    assert.equal(blocked.code, 2);
    assert.match(blocked.stderr, /^pullmint: cannot create the lock folder .*locks.* if a file stands there, remove it\n$/);
    assert.equal(hook.requests.length, 1);
  });

  it('a deploy killed (SIGKILL) during the webhook is interrupted: refused without --force, redeployed with it', async () => {
    let answer = false;
    hook = new LoopbackServer(async (_req, res) => {
      // The first request hangs until the sender is killed; later ones succeed.
      if (answer) sendJson(res, 200, { ok: true });
    });
    await hook.start();
    await reviewed(hook.url);
    const child = spawn(process.execPath, [CLI, 'deploy', '--environment', 'staging'], { cwd: repo.dir, env, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    for (let i = 0; i < 300 && hook.requests.length === 0; i++) await sleep(50);
    assert.equal(hook.requests.length, 1, 'the webhook is in flight');
    child.kill('SIGKILL');
    await exited;
    answer = true;
    const [stuck] = await deploymentsOf(defaultStateDir(env), repo.dir, 'staging');
    assert.ok(stuck && ['deploying', 'interrupted'].includes(stuck.state), `left ${stuck?.state}`);

    const plain = await runCli(['deploy', '--environment', 'staging'], { cwd: repo.dir, env });
    assert.equal(plain.code, 1, plain.stderr);
    assert.match(plain.stderr, /was interrupted.*--force/);
    assert.equal(hook.requests.length, 1, 'nothing sent without --force');

    const forced = await runCli(['deploy', '--environment', 'staging', '--force'], { cwd: repo.dir, env });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(hook.requests.length, 2);
    assert.notEqual(hook.requests[0].headers['idempotency-key'], hook.requests[1].headers['idempotency-key']);
    const after = await deploymentsOf(defaultStateDir(env), repo.dir, 'staging');
    assert.deepEqual(after.map((d) => d.state).sort(), ['deployed', 'interrupted']);
  });
});

describe('deploy in one process: racing calls and a long Retry-After', function () {
  this.timeout(30_000);
  let model: FakeOllama;
  let hook: LoopbackServer;
  let repo: TempRepo;
  let stateDir: string;
  beforeEach(async () => {
    model = new FakeOllama();
    await model.start();
    repo = new TempRepo();
    repo.write('a.js', 'exports.a = 1;\n').commit('base');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('b.js', 'exports.b = 2;\n').commit('b');
    stateDir = tempDir();
    await runReview({
      repoDir: repo.dir,
      target: { kind: 'base', ref: 'main' },
      config: structuredClone(DEFAULT_CONFIG),
      provider: localModel(model.url),
      stateDir,
    });
  });
  afterEach(async () => {
    await model.stop();
    await hook?.stop();
    repo.remove();
  });

  const request = (over: Partial<DeployRequest> = {}): DeployRequest => ({
    repoDir: repo.dir,
    environment: 'staging',
    force: false,
    url: hook.url,
    stateDir,
    deployThreshold: 40,
    deployments: null,
    sanityChecks: [],
    waitUntilHealthyMs: 0,
    userAgent: 'pullmint/test',
    ...over,
  });

  it('two racing deploy() calls: one webhook, the other refused', async () => {
    hook = slowReceiver(300);
    await hook.start();
    const outcomes = await Promise.all([deploy(request()), deploy(request())]);
    assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['deployed', 'refused']);
    assert.equal(hook.requests.length, 1);
    assert.deepEqual(
      (await deploymentsOf(stateDir, repo.dir, 'staging')).map((d) => d.state),
      ['deployed'],
    );
  });

  it('a second deploy that waits past the first refuses as already deploying, sending nothing', async () => {
    hook = slowReceiver(1500);
    await hook.start();
    const first = deploy(request());
    await sleep(300);
    const second = await deploy(request({ lockWaitMs: 200 }));
    assert.equal(second.kind, 'refused');
    assert.match((second as { reason: string }).reason, /already (approved|deploying) to staging/);
    assert.equal((await first).kind, 'deployed');
    assert.equal(hook.requests.length, 1);
  });

  it('Retry-After: 3600 fails at once, and the message gives the wait the server asked for', async () => {
    hook = new LoopbackServer((_req, res) => {
      res.writeHead(503, { 'retry-after': '3600', 'content-type': 'application/json' });
      res.end('{}');
    });
    await hook.start();
    const started = Date.now();
    const out = await deploy(request());
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.equal(out.kind, 'failed');
    const d = (out as { deployment: DeploymentRecord }).deployment;
    assert.match(d.error!, /retry after 3600 s/);
    assert.equal(hook.requests.length, 1);
    assert.equal((await deploymentsOf(stateDir, repo.dir, 'staging'))[0].state, 'failed');
  });

  it('the lock: a second holder waits, a dead holder is recovered', async () => {
    const dir = tempDir();
    const order: string[] = [];
    const a = withExclusive(dir, 'k', async () => {
      order.push('a in');
      await sleep(200);
      order.push('a out');
    });
    await sleep(20);
    await withExclusive(dir, 'k', async () => void order.push('b'), { waitMs: 5000 });
    await a;
    assert.deepEqual(order, ['a in', 'a out', 'b']);
    await assert.rejects(
      withExclusive(dir, 'k', () => withExclusive(dir, 'k', async () => undefined, { waitMs: 100 })),
      LockBusyError,
    );
    // A lock file left by a process that is gone: taken over at once.
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    const { lockPath } = await import('../../src/core/exclusive.js');
    const { writeFileSync } = await import('node:fs');
    const { hostname } = await import('node:os');
    writeFileSync(
      lockPath(dir, 'k'),
      JSON.stringify({ pid: dead.pid, host: hostname(), token: 'x', key: 'k', acquiredAt: new Date().toISOString() }),
    );
    assert.equal(await withExclusive(dir, 'k', async () => 'taken', { waitMs: 0 }), 'taken');
  });
});
