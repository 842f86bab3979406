import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeOllama } from '../fakes/ollama.js';
import { cliEnv, deadPort, ensureBuilt, runCli } from '../helpers/cli.js';
import { TempRepo, tempDir } from '../helpers/git.js';

function problemRepo(): TempRepo {
  const repo = new TempRepo();
  repo.write('src/app.js', 'module.exports = {};\n').commit('base');
  repo.write('src/app.js', 'const run = (s) => eval(s);\nmodule.exports = { run };\n');
  repo.write('src/keys.js', 'exports.key = "AKIAIOSFODNN7EXAMPLE";\n');
  return repo;
}

describe('pullmint CLI (built dist/cli.js, real git)', () => {
  let repo: TempRepo;
  let server: FakeOllama;
  before(() => ensureBuilt());
  beforeEach(async () => {
    repo = problemRepo();
    server = new FakeOllama();
    await server.start();
  });
  afterEach(async () => {
    repo.remove();
    await server.stop();
  });

  it('loads the cache library and the cloud clients only when a review uses them', async () => {
    // A preload that writes down, as the process exits, every file the CLI loaded.
    const dir = tempDir('pullmint-loaded-');
    const preload = join(dir, 'record.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => require('fs').writeFileSync(process.env.LOADED_FILE, Object.keys(require.cache).join('\\n')));`,
    );
    const loaded = async (args: string[], name: string): Promise<string[]> => {
      const file = join(dir, name);
      const env = cliEnv({ NODE_OPTIONS: `--require ${preload}`, LOADED_FILE: file, OLLAMA_HOST: server.url });
      const r = await runCli(args, { cwd: repo.dir, env });
      assert.ok(r.code === 0 || r.code === 1 || r.code === 3, r.stderr);
      return readFileSync(file, 'utf8').split('\n');
    };
    const lean = await loaded(['review', '--rules-only', '--no-cache', '--format', 'json'], 'lean.txt');
    assert.ok(lean.some((f) => f.endsWith('cli-main.js')));
    assert.ok(!lean.some((f) => /lazy-(cacache|anthropic|octokit)/.test(f)), lean.join('\n'));
    const cached = await loaded(['review', '--format', 'json'], 'cached.txt');
    assert.ok(
      cached.some((f) => f.endsWith('lazy-cacache.js')),
      'a review with the cache reads it',
    );
    assert.ok(!cached.some((f) => /lazy-(anthropic|octokit)/.test(f)));
  });

  it('with no Ollama running: rules-only findings, exit 3, and exactly how to enable the model', async () => {
    const env = cliEnv({ OLLAMA_HOST: `http://127.0.0.1:${await deadPort()}` });
    const r = await runCli(['review'], { cwd: repo.dir, env });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /CRITICAL +src\/keys\.js:1 +Hard-coded secret/);
    assert.match(r.stdout, /Risk score 30\/100 → manual-review +\(Not reviewed by the model: rules only \(0 of 4 lines\)\)/);
    assert.match(
      r.stdout.split('\n')[1],
      /^Not reviewed by the model: rules only.*not an approval/,
      'said under the header, not only in the footer',
    );
    assert.match(r.stdout, /Ollama is not reachable at http:\/\/127\.0\.0\.1:\d+\n +\(ollama\.host set by environment OLLAMA_HOST\)/);
    assert.match(r.stdout, /ollama pull qwen2\.5-coder:7b/);
    assert.match(r.stdout, /--provider anthropic/);
    assert.equal(r.stderr, '', 'no progress noise when stderr is not a terminal');
    // With --gate the gate answers first: the unfinished review fails it (1), whatever stopped the model.
    assert.equal((await runCli(['review', '--gate'], { cwd: repo.dir, env })).code, 1);
  });

  it('reviews with the model and prints the JSON contract', async () => {
    const env = cliEnv({ OLLAMA_HOST: server.url });
    const r = await runCli(['review', '--format', 'json'], { cwd: repo.dir, env });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.schemaVersion, 1);
    assert.match(out.executionId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(Object.keys(out.target).slice(0, 3), ['kind', 'base', 'head']);
    assert.equal(out.target.kind, 'working-tree');
    assert.equal(out.riskScore, 45);
    assert.equal(out.decision, 'manual-review');
    assert.deepEqual(
      out.findings.map((f: any) => [f.file, f.line, f.severity, f.origin, f.rule]),
      [
        ['src/keys.js', 1, 'critical', 'rule', 'hardcoded-secret'],
        ['src/app.js', 1, 'high', 'llm', null],
      ],
    );
    for (const f of out.findings) {
      assert.deepEqual(Object.keys(f), [
        'id',
        'file',
        'line',
        'endLine',
        'severity',
        'category',
        'title',
        'message',
        'suggestion',
        'origin',
        'rule',
      ]);
    }
    // Two added lines in src/app.js, the line they replace, and the key file's line.
    assert.deepEqual(out.coverage, { changedLines: 4, reviewedLines: 4, skippedFiles: [], unreviewed: [], complete: true });
    for (const k of ['filesReviewed', 'chunks', 'llmCalls', 'cacheHits', 'promptTokens', 'completionTokens', 'durationMs'])
      assert.equal(typeof out.stats[k], 'number', k);
    assert.ok(Array.isArray(out.warnings));
  });

  it('--gate exits 1 on manual-review and 0 below the threshold; cached re-review makes no call', async () => {
    const env = cliEnv({ OLLAMA_HOST: server.url });
    assert.equal((await runCli(['review', '--gate'], { cwd: repo.dir, env })).code, 1);
    const calls = server.chatRequests.length;
    const again = await runCli(['review', '--format', 'json'], { cwd: repo.dir, env });
    assert.equal(JSON.parse(again.stdout).stats.llmCalls, 0);
    assert.equal(server.chatRequests.length, calls);
    repo.write('src/keys.js', 'exports.key = process.env.KEY;\n');
    repo.write('src/app.js', 'module.exports = { ok: true };\n');
    assert.equal((await runCli(['review', '--gate'], { cwd: repo.dir, env })).code, 0);
  });

  it('exit 2 for usage and configuration errors, with the reason', async () => {
    const env = cliEnv();
    const bad = await runCli(['review', '--format', 'xml'], { cwd: repo.dir, env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format must be text, json, sarif or codequality/);
    const two = await runCli(['review', '--staged', '--range', 'a..b'], { cwd: repo.dir, env });
    assert.equal(two.code, 2);
    const notRepo = await runCli(['review', '--repo', '/'], { cwd: repo.dir, env });
    assert.equal(notRepo.code, 2);
    assert.match(notRepo.stderr, /not inside a git repository/);
    const badRef = await runCli(['review', '--base', 'no-such-branch', '--rules-only'], { cwd: repo.dir, env });
    assert.equal(badRef.code, 2);
    assert.match(badRef.stderr, /unknown revision 'no-such-branch'/);
    assert.equal((await runCli(['frobnicate'], { cwd: repo.dir, env })).code, 2);
  });

  it('--output writes the report to a file; --rules-only exits 0; history lists the reviews', async () => {
    const env = cliEnv({ OLLAMA_HOST: server.url });
    const out = join(repo.dir, 'report.sarif');
    const r = await runCli(['review', '--rules-only', '--format', 'sarif', '--output', out], { cwd: repo.dir, env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const sarif = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'src/keys.js');
    const h = await runCli(['history'], { cwd: repo.dir, env });
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^WHEN +ID +TARGET +RISK +DECISION +BY\n/);
    assert.match(h.stdout, /working tree +30 +manual-review +rules only/);
    const unwritable = await runCli(['review', '--rules-only', '--output', '/nonexistent/dir/x.json'], { cwd: repo.dir, env });
    assert.equal(unwritable.code, 2);
    assert.match(
      unwritable.stderr,
      /^pullmint: could not write \/nonexistent\/dir\/x\.json: ENOENT\. The review is recorded: pullmint history lists it as [0-9a-f-]{36}\.\n$/,
    );
    assert.equal(unwritable.stdout, '');
  });

  it('reviews a branch against its base and a commit range', async () => {
    const env = cliEnv({ OLLAMA_HOST: server.url });
    repo.commit('work on main');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('src/feature.js', 'exports.f = (x) => eval(x);\n').commit('feature');
    const base = JSON.parse((await runCli(['review', '--base', '--format', 'json'], { cwd: repo.dir, env })).stdout);
    assert.equal(base.target.kind, 'base');
    assert.deepEqual(
      base.findings.map((f: any) => f.file),
      ['src/feature.js'],
    );
    const range = JSON.parse((await runCli(['review', '--range', 'HEAD~2..HEAD', '--format', 'json'], { cwd: repo.dir, env })).stdout);
    assert.deepEqual([...new Set(range.findings.map((f: any) => f.file))].sort(), ['src/app.js', 'src/feature.js', 'src/keys.js']);
  });
});
