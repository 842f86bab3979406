import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { changeKind, parseTerraformPlan, type TerraformPlan } from '../../src/core/iac/plan.js';
import { PlanError } from '../../src/core/iac/planError.js';
import { moduleNames, planOnlyResult, reviewTerraformPlan, PLAN_RULES, type PlanReview } from '../../src/core/iac/planReview.js';
import { DEFAULT_RISK } from '../../src/core/risk.js';
import { summaryBody } from '../../src/core/hosts/github/post.js';
import { toJsonReport } from '../../src/core/report/json.js';
import { toText } from '../../src/core/report/text.js';
import type { Finding } from '../../src/core/types.js';

const DIR = join(__dirname, '..', 'fixtures', 'iac', 'plan');
const TEXT = readFileSync(join(DIR, 'plan.json'), 'utf8');

function review(plan: TerraformPlan = parseTerraformPlan(TEXT, 'plan.json')): Promise<PlanReview> {
  return reviewTerraformPlan(plan, { repoRoot: DIR, planPath: 'plan.json', cwd: DIR, planText: TEXT });
}

function about(findings: Finding[], address: string): Finding[] {
  return findings.filter((f) => f.title.endsWith(` ${address}`) || f.title.includes(` ${address} `));
}

function lineOf(file: string, text: string): number {
  return readFileSync(join(DIR, file), 'utf8').split('\n').indexOf(text) + 1;
}

describe('Terraform plan review', () => {
  it('reads the documented format: every resource change, its actions, module and sensitivity', () => {
    const plan = parseTerraformPlan(TEXT, 'plan.json');
    assert.equal(plan.formatVersion, '1.2');
    assert.equal(plan.terraformVersion, '1.9.5');
    assert.equal(plan.changes.length, 9);
    const logs = plan.changes.find((c) => c.address === 'module.storage.aws_s3_bucket.logs')!;
    assert.equal(logs.moduleAddress, 'module.storage');
    assert.equal(changeKind(logs.actions), 'replace');
    assert.equal(changeKind(['delete', 'create']), 'replace');
    assert.equal(plan.configuration?.moduleCalls.storage.source, './modules/storage');
    assert.deepEqual(moduleNames('module.app["eu.west"].module.db'), ['app', 'db']);
  });

  it('counts add/change/destroy as Terraform does (a replace is one add and one destroy)', async () => {
    const r = await review();
    assert.deepEqual(r.info.counts, { add: 3, change: 2, destroy: 4, replace: 2, noOp: 1 });
    assert.equal(r.summary, 'Terraform plan: 3 to add, 2 to change, 4 to destroy (2 replaced).');
  });

  it('a deleted database is critical, anchored to the plan when its block is gone', async () => {
    const [f] = about((await review()).findings, 'aws_db_instance.legacy');
    assert.equal(f.severity, 'critical');
    assert.equal(f.rule, PLAN_RULES.delete);
    assert.equal(f.file, 'plan.json');
    assert.equal(f.line, TEXT.split('\n').findIndex((l) => l.includes('"address": "aws_db_instance.legacy"')) + 1);
  });

  it('a replaced instance is high and anchored to its resource block, naming what forces it', async () => {
    const found = about((await review()).findings, 'aws_instance.web');
    assert.equal(found.length, 1);
    assert.equal(found[0].severity, 'high');
    assert.equal(found[0].rule, PLAN_RULES.replace);
    assert.equal(found[0].file, 'main.tf');
    assert.equal(found[0].line, lineOf('main.tf', 'resource "aws_instance" "web" {'));
    assert.match(found[0].message, /`ami` cannot be made in place/);
  });

  it('a replaced bucket in a module is critical and anchored in the module source folder', async () => {
    const [f] = about((await review()).findings, 'module.storage.aws_s3_bucket.logs');
    assert.equal(f.severity, 'critical');
    assert.equal(f.file, 'modules/storage/main.tf');
    assert.equal(f.line, lineOf('modules/storage/main.tf', 'resource "aws_s3_bucket" "logs" {'));
  });

  it('finds the module folder from the module block when the plan has no configuration section', async () => {
    const plan = { ...parseTerraformPlan(TEXT, 'plan.json'), configuration: undefined };
    const [f] = about((await review(plan)).findings, 'module.storage.aws_s3_bucket.logs');
    assert.equal(f.file, 'modules/storage/main.tf');
  });

  it('a deleted stateless resource is high; creates, no-ops, reads and plain updates are no findings', async () => {
    const { findings } = await review();
    assert.equal(about(findings, 'aws_iam_role.old_ci')[0].severity, 'high');
    for (const address of [
      'aws_cloudwatch_log_group.app',
      'module.storage.aws_s3_bucket.assets',
      'aws_security_group.web',
      'data.aws_caller_identity.current',
    ])
      assert.deepEqual(about(findings, address), [], address);
    assert.equal(findings.filter((f) => f.severity === 'critical' || f.severity === 'high').length, 4);
  });

  it('an update to a sensitive attribute is a finding that never shows the value', async () => {
    const [f] = about((await review()).findings, 'aws_db_instance.users');
    assert.equal(f.rule, PLAN_RULES.sensitive);
    assert.equal(f.severity, 'medium');
    assert.equal(f.file, 'main.tf');
    assert.match(f.message, /`password`/);
    assert.doesNotMatch(JSON.stringify(f), /password-value/);
  });

  it('a plan reviewed alone is complete, scores its findings and needs a human for a critical one', async () => {
    const r = planOnlyResult({ repoRoot: DIR, review: await review(), risk: DEFAULT_RISK, severityOverrides: {}, startedAt: new Date() });
    assert.equal(r.target.kind, 'terraform-plan');
    assert.equal(r.riskScore, 30 + 30 + 15 + 15 + 7);
    assert.equal(r.decision, 'manual-review');
    assert.equal(r.coverage.complete, true);
    assert.deepEqual(r.iac?.plan?.counts, { add: 3, change: 2, destroy: 4, replace: 2, noOp: 1 });
  });

  it('refuses what is not a plan, saying what it is and how to make one', () => {
    const bad: [string, RegExp][] = [
      ['{"name": "pkg", "version": "1.0.0"}', /not a Terraform plan in JSON: it has no "format_version".*terraform show -json/],
      ['{"format_version": "1.0", "values": {"root_module": {}}}', /Terraform state in JSON, not a plan/],
      ['{"format_version": "2.0", "resource_changes": []}', /format_version 2\.0/],
      ['[1, 2]', /not a JSON object/],
      ['{"format_version": "1.2", "resource_changes": [{"address": "a.b"}]}', /resource_changes\[0\] is not a resource change/],
      ['{"format_version": "1.2", "resource_changes": ', /not valid JSON/],
      ['PK\u0003\u0004binary', /binary plan file/],
    ];
    for (const [text, message] of bad)
      assert.throws(
        () => parseTerraformPlan(text, 'x.json'),
        (err: unknown) => err instanceof PlanError && message.test(err.message),
        text,
      );
    // A plan with nothing to do is still a plan.
    assert.equal(parseTerraformPlan('{"format_version": "1.2", "planned_values": {}}', 'x.json').changes.length, 0);
  });
});

