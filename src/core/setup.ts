import { getPath, type PullmintConfig } from './config/schema.js';
import { endpointSetting } from './config/load.js';
import { repoRoot } from './git/repo.js';
import { providerOf } from './providers/index.js';
import { qualificationLine, readQualification } from './qualify/store.js';
import type { SecretStore } from './secrets.js';
import type { SetupCheck } from './types.js';

export type { SetupCheck };

export interface SetupInputs {
  repoDir: string | undefined;
  config: PullmintConfig;
  secrets: SecretStore;
  github: { signedIn: boolean; account?: string };
  /** Which layer set each setting (LoadedConfig.origins): the endpoint check names it. */
  origins?: Record<string, string>;
  /** The state directory: when given, the chosen model's latest qualification (`pullmint qualify`) is shown. */
  stateDir?: string;
  onWarning?: (message: string) => void;
}

/** Every check a first review depends on (the chosen provider's own among them), plus the optional ones; never throws. */
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
  const endpoint = endpointSetting(config);
  if (endpoint) {
    const value = String(getPath(config, endpoint) ?? '') || 'its default';
    checks.push({
      name: 'Endpoint',
      ok: true,
      detail: `${config.provider} at ${value}, set by ${inputs.origins?.[endpoint] ?? 'default'} (pullmint.${endpoint})`,
    });
  }
  const { module, ctx } = await providerOf(config, inputs.secrets);
  checks.push(...(await module.checks(config[config.provider], ctx)));
  if (inputs.stateDir) checks.push(await qualificationCheck(inputs.stateDir, config, inputs.onWarning));
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
    config.deploy.url
      ? { name: 'Deploy webhook', ok: true, detail: config.deploy.url, optional: true }
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

/** The chosen model's latest qualification: optional, since a model that was never qualified still reviews. */
export async function qualificationCheck(stateDir: string, config: PullmintConfig, onWarning?: (m: string) => void): Promise<SetupCheck> {
  const model = config[config.provider].model;
  const fix = { label: 'Qualify Model', kind: 'qualify-model' as const };
  const q = await readQualification(stateDir, config.provider, model, onWarning).catch(() => null);
  if (!q)
    return {
      name: 'Model qualification',
      ok: false,
      detail: `${model} was never qualified: run \`pullmint qualify\` to see whether it is fit to gate`,
      fix,
      optional: true,
    };
  const fit = q.verdict === 'fit to gate';
  return { name: 'Model qualification', ok: fit, detail: `${model}: ${qualificationLine(q)}`, ...(fit ? {} : { fix }), optional: true };
}
