import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { deploy, type DeployRequest } from '../../src/core/deploy/deploy.js';
import { parseSanityChecks, runSanityChecks } from '../../src/core/deploy/sanity.js';
import { retryAfterMs, sendDeployWebhook, type DeployPayload } from '../../src/core/deploy/webhook.js';
import { runReview } from '../../src/core/engine.js';
import { DEFAULT_CONFIG } from '../../src/core/config/schema.js';
import { HistoryStore } from '../../src/core/history.js';
import { GitHubHost } from '../../src/core/hosts/github/host.js';
import { FakeGitHub } from '../fakes/github.js';
import { FakeOllama } from '../fakes/ollama.js';
import { LoopbackServer, sendJson, sleep, type RecordedRequest } from '../fakes/http.js';
import { cliEnv, ensureBuilt, runCli } from '../helpers/cli.js';
import { TempRepo, tempDir } from '../helpers/git.js';
import { localModel } from '../helpers/model.js';

const SECRET = 'shh-signing-secret';

/** A deploy receiver scripted per attempt: a status, a delay, a reset, or a Retry-After. */
type Step = { status: number; retryAfter?: string } | { reset: true } | { delayMs: number; status: number };
function receiver(steps: Step[]): LoopbackServer {
  let i = 0;
  return new LoopbackServer(async (_req, res) => {
    const step = steps[Math.min(i++, steps.length - 1)];
    if ('reset' in step) return void res.socket?.destroy();
    if ('delayMs' in step) await sleep(step.delayMs);
    if (res.destroyed) return;
    res.writeHead(step.status, {
      'content-type': 'application/json',
      ...('retryAfter' in step && step.retryAfter ? { 'retry-after': step.retryAfter } : {}),
    });
    res.end(JSON.stringify({ ok: step.status < 300 }));
  });
}

function verifies(r: RecordedRequest): boolean {
  const header = String(r.headers['x-pullmint-signature-256'] ?? '');
  const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
  const got = Buffer.from(header);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const payload: DeployPayload = {
  deploymentId: 'dep-1',
  executionId: 'exe-1',
  repository: 'acme/widgets',
  ref: 'main',
  sha: 'a'.repeat(40),
  environment: 'staging',
  riskScore: 12,
  decision: 'auto-approve',
  findings: { critical: 0, high: 0, medium: 1, low: 1, info: 0 },
  requestedBy: 'dev',
  requestedAt: '2026-11-21T10:00:00Z',
  override: false,
};

describe('deploy webhook against real loopback receivers', () => {
  const waits: number[] = [];
  const opts = (url: string) => ({
    url,
    token: 'tok',
    secret: SECRET,
    userAgent: 'pullmint/test',
    timeoutMs: 500,
    maxAttempts: 4,
    backoffMs: (n: number) => 1000 * 2 ** (n - 1),
    sleep: async (ms: number) => void waits.push(ms),
  });
  let server: LoopbackServer;
  beforeEach(() => (waits.length = 0));
  afterEach(() => server?.stop());

  it('503, 503, 200 → three attempts, one Idempotency-Key, a signature that verifies, backoff 1 s then 2 s', async () => {
    server = receiver([{ status: 503 }, { status: 503 }, { status: 200 }]);
    await server.start();
    const out = await sendDeployWebhook(payload, opts(server.url));
    assert.deepEqual(out, { ok: true, attempts: 3, lastStatus: 200 });
    assert.equal(server.requests.length, 3);
    assert.deepEqual(new Set(server.requests.map((r) => r.headers['idempotency-key'])), new Set(['dep-1']));
    assert.ok(server.requests.every(verifies), 'HMAC verifies with timingSafeEqual');
    assert.ok(
      server.requests.every(
        (r) =>
          r.headers.authorization === 'Bearer tok' &&
          r.headers['content-type'] === 'application/json' &&
          String(r.headers['user-agent']).startsWith('pullmint/'),
      ),
    );
    assert.deepEqual(JSON.parse(server.requests[0].body), payload);
    assert.deepEqual(waits, [1000, 2000]);
  });

  it('400 → one attempt, not retried', async () => {
    server = receiver([{ status: 400 }]);
    await server.start();
    const out = await sendDeployWebhook(payload, opts(server.url));
    assert.equal(out.ok, false);
    assert.equal(out.attempts, 1);
    assert.match(out.error!, /HTTP 400 \(not retried/);
  });

  it('retries a connection reset and a response slower than the timeout', async () => {
    server = receiver([{ reset: true }, { delayMs: 900, status: 200 }, { status: 201 }]);
    await server.start();
    const out = await sendDeployWebhook(payload, opts(server.url));
    assert.deepEqual(out, { ok: true, attempts: 3, lastStatus: 201 });
  });

  it('honours Retry-After: 2 over the backoff, and gives up after 4 attempts', async () => {
    server = receiver([{ status: 429, retryAfter: '2' }, { status: 500 }]);
    await server.start();
    const out = await sendDeployWebhook(payload, opts(server.url));
    assert.equal(out.ok, false);
    assert.equal(out.attempts, 4);
    assert.deepEqual(waits, [2000, 2000, 4000]);
    assert.match(out.error!, /after 4 attempt/);
    assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('Thu, 01 Jan 2026 00:00:00 GMT')), 10_000);
  });
});

