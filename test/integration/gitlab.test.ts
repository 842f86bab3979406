import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { collectDiff } from '../../src/core/git/diff.js';
import { GitLabHost } from '../../src/core/hosts/gitlab/host.js';
import { positionOf } from '../../src/core/hosts/gitlab/post.js';
import { FakeGitLab } from '../fakes/gitlab.js';
import { FakeOllama } from '../fakes/ollama.js';
import { reviewPrompt } from '../fakes/reviewer.js';
import { CLI, cliEnv, ensureBuilt, ROOT, runCli } from '../helpers/cli.js';
import { tempDir, TempRepo } from '../helpers/git.js';
import { GITLAB_URL, gitlabRepo, openMergeRequest } from '../helpers/mergeRequest.js';

const TOKEN = 'glpat-testtokenforthefakeserver0';
const CREATE_NOTE = 'POST /projects/:id/merge_requests/:merge_request_iid/notes';
const CREATE_DISCUSSION = 'POST /projects/:id/merge_requests/:merge_request_iid/discussions';

const fingerprints = (gl: FakeGitLab): string[] =>
  gl.discussions.map((d) => /<!-- pullmint:finding:([0-9a-f]+) -->/.exec(d.notes[0].body)?.[1] ?? '').sort();
const positions = (gl: FakeGitLab): Record<string, unknown>[] =>
  gl.discussions
    .map((d) => d.notes[0].position!)
    .sort((a, b) => `${a.new_path}:${a.new_line}`.localeCompare(`${b.new_path}:${b.new_line}`));
const summaries = (gl: FakeGitLab) => gl.notes.filter((n) => n.body.includes('<!-- pullmint:summary -->'));
const writes = (gl: FakeGitLab, method: string, pattern: RegExp): number =>
  gl.requests.filter((r) => r.method === method && pattern.test(r.path)).length;

