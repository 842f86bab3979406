import assert from 'node:assert/strict';
import { commentableLines } from '../../src/core/hosts/github/post.js';
import { createGitHubClient } from '../../src/core/hosts/github/client.js';
import { resolvePullRequest } from '../../src/core/hosts/github/pr.js';
import { collectDiff } from '../../src/core/git/diff.js';
import { FakeGitHub } from '../fakes/github.js';
import { FakeOllama } from '../fakes/ollama.js';
import { cliEnv, deadPort, ensureBuilt, runCli } from '../helpers/cli.js';
import { TempRepo } from '../helpers/git.js';
import { featureRepo, openPullRequest } from '../helpers/pullRequest.js';

const TOKEN = 'ghp_testtokenforthefakeserver000000000000';

describe('GitHub: PR resolution on real repositories', () => {
  let gh: FakeGitHub;
  beforeEach(async () => {
    gh = new FakeGitHub();
    gh.tokens.set(TOKEN, 'octocat');
    await gh.start();
  });
  afterEach(() => gh.stop());

  it('uses the GitHub Pull Requests extension branch key first, then --pr, then the API (forks included)', async () => {
    const { repo, baseSha, headSha } = featureRepo();
    const client = await createGitHubClient({ token: TOKEN, baseUrl: gh.url });
    assert.equal(await resolvePullRequest(repo.dir, { client }), null, 'no PR yet');
    gh.pulls.push({
      number: 7,
      title: 'Login',
      state: 'closed',
      author: 'octocat',
      head: { ref: 'feature/login', sha: headSha, owner: 'acme' },
      base: { ref: 'main', sha: baseSha },
      commentable: new Map(),
    });
    gh.pulls.push({
      number: 9,
      title: 'Login again',
      state: 'open',
      author: 'octocat',
      head: { ref: 'feature/login', sha: headSha, owner: 'acme' },
      base: { ref: 'main', sha: baseSha },
      commentable: new Map(),
    });
    assert.deepEqual(
      await resolvePullRequest(repo.dir, { client }),
      { base: { host: 'github.com', owner: 'acme', repo: 'widgets' }, number: 9, source: 'api' },
      'open PRs preferred',
    );
    assert.equal((await resolvePullRequest(repo.dir, { client, number: 7 }))?.number, 7);
    repo.git('config', 'branch.feature/login.github-pr-owner-number', 'acme#widgets#42');
    assert.deepEqual(await resolvePullRequest(repo.dir, { client }), {
      base: { host: 'github.com', owner: 'acme', repo: 'widgets' },
      number: 42,
      source: 'branch-config',
    });
    repo.remove();
  });

  it('finds a PR from a fork: the branch tracks the fork remote, the PR lives upstream', async () => {
    const { repo, baseSha, headSha } = featureRepo();
    repo.git('remote', 'rename', 'origin', 'upstream');
    repo.git('remote', 'add', 'origin', 'git@github.com:forker/widgets.git');
    repo.git('config', 'branch.feature/login.remote', 'origin');
    repo.git('config', 'branch.feature/login.merge', 'refs/heads/feature/login');
    gh.pulls.push({
      number: 12,
      title: 'From a fork',
      state: 'open',
      author: 'forker',
      head: { ref: 'feature/login', sha: headSha, owner: 'forker' },
      base: { ref: 'main', sha: baseSha },
      commentable: new Map(),
    });
    const client = await createGitHubClient({ token: TOKEN, baseUrl: gh.url });
    const ref = await resolvePullRequest(repo.dir, { client });
    assert.equal(ref?.number, 12);
    assert.equal(ref?.base.owner, 'acme');
    repo.remove();
  });
});