describe('deploy: gate, records and sanity checks', () => {
  let hook: LoopbackServer;
  let health: LoopbackServer;
  let repo: TempRepo;
  let stateDir: string;
  let model: FakeOllama;
  beforeEach(async () => {
    model = new FakeOllama();
    await model.start();
    hook = receiver([{ status: 200 }]);
    await hook.start();
    let healthy = 0;
    health = new LoopbackServer((req, res) => {
      if (req.path === '/health') return sendJson(res, 200, { status: 'ok', version: '1.2.3' });
      if (req.path === '/slow-start') return ++healthy >= 3 ? sendJson(res, 200, { ready: true }) : sendJson(res, 503, { ready: false });
      return sendJson(res, 500, { error: 'boom' });
    });
    await health.start();
    repo = new TempRepo();
    repo.write('a.js', 'exports.a = 1;\n').commit('base');
    repo.git('checkout', '-q', '-b', 'feature');
    stateDir = tempDir();
  });
  afterEach(async () => {
    await model.stop();
    await hook.stop();
    await health.stop();
    repo.remove();
  });

  const request = (over: Partial<DeployRequest> = {}): DeployRequest => ({
    repoDir: repo.dir,
    environment: 'staging',
    force: false,
    url: hook.url,
    secret: SECRET,
    stateDir,
    deployThreshold: 40,
    deployments: null,
    sanityChecks: [],
    waitUntilHealthyMs: 0,
    userAgent: 'pullmint/test',
    sleep: async () => undefined,
    backoffMs: () => 0,
    ...over,
  });
  const reviewBranch = (opts: { rulesOnly?: boolean } = {}) =>
    runReview({
      repoDir: repo.dir,
      target: { kind: 'base', ref: 'main' },
      config: structuredClone(DEFAULT_CONFIG),
      provider: opts.rulesOnly ? null : localModel(model.url),
      stateDir,
    });

  it('refuses a review the model did not finish (rules only) unless forced, and records the override', async () => {
    repo.write('b.js', 'exports.b = 2;\n').commit('b');
    const review = await reviewBranch({ rulesOnly: true });
    assert.equal(review.riskScore, 0);
    assert.equal(review.decision, 'incomplete');
    const refused = await deploy(request());
    assert.equal(refused.kind, 'refused');
    assert.match((refused as { reason: string }).reason, /Not reviewed by the model.*never approves a deploy.*--force/);
    assert.equal(hook.requests.length, 0);
    const forced = await deploy(request({ force: true }));
    assert.equal(forced.kind, 'deployed');
    const [rec] = await new HistoryStore(stateDir, repo.dir).list();
    assert.equal(rec.deployments![0].override, true, 'recorded as an override');
  });

  it('refuses without a review of HEAD, deploys once, and refuses a second trigger with the existing state', async () => {
    repo.write('b.js', 'exports.b = 2;\n').commit('b');
    assert.equal((await deploy(request())).kind, 'refused');
    const review = await reviewBranch();
    const first = await deploy(request());
    assert.equal(first.kind, 'deployed');
    assert.equal(hook.requests.length, 1);
    assert.ok(verifies(hook.requests[0]));
    const second = await deploy(request());
    assert.equal(second.kind, 'refused');
    assert.match((second as { reason: string }).reason, /already deployed to staging/);
    assert.equal(hook.requests.length, 1, 'a duplicate trigger sends nothing');
    const [rec] = await new HistoryStore(stateDir, repo.dir).list();
    assert.equal(rec.executionId, review.executionId);
    const d = rec.deployments![0];
    assert.equal(d.state, 'deployed');
    assert.ok(d.approvedAt && d.startedAt && d.completedAt);
    assert.equal(d.attempts, 1);
    assert.equal(d.lastStatus, 200);
    // Another environment is another deployment.
    assert.equal((await deploy(request({ environment: 'production' }))).kind, 'deployed');
    // A review of only the last commit does not cover what would be deployed.
    repo.write('d.js', 'exports.d = 4;\n').commit('d');
    await runReview({
      repoDir: repo.dir,
      target: { kind: 'range', range: 'HEAD~1..HEAD' },
      config: structuredClone(DEFAULT_CONFIG),
      provider: localModel(model.url),
      stateDir,
    });
    assert.match(((await deploy(request({ environment: 'qa' }))) as { reason: string }).reason, /covers what would be deployed/);
    await reviewBranch();
    assert.equal((await deploy(request({ environment: 'qa' }))).kind, 'deployed');
    // A new commit makes the review stale.
    repo.write('c.js', 'exports.c = 3;\n').commit('c');
    assert.match(((await deploy(request())) as { reason: string }).reason, /No completed review of HEAD/);
  });

  it('refuses at or above the threshold unless forced, and records the override', async () => {
    repo.write('k.js', 'exports.k = "AKIAIOSFODNN7EXAMPLE";\nexports.t = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";\n').commit('keys');
    await reviewBranch();
    const refused = await deploy(request());
    assert.equal(refused.kind, 'refused');
    assert.match((refused as { reason: string }).reason, /Risk 60\/100 is at or above the deploy threshold 40/);
    assert.equal(hook.requests.length, 0);
    const forced = await deploy(request({ force: true }));
    assert.equal(forced.kind, 'deployed');
    assert.equal((forced as { deployment: { override: boolean } }).deployment.override, true);
    assert.equal(JSON.parse(hook.requests[0].body).override, true);
  });

  it('a failed webhook is recorded as failed and may be triggered again', async () => {
    await hook.stop();
    hook = receiver([{ status: 400 }, { status: 200 }]);
    await hook.start();
    repo.write('b.js', 'exports.b = 2;\n').commit('b');
    await reviewBranch();
    const failed = await deploy(request());
    assert.equal(failed.kind, 'failed');
    const [rec] = await new HistoryStore(stateDir, repo.dir).list();
    assert.equal(rec.deployments![0].state, 'failed');
    assert.match(rec.deployments![0].error!, /HTTP 400/);
    assert.equal((await deploy(request())).kind, 'deployed');
  });

  it('runs sanity checks after a successful webhook: pass, fail, skip, and wait-until-healthy', async () => {
    repo.write('b.js', 'exports.b = 2;\n').commit('b');
    await reviewBranch();
    const { checks, warnings } = parseSanityChecks(
      JSON.stringify([
        { name: 'health', url: `${health.url}/health`, expectBodyContains: '"ok"' },
        { name: 'warming up', url: `${health.url}/slow-start` },
        { name: 'broken', url: `${health.url}/broken`, timeoutMs: 1000 },
        { name: 'not http', url: 'ftp://example.test/x' },
        { name: 'bad entry' },
      ]),
    );
    assert.equal(warnings.length, 1);
    let t = 0;
    const out = await deploy(
      request({ sanityChecks: checks, waitUntilHealthyMs: 60_000, sleep: async (ms) => void (t += ms), now: () => t }),
    );
    assert.equal(out.kind, 'deployed');
    const d = (out as { deployment: { sanity: { name: string; status: string }[]; checksFailing: boolean } }).deployment;
    assert.deepEqual(
      d.sanity.map((s) => [s.name, s.status]),
      [
        ['health', 'pass'],
        ['warming up', 'pass'],
        ['broken', 'fail'],
        ['not http', 'skip'],
      ],
    );
    assert.equal(d.checksFailing, true);
  });

  it('records a GitHub deployment with statuses in_progress → success, and failure when the webhook fails', async () => {
    const gh = new FakeGitHub('acme', 'widgets');
    gh.tokens.set('ghp_deploy', 'dev');
    await gh.start();
    try {
      const deployments = new GitHubHost({
        token: 'ghp_deploy',
        apiUrl: gh.url,
        repo: { host: 'github.com', owner: 'acme', repo: 'widgets' },
      }).deployments;
      repo.write('b.js', 'exports.b = 2;\n').commit('b');
      await reviewBranch();
      assert.equal((await deploy(request({ deployments }))).kind, 'deployed');
      assert.equal(gh.deployments.length, 1);
      assert.equal(gh.deployments[0].ref, repo.git('rev-parse', 'HEAD').trim());
      assert.equal(gh.deployments[0].environment, 'staging');
      assert.deepEqual(
        gh.deployments[0].statuses.map((x) => x.state),
        ['in_progress', 'success'],
      );
      await hook.stop();
      hook = receiver([{ status: 400 }]);
      await hook.start();
      assert.equal((await deploy(request({ deployments, environment: 'production', url: hook.url }))).kind, 'failed');
      assert.deepEqual(
        gh.deployments[1].statuses.map((x) => x.state),
        ['in_progress', 'failure'],
      );
      assert.deepEqual(gh.rejected, [], "every request matched GitHub's OpenAPI description");
    } finally {
      await gh.stop();
    }
  });

  it('sanity checks give up when the window closes', async () => {
    let t = 0;
    const results = await runSanityChecks(parseSanityChecks([{ name: 'never', url: `${health.url}/broken` }]).checks, {
      waitUntilHealthyMs: 3000,
      sleep: async (ms) => void (t += ms),
      now: () => t,
    });
    assert.equal(results[0].status, 'fail');
    assert.match(results[0].error!, /HTTP 500/);
  });
});

