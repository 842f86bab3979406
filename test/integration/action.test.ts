import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { collectDiff } from '../../src/core/git/diff.js';
import { commentableLines } from '../../src/core/hosts/github/post.js';
import { FakeGitHub } from '../fakes/github.js';
import { FakeOllama } from '../fakes/ollama.js';
import { cliEnv, ensureBuilt, ROOT } from '../helpers/cli.js';
import { TempRepo, tempDir } from '../helpers/git.js';

const TOKEN = 'ghs_actiontoken0000000000000000000000000';

function runAction(env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'action', 'index.js')], { env, cwd: env.GITHUB_WORKSPACE });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
  });
}

describe('GitHub Action entry point (action/index.js) with a recorded pull_request event', function () {
  this.timeout(60_000);
  let gh: FakeGitHub;
  let ollama: FakeOllama;
  let repo: TempRepo;
  let env: Record<string, string>;
  before(() => ensureBuilt());
  beforeEach(async () => {
    gh = new FakeGitHub('acme', 'widgets');
    gh.tokens.set(TOKEN, 'github-actions[bot]');
    await gh.start();
    ollama = new FakeOllama();
    await ollama.start();
    repo = new TempRepo();
    repo.write('src/app.js', 'module.exports = {};\n');
    const base = repo.commit('base');
    repo.git('checkout', '-q', '-b', 'feature/login');
    repo
      .write('src/app.js', 'const run = (s) => eval(s);\nmodule.exports = { run };\n')
      .write('src/keys.js', 'exports.key = "AKIAIOSFODNN7EXAMPLE";\n');
    const head = repo.commit('login');
    const diff = await collectDiff(repo.dir, { kind: 'range', range: `${base}..${head}` }, { contextLines: 3 });
    gh.pulls.push({
      number: 5,
      title: 'Add login endpoint',
      state: 'open',
      author: 'someone',
      head: { ref: 'feature/login', sha: head, owner: 'acme' },
      base: { ref: 'main', sha: base },
      commentable: commentableLines(diff.files),
    });
    const dir = tempDir('pullmint-action-');
    const eventPath = join(dir, 'event.json');
    writeFileSync(
      eventPath,
      readFileSync(join(ROOT, 'test', 'fixtures', 'github', 'pull_request.opened.json'), 'utf8')
        .replace('__HEAD_SHA__', head)
        .replace('__BASE_SHA__', base),
    );
    writeFileSync(join(dir, 'output'), '');
    writeFileSync(join(dir, 'summary'), '');
    env = cliEnv({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_WORKSPACE: repo.dir,
      GITHUB_REPOSITORY: 'acme/widgets',
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      'INPUT_GITHUB-TOKEN': TOKEN,
      'INPUT_OLLAMA-HOST': ollama.url,
      INPUT_PROVIDER: 'ollama',
      INPUT_GATE: 'true',
      'INPUT_UPLOAD-SARIF': 'true',
    });
  });
  afterEach(async () => {
    await gh.stop();
    await ollama.stop();
    repo.remove();
  });

  it('reviews the PR diff, posts, uploads SARIF, writes outputs and fails the job on the gate', async () => {
    const r = await runAction(env);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /::error::Pullmint gate: risk 45\/100 needs a manual review/);
    assert.deepEqual(gh.rejected, []);
    assert.equal(gh.issueComments.length, 1);
    assert.deepEqual(gh.reviewComments.map((c) => [c.path, c.line]).sort(), [
      ['src/app.js', 1],
      ['src/keys.js', 1],
    ]);
    assert.equal(gh.sarifUploads.length, 1);
    const sarif = JSON.parse(gunzipSync(Buffer.from(gh.sarifUploads[0].sarif, 'base64')).toString('utf8'));
    assert.equal(sarif.version, '2.1.0');
    assert.equal(gh.sarifUploads[0].ref, 'refs/pull/5/head');
    const outputs = readFileSync(env.GITHUB_OUTPUT, 'utf8');
    assert.match(outputs, /^risk-score=45$/m);
    assert.match(outputs, /^decision=manual-review$/m);
    assert.match(readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8'), /Pullmint: risk 45\/100/);
    assert.ok(JSON.parse(readFileSync(join(repo.dir, 'pullmint.sarif'), 'utf8')).runs[0].results.length === 2);
  });

  it('passes with gate off, and explains a non-PR event', async () => {
    const r = await runAction({ ...env, INPUT_GATE: 'false', 'INPUT_UPLOAD-SARIF': 'false' });
    assert.equal(r.code, 0, r.stdout);
    const push = await runAction({ ...env, GITHUB_EVENT_NAME: 'push' });
    assert.equal(push.code, 2);
    assert.match(push.stdout, /::error::Pullmint reviews pull requests/);
  });
});
