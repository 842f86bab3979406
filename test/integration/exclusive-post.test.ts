import assert from 'node:assert/strict';
import { MAX_SUMMARY_CHARS, summaryBody } from '../../src/core/hosts/github/post.js';
import type { Finding, ReviewResult } from '../../src/core/types.js';
import { FakeGitHub } from '../fakes/github.js';
import { FakeOllama } from '../fakes/ollama.js';
import { cliEnv, ensureBuilt, runCli } from '../helpers/cli.js';
import { TempRepo } from '../helpers/git.js';
import { featureRepo, openPullRequest } from '../helpers/pullRequest.js';

const TOKEN = 'ghp_testtokenforthefakeserver000000000000';
const CREATE_COMMENT = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
const CREATE_REVIEW = 'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews';

const fingerprints = (gh: FakeGitHub): string[] =>
  gh.reviewComments.map((c) => /<!-- pullmint:finding:([0-9a-f]+) -->/.exec(c.body)?.[1] ?? '').sort();
const writes = (gh: FakeGitHub, method: string, pattern: RegExp): number =>
  gh.requests.filter((r) => r.method === method && pattern.test(r.path)).length;

describe('GitHub posting converges: concurrent posts, lost answers, refused reviews', function () {
  this.timeout(90_000);
  let gh: FakeGitHub;
  let ollama: FakeOllama;
  let repo: TempRepo;
  let env: Record<string, string>;
  before(() => ensureBuilt());
  beforeEach(async () => {
    gh = new FakeGitHub();
    gh.tokens.set(TOKEN, 'octocat');
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

  const post = (args: string[] = []) => runCli(['post', ...args], { cwd: repo.dir, env, timeoutMs: 60_000 });

  it('two posts started together: one summary, each inline comment once', async () => {
    gh.latencyMs = 30;
    const runs = await Promise.all([post(), post()]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    assert.equal(gh.issueComments.length, 1, 'one summary');
    assert.equal(writes(gh, 'POST', /\/issues\/5\/comments$/), 1, 'the second post edited the first summary');
    assert.equal(gh.reviews.length, 1);
    assert.equal(fingerprints(gh).length, 3);
    assert.equal(new Set(fingerprints(gh)).size, 3, 'no duplicate inline comment');
    assert.deepEqual(gh.rejected, []);
  });

  it('a connection dropped after GitHub created the summary: no resend, one summary', async () => {
    gh.faults.push({ route: CREATE_COMMENT, kind: 'drop' });
    const r = await post();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(writes(gh, 'POST', /\/issues\/5\/comments$/), 1, 'the lost answer was not resent');
    assert.equal(gh.issueComments.length, 1);
    assert.equal(new Set(fingerprints(gh)).size, fingerprints(gh).length);
  });

  it('a 502 after GitHub processed the review, and a dropped summary answer: no duplicate comment', async () => {
    gh.faults.push({ route: CREATE_REVIEW, kind: '502' }, { route: CREATE_COMMENT, kind: '502' });
    const r = await post();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(gh.reviews.length, 1, 'the review was not resent');
    assert.deepEqual(fingerprints(gh).length, 3);
    assert.equal(new Set(fingerprints(gh)).size, 3);
    assert.equal(gh.issueComments.length, 1);
    assert.match(r.stdout, /3 inline comment\(s\)/);
    assert.match(gh.issueComments[0].body, /3 finding\(s\) are posted as inline comments/);
  });

  it("removes Pullmint's own duplicates, and never someone else's", async () => {
    assert.equal((await post()).code, 0);
    const [first] = gh.reviewComments;
    // What an earlier version, or a lost answer, left behind.
    gh.issueComments.push({ id: 90_001, body: '<!-- pullmint:summary -->\nstale copy', user: { login: 'octocat' } });
    gh.reviewComments.push({ ...first, id: 90_002 });
    gh.reviewComments.push({ ...first, id: 90_003, user: { login: 'hubot' } });
    gh.issueComments.push({ id: 90_004, body: '<!-- pullmint:summary --> quoted by a person', user: { login: 'hubot' } });
    gh.tokens.set('ghp_other', 'hubot');
    const again = await post();
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(gh.deleted.sort(), [90_001, 90_002]);
    assert.equal(gh.issueComments.filter((c) => c.user.login === 'octocat').length, 1);
    assert.ok(gh.issueComments.some((c) => c.id === 90_004));
    assert.ok(gh.reviewComments.some((c) => c.id === 90_003));
  });

  it('a 422 on the inline review: the summary lists the findings and claims no inline comment', async () => {
    // The PR moved on: GitHub no longer accepts comments on these lines.
    gh.pulls[0].commentable = new Map();
    const r = await post();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(gh.reviews.length, 0);
    assert.equal(gh.reviewComments.length, 0);
    const summary = gh.issueComments[0].body;
    assert.doesNotMatch(summary, /posted as inline comments/);
    assert.match(summary, /Inline comments could not be posted/);
    assert.equal((summary.match(/^- \*\*/gm) ?? []).length, 3, 'the three findings are in the summary');
    assert.match(r.stderr, /inline comments not posted/);
    assert.match(r.stdout, /0 inline comment\(s\), 3 in the summary only/);
  });
});

describe('summary size', () => {
  it('5,000 findings: the summary stays under GitHub’s limit and counts what it leaves out', () => {
    const findings: Finding[] = Array.from({ length: 5000 }, (_, i) => ({
      id: i.toString(16).padStart(8, '0'),
      file: `src/file${i}.ts`,
      line: i + 1,
      severity: i % 2 ? 'low' : 'high',
      category: 'bug',
      title: `Finding ${i}`,
      message: 'x'.repeat(500),
      source: 'model',
    })) as unknown as Finding[];
    const result = {
      executionId: 'e',
      riskScore: 100,
      decision: 'manual-review',
      findings,
      summary: 'y'.repeat(50_000),
      provider: 'ollama',
      model: 'm',
      coverage: { changedLines: 5000, reviewedLines: 5000, skippedFiles: [], unreviewed: [] },
    } as unknown as ReviewResult;
    const pr = { base: { host: 'github.com', owner: 'acme', repo: 'widgets' }, headSha: 'a'.repeat(40) } as never;
    const body = summaryBody(result, pr, findings, 0);
    assert.ok(body.length <= MAX_SUMMARY_CHARS, `${body.length} characters`);
    assert.match(body, /and 4950 more finding\(s\).*SARIF.*panel/);
    assert.match(body, /execution `e`/, 'the footer survives');
    assert.ok(!/\*\*low\*\*/.test(body.split('more finding')[0]), 'the most severe are listed first');
  });
});