describe('pullmint deploy (CLI exit codes)', () => {
  before(() => ensureBuilt());
  it('2 without a URL, 1 when refused, 0 when deployed', async () => {
    const hook = receiver([{ status: 200 }]);
    await hook.start();
    const model = new FakeOllama();
    await model.start();
    const repo = new TempRepo();
    repo.write('a.js', 'exports.a = 1;\n').commit('base');
    repo.git('checkout', '-q', '-b', 'f');
    repo.write('b.js', 'exports.b = 1;\n').commit('b');
    const env = cliEnv({ PULLMINT_DEPLOY_URL: hook.url, PULLMINT_DEPLOY_SECRET: SECRET });
    try {
      const { PULLMINT_DEPLOY_URL: _u, ...noUrl } = env;
      assert.equal((await runCli(['deploy'], { cwd: repo.dir, env: noUrl })).code, 2);
      const refused = await runCli(['deploy'], { cwd: repo.dir, env });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /No completed review of HEAD/);
      // The refusal names the review that would count, with real commit ids.
      const base = repo.git('rev-parse', 'main').trim().slice(0, 12);
      const head = repo.git('rev-parse', 'HEAD').trim().slice(0, 12);
      assert.ok(refused.stderr.includes(`Review it first: pullmint review --range ${base}..${head};`), refused.stderr);
      assert.equal((await runCli(['review', '--base', 'main', '--rules-only'], { cwd: repo.dir, env })).code, 0);
      const unreviewed = await runCli(['deploy', '--environment', 'staging'], { cwd: repo.dir, env });
      assert.equal(unreviewed.code, 1, 'a rules-only review never approves a deploy');
      assert.match(unreviewed.stderr, /Not reviewed by the model/);
      // The command the refusal named is a review the gate accepts.
      const named = ['review', '--range', `${base}..${head}`];
      assert.equal((await runCli(named, { cwd: repo.dir, env: { ...env, OLLAMA_HOST: model.url } })).code, 0);
      const ok = await runCli(['deploy', '--environment', 'staging'], { cwd: repo.dir, env });
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /Deployed [0-9a-f]{8} to staging/);
      assert.ok(verifies(hook.requests[0]));
      const history = await runCli(['history'], { cwd: repo.dir, env });
      assert.match(history.stdout, /DEPLOY\n.* deployed \(staging\)\n/);
    } finally {
      await model.stop();
      await hook.stop();
      repo.remove();
    }
  });
});
