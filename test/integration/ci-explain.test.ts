import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeAnthropic } from '../fakes/anthropic.js';
import { FakeGitHub, type FakeRun } from '../fakes/github.js';
import { FakeOllama } from '../fakes/ollama.js';
import { ASSERTION, FAILING_FRAME, githubActionsLog, LOG_SECRET } from '../helpers/ciLog.js';
import { cliEnv, ensureBuilt, ROOT, runCli } from '../helpers/cli.js';
import { TempRepo, tempDir } from '../helpers/git.js';
import { featureRepo, openPullRequest } from '../helpers/pullRequest.js';

const TOKEN = 'ghp_testtokenforthefakeserver000000000000';
const RUN_ID = 7001;
const NOISE = 'npm http fetch';

/**
 * A scripted model that reads the excerpt: when the failing assertion is in it, it names the cause,
 * quotes the evidence (the debug line with the token among it) and the files.
 */
function explainExcerpt(prompt: string): Record<string, unknown> {
  if (!prompt.includes(ASSERTION))
    return { rootCause: 'The log does not show the cause.', evidence: [], fix: [], files: [], confidence: 'low' };
  const debug = prompt.split('\n').find((l) => l.includes('debug: calling the pricing API'));
  return {
    rootCause: 'cart totals omit tax: the test expects 42 and gets 41.5.',
    evidence: [ASSERTION, '41.5 !== 42', ...(debug ? [debug.trim()] : [])],
    fix: ['Apply the tax rate in cartTotal', 'Run npm test'],
    files: [
      { file: 'test/cart.test.js', line: 27, why: 'the failing assertion' },
      { file: 'src/cart.js', why: 'where the total is computed' },
    ],
    confidence: 'high',
  };
}

/** The user message of each call the fake Ollama received. */
function ollamaPrompts(ollama: FakeOllama): string[] {
  return ollama.chatRequests.map(
    (r) => (r.json as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === 'user')?.content ?? '',
  );
}

function failedRun(headSha: string, log: string): FakeRun {
  return {
    id: RUN_ID,
    name: 'CI',
    head_sha: headSha,
    status: 'completed',
    conclusion: 'failure',
    created_at: '2026-11-22T07:00:00Z',
    jobs: [
      {
        id: 9001,
        name: 'test (20.x)',
        conclusion: 'failure',
        steps: [
          { name: 'Set up job', conclusion: 'success' },
          { name: 'Run npm test', conclusion: 'failure' },
        ],
        log,
      },
      { id: 9002, name: 'lint', conclusion: 'success', steps: [{ name: 'Run npm run lint', conclusion: 'success' }], log: 'lint ok\n' },
    ],
  };
}