describe('GitLab: pullmint post against a loopback GitLab that checks the documented request shapes', function () {
  this.timeout(90_000);
  let gl: FakeGitLab;
  let ollama: FakeOllama;
  let repo: TempRepo;
  let shas: { baseSha: string; headSha: string };
  let env: Record<string, string>;
  before(() => ensureBuilt());
  beforeEach(async () => {
    gl = new FakeGitLab();
    gl.tokens.set(TOKEN, 'pullmint-bot');
    gl.tokens.set('glpat-other', 'someone');
    await gl.start();
    ollama = new FakeOllama();
    await ollama.start();
    const r = gitlabRepo();
    repo = r.repo;
    shas = r;
    await openMergeRequest(gl, repo, r);
    env = cliEnv({ OLLAMA_HOST: ollama.url, GITLAB_TOKEN: TOKEN, GITLAB_URL, CI_API_V4_URL: gl.apiUrl });
  });
  afterEach(async () => {
    await gl.stop();
    await ollama.stop();
    repo.remove();
  });

  const post = (args: string[] = [], extra: Record<string, string> = {}) =>
    runCli(['post', ...args], { cwd: repo.dir, env: { ...env, ...extra }, timeoutMs: 60_000 });

  it('posting twice: one summary note, one discussion per finding on its diff line, the status once', async () => {
    const first = await post(['--status']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /summary note created; 3 inline discussion\(s\); status pullmint\/risk failed/);
    assert.deepEqual(gl.rejected, [], 'GitLab accepted every request');
    assert.equal(summaries(gl).length, 1);
    const summary = summaries(gl)[0].body;
    assert.match(summary, /risk 48\/100 → `manual-review`/);
    assert.match(summary, /3 finding\(s\) are posted as inline comments/);
    assert.equal(gl.discussions.length, 3);
    // Added lines: new_line only, both paths, the MR's diff_refs.
    assert.deepEqual(
      positions(gl).map((p) => [p.position_type, p.old_path, p.new_path, p.old_line, p.new_line, p.base_sha, p.head_sha]),
      [
        ['text', 'src/app.js', 'src/app.js', undefined, 11, shas.baseSha, shas.headSha],
        ['text', 'src/app.js', 'src/app.js', undefined, 31, shas.baseSha, shas.headSha],
        ['text', 'src/keys.js', 'src/keys.js', undefined, 1, shas.baseSha, shas.headSha],
      ],
    );
    assert.deepEqual(
      gl.statuses.map((s) => [s.sha, s.name, s.state]),
      [[shas.headSha, 'pullmint/risk', 'failed']],
    );

    const again = await post(['--status']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /summary note updated; 0 inline discussion\(s\), 3 already on the MR/);
    assert.equal(summaries(gl).length, 1, 'still one summary note');
    assert.equal(gl.discussions.length, 3, 'no duplicate discussion');
    assert.equal(writes(gl, 'POST', /\/notes$/), 1, 'the summary was edited, not posted again');
    assert.equal(ollama.chatRequests.length, 1, 'the second post reused the review from history');
    // GitLab refuses a status transition to the state it has; that is taken as set.
    assert.deepEqual(
      (gl.rejected as FakeGitLab['rejected']).map((x) => [x.status, x.reason]),
      [[400, 'Cannot transition status via :failed from :failed']],
    );
    assert.equal(gl.statuses.length, 1);
  });

  it('a finding on an unchanged context line is positioned with both old_line and new_line', async () => {
    // The model flags line 9 of the new file: a context line three above the changed line 11.
    ollama.opts.answer = (seen) => {
      const base = reviewPrompt(seen);
      if (/### "src\/app\.js"/.test(seen))
        base.findings.push({
          file: 'src/app.js',
          line: 9,
          severity: 'medium',
          category: 'correctness',
          title: 'Shadowed export',
          message: 'v8 is overwritten below.',
        });
      return JSON.stringify(base);
    };
    const r = await post();
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(gl.rejected, []);
    const ctx = positions(gl).find((p) => p.new_line === 9);
    assert.ok(ctx, 'the context-line finding went inline');
    assert.equal(ctx.old_line, 9, 'context lines carry their old number too');
    assert.ok(
      positions(gl)
        .filter((p) => p !== ctx)
        .every((p) => p.old_line === undefined),
      'added lines carry new_line only',
    );
  });

  it('every line of the MR diff maps to a position GitLab takes: new_line for added, old_line for removed, both for context', async () => {
    const diff = await collectDiff(repo.dir, { kind: 'range', range: `${shas.baseSha}..${shas.headSha}` }, { contextLines: 3 });
    const mr = gl.mergeRequests[0];
    const refs = mr.diffRefs!;
    const kinds = new Set<string>();
    for (const f of diff.files)
      for (const h of f.hunks)
        for (const l of h.lines) {
          const p = positionOf(f, l);
          kinds.add(l.kind);
          assert.equal(gl.positionProblem(mr, { ...refs, ...p }), null, `${f.path} ${l.kind} ${l.oldLine}/${l.newLine}`);
          assert.equal('new_line' in p, l.kind !== 'del');
          assert.equal('old_line' in p, l.kind !== 'add');
        }
    assert.deepEqual([...kinds].sort(), ['add', 'ctx', 'del'], 'the diff has all three kinds of line');
    // And the fake refuses what GitLab refuses: a context line without its old number.
    assert.notEqual(gl.positionProblem(mr, { ...refs, old_path: 'src/app.js', new_path: 'src/app.js', new_line: 9 }), null);
  });

  it('the target branch moved on: positions carry start_sha (its tip) and base_sha (the merge base)', async () => {
    repo.git('checkout', '-q', 'main');
    repo.write('README.md', 'later on main\n');
    const startSha = repo.commit('main moves');
    repo.git('checkout', '-q', 'feature/login');
    gl.mergeRequests.length = 0;
    await openMergeRequest(gl, repo, { ...shas, startSha });
    const r = await post();
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(gl.rejected, []);
    assert.ok(positions(gl).every((p) => p.start_sha === startSha && p.base_sha === shas.baseSha));
    assert.ok(!gl.discussions.some((d) => d.notes[0].body.includes('README')), 'the review covers the MR only');
  });

  it('a connection dropped after GitLab created the summary note: no resend, one note', async () => {
    gl.faults.push({ route: CREATE_NOTE, kind: 'drop' });
    const r = await post();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(writes(gl, 'POST', /\/merge_requests\/7\/notes$/), 1, 'the lost answer was not resent');
    assert.equal(summaries(gl).length, 1);
    assert.equal(gl.discussions.length, 3);
  });

  it('a dropped answer and a 502 after discussions were created: each finding once', async () => {
    gl.faults.push({ route: CREATE_DISCUSSION, kind: 'drop' }, { route: CREATE_DISCUSSION, kind: '502' });
    const r = await post();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(writes(gl, 'POST', /\/discussions$/), 3, 'no discussion was sent twice');
    assert.equal(new Set(fingerprints(gl)).size, 3);
    assert.equal(fingerprints(gl).length, 3);
    assert.match(r.stdout, /3 inline discussion\(s\)/);
  });

  it('two posts started together: one summary, each discussion once', async () => {
    gl.latencyMs = 30;
    const runs = await Promise.all([post(), post()]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    assert.equal(summaries(gl).length, 1);
    assert.equal(fingerprints(gl).length, 3);
    assert.equal(new Set(fingerprints(gl)).size, 3);
    assert.deepEqual(gl.rejected, []);
  });

  it("removes Pullmint's own duplicates, and never someone else's", async () => {
    assert.equal((await post()).code, 0);
    const [first] = gl.discussions;
    const copy = (id: number, username: string) => ({ ...first.notes[0], id, author: { username } });
    gl.discussions.push({ id: 'd'.repeat(40), mr: 7, individual_note: false, notes: [copy(90_002, 'pullmint-bot')] });
    gl.discussions.push({ id: 'e'.repeat(40), mr: 7, individual_note: false, notes: [copy(90_003, 'someone')] });
    gl.notes.push({
      id: 90_001,
      body: '<!-- pullmint:summary -->\nstale copy',
      author: { username: 'pullmint-bot' },
      system: false,
      type: null,
      noteable_iid: 7,
    });
    gl.notes.push({
      id: 90_004,
      body: '<!-- pullmint:summary --> quoted',
      author: { username: 'someone' },
      system: false,
      type: null,
      noteable_iid: 7,
    });
    const again = await post();
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(gl.deleted.sort(), [90_001, 90_002]);
    assert.ok(gl.notes.some((n) => n.id === 90_004));
    assert.ok(gl.discussions.some((d) => d.notes[0].id === 90_003));
  });

  it('positions GitLab no longer takes (the MR moved on): the summary lists the findings and claims no discussion', async () => {
    gl.mergeRequests[0].diff = new Map();
    const r = await post();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(gl.discussions.length, 0);
    const summary = summaries(gl)[0].body;
    assert.match(summary, /Inline comments could not be posted/);
    assert.doesNotMatch(summary, /posted as inline comments/);
    assert.equal((summary.match(/^- \*\*/gm) ?? []).length, 3);
    assert.match(summary, /\(https:\/\/gitlab\.example\.com\/acme\/platform\/widgets\/-\/blob\/[0-9a-f]{40}\/src\/app\.js#L\d+\)/);
    assert.match(r.stderr, /inline comments not posted/);
  });

  it("a rate-limited read (429) is retried after GitLab's Retry-After, and the post completes once", async () => {
    gl.busyReads = 2;
    const r = await post();
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      gl.rejected.map((x) => x.status),
      [429, 429],
    );
    assert.match(r.stderr, /429: Retry later; retrying in 1s/);
    assert.equal(summaries(gl).length, 1);
    assert.equal(gl.discussions.length, 3);
  });

  it('explains a bad token (401), a missing merge request (404) and a missing token', async () => {
    const bad = await post([], { GITLAB_TOKEN: 'glpat-wrong' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /GitLab rejected the token .*\(401: 401 Unauthorized\).*api scope.*GITLAB_TOKEN/);
    const none = await post(['--mr', '99']);
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /read merge request !99 of acme\/platform\/widgets \(404: 404 Not found\)\. Either the merge request does not exist, or the token cannot see the project/,
    );
    const { GITLAB_TOKEN: _t, ...noToken } = env;
    const missing = await runCli(['post'], { cwd: repo.dir, env: noToken, timeoutMs: 60_000 });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /No GitLab token\. Set GITLAB_TOKEN/);
    assert.equal(gl.notes.length + gl.discussions.length, 0);
  });

  it('--mr and --pr name the merge request; two different numbers are refused', async () => {
    assert.equal((await post(['--pr', '7'])).code, 0);
    assert.equal((await post(['--mr', '7'])).code, 0);
    assert.equal(summaries(gl).length, 1);
    const both = await post(['--pr', '7', '--mr', '8']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /name different change requests/);
  });

  it("in a merge-request pipeline (detached HEAD) the MR comes from CI_MERGE_REQUEST_IID; history calls it 'MR !7'", async () => {
    repo.git('checkout', '-q', '--detach');
    const ci = { CI_MERGE_REQUEST_IID: '7', CI_MERGE_REQUEST_PROJECT_PATH: 'acme/platform/widgets', CI_SERVER_URL: GITLAB_URL };
    const r = await post(['--status'], ci);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /reviewing MR !7/);
    assert.equal(summaries(gl).length, 1);
    const history = await runCli(['history', '--json'], { cwd: repo.dir, env, timeoutMs: 30_000 });
    const records = JSON.parse(history.stdout) as { target: { label: string } }[];
    assert.equal(records[0].target.label, 'MR !7');
  });
});

describe('pullmint review --format codequality (the built CLI)', function () {
  this.timeout(60_000);
  before(() => ensureBuilt());

  it("writes a report GitLab's Code Quality schema accepts, with the findings of the diff", async () => {
    const ollama = new FakeOllama();
    await ollama.start();
    const { repo, baseSha, headSha } = gitlabRepo();
    try {
      const env = cliEnv({ OLLAMA_HOST: ollama.url });
      const r = await runCli(
        ['review', '--range', `${baseSha}..${headSha}`, '--format', 'codequality', '-o', 'gl-code-quality-report.json'],
        {
          cwd: repo.dir,
          env,
        },
      );
      assert.equal(r.code, 0, r.stderr);
      const text = readFileSync(join(repo.dir, 'gl-code-quality-report.json'), 'utf8');
      assert.notEqual(text.charCodeAt(0), 0xfeff, 'no byte order mark');
      const report = JSON.parse(text) as any[];
      const schema = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'gitlab', 'codequality.schema.json'), 'utf8'));
      const ajv = new Ajv({ strict: false, allErrors: true });
      const validate = ajv.compile(schema);
      assert.ok(validate(report), ajv.errorsText(validate.errors));
      assert.deepEqual(report.map((i: any) => `${i.location.path}:${i.location.lines.begin} ${i.severity}`).sort(), [
        'src/app.js:11 critical',
        'src/app.js:31 minor',
        'src/keys.js:1 blocker',
      ]);
    } finally {
      await ollama.stop();
      repo.remove();
    }
  });
});

