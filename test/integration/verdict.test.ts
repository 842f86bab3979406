import assert from 'node:assert/strict';
import { decide, DEFAULT_RISK } from '../../src/core/risk.js';
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