describe('pullmint ci explain: a failed GitHub Actions run (loopback GitHub with a 302 log download, a fake model)', function () {
  this.timeout(90_000);
  let gh: FakeGitHub;
  let ollama: FakeOllama;
  let repo: TempRepo;
  let env: Record<string, string>;
  let headSha: string;
  const log = githubActionsLog({ lines: 5000, secret: true });
  before(() => ensureBuilt());
  beforeEach(async () => {
    gh = new FakeGitHub();
    gh.tokens.set(TOKEN, 'octocat');
    await gh.start();
    ollama = new FakeOllama({ answer: (seen) => JSON.stringify(explainExcerpt(seen)) });
    await ollama.start();
    const r = featureRepo();
    repo = r.repo;
    headSha = r.headSha;
    await openPullRequest(gh, repo, r);
    // An older green run of the same commit and the failed one.
    gh.runs.push({ ...failedRun(headSha, ''), id: 6999, conclusion: 'success', created_at: '2026-11-22T06:00:00Z', jobs: [] });
    gh.runs.push(failedRun(headSha, log.text));
    env = cliEnv({ OLLAMA_HOST: ollama.url, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url });
  });
  afterEach(async () => {
    await gh.stop();
    await ollama.stop();
    repo.remove();
  });

  it("finds the branch's PR, its failed run and job, follows the log's 302 without the token, and sends the failure, not the noise", async () => {
    const r = await runCli(['ci', 'explain', '--format', 'json'], { cwd: repo.dir, env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(gh.rejected, []);
    const json = JSON.parse(r.stdout);
    assert.equal(json.schemaVersion, 1);
    assert.equal(json.kind, 'ci-explanation');
    assert.equal(json.status, 'explained');
    assert.deepEqual([json.source.kind, json.source.runId, json.source.pullRequest, json.source.headSha], ['run', RUN_ID, 5, headSha]);
    assert.deepEqual(
      json.jobs.map((j: { name: string; failedStep: string }) => [j.name, j.failedStep]),
      [['test (20.x)', 'Run npm test']],
      'only the failed job',
    );
    assert.equal(json.explanation.confidence, 'high');
    assert.deepEqual(json.explanation.files[0], { file: 'test/cart.test.js', line: 27, why: 'the failing assertion' });
    assert.deepEqual(json.explanation.files[1], { file: 'src/cart.js', line: null, why: 'where the total is computed' });

    // The log: GitHub answered 302, the storage origin was asked without the Authorization header.
    assert.ok(gh.requests.some((q) => q.path === '/repos/acme/widgets/actions/jobs/9001/logs'));
    assert.equal(gh.blobs.requests.length, 1);
    assert.match(gh.blobs.requests[0].path, /^\/logs\/9001\.txt\?sig=signed/);
    assert.equal(gh.blobs.requests[0].headers.authorization, undefined, 'the token stays with GitHub');

    // What the model read.
    const [prompt] = ollamaPrompts(ollama);
    assert.equal(ollama.chatRequests.length, 1);
    assert.ok(prompt.includes(ASSERTION), 'the failing assertion');
    assert.ok(prompt.includes(FAILING_FRAME), 'its stack frame');
    assert.ok(prompt.includes('##[error]Process completed with exit code 1.'));
    const noiseInLog = log.text.split('\n').filter((l) => l.includes(NOISE)).length;
    const noiseSent = prompt.split('\n').filter((l) => l.includes(NOISE)).length;
    assert.ok(noiseInLog > 3500, String(noiseInLog));
    assert.ok(noiseSent <= 27, `${noiseSent} of ${noiseInLog} install lines were sent`);
    assert.ok(prompt.length < log.text.length / 20, `${prompt.length} of ${log.text.length} characters`);
    assert.ok(!prompt.includes('\x1b'), 'no ANSI codes');
    assert.doesNotMatch(prompt, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/, 'no timestamps');
    assert.ok(!prompt.includes('##[group]') && !prompt.includes('##[endgroup]'));
    // A model on this machine may see the log as it is; the answer schema asked is the CI one.
    assert.ok(prompt.includes(LOG_SECRET));
    const format = (ollama.chatRequests[0].json as { format: { required: string[] } }).format;
    assert.deepEqual(format.required, ['rootCause', 'evidence', 'fix', 'files', 'confidence']);
    assert.equal(json.excerpt.includes(ASSERTION), true);
    assert.deepEqual(json.warnings, [], 'every evidence line is in the excerpt; no cap was hit');
    assert.ok(json.jobs[0].totalLines > 4900 && json.jobs[0].keptLines < 120, JSON.stringify(json.jobs[0]));
  });

  it('--run ID as text: root cause, evidence, fix and files; evidence the log does not hold is flagged', async () => {
    await ollama.stop();
    ollama = new FakeOllama({
      answer: (seen) => {
        const a = explainExcerpt(seen);
        return JSON.stringify({ ...a, evidence: [...(a.evidence as string[]), 'Error: a line the log never had'] });
      },
    });
    await ollama.start();
    const r = await runCli(['ci', 'explain', '--run', String(RUN_ID)], { cwd: repo.dir, env: { ...env, OLLAMA_HOST: ollama.url } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^CI failure: workflow run 7001 \(CI\), commit [0-9a-f]{12}/);
    assert.match(r.stdout, /Root cause \(confidence high\):\n {2}cart totals omit tax/);
    assert.match(r.stdout, /Evidence:\n {2}> AssertionError \[ERR_ASSERTION\]/);
    assert.match(r.stdout, /Fix:\n {2}1\. Apply the tax rate in cartTotal\n {2}2\. Run npm test/);
    assert.match(r.stdout, /test\/cart\.test\.js:27 — the failing assertion/);
    assert.match(r.stdout, /job test \(20\.x\) \(step: Run npm test\): \d+ of \d+ log lines sent/);
    assert.ok(!r.stdout.includes('\x1b'), 'no colour when stdout is not a terminal');
    assert.match(r.stdout, /warning: 1 evidence line\(s\) from the model are not in the log excerpt/);
  });

  it('--open-issue twice gives one issue, updated in place, with the run link and no secret', async () => {
    const first = await runCli(['ci', 'explain', '--pr', '5', '--open-issue'], { cwd: repo.dir, env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /issue #100 opened: https:\/\/github\.com\/acme\/widgets\/issues\/100/);
    assert.equal(gh.issues.length, 1);
    // Search has not indexed the new issue yet: the second ask still finds it (in the latest issues).
    const second = await runCli(['ci', 'explain', '--pr', '5', '--open-issue'], { cwd: repo.dir, env });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /issue #100 updated/);
    gh.indexIssues();
    const third = await runCli(['ci', 'explain', '--run', String(RUN_ID), '--open-issue'], { cwd: repo.dir, env });
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stderr, /issue #100 updated/);
    assert.ok(
      gh.requests.some((q) => q.path.startsWith('/search/issues?')),
      'search was asked',
    );
    assert.equal(gh.issues.length, 1, 'one issue per failed run');
    assert.deepEqual(gh.rejected, []);
    const issue = gh.issues[0];
    assert.match(issue.title, /^CI failure: CI at [0-9a-f]{8}$/);
    assert.ok(issue.body.startsWith('<!-- pullmint:ci-run:7001 -->'));
    assert.ok(issue.body.includes('https://github.com/acme/widgets/actions/runs/7001'));
    assert.match(issue.body, /### Root cause \(confidence high\)\n\ncart totals omit tax/);
    assert.ok(issue.body.includes('debug: calling the pricing API with token [REDACTED]'), 'the evidence is there, its token is not');
    assert.ok(!issue.body.includes(LOG_SECRET));
  });

  it('an issue GitHub opened but whose answer was lost is not opened twice', async () => {
    gh.faults.push({ route: 'POST /repos/{owner}/{repo}/issues', kind: 'drop' });
    const r = await runCli(['ci', 'explain', '--run', String(RUN_ID), '--open-issue'], { cwd: repo.dir, env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /issue #100 opened/);
    assert.equal(gh.issues.length, 1);
    assert.equal(gh.requests.filter((q) => q.method === 'POST' && q.path === '/repos/acme/widgets/issues').length, 1, 'not resent');
  });

  it('a secret in the log is not sent to a model that is not on this machine', async () => {
    const claude = new FakeAnthropic();
    claude.answer = (user) => explainExcerpt(user);
    await claude.start();
    try {
      const cloud = { ...env, PULLMINT_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: claude.apiKey, ANTHROPIC_BASE_URL: claude.url };
      const r = await runCli(['ci', 'explain', '--run', String(RUN_ID), '--format', 'json'], { cwd: repo.dir, env: cloud });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(claude.messageRequests.length, 1);
      const body = claude.messageRequests[0].body;
      assert.ok(body.includes('ERR_ASSERTION'), 'the failure was sent');
      assert.ok(!body.includes(LOG_SECRET), 'the token was not');
      assert.ok(body.includes('debug: calling the pricing API with token [REDACTED]'));
      assert.equal((claude.messageRequests[0].json as { tool_choice: { name: string } }).tool_choice.name, 'report_ci_failure');
      const json = JSON.parse(r.stdout);
      assert.equal(json.redactions, 1);
      assert.ok(json.warnings.some((w: string) => /1 secret\(s\) were redacted/.test(w)));
      assert.ok(!r.stdout.includes(LOG_SECRET), 'nor printed as what was sent');
      assert.equal(ollama.chatRequests.length, 0);
    } finally {
      await claude.stop();
    }
  });

  it('an answer that cannot be read still shows the failure lines, and exits 3 without opening an issue', async () => {
    await ollama.stop();
    ollama = new FakeOllama({ mode: 'garbage' });
    await ollama.start();
    const r = await runCli(['ci', 'explain', '--run', String(RUN_ID), '--open-issue'], {
      cwd: repo.dir,
      env: { ...env, OLLAMA_HOST: ollama.url },
    });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /No explanation: the model's answer could not be read/);
    assert.match(r.stdout, /Failure lines from the log:/);
    assert.ok(r.stdout.includes(ASSERTION));
    assert.match(r.stderr, /no issue opened/);
    assert.equal(gh.issues.length, 0);
  });

  it('says so when the commit has no failed run, and explains usage mistakes', async () => {
    gh.runs.splice(0);
    const none = await runCli(['ci', 'explain', '--format', 'json'], { cwd: repo.dir, env });
    assert.equal(none.code, 0, none.stderr);
    assert.equal(JSON.parse(none.stdout).status, 'no-failure');
    assert.match(none.stderr, /No failed workflow run for PR #5's head commit [0-9a-f]{8}/);
    const both = await runCli(['ci', 'explain', '--pr', '5', '--run', '1'], { cwd: repo.dir, env });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /choose one of --pr N, --run ID, --log FILE/);
    const issueForFile = await runCli(['ci', 'explain', '--log', 'x.log', '--open-issue'], { cwd: repo.dir, env });
    assert.equal(issueForFile.code, 2);
    const missingRun = await runCli(['ci', 'explain', '--run', '424242'], { cwd: repo.dir, env });
    assert.equal(missingRun.code, 2);
    assert.match(missingRun.stderr, /read workflow run 424242 \(404\)/);
    const help = await runCli(['ci', 'explain', '--help'], { cwd: repo.dir, env });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /pullmint ci explain \[--pr N \| --run ID \| --log FILE\]/);
    assert.equal(ollama.chatRequests.length, 0);
  });
});

describe('pullmint ci explain --log FILE: any log, no code host', function () {
  this.timeout(60_000);
  before(() => ensureBuilt());

  it('explains a 5,000-line log with one failure, with no GitHub remote and no token', async () => {
    const ollama = new FakeOllama({ answer: (seen) => JSON.stringify(explainExcerpt(seen)) });
    await ollama.start();
    const repo = new TempRepo();
    repo.write('README.md', '# x\n').commit('init');
    const dir = tempDir('pullmint-ci-log-');
    const file = join(dir, 'build.log');
    const log = githubActionsLog({ lines: 5000 });
    writeFileSync(file, log.text);
    try {
      const env = cliEnv({ OLLAMA_HOST: ollama.url });
      const r = await runCli(['ci', 'explain', '--log', file, '--format', 'json'], { cwd: repo.dir, env });
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      assert.equal(json.schemaVersion, 1);
      assert.equal(json.status, 'explained');
      assert.deepEqual(json.source, { kind: 'log', file: 'build.log' });
      assert.equal(json.explanation.rootCause, 'cart totals omit tax: the test expects 42 and gets 41.5.');
      assert.equal(log.lines, 5000);
      assert.ok(json.jobs[0].totalLines > 4900, String(json.jobs[0].totalLines));
      assert.ok(json.jobs[0].keptLines < 120, String(json.jobs[0].keptLines));
      assert.ok(json.jobs[0].failureLines.length >= 3);
      const [prompt] = ollamaPrompts(ollama);
      assert.ok(prompt.includes(ASSERTION) && prompt.includes('41.5 !== 42'));
      assert.ok(!prompt.includes('\x1b'));
      assert.doesNotMatch(prompt, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);

      const text = await runCli(['ci', 'explain', '--log', file], { cwd: repo.dir, env });
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^CI failure: log file build\.log/);
      assert.match(text.stdout, /Root cause \(confidence high\)/);

      const missing = await runCli(['ci', 'explain', '--log', join(dir, 'nope.log')], { cwd: repo.dir, env });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /Cannot read the log file .*nope\.log: it does not exist/);
    } finally {
      await ollama.stop();
      repo.remove();
    }
  });
});

describe('GitHub Action: explain-failure posts the explanation of the failed run on the PR', function () {
  this.timeout(60_000);
  before(() => ensureBuilt());

  it('explains the run of GITHUB_RUN_ID, comments once on the PR and updates that comment when run again', async () => {
    const gh = new FakeGitHub();
    gh.tokens.set(TOKEN, 'github-actions[bot]');
    await gh.start();
    const ollama = new FakeOllama({ answer: (seen) => JSON.stringify(explainExcerpt(seen)) });
    await ollama.start();
    const r = featureRepo();
    try {
      await openPullRequest(gh, r.repo, r);
      gh.runs.push(failedRun(r.headSha, githubActionsLog({ lines: 3000, secret: true }).text));
      const dir = tempDir('pullmint-action-ci-');
      const eventPath = join(dir, 'event.json');
      writeFileSync(eventPath, JSON.stringify({ number: 5, pull_request: { number: 5 }, repository: { full_name: 'acme/widgets' } }));
      writeFileSync(join(dir, 'summary'), '');
      const env = cliEnv({
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_WORKSPACE: r.repo.dir,
        GITHUB_REPOSITORY: 'acme/widgets',
        GITHUB_RUN_ID: String(RUN_ID),
        GITHUB_API_URL: gh.url,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_STEP_SUMMARY: join(dir, 'summary'),
        'INPUT_GITHUB-TOKEN': TOKEN,
        'INPUT_OLLAMA-HOST': ollama.url,
        'INPUT_EXPLAIN-FAILURE': 'true',
      });
      const first = await runAction(env);
      assert.equal(first.code, 0, first.stdout);
      assert.match(first.stdout, /explanation of run 7001 posted on PR #5/);
      const again = await runAction(env);
      assert.equal(again.code, 0, again.stdout);
      assert.match(again.stdout, /explanation of run 7001 updated on PR #5/);
      assert.deepEqual(gh.rejected, []);
      assert.equal(gh.issueComments.length, 1, 'one comment per run');
      const body = gh.issueComments[0].body;
      assert.ok(body.startsWith('<!-- pullmint:ci-run:7001 -->'));
      assert.match(body, /### Root cause \(confidence high\)\n\ncart totals omit tax/);
      assert.ok(!body.includes(LOG_SECRET), 'no token in the comment');
      assert.equal(gh.reviews.length, 0, 'no review ran');
      assert.match(readFileSync(join(dir, 'summary'), 'utf8'), /Pullmint: why workflow run 7001 \(CI\)/);
    } finally {
      await gh.stop();
      await ollama.stop();
      r.repo.remove();
    }
  });
});

function runAction(env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'action', 'index.js')], { env, cwd: env.GITHUB_WORKSPACE });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
  });
}
