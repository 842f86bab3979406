import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileDiff, Hunk } from '../../src/core/diff/model.js';
import { detectIacKind } from '../../src/core/iac/detect.js';
import { chunkIacKinds, iacInstructionTokens } from '../../src/core/iac/instructions.js';
import { estimateTokens } from '../../src/core/pack/tokens.js';
import { buildPrompt } from '../../src/core/prompt.js';
import { packFile } from '../../src/core/pack/chunker.js';
import { IAC_RULE_IDS, IAC_RULES } from '../../src/core/rules/iac.js';
import { RULE_IDS, runRules } from '../../src/core/rules/index.js';
import { addedFile } from '../helpers/diff.js';

const DIR = join(__dirname, '..', 'fixtures', 'iac', 'rules');

/** Fixture files, and the path each is reviewed under (the kind of a workflow is known by its folder). */
const FIXTURES: [string, string][] = [
  ['bad.tf', 'infra/main.tf'],
  ['bad-cloudformation.yaml', 'stack/template.yaml'],
  ['bad-kubernetes.yaml', 'deploy/pod.yaml'],
  ['bad.Dockerfile', 'Dockerfile'],
  ['bad-workflow.yml', '.github/workflows/pr.yml'],
  ['bad-gitlab-ci.yml', '.gitlab-ci.yml'],
];

function load(name: string): string[] {
  return readFileSync(join(DIR, name), 'utf8').replace(/\n$/, '').split('\n');
}

function iacFindings(path: string, lines: string[]) {
  return runRules([addedFile(path, lines)]).filter((f) => f.rule?.startsWith('iac-'));
}

describe('IaC rules', () => {
  it('each rule has an id among the switchable rules, a severity and a one-line doc', () => {
    for (const id of IAC_RULE_IDS) {
      assert.ok((RULE_IDS as readonly string[]).includes(id), id);
      assert.ok(IAC_RULES[id].doc.length > 10 && !IAC_RULES[id].doc.includes('\n'), id);
    }
  });

  for (const [bad, path] of FIXTURES) {
    const good = bad.replace(/^bad/, 'good');
    it(`${bad}: reports exactly the lines marked "expect", and nothing in ${good}`, () => {
      const lines = load(bad);
      const expected = lines.flatMap((l, i) => [...l.matchAll(/expect: ([\w-]+)/g)].map((m) => `${m[1]}@${i + 1}`)).sort();
      assert.ok(expected.length > 0);
      const got = iacFindings(path, lines)
        .map((f) => `${f.rule}@${f.line}`)
        .sort();
      assert.deepEqual(got, expected);
      assert.deepEqual(
        iacFindings(path, load(good)).map((f) => `${f.rule}@${f.line}: ${f.title}`),
        [],
      );
    });
  }

  it('every rule has a positive case among the fixtures', () => {
    const all = FIXTURES.flatMap(
      ([name]) =>
        load(name)
          .join('\n')
          .match(/expect: [\w-]+/g) ?? [],
    ).map((s) => s.slice(8));
    // prevent_destroy removed is about removed lines: its case is below.
    for (const id of IAC_RULE_IDS) assert.ok(all.includes(id), `${id} has no positive fixture`);
  });

  it('finds prevent_destroy removed from a block, anchored to the line after it; not when it moves', () => {
    const hunk: Hunk = {
      oldStart: 1,
      oldLines: 5,
      newStart: 1,
      newLines: 4,
      section: 'resource "aws_db_instance" "main" {',
      lines: [
        { kind: 'ctx', text: 'resource "aws_db_instance" "main" {', oldLine: 1, newLine: 1 },
        { kind: 'ctx', text: '  lifecycle {', oldLine: 2, newLine: 2 },
        { kind: 'del', text: '    prevent_destroy = true', oldLine: 3 },
        { kind: 'ctx', text: '  }', oldLine: 4, newLine: 3 },
        { kind: 'ctx', text: '}', oldLine: 5, newLine: 4 },
      ],
    };
    const file: FileDiff = { ...addedFile('db.tf', []), oldPath: 'db.tf', status: 'modified', hunks: [hunk] };
    const f = runRules([file]).filter((x) => x.rule === 'iac-prevent-destroy-removed');
    assert.equal(f.length, 1);
    assert.equal(f[0].line, 3);
    assert.equal(f[0].severity, 'high');
    // The guard moved within the file: still there, nothing to report.
    const moved: Hunk = { ...hunk, lines: [...hunk.lines, { kind: 'add', text: '    prevent_destroy = true', newLine: 5 }] };
    assert.equal(runRules([{ ...file, hunks: [moved] }]).filter((x) => x.rule === 'iac-prevent-destroy-removed').length, 0);
    // Switched off.
    assert.equal(runRules([file], { 'iac-prevent-destroy-removed': false }).length, 0);
  });

  it('knows an environment section from the hunk header when the hunk starts inside it', () => {
    const hunk = (section: string): Hunk => ({
      oldStart: 8,
      oldLines: 1,
      newStart: 8,
      newLines: 2,
      section,
      lines: [
        { kind: 'ctx', text: '  NODE_ENV: production', oldLine: 8, newLine: 8 },
        { kind: 'add', text: '  SLACK_TOKEN: hunter2hunter2', newLine: 9 },
      ],
    });
    const file = (section: string): FileDiff => ({
      ...addedFile('.github/workflows/ci.yml', []),
      status: 'modified',
      hunks: [hunk(section)],
    });
    assert.deepEqual(
      runRules([file('env:')]).map((f) => `${f.rule}@${f.line}`),
      ['iac-secret-in-config@9'],
    );
    assert.deepEqual(runRules([file('with:')]), []);
  });

  it('does not read ordinary code as infrastructure', () => {
    const lines = ['const cidr = "0.0.0.0/0"; // port 22', 'const privileged = true;', 'permissions: write-all'];
    assert.deepEqual(iacFindings('src/net.ts', lines), []);
  });
});

