import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeOllama } from '../fakes/ollama.js';
import { cliEnv, ensureBuilt, ROOT, runCli } from '../helpers/cli.js';
import { TempRepo, tempDir } from '../helpers/git.js';

const quiet = () => '{"summary":"Looks fine.","findings":[]}';

/**
 * The same layering in every front end: a repository .pullmint.json value and an environment value
 * reach the review; the top layer (flags, Action inputs) wins over both. One critical rule finding
 * scores 30: manual-review by default (a critical blocks), auto-approve under the repository's
 * policy of approveThreshold 50 with nothing blocking.
 */
describe('settings layer the same way in the CLI, the pre-push hook and the Action', () => {
  let envOllama: FakeOllama;
  let flagOllama: FakeOllama;
  let repo: TempRepo;
  let base: string;
  let head: string;
  before(() => ensureBuilt());
  beforeEach(async () => {
    envOllama = new FakeOllama({ answer: quiet });
    flagOllama = new FakeOllama({ answer: quiet });
    await envOllama.start();
    await flagOllama.start();
    repo = new TempRepo();
    repo.write('.pullmint.json', JSON.stringify({ risk: { approveThreshold: 50, blockOn: [] } })).write('README.md', '# app\n');
    base = repo.commit('base');
    repo.write('src/keys.js', 'exports.key = "AKIAIOSFODNN7EXAMPLE";\n');
    head = repo.commit('keys');
  });
  afterEach(async () => {
    await envOllama.stop();
    await flagOllama.stop();
    repo.remove();
  });

  it('CLI: .pullmint.json and OLLAMA_HOST reach the review; --ollama-host wins over the environment', async () => {
    const env = cliEnv({ OLLAMA_HOST: envOllama.url });
    // A user config file sits below the repository file: its threshold loses.
    mkdirSync(join(env.XDG_CONFIG_HOME, 'pullmint'), { recursive: true });
    writeFileSync(join(env.XDG_CONFIG_HOME, 'pullmint', 'config.json'), JSON.stringify({ risk: { approveThreshold: 20 } }));
    const first = await runCli(['review', '--range', `${base}..${head}`, '--format', 'json'], { cwd: repo.dir, env });
    assert.equal(first.code, 0, first.stderr);
    const json = JSON.parse(first.stdout);
    assert.equal(json.riskScore, 30);
    assert.equal(json.decision, 'auto-approve', 'the repository threshold reached the review');
    assert.equal(envOllama.chatRequests.length, 1, 'OLLAMA_HOST reached the review');
    const flagged = await runCli(
      ['review', '--range', `${base}..${head}`, '--format', 'json', '--no-cache', '--ollama-host', flagOllama.url],
      {
        cwd: repo.dir,
        env,
      },
    );
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.equal(flagOllama.chatRequests.length, 1, 'the flag wins over the environment');
    assert.equal(envOllama.chatRequests.length, 1);
  });

  it('pre-push hook: .pullmint.json and OLLAMA_HOST reach the review of the pushed range', async () => {
    const env = cliEnv({ OLLAMA_HOST: envOllama.url });
    const r = await runCli(['hook', 'run', 'origin'], {
      cwd: repo.dir,
      env,
      input: `refs/heads/main ${head} refs/heads/main ${base}\n`,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /risk 30\/100 → auto-approve/);
    assert.equal(envOllama.chatRequests.length, 1);
  });

  it('Action: .pullmint.json and OLLAMA_HOST reach the review; the ollama-host input wins; an unset input does not override', async () => {
    const dir = tempDir('pullmint-action-');
    const eventPath = join(dir, 'event.json');
    writeFileSync(
      eventPath,
      readFileSync(join(ROOT, 'test', 'fixtures', 'github', 'pull_request.opened.json'), 'utf8')
        .replace('__HEAD_SHA__', head)
        .replace('__BASE_SHA__', base),
    );
    const run = async (extra: Record<string, string>): Promise<{ code: number; output: string }> => {
      const output = join(dir, `output-${Object.keys(extra).length}`);
      writeFileSync(output, '');
      const env = cliEnv({
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_WORKSPACE: repo.dir,
        GITHUB_OUTPUT: output,
        OLLAMA_HOST: envOllama.url,
        INPUT_POST: 'false',
        'INPUT_OLLAMA-HOST': '',
        INPUT_PROVIDER: '',
        ...extra,
      });
      const code = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [join(ROOT, 'action', 'index.js')], { env, cwd: repo.dir, stdio: 'ignore' });
        child.on('close', (c) => resolve(c ?? -1));
      });
      return { code, output: readFileSync(output, 'utf8') };
    };
    const plain = await run({});
    assert.equal(plain.code, 0);
    assert.match(plain.output, /decision=auto-approve/);
    assert.equal(envOllama.chatRequests.length, 1, 'OLLAMA_HOST reached the review');
    const input = await run({ 'INPUT_OLLAMA-HOST': flagOllama.url });
    assert.equal(input.code, 0);
    assert.equal(flagOllama.chatRequests.length, 1, 'the input wins over the environment');
    assert.equal(envOllama.chatRequests.length, 1);
  });
});
