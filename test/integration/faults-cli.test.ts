import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dubiousOwnership } from '../../src/core/git/run.js';
import { ANSWER_LIMITS } from '../../src/core/output/contract.js';
import { parseModelOutput } from '../../src/core/output/parse.js';
import { errorBodyText } from '../../src/core/providers/ollama.js';
import { ollamaHostFlag, UsageError } from '../../src/cli/args.js';
import { CLI, cliEnv, ensureBuilt, runCli, type CliRun } from '../helpers/cli.js';
import { GIT_ENV, TempRepo, tempDir } from '../helpers/git.js';

function repoWithTwoCommits(): TempRepo {
  const repo = new TempRepo();
  repo.write('a.js', 'exports.a = 1;\n').commit('one');
  repo.write('a.js', 'exports.a = 2;\n').commit('two');
  return repo;
}

function usage(r: CliRun, message: RegExp): void {
  assert.equal(r.code, 2, `exit 2, got ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /unexpected error|\n +at /, 'a message, not a stack trace');
}

describe('CLI hygiene: arguments, pipes and unusual repositories (built dist/cli.js, real git)', () => {
  let repo: TempRepo;
  let env: Record<string, string>;
  before(() => ensureBuilt());
  beforeEach(() => {
    repo = repoWithTwoCommits();
    env = cliEnv();
  });
  afterEach(() => repo.remove());

  it('a revision that reads as an option is refused before git runs: no file is written', async () => {
    const target = join(tempDir(), 'written-by-git');
    const r = await runCli(['review', '--rules-only', '--range', `HEAD~1..--output=${target}`], { cwd: repo.dir, env });
    usage(r, /'--output=.*written-by-git' is not a revision/);
    assert.equal(existsSync(target), false, 'git diff never saw --output');
    const three = await runCli(['review', '--rules-only', `--range=--output=${target}...HEAD`], { cwd: repo.dir, env });
    usage(three, /is not a revision/);
    const base = await runCli(['review', '--rules-only', `--base=--output=${target}`], { cwd: repo.dir, env });
    usage(base, /is not a revision/);
    assert.equal(existsSync(target), false);
    // The same range with real ends still works.
    assert.equal((await runCli(['review', '--rules-only', '--range', 'HEAD~1..HEAD'], { cwd: repo.dir, env })).code, 0);
  });

  it('a reader that closes the pipe early (history | head -1) is no crash: exit 0, nothing on stderr', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await runCli(['review', '--rules-only'], { cwd: repo.dir, env })).code, 0);
    for (const args of [['history'], ['history', '--json']]) {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { cwd: repo.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
        // Closed before the CLI writes anything: every write it makes meets EPIPE.
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '');
    }
    const piped = execFileSync('bash', ['-c', `"${process.execPath}" "${CLI}" history | head -1; echo "exit \${PIPESTATUS[0]}" >&2`], {
      cwd: repo.dir,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.equal(piped.trim().split('\n').length, 1);
  });

  it('a shallow clone says so and how to fetch the rest, instead of "share no history" or "unknown revision"', async () => {
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('b.js', 'exports.b = 1;\n').commit('feature');
    repo.git('checkout', '-q', 'main');
    repo.write('a.js', 'exports.a = 3;\n').commit('main moves on');
    const clone = tempDir('pullmint-shallow-');
    execFileSync('git', ['clone', '-q', '--depth', '1', '--no-single-branch', `file://${repo.dir}`, clone], {
      env: GIT_ENV,
      stdio: 'ignore',
    });
    try {
      execFileSync('git', ['checkout', '-q', 'feature'], { cwd: clone, env: GIT_ENV, stdio: 'ignore' });
      const base = await runCli(['review', '--rules-only', '--base', 'origin/main'], { cwd: clone, env });
      usage(base, /'origin\/main' and HEAD: this clone is shallow/);
      assert.match(base.stderr, /git fetch --unshallow/);
      assert.doesNotMatch(base.stderr, /share no history/);
      const range = await runCli(['review', '--rules-only', '--range', 'HEAD~1..HEAD'], { cwd: clone, env });
      usage(range, /unknown revision 'HEAD~1': this clone is shallow/);
      assert.match(range.stderr, /git fetch --unshallow/);
      // Two full SHAs, as CI passes them: the one the clone lacks is named, with the same advice.
      const parent = repo.git('rev-parse', 'feature~1').trim();
      const tip = repo.git('rev-parse', 'feature').trim();
      const shas = await runCli(['review', '--rules-only', '--range', `${parent}..${tip}`], { cwd: clone, env });
      usage(shas, new RegExp(`unknown revision '${parent}': this clone is shallow`));
      assert.match(shas.stderr, /git fetch --unshallow/);
      assert.doesNotMatch(shas.stderr, /bad object/);
      // A full clone with unrelated history still gets its own message.
      const orphan = await runCli(['review', '--rules-only', '--range', 'origin/main...HEAD'], { cwd: clone, env });
      usage(orphan, /this clone is shallow/);
    } finally {
      execFileSync('rm', ['-rf', clone]);
    }
  });

  it('a bare repository is named as such for review, history and hook install', async () => {
    const bare = tempDir('pullmint-bare-');
    execFileSync('git', ['init', '-q', '--bare', bare], { env: GIT_ENV });
    try {
      for (const args of [['review', '--rules-only'], ['history'], ['hook', 'install']]) {
        const r = await runCli(args, { cwd: bare, env });
        usage(r, /is a bare repository: it has no working tree to review/);
        assert.match(r.stderr, /git clone /);
      }
      assert.deepEqual(
        readdirSync(join(bare, 'hooks')).filter((f) => f === 'pre-push'),
        [],
      );
    } finally {
      execFileSync('rm', ['-rf', bare]);
    }
  });

  it('a repository owned by another user gets git\'s safe.directory advice, not "not inside a git repository"', async function () {
    const systemSafe = (() => {
      try {
        return execFileSync('git', ['config', '--system', '--get-all', 'safe.directory'], { encoding: 'utf8' });
      } catch {
        return '';
      }
    })();
    // Only root can give a folder away; a system-wide safe.directory=* turns the check off.
    if (process.getuid?.() !== 0 || /^\*$/m.test(systemSafe)) {
      assert.ok(dubiousOwnership(DUBIOUS_STDERR), 'covered by the mapping test below');
      return;
    }
    const [first, second] = repo.git('rev-parse', 'HEAD~1', 'HEAD').trim().split('\n');
    execFileSync('chown', ['-R', '65534:65534', repo.dir]);
    chownSync(repo.dir, 65534, 65534);
    const ranges = [
      ['review', '--rules-only', '--range', 'HEAD~1..HEAD'],
      ['review', '--rules-only', '--range', `${first}..${second}`],
    ];
    for (const args of [['review', '--rules-only'], ['history'], ...ranges]) {
      const r = await runCli(args, { cwd: repo.dir, env });
      usage(r, /git refuses to work in .*: the repository is owned by another user \(dubious ownership\)/);
      assert.match(r.stderr, new RegExp(`git config --global --add safe\\.directory ${repo.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.doesNotMatch(r.stderr, /not inside a git repository/);
    }
  });

  it('two full SHAs with --repo naming a missing folder or a file: "not inside a git repository", never defaults', async () => {
    const [first, second] = repo.git('rev-parse', 'HEAD~1', 'HEAD').trim().split('\n');
    // Settings a review of these commits must not lose: nothing is ever approved.
    repo.git('checkout', '-q', first);
    repo.write('.pullmint.json', '{"risk": {"approveThreshold": 0, "deployThreshold": 0}}\n');
    const base = repo.commit('strict settings');
    repo.write('a.js', 'exports.a = 3;\n');
    const head = repo.commit('change');
    const strict = await runCli(['review', '--rules-only', '--gate', '--range', `${base}..${head}`], { cwd: repo.dir, env });
    assert.equal(strict.code, 1, `the base's settings hold: ${strict.stdout}`);
    for (const where of [join(repo.dir, 'no-such-folder'), join(repo.dir, 'a.js')]) {
      for (const range of [`${first}..${second}`, `${base}..${head}`]) {
        const r = await runCli(['review', '--rules-only', '--gate', '--repo', where, '--range', range], { cwd: tempDir(), env });
        usage(r, /is not inside a git repository/);
        assert.equal(r.stdout, '');
      }
    }
  });

  it('unknown flags and stray words are refused by every subcommand, and hook install --bogus installs nothing', async () => {
    usage(await runCli(['history', '--bogus'], { cwd: repo.dir, env }), /history: Unknown option '--bogus'/);
    usage(await runCli(['history', 'extra'], { cwd: repo.dir, env }), /history: unexpected argument 'extra'/);
    usage(await runCli(['hook', 'install', '--bogus'], { cwd: repo.dir, env }), /hook install: Unknown option '--bogus'/);
    assert.equal(existsSync(join(repo.dir, '.git', 'hooks', 'pre-push')), false, 'no hook installed');
    usage(await runCli(['hook', 'uninstall', '--force'], { cwd: repo.dir, env }), /hook uninstall: Unknown option '--force'/);
    usage(await runCli(['hook', 'run', '--bogus'], { cwd: repo.dir, env }), /hook run: Unknown option '--bogus'/);
    usage(await runCli(['hook', 'run', 'origin', 'url', 'extra'], { cwd: repo.dir, env }), /hook run: unexpected argument 'extra'/);
    usage(await runCli(['review', '--bogus'], { cwd: repo.dir, env }), /Unknown option '--bogus'/);
    // The flags each takes still work.
    assert.equal((await runCli(['history', '--json', '--repo', repo.dir], { cwd: tempDir(), env })).code, 0);
    const installed = await runCli(['hook', 'install', '--repo', repo.dir], { cwd: tempDir(), env });
    assert.equal(installed.code, 0, installed.stderr);
    assert.equal(existsSync(join(repo.dir, '.git', 'hooks', 'pre-push')), true);
  });

  it('negative, malformed and out-of-range numbers are usage errors that say the range', async () => {
    const cases: [string[], RegExp][] = [
      [['--max-calls', '-1'], /--max-calls is out of range: -1 \(it takes 0 to 1000000 calls\)/],
      [['--max-calls=-1'], /--max-calls is out of range: -1/],
      [['--max-calls', '99999999999999999999'], /--max-calls is out of range: 99999999999999999999/],
      [['--max-calls', 'lots'], /--max-calls takes a whole number, 0 to 1000000 calls, not 'lots'/],
      [['--max-calls', ''], /--max-calls takes a whole number/],
      [['--timeout', '0'], /--timeout is out of range: 0 \(it takes 1 to 86400 seconds\)/],
      [['--timeout', '-5'], /--timeout is out of range: -5/],
      [['--timeout', '1.5'], /--timeout takes a whole number/],
      [['--timeout', '4000000000'], /--timeout is out of range/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['review', '--rules-only', ...args], { cwd: repo.dir, env });
      usage(r, message);
      assert.equal(r.stdout, '');
    }
    assert.equal((await runCli(['review', '--rules-only', '--max-calls', '0', '--timeout', '86400'], { cwd: repo.dir, env })).code, 0);
  });

  it('--ollama-host takes http(s) URLs and HOST:PORT only', async () => {
    usage(
      await runCli(['review', '--ollama-host', 'ftp://x:1'], { cwd: repo.dir, env }),
      /--ollama-host must be an http:\/\/ or https:\/\/ URL or HOST:PORT, not 'ftp:\/\/x:1' \(ftp:\/\/ is not supported\)/,
    );
    usage(await runCli(['review', '--ollama-host', 'http://'], { cwd: repo.dir, env }), /--ollama-host must be .* \(not a valid URL\)/);
    usage(await runCli(['review', '--ollama-host', ''], { cwd: repo.dir, env }), /--ollama-host must be/);
    const ok = await runCli(['review', '--rules-only', '--ollama-host', 'localhost:11434'], { cwd: repo.dir, env });
    assert.equal(ok.code, 0, ok.stderr);
  });
});

/** What git 2.39 prints for a repository owned by another user. */
const DUBIOUS_STDERR = [
  "fatal: detected dubious ownership in repository at '/srv/shared/app'",
  'To add an exception for this directory, call:',
  '',
  '\tgit config --global --add safe.directory /srv/shared/app',
  '',
].join('\n');

describe('fault messages', () => {
  it("maps git's dubious-ownership refusal to its safe.directory command", () => {
    const e = dubiousOwnership(DUBIOUS_STDERR);
    assert.ok(e);
    assert.equal(e.message, 'git refuses to work in /srv/shared/app: the repository is owned by another user (dubious ownership)');
    assert.match(e.hint ?? '', /\n {2}git config --global --add safe\.directory \/srv\/shared\/app$/);
    assert.equal(dubiousOwnership('fatal: not a git repository (or any of the parent directories): .git'), null);
  });

  it('caps what one answer brings: raw length, findings (the most severe kept), summary and message', () => {
    const findings = Array.from({ length: 5000 }, (_, i) => ({
      file: 'a.js',
      line: i + 1,
      severity: i === 4321 ? 'critical' : 'info',
      title: `t${i}`,
      message: i === 0 ? 'm'.repeat(10_000) : 'm',
    }));
    const many = parseModelOutput(JSON.stringify({ summary: 's'.repeat(5000), findings: findings.slice(0, 2000) }));
    assert.equal(many.findings.length, ANSWER_LIMITS.findings);
    assert.equal(many.findings[0].message.length, ANSWER_LIMITS.textChars);
    assert.equal(many.summary.length, ANSWER_LIMITS.summaryChars);
    assert.match(many.warnings.join('\n'), /reported 2000 findings; only the 50 most severe are kept/);
    const huge = parseModelOutput(JSON.stringify({ summary: 'ok', findings }));
    assert.match(huge.warnings[0], /^the model answer was [\d,]+ characters; only the first 262,144 were read$/);
    assert.equal(huge.truncated, true, 'cut: only complete findings are kept');
    assert.equal(huge.findings.length, ANSWER_LIMITS.findings);
    assert.equal(huge.unusable, false);
  });

  it('an HTML error page is named, not pasted; a long body is cut', () => {
    assert.equal(
      errorBodyText('<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>…</body></html>'),
      'an HTML page titled "502 Bad Gateway" (a proxy in front of Ollama?)',
    );
    assert.equal(errorBodyText('x'.repeat(1000)).length, 301);
    assert.equal(errorBodyText('model runner crashed\n  details'), 'model runner crashed details');
  });

  it('normalizes accepted --ollama-host forms and refuses the rest', () => {
    assert.equal(ollamaHostFlag('0.0.0.0:11434'), 'http://127.0.0.1:11434');
    assert.equal(ollamaHostFlag('HTTPS://gpu-box'), 'HTTPS://gpu-box:11434');
    assert.equal(ollamaHostFlag('http://gpu-box:8080/'), 'http://gpu-box:8080');
    for (const bad of ['ftp://x:1', 'file:///tmp/sock', 'http://user:pw@host:1', 'http://host:1/?q=1', 'http://']) {
      assert.throws(() => ollamaHostFlag(bad), UsageError, bad);
    }
  });
});
