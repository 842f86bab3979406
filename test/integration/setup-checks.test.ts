import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, type PullmintConfig } from '../../src/core/config/schema.js';
import { envSecrets } from '../../src/core/secrets.js';
import { runSetupChecks } from '../../src/core/setup.js';
import { FakeOllama } from '../fakes/ollama.js';
import { deadPort } from '../helpers/cli.js';
import { TempRepo, tempDir } from '../helpers/git.js';

describe('setup checks (what "Check Setup" shows)', () => {
  let server: FakeOllama;
  let repo: TempRepo;
  beforeEach(async () => {
    server = new FakeOllama({ models: ['qwen2.5-coder:7b', 'llama3.1:8b'], contextLength: 32768 });
    await server.start();
    repo = new TempRepo();
  });
  afterEach(async () => {
    await server.stop();
    repo.remove();
  });
  const cfg = (over: Partial<PullmintConfig> = {}): PullmintConfig => ({ ...structuredClone(DEFAULT_CONFIG), ...over });
  const base = { secrets: envSecrets({}), github: { signedIn: false } };

  it('reports a working Ollama, the pulled model and the context length Pullmint will use', async () => {
    const checks = await runSetupChecks({
      ...base,
      repoDir: repo.dir,
      config: cfg({ ollama: { ...DEFAULT_CONFIG.ollama, host: server.url } }),
      origins: { 'ollama.host': 'environment OLLAMA_HOST' },
    });
    assert.equal(
      checks.find((c) => c.name === 'Endpoint')?.detail,
      `ollama at ${server.url}, set by environment OLLAMA_HOST (pullmint.ollama.host)`,
      'the endpoint actually used, and the layer that set it',
    );
    assert.deepEqual(
      checks.filter((c) => !c.optional).map((c) => [c.name, c.ok]),
      [
        ['Git repository', true],
        ['Endpoint', true],
        ['Ollama reachable', true],
        ['Model pulled', true],
        ['Context length', true],
      ],
    );
    assert.match(checks.find((c) => c.name === 'Context length')!.detail, /model 32,768 tokens; Pullmint uses 16,384 on every call/);
    assert.deepEqual(
      checks.filter((c) => c.optional).map((c) => [c.name, c.ok, c.fix?.kind]),
      [
        ['GitHub', false, 'sign-in-github'],
        ['Deploy webhook', false, 'set-deploy-url'],
      ],
    );
  });

  it('names the fix: pull the model, install Ollama, open a repository, set the key', async () => {
    const missing = await runSetupChecks({
      ...base,
      repoDir: repo.dir,
      config: cfg({ ollama: { ...DEFAULT_CONFIG.ollama, host: server.url, model: 'mistral:7b' } }),
    });
    const pulled = missing.find((c) => c.name === 'Model pulled')!;
    assert.equal(pulled.ok, false);
    assert.deepEqual(pulled.fix, { label: 'Run ollama pull mistral:7b', kind: 'pull-model', arg: 'mistral:7b' });
    assert.match(pulled.detail, /pulled: qwen2\.5-coder:7b, llama3\.1:8b/);
    const down = await runSetupChecks({
      ...base,
      repoDir: tempDir(),
      config: cfg({ ollama: { ...DEFAULT_CONFIG.ollama, host: `http://127.0.0.1:${await deadPort()}` } }),
    });
    assert.deepEqual(
      down.filter((c) => !c.optional).map((c) => [c.name, c.ok, c.fix?.kind]),
      [
        ['Git repository', false, 'open-folder'],
        ['Endpoint', true, undefined],
        ['Ollama reachable', false, 'install-ollama'],
      ],
    );
    const claude = await runSetupChecks({ ...base, repoDir: repo.dir, config: cfg({ provider: 'anthropic' }) });
    assert.deepEqual(claude.find((c) => c.name === 'Anthropic API key')?.fix, {
      label: 'Set Anthropic API Key',
      kind: 'set-secret',
      arg: 'anthropicApiKey',
    });
    const keyed = await runSetupChecks({
      ...base,
      secrets: envSecrets({ ANTHROPIC_API_KEY: 'sk-ant-x' }),
      repoDir: repo.dir,
      config: cfg({ provider: 'anthropic' }),
    });
    assert.equal(keyed.find((c) => c.name === 'Anthropic API key')?.ok, true);
  });
});