describe('Terraform plan in the risk panel state', () => {
  it('says the counts of a review that carried a plan, and nothing for one without', async () => {
    const { planLine } = await import('../../src/shared/viewModel.js');
    const counts = { add: 3, change: 2, destroy: 4, replace: 2, noOp: 1 };
    const state = (iac?: object) => ({ review: { iac } }) as unknown as Parameters<typeof planLine>[0];
    assert.equal(
      planLine(state({ files: [], plan: { file: 'plan.json', formatVersion: '1.2', counts } })),
      'Terraform plan: 3 to add, 2 to change, 4 to destroy (2 replaced)',
    );
    assert.equal(planLine(state(undefined)), '');
  });
});

describe('Terraform plan counts in reports', () => {
  it('the text and JSON reports and the pull request summary carry the counts', async () => {
    const r = planOnlyResult({ repoRoot: DIR, review: await review(), risk: DEFAULT_RISK, severityOverrides: {}, startedAt: new Date() });
    const line = 'Terraform plan: 3 to add, 2 to change, 4 to destroy (2 replaced).';
    assert.ok(toText(r, { color: false }, 'm').includes(line));
    assert.deepEqual((toJsonReport(r).iac as { plan: { counts: unknown } }).plan.counts, {
      add: 3,
      change: 2,
      destroy: 4,
      replace: 2,
      noOp: 1,
    });
    const pr = { base: { host: 'github.com', owner: 'acme', repo: 'infra' }, headSha: 'a'.repeat(40) } as never;
    assert.ok(summaryBody(r, pr, r.findings, 0).includes(`**${line}** (\`plan.json\`)`));
  });

  it('severity overrides apply to plan findings by rule id', async () => {
    const r = planOnlyResult({
      repoRoot: DIR,
      review: await review(),
      risk: DEFAULT_RISK,
      severityOverrides: { [PLAN_RULES.sensitive]: 'info' },
      startedAt: new Date(),
    });
    assert.equal(r.findings.find((f) => f.rule === PLAN_RULES.sensitive)?.severity, 'info');
  });
});
