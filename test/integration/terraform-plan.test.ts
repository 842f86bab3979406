import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cliEnv, deadPort, ensureBuilt, runCli } from '../helpers/cli.js';
import { TempRepo } from '../helpers/git.js';

const FIXTURE = join(__dirname, '..', 'fixtures', 'iac', 'plan');

function copyFixture(repo: TempRepo, dir = FIXTURE): void {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) copyFixture(repo, full);
    else repo.write(relative(FIXTURE, full), readFileSync(full));
  }
}

describe('pullmint review --terraform-plan (built CLI)', function () {
  this.timeout(60_000);
  let repo: TempRepo;
  before(() => ensureBuilt());
  beforeEach(() => {
    repo = new TempRepo();
    copyFixture(repo);
    repo.commit('infrastructure');
  });
  afterEach(() => repo.remove());

  it('reviews a plan alone: counts, a critical deleted database, a high replaced instance at its block; the gate holds', async () => {
    const env = cliEnv({ OLLAMA_HOST: `http://127.0.0.1:${await deadPort()}` });
    const r = await runCli(['review', '--terraform-plan', 'plan.json', '--format', 'json'], { cwd: repo.dir, env });
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(json.iac.plan.counts, { add: 3, change: 2, destroy: 4, replace: 2, noOp: 1 });
    assert.equal(json.target.kind, 'terraform-plan');
    const legacy = json.findings.find((f: { title: string }) => f.title.endsWith('aws_db_instance.legacy'));
    assert.equal(legacy.severity, 'critical');
    const web = json.findings.find((f: { title: string }) => f.title.endsWith('aws_instance.web'));
    assert.deepEqual([web.severity, web.file, web.line], ['high', 'main.tf', 5]);
    assert.equal(json.decision, 'manual-review');
    const text = await runCli(['review', '--terraform-plan', 'plan.json'], { cwd: repo.dir, env });
    assert.match(text.stdout, /Terraform plan: 3 to add, 2 to change, 4 to destroy \(2 replaced\)\./);
    const gated = await runCli(['review', '--terraform-plan', 'plan.json', '--gate'], { cwd: repo.dir, env });
    assert.equal(gated.code, 1);
  });

  it('combines a plan with a diff review into one result', async () => {
    repo.write(
      'main.tf',
      readFileSync(join(FIXTURE, 'main.tf'), 'utf8') +
        '\nresource "aws_security_group_rule" "ssh" {\n  type        = "ingress"\n  from_port   = 22\n  to_port     = 22\n  protocol    = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n}\n',
    );
    repo.commit('open ssh');
    const env = cliEnv({ OLLAMA_HOST: `http://127.0.0.1:${await deadPort()}` });
    const r = await runCli(['review', '--range', 'HEAD~1..HEAD', '--terraform-plan', 'plan.json', '--rules-only', '--format', 'json'], {
      cwd: repo.dir,
      env,
    });
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    const rules = json.findings.map((f: { rule: string }) => f.rule);
    assert.ok(rules.includes('iac-open-ingress'), rules.join());
    assert.ok(rules.includes('terraform-plan-delete'), rules.join());
    assert.deepEqual(json.iac.files, [{ file: 'main.tf', kind: 'terraform' }]);
    assert.equal(json.iac.plan.counts.destroy, 4);
    assert.equal(json.target.kind, 'range');
  });

  it('exits 2 with a message for JSON that is not a plan, a missing file and a binary plan, and prints nothing on stdout', async () => {
    repo.write('package.json', '{"name": "x", "version": "1.0.0"}\n').write('plan.out', 'PK\u0003\u0004binary');
    const env = cliEnv();
    const cases: [string, RegExp][] = [
      [
        'package.json',
        /package\.json is not a Terraform plan in JSON: it has no "format_version"\. Make it with `terraform plan -out plan\.out && terraform show -json plan\.out > plan\.json`/,
      ],
      ['missing.json', /no such file: missing\.json/],
      ['plan.out', /plan\.out is a binary plan file, not its JSON/],
    ];
    for (const [file, message] of cases) {
      const r = await runCli(['review', '--terraform-plan', file], { cwd: repo.dir, env });
      assert.equal(r.code, 2, file);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /unexpected error|at .*\.js:\d+/);
      assert.equal(r.stdout, '');
    }
  });
});
