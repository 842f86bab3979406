import assert from 'node:assert/strict';
import { EMPTY_TREE } from '../../src/core/git/repo.js';
import { decide, DEFAULT_RISK } from '../../src/core/risk.js';
import { LoopbackServer, sendJson } from '../fakes/http.js';
import { FakeOllama } from '../fakes/ollama.js';
import { cliEnv, deadPort, ensureBuilt, runCli } from '../helpers/cli.js';
import { TempRepo } from '../helpers/git.js';

const quiet = () => '{"summary":"Looks fine.","findings":[]}';

/** Three files of ordinary code, each larger than one chunk of a 4k-token model. */
function bigChange(repo: TempRepo): void {
  repo.write('README.md', '# app\n').commit('base');
  for (const name of ['a', 'b', 'c'])
    repo.write(`src/${name}.js`, Array.from({ length: 150 }, (_, i) => `exports.${name}${i} = ${i} * 2; // value ${i}`).join('\n') + '\n');
}

interface JsonReport {
  decision: string;
  riskScore: number;
  coverage: { changedLines: number; reviewedLines: number; unreviewed: { file: string; reason: string }[]; complete: boolean };
  findings: { rule: string | null; severity: string; file: string }[];
}

describe('a verdict never claims more than was reviewed', () => {
  let repo: TempRepo;
  let model: FakeOllama;
  before(() => ensureBuilt());
  beforeEach(async () => {
    repo = new TempRepo();
    model = new FakeOllama({ answer: quiet, contextLength: 4096 });
    await model.start();
  });
  afterEach(async () => {
    await model.stop();
    repo.remove();
  });

  it('model unreachable: incomplete, --gate exits 1, coverage names every unreviewed file; --allow-incomplete lets it pass', async () => {
    repo.write('a.js', 'exports.a = 1;\n').commit('base');
    repo.write('a.js', 'exports.a = 2;\n').write('b.js', 'exports.b = 1;\n');
    const env = cliEnv({ OLLAMA_HOST: `http://127.0.0.1:${await deadPort()}` });
    const r = await runCli(['review', '--gate', '--format', 'json'], { cwd: repo.dir, env });
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as JsonReport;
    assert.equal(out.riskScore, 0);
    assert.equal(out.decision, 'incomplete');
    assert.equal(out.coverage.complete, false);
    assert.deepEqual(out.coverage.unreviewed.map((u) => u.file).sort(), ['a.js', 'b.js']);
    assert.match(out.coverage.unreviewed[0].reason, /Ollama is not reachable/);
    const allowed = await runCli(['review', '--gate', '--allow-incomplete', '--format', 'json'], { cwd: repo.dir, env });
    assert.equal(allowed.code, 0, allowed.stderr);
  });

  it('--max-calls 1 on a multi-chunk diff: incomplete, with the limit named on the lines left out', async () => {
    bigChange(repo);
    const env = cliEnv({ OLLAMA_HOST: model.url });
    const r = await runCli(['review', '--gate', '--max-calls', '1', '--format', 'json'], { cwd: repo.dir, env });
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as JsonReport;
    assert.equal(model.chatRequests.length, 1);
    assert.equal(out.decision, 'incomplete');
    assert.ok(out.coverage.reviewedLines > 0 && out.coverage.reviewedLines < out.coverage.changedLines, JSON.stringify(out.coverage));
    assert.ok(out.coverage.unreviewed.length > 0);
    assert.ok(out.coverage.unreviewed.every((u) => /review limit reached/.test(u.reason)));
    const text = await runCli(['review', '--max-calls', '1'], { cwd: repo.dir, env });
    assert.match(text.stdout.split('\n')[1], /^Not fully reviewed: \d+ of 450 lines/);
    assert.match(text.stdout, /→ incomplete/);
    // The same change reviewed whole is complete, and approved.
    const whole = JSON.parse((await runCli(['review', '--format', 'json', '--no-cache'], { cwd: repo.dir, env })).stdout) as JsonReport;
    assert.equal(whole.coverage.complete, true);
    assert.equal(whole.decision, 'auto-approve');
  });

  it('commits cannot configure their own review: the base settings apply and the change is a finding', async () => {
    repo.write('README.md', '# app\n').commit('base');
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.git('checkout', '-q', '-b', 'feature');
    repo
      .write(
        '.pullmint.json',
        JSON.stringify({
          rules: { 'hardcoded-secret': false },
          severityOverrides: { security: 'info' },
          risk: { approveThreshold: 100, deployThreshold: 100, blockOn: [], weights: { critical: 0, high: 0, medium: 0, low: 0, info: 0 } },
        }),
      )
      .write('src/keys.js', 'exports.key = "AKIAIOSFODNN7EXAMPLE";\n');
    const head = repo.commit('relax the review');
    const env = cliEnv({ OLLAMA_HOST: model.url });
    for (const args of [
      ['--range', `${base}..${head}`],
      ['--base', 'main'],
    ]) {
      const r = await runCli(['review', ...args, '--gate', '--format', 'json'], { cwd: repo.dir, env });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      const out = JSON.parse(r.stdout) as JsonReport;
      const secret = out.findings.find((f) => f.rule === 'hardcoded-secret');
      assert.equal(secret?.severity, 'critical', 'the change did not switch off or soften the rule');
      assert.equal(out.decision, 'manual-review');
      const configChange = out.findings.find((f) => f.rule === 'review-config-changed');
      assert.equal(configChange?.file, '.pullmint.json');
      assert.equal(configChange?.severity, 'high');
    }
    // The working tree is the user's own: there the file on disk applies.
    repo.write('src/more.js', 'exports.more = "AKIAIOSFODNN7EXAMPLE";\n');
    const local = JSON.parse((await runCli(['review', '--format', 'json'], { cwd: repo.dir, env })).stdout) as JsonReport;
    assert.equal(
      local.findings.find((f) => f.rule === 'hardcoded-secret'),
      undefined,
    );
  });

  it('a change to the review settings alone needs a human; severity overrides do not soften it', async () => {
    repo.write('.pullmint.json', JSON.stringify({ severityOverrides: { security: 'info' } })).write('README.md', '# app\n');
    repo.commit('base');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('.pullmint.json', JSON.stringify({ ignore: ['**'], risk: { blockOn: [] } }));
    repo.commit('relax');
    const out = JSON.parse(
      (await runCli(['review', '--base', 'main', '--format', 'json'], { cwd: repo.dir, env: cliEnv({ OLLAMA_HOST: model.url }) })).stdout,
    ) as JsonReport;
    assert.equal(out.decision, 'manual-review');
    assert.equal(out.findings.find((f) => f.rule === 'review-config-changed')?.severity, 'high');
  });

  it("the pre-push hook takes settings from the fork point, not from the pusher's own earlier push", async () => {
    repo.write('README.md', '# app\n').commit('base');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('.pullmint.json', JSON.stringify({ rules: { 'hardcoded-secret': false } }));
    const pushed = repo.commit('relax, pushed earlier');
    repo.write('src/keys.js', 'exports.key = "AKIAIOSFODNN7EXAMPLE";\n');
    const head = repo.commit('the key');
    // The remote already has the first commit on this branch: git hands the hook an update from it.
    const input = `refs/heads/feature ${head} refs/heads/feature ${pushed}\n`;
    const r = await runCli(['hook', 'run', 'origin'], { cwd: repo.dir, env: cliEnv({ OLLAMA_HOST: model.url }), input });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /push blocked/);
    assert.match(r.stderr, /Hard-coded secret|hardcoded|src\/keys\.js:1/);
  });

  it('rules still read files skipped as generated or ignored', async () => {
    repo.write('README.md', '# app\n').commit('base');
    repo.write('lib/handler.ts', '// @generated by hand\nexport const key = "AKIAIOSFODNN7EXAMPLE";\n');
    repo.write('dist/app.min.js', 'var k="AKIAIOSFODNN7EXAMPLE";\n');
    const out = JSON.parse(
      (await runCli(['review', '--format', 'json'], { cwd: repo.dir, env: cliEnv({ OLLAMA_HOST: model.url }) })).stdout,
    ) as JsonReport & {
      coverage: { skippedFiles: { file: string }[] };
    };
    const secrets = out.findings.filter((f) => f.rule === 'hardcoded-secret').map((f) => f.file);
    for (const skipped of out.coverage.skippedFiles.map((s) => s.file))
      assert.ok(secrets.includes(skipped), `${skipped}: ${JSON.stringify(out.findings)}`);
    assert.ok(out.coverage.skippedFiles.length >= 1);
    assert.equal(out.decision, 'manual-review');
  });

  it('on the default branch a deploy needs a review of what it brings, not of HEAD..HEAD', async () => {
    const receiver = new LoopbackServer((_req, res) => sendJson(res, 200, { ok: true }));
    await receiver.start();
    try {
      repo.write('README.md', '# app\n').commit('base');
      repo.write('src/db.js', 'exports.q = (id) => "SELECT * FROM t WHERE id = " + id;\n').commit('unreviewed work');
      const env = cliEnv({ OLLAMA_HOST: model.url, PULLMINT_DEPLOY_URL: receiver.url, PULLMINT_DEPLOY_SECRET: 's' });
      assert.equal((await runCli(['review', '--range', 'HEAD..HEAD'], { cwd: repo.dir, env })).code, 0);
      assert.equal((await runCli(['review', '--range', 'HEAD~1..HEAD'], { cwd: repo.dir, env })).code, 0);
      const refused = await runCli(['deploy'], { cwd: repo.dir, env });
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, /since the last deploy/);
      assert.equal(receiver.requests.length, 0);
      // A review of the whole history covers a first deploy; later deploys need the commits since the last one.
      assert.equal((await runCli(['review', '--range', `${EMPTY_TREE}..HEAD`], { cwd: repo.dir, env })).code, 0);
      assert.equal((await runCli(['deploy'], { cwd: repo.dir, env })).code, 0);
      repo.write('src/more.js', 'exports.m = 1;\n').commit('more');
      assert.equal((await runCli(['review', '--range', 'HEAD..HEAD'], { cwd: repo.dir, env })).code, 0);
      assert.equal((await runCli(['deploy'], { cwd: repo.dir, env })).code, 1);
      assert.equal((await runCli(['review', '--range', 'HEAD~1..HEAD'], { cwd: repo.dir, env })).code, 0);
      const second = await runCli(['deploy'], { cwd: repo.dir, env });
      assert.equal(second.code, 0, second.stderr);
      assert.equal(receiver.requests.length, 2);
    } finally {
      await receiver.stop();
    }
  });

  it('an answer cut off before it ends keeps its complete findings but leaves the chunk unreviewed', async () => {
    await model.stop();
    model = new FakeOllama({
      answer: () =>
        '{"summary":"Adds a helper.","findings":[{"file":"a.js","line":1,"severity":"low","title":"Naming","message":"Rename it."},{"file":"a.js","line":1,"severity":"crit',
    });
    await model.start();
    repo.write('README.md', '# app\n').commit('base');
    repo.write('a.js', 'exports.helper = () => 1;\n');
    const r = await runCli(['review', '--gate', '--format', 'json'], { cwd: repo.dir, env: cliEnv({ OLLAMA_HOST: model.url }) });
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as JsonReport;
    assert.equal(out.decision, 'incomplete');
    assert.deepEqual(
      out.findings.map((f) => f.severity),
      ['low'],
    );
    assert.match(out.coverage.unreviewed[0].reason, /answer was cut off/);
  });

  it('one critical finding alone is manual-review, whatever the thresholds', () => {
    const critical = [{ severity: 'critical' as const }];
    assert.equal(decide(30, DEFAULT_RISK, { findings: critical, complete: true }), 'manual-review');
    assert.equal(decide(30, { ...DEFAULT_RISK, approveThreshold: 99, deployThreshold: 100 }, { findings: critical }), 'manual-review');
    assert.equal(decide(30, { ...DEFAULT_RISK, blockOn: [] }, { findings: critical, complete: true }), 'auto-deploy');
    assert.equal(decide(15, DEFAULT_RISK, { findings: [{ severity: 'high' }], complete: true }), 'auto-approve');
    assert.equal(decide(0, DEFAULT_RISK, { findings: [], complete: false }), 'incomplete');
    assert.equal(decide(45, DEFAULT_RISK, { findings: [], complete: false }), 'manual-review', 'a human must look either way');
  });
});
