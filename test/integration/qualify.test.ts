import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDiff } from '../../src/core/git/diff.js';
import { scratchRepo } from '../../src/core/git/scratch.js';
import { builtInCasesDir, loadSuite, type QualifyCase } from '../../src/core/qualify/cases.js';
import type { QualifyReport } from '../../src/core/qualify/store.js';
import { runRules } from '../../src/core/rules/index.js';
import { FakeOllama } from '../fakes/ollama.js';
import { FakeOpenAI } from '../fakes/openai.js';
import { promptLines } from '../fakes/reviewer.js';
import { plantedAnswer } from '../fakes/qualifier.js';
import { cliEnv, deadPort, ensureBuilt, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/git.js';

const PROSE = 'The change looks fine to me. I would merge it; nothing stands out as a problem.';
const NOTHING = JSON.stringify({ summary: 'LGTM', findings: [] });

describe('pullmint qualify (through the built CLI, against a loopback Ollama)', function () {
  this.timeout(120_000);
  let suite: QualifyCase[];
  let server: FakeOllama | undefined;
  before(async () => {
    ensureBuilt();
    suite = await loadSuite();
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  async function fake(answer: (seen: string) => string): Promise<Record<string, string>> {
    server = new FakeOllama({ answer });
    await server.start();
    return cliEnv({ OLLAMA_HOST: server.url });
  }

  async function qualify(
    env: Record<string, string>,
    args: string[] = [],
  ): Promise<{ code: number; report: QualifyReport; stderr: string }> {
    const r = await runCli(['qualify', '--format', 'json', ...args], { cwd: tempDir(), env, timeoutMs: 110_000 });
    let report: QualifyReport;
    try {
      report = JSON.parse(r.stdout) as QualifyReport;
    } catch {
      assert.fail(`stdout is not the JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
    return { code: r.code, report, stderr: r.stderr };
  }

  const planted = (): number => suite.filter((c) => c.expect).length;

  it('a model that always answers prose: validity 0%, "not fit", exit 1, stored and shown by pullmint setup', async () => {
    const env = await fake(() => PROSE);
    const { code, report } = await qualify(env);
    assert.equal(code, 1);
    assert.equal(report.verdict, 'not fit');
    assert.equal(report.metrics.validity.rate, 0);
    assert.equal(report.metrics.validity.unusable, report.metrics.answers);
    assert.ok(report.metrics.answers >= suite.length, 'every case asked the model at least once');
    assert.ok(report.cases.every((c) => c.validity === 'unusable' && !c.complete));
    assert.match(report.reason, /valid answers 0%, below 80%/);
    // Every case went through the real pipeline: one chat call each, no cache between them.
    assert.equal(server!.chatRequests.length, report.metrics.answers);

    const setup = await runCli(['setup'], { cwd: tempDir(), env });
    assert.match(setup.stdout, /^skip +Model qualification +qwen2\.5-coder:7b: not fit \(qualified \d{4}-\d\d-\d\d: valid answers 0%/m);
    assert.match(setup.stdout, /fix: pullmint qualify/);
  });

  it('a model that always answers "no findings": recall 0, no false positives, exit 1', async () => {
    const env = await fake(() => NOTHING);
    const { code, report } = await qualify(env);
    assert.equal(code, 1);
    assert.equal(report.verdict, 'not fit');
    assert.deepEqual(report.metrics.recall, { found: 0, planted: planted(), rate: 0 });
    assert.equal(report.metrics.validity.rate, 1, 'its answers are valid JSON: only recall fails it');
    assert.equal(report.metrics.falsePositives.flagged, 0);
    assert.match(report.reason, /^recall 0% \(0 of \d+ planted defects\), below 50%$/);
  });

  it('a model scripted to answer the planted findings: "fit to gate", exit 0, recall 100%, shown as ok by setup', async () => {
    const env = await fake((seen) => plantedAnswer(seen, suite));
    const { code, report } = await qualify(env);
    assert.equal(code, 0, report.reason);
    assert.equal(report.verdict, 'fit to gate');
    assert.deepEqual(report.metrics.recall, { found: planted(), planted: planted(), rate: 1 });
    assert.equal(report.metrics.falsePositives.flagged, 0);
    assert.equal(report.metrics.truncated, 0);
    assert.ok(report.metrics.tokensPerSecond !== null && report.metrics.tokensPerSecond > 0);
    for (const c of report.cases.filter((k) => k.kind === 'defect')) {
      assert.equal(c.found, true, c.id);
      assert.equal(c.match?.line, c.expected?.line, c.id);
    }

    const setup = await runCli(['setup', '--json'], { cwd: tempDir(), env });
    const check = (JSON.parse(setup.stdout) as { name: string; ok: boolean; detail: string }[]).find(
      (c) => c.name === 'Model qualification',
    );
    assert.equal(check?.ok, true);
    assert.match(check!.detail, /fit to gate .*recall 13\/13/);

    const text = await runCli(['qualify', '--no-store'], { cwd: tempDir(), env, timeoutMs: 110_000 });
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^Verdict: fit to gate — /m);
    assert.match(text.stdout, /^ {2}found {3}sql-injection-python +python +app\/users\.py:15 high/m);
    assert.doesNotMatch(text.stdout, /^Stored:/m, '--no-store keeps nothing');
  });

  it('a model one severity too mild, or one line too far, does not count; within one line it does', async () => {
    const env = await fake((seen) => {
      const answer = JSON.parse(plantedAnswer(seen, suite)) as {
        findings: { file: string; line: number; severity: string; quote?: string }[];
      };
      for (const f of answer.findings) {
        if (f.file === 'routes/admin.js' || f.file === 'app/users.py') f.severity = 'low';
        else if (f.file === 'server/reports.go') {
          f.line += 1; // the line after: still counts
          delete f.quote;
        }
      }
      return JSON.stringify(answer);
    });
    const { code, report } = await qualify(env, ['--no-store']);
    const byId = new Map(report.cases.map((c) => [c.id, c]));
    assert.equal(byId.get('sql-injection-python')?.found, false);
    assert.equal(byId.get('sql-injection-python')?.match?.severity, 'low', 'the near miss is shown');
    assert.equal(byId.get('auth-check-removed-javascript')?.found, false);
    assert.equal(byId.get('path-traversal-go')?.found, true);
    assert.equal(report.metrics.recall.found, planted() - 2);
    assert.equal(report.verdict, 'fit to gate', '11 of 13 is above 80%');
    assert.equal(code, 0);
  });

  it('answers that needed repair count as valid but not as-is; a model that flags every clean change high is not fit', async () => {
    const env = await fake((seen) => {
      const answer = JSON.parse(plantedAnswer(seen, suite)) as { summary: string; findings: Record<string, unknown>[] };
      if (answer.findings.length === 0) {
        // A clean change: flag its first added line as high.
        const added = promptLines(seen).find((l) => l.kind === 'added');
        if (added)
          answer.findings.push({
            file: added.file,
            line: added.line,
            severity: 'high',
            category: 'bug',
            title: 'Suspicious',
            message: 'Looks wrong.',
          });
      }
      // jsonrepair 3.15 cannot repair an answer whose strings end in "{" (a quoted line of code): line numbers only.
      for (const f of answer.findings) delete f.quote;
      // A key without quotes: JSON.parse refuses it, jsonrepair reads it.
      return JSON.stringify(answer).replace(/^\{"summary":/, '{summary:');
    });
    const { code, report } = await qualify(env, ['--no-store']);
    assert.equal(report.metrics.validity.repaired, report.metrics.answers);
    assert.equal(report.metrics.validity.asIsRate, 0);
    assert.equal(report.metrics.validity.rate, 1);
    assert.ok(report.cases.every((c) => c.validity === 'repaired'));
    assert.equal(report.metrics.falsePositives.flagged, report.metrics.falsePositives.clean);
    assert.equal(report.verdict, 'not fit', 'every clean change flagged high is above 50%');
    assert.equal(code, 1);
  });

  it('adds the cases of --cases DIR; a rule finding never counts as the model finding the defect', async () => {
    const dir = tempDir('pullmint-cases-');
    // An AWS key: the built-in rule reports it, a model answering nothing does not.
    mkdirSync(join(dir, 'aws-key', 'base'), { recursive: true });
    mkdirSync(join(dir, 'aws-key', 'head'), { recursive: true });
    writeFileSync(join(dir, 'aws-key', 'base', 'deploy.sh'), '#!/bin/sh\necho deploy\n');
    writeFileSync(join(dir, 'aws-key', 'head', 'deploy.sh'), '#!/bin/sh\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLQ\necho deploy\n');
    writeFileSync(
      join(dir, 'aws-key', 'case.json'),
      JSON.stringify({
        description: 'An AWS key in a script.',
        language: 'shell',
        expect: { file: 'deploy.sh', line: 2, minSeverity: 'high' },
      }),
    );
    const env = await fake(() => NOTHING);
    const { report } = await qualify(env, ['--cases', dir, '--no-store']);
    assert.deepEqual(report.suite, { builtIn: suite.length, user: 1 });
    const mine = report.cases.find((c) => c.id === 'aws-key')!;
    assert.equal(mine.source, dir);
    assert.equal(mine.found, false);
    assert.equal(mine.modelFindings, 0);
  });

  it('bad input exits 2 with the file and the problem: a broken case.json, a missing folder, a bad flag', async () => {
    const env = cliEnv({ OLLAMA_HOST: `http://127.0.0.1:${await deadPort()}` });
    const dir = tempDir('pullmint-cases-');
    mkdirSync(join(dir, 'broken'));
    writeFileSync(
      join(dir, 'broken', 'case.json'),
      JSON.stringify({ description: 'x', language: 'go', expect: { file: 'a.go', line: 0 } }),
    );
    const bad = await runCli(['qualify', '--cases', dir], { cwd: tempDir(), env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /broken[/\\]case\.json: expect\.line: .*; expect\.minSeverity/);
    assert.equal(bad.stdout, '');
    const missing = await runCli(['qualify', '--cases', join(dir, 'nope')], { cwd: tempDir(), env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope: no such folder of cases/);
    const flag = await runCli(['qualify', '--format', 'sarif'], { cwd: tempDir(), env });
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--format must be text or json/);
    const patchDir = tempDir('pullmint-cases-');
    mkdirSync(join(patchDir, 'stale-patch', 'base'), { recursive: true });
    writeFileSync(join(patchDir, 'stale-patch', 'base', 'a.txt'), 'one\n');
    writeFileSync(join(patchDir, 'stale-patch', 'change.patch'), '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-two\n+three\n');
    writeFileSync(join(patchDir, 'stale-patch', 'case.json'), JSON.stringify({ description: 'd', language: 'text', clean: true }));
    const stale = await runCli(['qualify', '--cases', patchDir], { cwd: tempDir(), env });
    assert.equal(stale.code, 2);
    assert.match(stale.stderr, /case stale-patch \(.*\) could not be set up as a repository: git apply failed/);
    const help = await runCli(['qualify', '--help'], { cwd: tempDir(), env });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /fit to gate {7}\(0\) valid answers >= 95%, recall >= 80%/);
  });

  it('an OpenAI-compatible server is qualified the same way, and its result is stored apart from the Ollama model', async () => {
    const env = await fake(() => PROSE);
    await qualify(env);
    const openai = new FakeOpenAI();
    openai.answer = (user) => plantedAnswer(user, suite);
    await openai.start();
    try {
      mkdirSync(join(env.XDG_CONFIG_HOME, 'pullmint'), { recursive: true });
      writeFileSync(join(env.XDG_CONFIG_HOME, 'pullmint', 'config.json'), JSON.stringify({ openai: { baseUrl: openai.url } }));
      const { code, report } = await qualify(env, ['--provider', 'openai', '--model', 'qwen-coder']);
      assert.equal(code, 0, report.reason);
      assert.deepEqual([report.provider, report.model, report.verdict], ['openai', 'qwen-coder', 'fit to gate']);
      assert.equal(openai.chatRequests.length, report.metrics.answers);
      assert.equal(readdirSync(join(env.XDG_STATE_HOME, 'pullmint', 'qualify')).length, 2, 'one file per provider and model');
      const ollamaSetup = await runCli(['setup'], { cwd: tempDir(), env });
      assert.match(ollamaSetup.stdout, /Model qualification +qwen2\.5-coder:7b: not fit/);
      const openaiSetup = await runCli(['setup'], {
        cwd: tempDir(),
        env: { ...env, PULLMINT_PROVIDER: 'openai', PULLMINT_MODEL: 'qwen-coder' },
      });
      assert.match(openaiSetup.stdout, /^ok +Model qualification +qwen-coder: fit to gate/m);
    } finally {
      await openai.stop();
    }
  });

  it('a model that cannot be reached is not judged: exit 2 with the fix, nothing stored', async () => {
    const env = cliEnv({ OLLAMA_HOST: `http://127.0.0.1:${await deadPort()}` });
    const r = await runCli(['qualify'], { cwd: tempDir(), env });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /the model could not be asked, so it was not qualified/);
    assert.equal(r.stdout, '');
    assert.equal(existsSync(join(env.XDG_STATE_HOME, 'pullmint', 'qualify')), false);
  });
});

describe('the built-in qualification suite (data)', () => {
  let suite: QualifyCase[];
  before(async () => {
    suite = await loadSuite();
  });

  it('holds at least 12 planted defects in several languages and at least 4 clean changes', () => {
    const defects = suite.filter((c) => c.expect);
    assert.ok(defects.length >= 12, `${defects.length} defects`);
    assert.ok(suite.filter((c) => !c.expect).length >= 4);
    assert.ok(new Set(defects.map((c) => c.language)).size >= 5);
    for (const id of [
      'sql-injection',
      'command-injection',
      'missing-await',
      'off-by-one',
      'null-dereference',
      'auth-check-removed',
      'unknown-secret',
      'xss',
      'race',
      'resource-leak',
      'swallowed-error',
    ])
      assert.ok(
        defects.some((c) => c.id.startsWith(id)),
        id,
      );
  });

  it('every case materialises as a repository whose planted line holds the quoted text', async function () {
    this.timeout(60_000);
    for (const c of suite) {
      const repo = await scratchRepo(c);
      try {
        if (!c.expect) continue;
        const text = readFileSync(join(repo.dir, c.expect.file), 'utf8').split('\n');
        assert.ok(text[c.expect.line - 1]?.includes(c.expect.quote!), `${c.id}: line ${c.expect.line} is "${text[c.expect.line - 1]}"`);
        const diff = await collectDiff(repo.dir, { kind: 'range', range: `${repo.base}..${repo.head}` }, { contextLines: 3 });
        const file = diff.files.find((f) => f.path === c.expect!.file);
        assert.ok(file, `${c.id}: the change touches ${c.expect.file}`);
        // The planted line is in a hunk the model is shown.
        assert.ok(
          file.hunks.some((h) =>
            h.lines.some((l) => l.newLine !== undefined && Math.abs(l.newLine - c.expect!.line) <= 1 && l.kind === 'add'),
          ),
          `${c.id}: an added line within one of the planted line`,
        );
      } finally {
        await repo.remove();
      }
    }
  });

  it('the auth check is removed by a deletion, and no built-in rule knows the planted secret', async () => {
    const auth = suite.find((c) => c.id === 'auth-check-removed-javascript')!;
    const secret = suite.find((c) => c.id === 'unknown-secret-python')!;
    for (const c of [auth, secret]) {
      const repo = await scratchRepo(c);
      try {
        const diff = await collectDiff(repo.dir, { kind: 'range', range: `${repo.base}..${repo.head}` }, { contextLines: 3 });
        if (c === auth) {
          const removed = diff.files[0].hunks.flatMap((h) => h.lines.filter((l) => l.kind === 'del').map((l) => l.text));
          assert.ok(
            removed.some((t) => t.includes('isAdmin')),
            'the admin check is among the removed lines',
          );
        } else assert.deepEqual(runRules(diff.files), [], 'the rules do not flag it: only a model can');
      } finally {
        await repo.remove();
      }
    }
  });

  it('ships with the package and is found from the bundle folder', () => {
    const dir = builtInCasesDir(join(__dirname, '..', '..', 'dist'));
    assert.ok(dir && readdirSync(dir).length === suite.length);
    const ignore = readFileSync(join(__dirname, '..', '..', '.vscodeignore'), 'utf8');
    assert.match(ignore, /^!qualify\/\*\*$/m);
  });

  it('a user case may give its change as a patch', async () => {
    const dir = tempDir('pullmint-cases-');
    cpSync(join(builtInCasesDir()!, 'buffer-overflow-c'), join(dir, 'c-patch'), { recursive: true });
    const [c] = await loadSuite([dir], { builtIn: false });
    assert.ok(c.patch && c.head.size === 0);
    const repo = await scratchRepo(c);
    try {
      assert.match(readFileSync(join(repo.dir, 'src/greet.c'), 'utf8'), /strcpy\(buf, name\);/);
    } finally {
      await repo.remove();
    }
  });
});