describe('the GitLab CI template (ci/gitlab/pullmint.gitlab-ci.yml), its script run as a merge-request pipeline would', function () {
  this.timeout(90_000);
  before(() => ensureBuilt());

  /** The job's `script` block, as GitLab runs it: one shell script. */
  const templateScript = (): string => {
    const yml = readFileSync(join(ROOT, 'ci', 'gitlab', 'pullmint.gitlab-ci.yml'), 'utf8').split('\n');
    const start = yml.findIndex((l) => /^ {2}script:$/.test(l));
    assert.ok(start > 0 && /^ {4}- \|$/.test(yml[start + 1]), 'script is one block');
    const body: string[] = [];
    for (const l of yml.slice(start + 2)) {
      if (l.trim() && !l.startsWith('      ')) break;
      body.push(l.slice(6));
    }
    return body.join('\n');
  };

  async function pipeline(gate: string): Promise<{ code: number; stderr: string; gl: FakeGitLab; dir: string; chats: number }> {
    const gl = new FakeGitLab();
    gl.tokens.set(TOKEN, 'pullmint-bot');
    await gl.start();
    const ollama = new FakeOllama();
    await ollama.start();
    const { repo, baseSha, headSha } = gitlabRepo();
    await openMergeRequest(gl, repo, { baseSha, headSha });
    repo.git('checkout', '-q', '--detach');
    // `pullmint` on PATH, as `npm install --global` leaves it.
    const bin = tempDir('pullmint-bin-');
    writeFileSync(join(bin, 'pullmint'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
    const env = cliEnv({
      OLLAMA_HOST: ollama.url,
      GITLAB_TOKEN: TOKEN,
      CI_SERVER_URL: GITLAB_URL,
      CI_API_V4_URL: gl.apiUrl,
      CI_PIPELINE_SOURCE: 'merge_request_event',
      CI_MERGE_REQUEST_IID: '7',
      CI_MERGE_REQUEST_PROJECT_PATH: 'acme/platform/widgets',
      CI_MERGE_REQUEST_DIFF_BASE_SHA: baseSha,
      CI_COMMIT_SHA: headSha,
      PULLMINT_GATE: gate,
      PULLMINT_POST: 'true',
      PULLMINT_MAX_CALLS: '40',
    });
    env.PATH = `${bin}:${env.PATH}`;
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = spawn('bash', ['-e', '-c', templateScript()], { cwd: repo.dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (c) => resolve({ code: c ?? -1, stderr: err }));
    });
    const chats = ollama.chatRequests.length;
    await ollama.stop();
    cleanups.push(async () => {
      await gl.stop();
      repo.remove();
    });
    return { code, stderr, gl, dir: repo.dir, chats };
  }
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('posts to the MR, sets the status, writes the Code Quality report and fails the job on manual-review', async () => {
    const run = await pipeline('true');
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(run.gl.rejected, []);
    assert.equal(summaries(run.gl).length, 1);
    assert.equal(run.gl.discussions.length, 3);
    assert.deepEqual(
      run.gl.statuses.map((s) => [s.name, s.state]),
      [['pullmint/risk', 'failed']],
    );
    const report = JSON.parse(readFileSync(join(run.dir, 'gl-code-quality-report.json'), 'utf8')) as unknown[];
    assert.equal(report.length, 3);
    assert.equal(run.chats, 1, 'the post reused the review from history');
  });

  it('PULLMINT_GATE=false reports without failing the job', async () => {
    const run = await pipeline('false');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(summaries(run.gl).length, 1);
  });
});

describe('GitLab deployments through the code-host interface', () => {
  it("records a deployment as running, then its outcome, in the Deployments API's documented shape", async () => {
    const gl = new FakeGitLab();
    gl.tokens.set(TOKEN, 'pullmint-bot');
    await gl.start();
    try {
      const host = new GitLabHost({
        repo: { host: 'gitlab.example.com', owner: 'acme/platform', repo: 'widgets' },
        token: TOKEN,
        location: { url: GITLAB_URL, ciApiUrl: gl.apiUrl },
      });
      assert.equal(host.deployments.repository, 'acme/platform/widgets');
      const sha = 'a'.repeat(40);
      const id = await host.deployments.create({ ref: sha, environment: 'production', description: 'd', payload: {} });
      assert.ok(id);
      await host.deployments.status(id, 'in_progress');
      assert.deepEqual(gl.deployments, [{ id, environment: 'production', sha, status: 'running' }]);
      await host.deployments.status(id, 'failure');
      assert.equal(gl.deployments[0].status, 'failed');
      assert.deepEqual(gl.rejected, []);
    } finally {
      await gl.stop();
    }
  });
});
