import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REVIEW_OPTIONS } from '../../src/cli/args.js';
import { HELP_TOPICS } from '../../src/cli/commandHelp.js';
import { LoopbackServer } from '../fakes/http.js';
import { FakeOllama } from '../fakes/ollama.js';
import { cliEnv, deadPort, ensureBuilt, runCli } from '../helpers/cli.js';
import { TempRepo } from '../helpers/git.js';

/** Every file under `dir` (recursively), or [] when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

describe('pullmint CLI: help, history table, default target and hints (built dist/cli.js, real git)', () => {
  before(() => ensureBuilt());

  describe('--help on every command', () => {
    let repo: TempRepo;
    let server: LoopbackServer;
    let env: Record<string, string>;
    beforeEach(async () => {
      repo = new TempRepo();
      repo.write('src/app.js', 'module.exports = {};\n').commit('base');
      // A change a review would find and record: any side effect of --help would show.
      repo.write('src/keys.js', 'exports.key = "AKIAIOSFODNN7EXAMPLE";\n');
      server = new LoopbackServer((_req, res) => void res.writeHead(500).end());
      await server.start();
      env = cliEnv({
        OLLAMA_HOST: server.url,
        PULLMINT_DEPLOY_URL: `${server.url}/deploy`,
        GITHUB_TOKEN: 'ghp_test',
        GITHUB_API_URL: server.url,
      });
    });
    afterEach(async () => {
      repo.remove();
      await server.stop();
    });

    const invocations: string[][] = [];
    for (const topic of HELP_TOPICS) {
      const words = topic.split(' ');
      invocations.push([...words, '--help'], [...words, '-h'], ['help', ...words]);
    }
    // Help wins over anything else on the line, even flags that would act or fail.
    invocations.push(
      ['hook', 'install', '--repo', '.', '--help'],
      ['review', '--gate', '--range', 'HEAD~1..HEAD', '--help'],
      ['deploy', '--force', '--help'],
      ['post', '--pr', '7', '--help'],
      ['history', '--json', '--help'],
      ['setup', '--repo', '.', '--help'],
      ['dismiss', '--team', '--help'],
      ['qualify', '--no-store', '--help'],
    );

    it('each prints its own page, exits 0 and changes nothing: no hook, no history, no cache, no request', async function () {
      // About 30 runs of the CLI, one after another.
      this.timeout(180_000);
      assert.deepEqual(HELP_TOPICS, [
        'review',
        'history',
        'post',
        'deploy',
        'setup',
        'qualify',
        'dismiss',
        'undismiss',
        'dismissed',
        'insights',
        'ci',
        'ci explain',
        'hook',
        'hook install',
        'hook uninstall',
        'hook run',
      ]);
      const status = repo.git('status', '--porcelain');
      for (const args of invocations) {
        const r = await runCli(args, { cwd: repo.dir, env });
        const topic =
          args[0] === 'help'
            ? args.slice(1).join(' ')
            : args.filter((a) => !a.startsWith('-') && a !== '.' && !/^\d|\.\./.test(a)).join(' ');
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr, '', args.join(' '));
        assert.ok(r.stdout.startsWith(`Usage: pullmint ${topic}`), `${args.join(' ')} printed:\n${r.stdout.slice(0, 200)}`);
      }
      assert.ok(!existsSync(join(repo.dir, '.git', 'hooks', 'pre-push')), 'hook install --help installed nothing');
      assert.deepEqual(filesUnder(env.XDG_STATE_HOME), [], 'no history written');
      // The engine's compiled code (pullmint/code) is the program's, not a cache of anything the user has.
      assert.deepEqual(
        filesUnder(env.XDG_CACHE_HOME).filter((f) => !f.startsWith('pullmint/code/')),
        [],
        'no cache written',
      );
      assert.deepEqual(server.requests, [], 'no model, GitHub or webhook request');
      assert.equal(repo.git('status', '--porcelain'), status, 'the working tree is as it was');
    });

    it('hook uninstall --help leaves an installed hook in place', async () => {
      assert.equal((await runCli(['hook', 'install'], { cwd: repo.dir, env })).code, 0);
      const hook = join(repo.dir, '.git', 'hooks', 'pre-push');
      const before = statSync(hook).mtimeMs;
      const r = await runCli(['hook', 'uninstall', '--help'], { cwd: repo.dir, env });
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^Usage: pullmint hook uninstall/);
      assert.ok(existsSync(hook) && statSync(hook).mtimeMs === before, 'the hook is still installed, untouched');
    });

    it('review --help documents every flag review accepts, with the exit codes', async () => {
      const r = await runCli(['review', '--help'], { cwd: repo.dir, env });
      for (const flag of [...Object.keys(REVIEW_OPTIONS), 'base'])
        assert.match(r.stdout, new RegExp(`^ +(-\\w, )?--${flag}\\b.*\\S`, 'm'), `--${flag} is explained`);
      for (const code of ['0', '1', '2', '3']) assert.match(r.stdout, new RegExp(`^  ${code}  \\S`, 'm'));
      assert.doesNotMatch(r.stdout, /pullmint history|pullmint deploy/, 'its own page, not the global one');
    });

    it('an unknown command with --help is still a usage error, not a help page', async () => {
      const r = await runCli(['frobnicate', '--help'], { cwd: repo.dir, env });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /unknown command 'frobnicate'/);
    });
  });

  describe('history, default target and hints', () => {
    let repo: TempRepo;
    let env: Record<string, string>;
    beforeEach(async () => {
      repo = new TempRepo();
      repo.write('src/app.js', 'module.exports = {};\n').commit('base');
      // A timezone far from UTC, so that a UTC time printed as local would show.
      env = cliEnv({ OLLAMA_HOST: `http://127.0.0.1:${await deadPort()}`, TZ: 'Asia/Kolkata' });
    });
    afterEach(() => repo.remove());

    it('on a clean tree, review takes the last commit and says so; --working-tree still reviews the tree', async () => {
      const head = repo.write('src/app.js', 'module.exports = {};\ndebugger;\n').commit('add a debugger');
      const r = await runCli(['review', '--rules-only', '--format', 'json'], { cwd: repo.dir, env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`no uncommitted changes: reviewing the last commit, ${head.slice(0, 7)} \\(--range HEAD~1\\.\\.HEAD\\)`),
      );
      const out = JSON.parse(r.stdout);
      assert.equal(out.target.kind, 'range');
      assert.equal(out.target.head, head);
      assert.deepEqual(
        out.findings.map((f: { rule: string; line: number }) => [f.rule, f.line]),
        [['debugger-statement', 2]],
      );
      const tree = await runCli(['review', '--working-tree', '--rules-only', '--format', 'json'], { cwd: repo.dir, env });
      assert.equal(tree.stderr, '');
      assert.equal(JSON.parse(tree.stdout).target.kind, 'working-tree');
      assert.equal(JSON.parse(tree.stdout).findings.length, 0);
      // With changes in the tree the default is the working tree, silently.
      repo.write('src/new.js', 'debugger;\n');
      const dirty = await runCli(['review', '--rules-only', '--format', 'json'], { cwd: repo.dir, env });
      assert.equal(dirty.stderr, '');
      assert.equal(JSON.parse(dirty.stdout).target.kind, 'working-tree');
    });

    it('--rules-only says the model was skipped as asked and offers no "Fix: Drop --rules-only"', async () => {
      repo.write('src/app.js', 'debugger;\n');
      const r = await runCli(['review', '--rules-only'], { cwd: repo.dir, env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /skipped as asked \(--rules-only\)/);
      assert.doesNotMatch(r.stdout, /Fix:|Drop --rules-only/);
    });

    it('history is a table with a header, local times, short ids and short targets; --json is unchanged', async () => {
      repo.write('src/app.js', 'debugger;\n');
      assert.equal((await runCli(['review', '--rules-only'], { cwd: repo.dir, env })).code, 0);
      const base = repo.git('rev-parse', 'HEAD').trim();
      const head = repo.commit('second');
      assert.equal((await runCli(['review', '--rules-only', '--range', `${base}..${head}`], { cwd: repo.dir, env })).code, 0);
      const json = await runCli(['history', '--json'], { cwd: repo.dir, env });
      const records = JSON.parse(json.stdout) as { executionId: string; createdAt: string }[];
      assert.equal(records.length, 2);
      assert.match(records[0].executionId, /^[0-9a-f-]{36}$/, 'full ids in JSON');
      assert.match(records[0].createdAt, /Z$/, 'UTC in JSON');
      const r = await runCli(['history'], { cwd: repo.dir, env });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^WHEN +ID +TARGET +RISK +DECISION +BY$/);
      assert.equal(lines.length, 3);
      // Asia/Kolkata is UTC+05:30, no daylight saving.
      const local = new Date(Date.parse(records[0].createdAt) + 5.5 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
      assert.ok(
        lines[1].startsWith(`${local}  ${records[0].executionId.slice(0, 8)}  ${base.slice(0, 7)}..${head.slice(0, 7)} `),
        lines[1],
      );
      assert.match(lines[2], new RegExp(`^\\S+ \\S+  ${records[1].executionId.slice(0, 8)}  working tree +7 +incomplete +rules only$`));
      assert.doesNotMatch(r.stdout, /[0-9a-f]{40}|[0-9a-f-]{36}|T\d\d:\d\d:\d\d/, 'no full SHA, UUID or ISO time');
    });

    it('setup lists failing checks first, each with a command that fixes it; exit 1 until the model can be used', async () => {
      const down = await runCli(['setup'], { cwd: repo.dir, env });
      assert.equal(down.code, 1, down.stderr);
      const lines = down.stdout.split('\n');
      assert.match(lines[0], /^FAIL  Ollama reachable +nothing answers at http:\/\/127\.0\.0\.1:\d+/);
      assert.match(lines[1], /^ +fix: \S/);
      assert.ok(
        lines.findIndex((l) => l.startsWith('skip')) > lines.findIndex((l) => l.startsWith('FAIL')),
        'optional checks after the failing ones',
      );
      assert.match(down.stdout, /^skip  GitHub +not signed in.*\n +fix: export GITHUB_TOKEN=/m);
      assert.match(down.stdout, /^ok  +Git repository/m);
      assert.match(down.stdout, /check\(s\) failed: reviews run the built-in rules only/);
      // --json: the same checks, each fix with the command the text prints.
      const json = await runCli(['setup', '--json'], { cwd: repo.dir, env });
      assert.equal(json.code, 1, json.stderr);
      const checks = JSON.parse(json.stdout) as { name: string; ok: boolean; fix?: { kind: string; command: string } }[];
      const failing = checks.filter((c) => !c.ok && c.fix);
      assert.ok(failing.length >= 2);
      for (const c of failing) assert.ok(down.stdout.includes(`fix: ${c.fix!.command}\n`), `${c.name}: ${c.fix!.command}`);
      const model = new FakeOllama();
      await model.start();
      try {
        const up = await runCli(['setup'], { cwd: repo.dir, env: { ...env, OLLAMA_HOST: model.url, GITHUB_TOKEN: 'ghp_x' } });
        assert.equal(up.code, 0, up.stdout);
        assert.match(up.stdout, /^ok  +Model pulled +qwen2\.5-coder:7b$/m);
        assert.match(up.stdout, /^ok  +GitHub/m);
        assert.match(up.stdout, /Ready: pullmint review uses the model\.\n$/);
      } finally {
        await model.stop();
      }
    });

    it('the pre-push hook names the real range to review again, and that command works', async () => {
      const base = repo.git('rev-parse', 'HEAD').trim();
      repo.write('src/app.js', Array.from({ length: 7 }, () => 'debugger;').join('\n') + '\n');
      const head = repo.commit('many debuggers');
      const stdin = `refs/heads/main ${head} refs/heads/main ${base}\n`;
      const r = await runCli(['hook', 'run', 'origin', 'file:///nowhere'], { cwd: repo.dir, env, input: stdin });
      assert.equal(r.code, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /<sha>/);
      const command = `pullmint review --range ${base.slice(0, 12)}..${head.slice(0, 12)}`;
      assert.ok(r.stderr.includes(`… and 2 more: ${command}`), r.stderr);
      assert.ok(r.stderr.includes(`See the whole review: ${command}`), r.stderr);
      const again = await runCli([...command.split(' ').slice(1), '--rules-only', '--format', 'json'], { cwd: repo.dir, env });
      assert.equal(again.code, 0, again.stderr);
      assert.equal(JSON.parse(again.stdout).findings.length, 7);
    });
  });
});
