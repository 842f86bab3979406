import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeGitHub } from '../fakes/github.js';
import { FakeOllama } from '../fakes/ollama.js';
import { cliEnv, deadPort, ensureBuilt, runCli } from '../helpers/cli.js';
import type { TempRepo } from '../helpers/git.js';
import { featureRepo, openPullRequest } from '../helpers/pullRequest.js';

const TOKEN = 'ghp_testtokenforthefakeserver000000000000';

interface JsonFinding {
  id: string;
  file: string;
  rule: string | null;
  severity: string;
  dismissal?: { scope: string; author: string; reason: string };
}
interface JsonReport {
  riskScore: number;
  findings: JsonFinding[];
  dismissed: JsonFinding[];
}

describe('team dismissals: committed, read from the base, honoured by review and post', function () {
  this.timeout(120_000);
  let repo: TempRepo;
  let baseSha: string;
  let headSha: string;
  let env: Record<string, string>;
  before(() => ensureBuilt());
  beforeEach(async () => {
    ({ repo, baseSha, headSha } = featureRepo());
    // The model is down on purpose: rule findings are what this suite follows, and they are exact.
    env = cliEnv({ OLLAMA_HOST: `http://127.0.0.1:${await deadPort()}` });
  });
  afterEach(() => repo.remove());

  const review = async (range: string): Promise<JsonReport> => {
    const r = await runCli(['review', '--range', range, '--format', 'json'], { cwd: repo.dir, env });
    assert.ok(r.code === 0 || r.code === 3, r.stderr);
    return JSON.parse(r.stdout) as JsonReport;
  };
  const keyFinding = (rep: JsonReport): JsonFinding | undefined => rep.findings.find((f) => f.file === 'src/keys.js');

  it('a range whose head commit dismisses its own finding still reports it, plus a finding on the dismissal file', async () => {
    const before = await review(`${baseSha}..${headSha}`);
    const key = keyFinding(before);
    assert.ok(key, 'the key is found');
    const d = await runCli(['dismiss', key.id, '--team', '--reason', 'documented example key'], { cwd: repo.dir, env });
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /Dismissed [0-9a-f]{16} \(src\/keys\.js: Hard-coded secret/);
    const file = JSON.parse(readFileSync(join(repo.dir, '.pullmint/dismissed.json'), 'utf8'));
    assert.equal(file.dismissed[0].fingerprint, key.id);
    assert.equal(file.dismissed[0].author, 'Test <test@example.com>');
    repo.git('add', '.pullmint/dismissed.json');
    const sneaky = repo.commit('dismiss my own finding');

    const after = await review(`${baseSha}..${sneaky}`);
    assert.ok(keyFinding(after), 'still reported: the base had no such dismissal');
    assert.deepEqual(after.dismissed, []);
    const change = after.findings.find((f) => f.rule === 'team-dismissals-changed');
    assert.ok(change, 'the change to the dismissal file is itself a finding');
    assert.equal(change.file, '.pullmint/dismissed.json');
    const refused = await runCli(['dismiss', change.id, '--team', '--reason', 'mine'], { cwd: repo.dir, env });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /is about the review policy itself: it cannot be dismissed/);
  });

  it('a dismissal committed on the base leaves the score and is not posted; --show-dismissed says who and why', async () => {
    const key = keyFinding(await review(`${baseSha}..${headSha}`))!;
    const scoreBefore = (await review(`${baseSha}..${headSha}`)).riskScore;
    repo.git('checkout', '-q', 'main');
    assert.equal((await runCli(['dismiss', key.id, '--team', '--reason', 'documented example key'], { cwd: repo.dir, env })).code, 0);
    repo.git('add', '.pullmint/dismissed.json');
    const newBase = repo.commit('team: dismiss the example key');
    repo.git('checkout', '-q', 'feature/login');
    repo.git('rebase', '-q', 'main');
    const newHead = repo.git('rev-parse', 'HEAD').trim();

    const after = await review(`${newBase}..${newHead}`);
    assert.equal(keyFinding(after), undefined, 'dismissed by the team');
    assert.equal(after.dismissed.length, 1);
    assert.equal(after.dismissed[0].id, key.id);
    assert.deepEqual(
      { scope: after.dismissed[0].dismissal?.scope, reason: after.dismissed[0].dismissal?.reason },
      { scope: 'team', reason: 'documented example key' },
    );
    assert.ok(after.riskScore < scoreBefore, `score ${after.riskScore} < ${scoreBefore}: a dismissed finding does not count`);
    assert.equal(
      after.findings.find((f) => f.rule === 'team-dismissals-changed'),
      undefined,
      'the range does not touch the file',
    );

    const text = await runCli(['review', '--range', `${newBase}..${newHead}`], { cwd: repo.dir, env });
    assert.match(text.stdout, /1 dismissed \(--show-dismissed lists them\)/);
    const shown = await runCli(['review', '--range', `${newBase}..${newHead}`, '--show-dismissed'], { cwd: repo.dir, env });
    assert.match(shown.stdout, /dismissed by Test <test@example\.com> on \d{4}-\d{2}-\d{2} because documented example key/);

    const gh = new FakeGitHub();
    gh.tokens.set(TOKEN, 'octocat');
    await gh.start();
    const ollama = new FakeOllama();
    await ollama.start();
    try {
      await openPullRequest(gh, repo, { baseSha: newBase, headSha: newHead });
      // The rules-only reviews above are incomplete: post reviews again now that the model is up.
      const ghEnv = { ...env, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url, OLLAMA_HOST: ollama.url };
      for (let i = 0; i < 2; i++) {
        const p = await runCli(['post'], { cwd: repo.dir, env: ghEnv, timeoutMs: 60_000 });
        assert.equal(p.code, 0, p.stderr);
      }
      assert.deepEqual(gh.rejected, []);
      assert.deepEqual(gh.reviewComments.map((c) => c.path).sort(), ['src/app.js', 'src/app.js'], "the model's findings are posted, once");
      assert.ok(
        gh.reviewComments.every((c) => c.path !== 'src/keys.js'),
        'the dismissed finding is never posted',
      );
      assert.doesNotMatch(gh.issueComments[0].body, /keys\.js/);
    } finally {
      await gh.stop();
      await ollama.stop();
    }
  });

  it('dismiss for me applies to uncommitted work only; undismiss brings it back; dismissed lists both', async () => {
    repo.git('checkout', '-q', 'main');
    repo.write('src/more.js', 'exports.k = "AKIAIOSFODNN7EXAMPLF";\n');
    const wt = async (): Promise<JsonReport> => {
      const r = await runCli(['review', '--format', 'json'], { cwd: repo.dir, env });
      return JSON.parse(r.stdout) as JsonReport;
    };
    const id = (await wt()).findings.find((f) => f.file === 'src/more.js')!.id;
    assert.equal((await runCli(['dismiss', id, '--reason', 'scratch file'], { cwd: repo.dir, env })).code, 0);
    const mine = await wt();
    assert.equal(
      mine.findings.find((f) => f.id === id),
      undefined,
    );
    assert.equal(mine.dismissed[0].dismissal?.scope, 'local');
    const listed = await runCli(['dismissed', '--json'], { cwd: repo.dir, env });
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { local: { fingerprint: string }[] }).local.map((e) => e.fingerprint),
      [id],
    );
    repo.git('add', '-A');
    const c = repo.commit('more');
    assert.ok(keyOf(await review(`${baseSha}..${c}`), id), 'a review of commits ignores personal dismissals');
    assert.equal((await runCli(['undismiss', id], { cwd: repo.dir, env })).code, 0);
    assert.equal((await runCli(['undismiss', id], { cwd: repo.dir, env })).code, 2, 'nothing left to undo');
  });

  it('bad input: an unknown id, a missing reason, a malformed id and a conflicted file are refused and nothing is written', async () => {
    const unknown = await runCli(['dismiss', '0123456789abcdef', '--team', '--reason', 'x'], { cwd: repo.dir, env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no recorded review has a finding with id 0123456789abcdef\. Run `pullmint review` first/);
    const noReason = await runCli(['dismiss', '0123456789abcdef', '--team'], { cwd: repo.dir, env });
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /--reason "…" is required/);
    const malformed = await runCli(['dismiss', 'abc', '--reason', 'x'], { cwd: repo.dir, env });
    assert.match(malformed.stderr, /'abc' is not a finding id/);
    const key = keyFinding(await review(`${baseSha}..${headSha}`))!;
    repo.write('.pullmint/dismissed.json', '<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> other\n');
    const conflicted = await runCli(['dismiss', key.id, '--team', '--reason', 'x'], { cwd: repo.dir, env });
    assert.equal(conflicted.code, 2);
    assert.match(conflicted.stderr, /not valid JSON.*nothing was written/);
    assert.match(readFileSync(join(repo.dir, '.pullmint/dismissed.json'), 'utf8'), /^<<<<<<< HEAD/);
    const rev = await runCli(['review', '--format', 'json'], { cwd: repo.dir, env });
    const warnings = (JSON.parse(rev.stdout) as { warnings: string[] }).warnings;
    assert.ok(
      warnings.some((w) => /\.pullmint\/dismissed\.json is not valid JSON .*no team dismissals applied/.test(w)),
      warnings.join('\n'),
    );
  });
});

function keyOf(rep: JsonReport, id: string): JsonFinding | undefined {
  return rep.findings.find((f) => f.id === id);
}