describe('IaC detection and instructions', () => {
  it('knows each kind by name or by content', () => {
    const cases: [string, string, string | null][] = [
      ['infra/main.tf', '', 'terraform'],
      ['env/prod.tfvars', '', 'terraform'],
      ['template.yaml', '', 'cloudformation'],
      ['stack/app.yml', 'AWSTemplateFormatVersion: "2010-09-09"', 'cloudformation'],
      ['stack/app.yml', 'Transform: AWS::Serverless-2016-10-31', 'cloudformation'],
      ['cdk.json', '', 'cdk'],
      ['lib/stack.ts', "import * as s3 from 'aws-cdk-lib/aws-s3';", 'cdk'],
      ['k8s/deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment', 'kubernetes'],
      ['Dockerfile', '', 'dockerfile'],
      ['docker/api.Dockerfile', '', 'dockerfile'],
      ['.github/workflows/ci.yml', '', 'github-actions'],
      ['.gitlab-ci.yml', '', 'gitlab-ci'],
      ['config/app.yaml', 'name: x\nport: 8080', null],
      ['src/app.ts', 'const x = 1', null],
    ];
    for (const [path, text, kind] of cases) assert.equal(detectIacKind(path, text), kind, path);
  });

  it('gives IaC chunks their instructions, with the room they take counted, and plain code none', () => {
    const tf = packFile(addedFile('infra/main.tf', ['resource "aws_s3_bucket" "b" {}']), { budgetTokens: 2000, overlapLines: 3 })[0];
    assert.deepEqual(chunkIacKinds(tf.segments), ['terraform']);
    const prompt = buildPrompt(tf, { redact: false });
    assert.match(prompt.user, /infrastructure as code[\s\S]*Terraform: resources that would be destroyed or replaced[\s\S]*BEGIN-DIFF/);
    const code = packFile(addedFile('src/a.ts', ['export const a = 1;']), { budgetTokens: 2000, overlapLines: 3 })[0];
    assert.doesNotMatch(buildPrompt(code, { redact: false }).user, /infrastructure as code/);
    // What the model phase keeps room for is what the instructions take before the data.
    const before = prompt.user.slice(0, prompt.user.indexOf('BEGIN-DIFF'));
    assert.ok(iacInstructionTokens(tf) >= estimateTokens(before), `${iacInstructionTokens(tf)} < ${estimateTokens(before)}`);
    assert.equal(iacInstructionTokens(code), 0);
  });
});