describe('GitHub: pullmint post (real Octokit against a loopback GitHub validated by the OpenAPI description)', function () {
  this.timeout(60_000);
  let gh: FakeGitHub;
  let ollama: FakeOllama;
  let repo: TempRepo;
  let env: Record<string, string>;
  before(() => ensureBuilt());
  beforeEach(async () => {
    gh = new FakeGitHub();
    gh.tokens.set(TOKEN, 'octocat');
    gh.tokens.set('ghp_other', 'hubot');
    await gh.start();
    ollama = new FakeOllama();
    await ollama.start();
    const r = featureRepo();
    repo = r.repo;
    await openPullRequest(gh, repo, r);
    env = cliEnv({ OLLAMA_HOST: ollama.url, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url });
  });
  afterEach(async () => {
    await gh.stop();
    await ollama.stop();
    repo.remove();
  });

  it('a review the model could not do is posted amber, never approved: the summary says so and the status is pending', async () => {
    // Without the key the rules find nothing critical: the low score alone would read as a pass.
    repo.git('rm', '-q', 'src/keys.js');
    const head = repo.commit('no key');
    const pr = gh.pulls[0];
    pr.head.sha = head;
    pr.commentable = commentableLines(
      (await collectDiff(repo.dir, { kind: 'range', range: `${pr.base.sha}..${head}` }, { contextLines: 3 })).files,
    );
    const down = { ...env, OLLAMA_HOST: `http://127.0.0.1:${await deadPort()}` };
    const r = await runCli(['post', '--status'], { cwd: repo.dir, env: down, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const summary = gh.issueComments[0].body;
    assert.match(summary, /^## 🟠 Pullmint: risk \d+\/100 → `incomplete` \(rules only\)/m);
    assert.match(summary, /Not reviewed by the model: rules only \(0 of \d+ lines\)\.\*\* This is not an approval/);
    assert.deepEqual(
      gh.statuses.map((s) => [s.context, s.state, s.description]),
      [['pullmint/risk', 'pending', summary.match(/Not reviewed by the model: rules only \(0 of \d+ lines\)/)![0]]],
    );
  });

  it('posts a finding on a removed line on the LEFT side, at its old line', async () => {
    const base = new TempRepo();
    const lines = Array.from({ length: 12 }, (_, i) => (i === 5 ? '  requireAdmin(user);' : `exports.v${i} = ${i};`));
    base.write('src/admin.js', lines.join('\n') + '\n');
    const baseSha = base.commit('base');
    base.git('remote', 'add', 'origin', 'https://github.com/acme/widgets.git');
    base.git('checkout', '-q', '-b', 'feature/login');
    base.write('src/admin.js', lines.filter((_, i) => i !== 5).join('\n') + '\n');
    const headSha = base.commit('drop the check');
    gh.pulls.length = 0;
    await openPullRequest(gh, base, { baseSha, headSha });
    try {
      const r = await runCli(['post'], { cwd: base.dir, env, timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(gh.rejected, [], 'GitHub accepted every request');
      assert.deepEqual(
        gh.reviewComments.map((c) => [c.path, c.line, c.side]),
        [['src/admin.js', 6, 'LEFT']],
      );
      assert.match(gh.reviewComments[0].body, /Authorization check removed/);
    } finally {
      base.remove();
    }
  });

  it('posts one summary and valid inline comments; posting again edits the summary and adds nothing', async () => {
    const first = await runCli(['post', '--status'], { cwd: repo.dir, env, timeoutMs: 60_000 });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /summary comment created; 3 inline comment\(s\)/);
    assert.deepEqual(gh.rejected, [], 'GitHub accepted every request');
    assert.equal(gh.issueComments.length, 1);
    const summary = gh.issueComments[0].body;
    assert.match(summary, /<!-- pullmint:summary -->/);
    assert.match(summary, /risk 48\/100 → `manual-review`/);
    assert.match(summary, /\| 1 \| 1 \| 0 \| 1 \| 0 \|/);
    assert.match(summary, /execution `[0-9a-f-]{36}`/);
    assert.equal(gh.reviews.length, 1);
    assert.equal(gh.reviews[0].event, 'COMMENT');
    assert.deepEqual(gh.reviewComments.map((c) => [c.path, c.line]).sort(), [
      ['src/app.js', 11],
      ['src/app.js', 31],
      ['src/keys.js', 1],
    ]);
    assert.ok(gh.reviewComments.every((c) => /<!-- pullmint:finding:[0-9a-f]+ -->/.test(c.body)));
    assert.deepEqual(
      gh.statuses.map((s) => [s.context, s.state]),
      [['pullmint/risk', 'failure']],
    );

    const again = await runCli(['post'], { cwd: repo.dir, env, timeoutMs: 60_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /summary comment updated; 0 inline comment\(s\), 3 already on the PR/);
    assert.equal(gh.issueComments.length, 1, 'still one summary comment');
    assert.equal(gh.reviewComments.length, 3, 'no duplicate inline comments');
    assert.equal(gh.reviews.length, 1);
    assert.equal(ollama.chatRequests.length, 1, 'the second post reused the review from history');
    assert.deepEqual(gh.rejected, []);
  });

  it("caps inline comments and lists the rest in the summary; REQUEST_CHANGES falls back to COMMENT on one's own PR", async () => {
    gh.pulls[0].author = 'octocat';
    const r = await runCli(['post', '--max-inline', '1', '--request-changes'], { cwd: repo.dir, env, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(gh.reviewComments.length, 1);
    assert.equal(gh.reviews[0].event, 'COMMENT');
    assert.match(gh.issueComments[0].body, /### Findings/);
    assert.equal((gh.issueComments[0].body.match(/^- \*\*/gm) ?? []).length, 2);
    assert.match(gh.issueComments[0].body, /blob\/[0-9a-f]{40}\/src\/app\.js#L\d+/);
    gh.pulls[0].author = 'someone';
  });

  it("requests changes on someone else's PR when asked", async () => {
    const r = await runCli(['post', '--request-changes'], { cwd: repo.dir, env, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(gh.reviews[0].event, 'REQUEST_CHANGES');
  });

  it('never edits a summary comment written by someone else', async () => {
    gh.issueComments.push({ id: 1, body: '<!-- pullmint:summary --> posted by a bot', user: { login: 'hubot' } });
    const r = await runCli(['post'], { cwd: repo.dir, env, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(gh.issueComments.length, 2);
    assert.equal(gh.issueComments[0].body, '<!-- pullmint:summary --> posted by a bot');
  });

  it('honours a secondary rate limit (retry-after) and still posts once', async () => {
    gh.secondaryLimitWrites = 1;
    const r = await runCli(['post'], { cwd: repo.dir, env, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(gh.issueComments.length, 1);
    assert.equal(gh.rejected.filter((x) => x.status === 403).length, 1);
  });

  it('explains a bad token, a missing PR and a missing token', async () => {
    const bad = await runCli(['post'], { cwd: repo.dir, env: { ...env, GITHUB_TOKEN: 'ghp_wrong' }, timeoutMs: 60_000 });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /rejected the credentials.*\(401\)/);
    const none = await runCli(['post', '--pr', '99'], { cwd: repo.dir, env, timeoutMs: 60_000 });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /404/);
    const { GITHUB_TOKEN: _t, ...noToken } = env;
    const missing = await runCli(['post'], { cwd: repo.dir, env: noToken, timeoutMs: 60_000 });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Set GITHUB_TOKEN/);
  });
});
