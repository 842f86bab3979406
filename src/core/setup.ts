import { Ollama } from 'ollama';
import type { PullmintConfig } from './config.js';
import { repoRoot } from './diff/sources.js';
import { contextLengthOf } from './providers/ollama.js';

export type FixKind =
  | 'open-folder'
  | 'install-ollama'
  | 'pull-model'
  | 'select-model'
  | 'set-anthropic-key'
  | 'open-settings'
  | 'sign-in-github'
  | 'set-deploy-url';

export interface SetupCheck {
  name: string;
  ok: boolean;
  /** What was found, in words: "qwen2.5-coder:7b, 32,768-token context". */
  detail: string;
  fix?: { label: string; kind: FixKind; arg?: string };
  /** Not needed for a review (GitHub, deploy): shown, never blocks. */
  optional?: boolean;
}

export interface SetupInputs {
  repoDir: string | undefined;
  config: PullmintConfig;
  hasAnthropicKey: boolean;
  github: { signedIn: boolean; account?: string };
  deployUrl: string;
}

async function ollamaChecks(config: PullmintConfig): Promise<SetupCheck[]> {
  const host = config.ollama.host;
  const model = config.ollama.model;
  const client = new Ollama({ host, fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(5000) }) });
  let names: string[];
  try {
    names = (await client.list()).models.map((m) => m.name);
  } catch {
    return [
      {
        name: 'Ollama reachable',
        ok: false,
        detail: `nothing answers at ${host}`,
        fix: { label: 'Install Ollama', kind: 'install-ollama' },
      },
    ];
  }
  const checks: SetupCheck[] = [{ name: 'Ollama reachable', ok: true, detail: `${host}, ${names.length} model(s) pulled` }];
  const pulled = names.some((n) => n === model || n === `${model}:latest`);
  if (!pulled) {
    checks.push({
      name: 'Model pulled',
      ok: false,
      detail: `${model} is not pulled${names.length ? `; pulled: ${names.slice(0, 5).join(', ')}` : ''}`,
      fix: { label: `Run ollama pull ${model}`, kind: 'pull-model', arg: model },
    });
    return checks;
  }
  checks.push({ name: 'Model pulled', ok: true, detail: model });
  try {
    const info = await client.show({ model });
    const ctx = contextLengthOf(info.model_info);
    const used = Math.min(ctx ?? 4096, config.ollama.numCtx);
    checks.push({
      name: 'Context length',
      ok: true,
      detail: `model ${ctx ? ctx.toLocaleString('en-US') : 'unknown'} tokens; Pullmint uses up to ${used.toLocaleString('en-US')} (pullmint.ollama.numCtx)`,
    });
  } catch (err) {
    checks.push({
      name: 'Context length',
      ok: false,
      detail: `could not read the model: ${(err as Error).message}`,
      fix: { label: 'Select another model', kind: 'select-model' },
    });
  }
  return checks;
}

/** Every check a first review depends on, plus the optional ones; never throws. */
export async function runSetupChecks(inputs: SetupInputs): Promise<SetupCheck[]> {
  const checks: SetupCheck[] = [];
  if (!inputs.repoDir)
    checks.push({ name: 'Git repository', ok: false, detail: 'no folder open', fix: { label: 'Open Folder', kind: 'open-folder' } });
  else {
    try {
      checks.push({ name: 'Git repository', ok: true, detail: await repoRoot(inputs.repoDir) });
    } catch {
      checks.push({
        name: 'Git repository',
        ok: false,
        detail: `${inputs.repoDir} is not a git checkout`,
        fix: { label: 'Open Folder', kind: 'open-folder' },
      });
    }
  }
  const { config } = inputs;
  if (config.provider === 'ollama') checks.push(...(await ollamaChecks(config)));
  else if (config.provider === 'anthropic') {
    checks.push(
      inputs.hasAnthropicKey
        ? {
            name: 'Anthropic API key',
            ok: true,
            detail: `set; model ${config.anthropic.model}; diff chunks are sent to Anthropic with secrets redacted`,
          }
        : { name: 'Anthropic API key', ok: false, detail: 'not set', fix: { label: 'Set Anthropic API Key', kind: 'set-anthropic-key' } },
    );
  } else {
    checks.push(
      config.openai.baseUrl
        ? { name: 'OpenAI-compatible server', ok: true, detail: `${config.openai.baseUrl}, model ${config.openai.model}` }
        : {
            name: 'OpenAI-compatible server',
            ok: false,
            detail: 'pullmint.openai.baseUrl is empty',
            fix: { label: 'Open Settings', kind: 'open-settings', arg: 'pullmint.openai.baseUrl' },
          },
    );
  }
  checks.push(
    inputs.github.signedIn
      ? { name: 'GitHub', ok: true, detail: `signed in${inputs.github.account ? ` as ${inputs.github.account}` : ''}`, optional: true }
      : {
          name: 'GitHub',
          ok: false,
          detail: 'not signed in (needed only to post reviews)',
          fix: { label: 'Sign in to GitHub', kind: 'sign-in-github' },
          optional: true,
        },
  );
  checks.push(
    inputs.deployUrl
      ? { name: 'Deploy webhook', ok: true, detail: inputs.deployUrl, optional: true }
      : {
          name: 'Deploy webhook',
          ok: false,
          detail: 'not configured (needed only to deploy)',
          fix: { label: 'Set the webhook URL', kind: 'set-deploy-url' },
          optional: true,
        },
  );
  return checks;
}
