import { resolve } from 'node:path';
import { ReviewSession } from '../app/session.js';
import { loadConfig } from '../core/config/load.js';
import { GitError } from '../core/git/run.js';
import { defaultStateDir } from '../core/history.js';
import { envSecrets, SECRETS, type SecretName } from '../core/secrets.js';
import { runSetupChecks, type SetupCheck } from '../core/setup.js';
import { parseFlags } from './args.js';
import { EXIT } from './help.js';
import type { Io } from './io.js';

/** What to do in a terminal for each of the editor's fixes; a fix this does not know reads as its label. */
export function cliFix(fix: NonNullable<SetupCheck['fix']>): string {
  switch (fix.kind) {
    case 'install-ollama':
      return 'install Ollama from https://ollama.com/download, then start it: ollama serve';
    case 'pull-model':
      return `ollama pull ${fix.arg ?? '<model>'}`;
    case 'select-model':
      return 'pass --model NAME (ollama list shows the models you have)';
    case 'set-secret': {
      const secret = SECRETS[fix.arg as SecretName];
      return secret ? `export ${secret.env[0]}=…` : fix.label;
    }
    case 'open-settings':
      return fix.arg ? `set "${fix.arg.replace(/^pullmint\./, '')}" in ~/.config/pullmint/config.json` : fix.label;
    case 'sign-in-github':
      return 'export GITHUB_TOKEN=… (or GH_TOKEN)';
    case 'set-deploy-url':
      return 'export PULLMINT_DEPLOY_URL=https://…';
    case 'open-folder':
      return 'run pullmint in a git checkout, or pass --repo DIR';
    case 'qualify-model':
      return 'pullmint qualify';
    default:
      return fix.label;
  }
}

/** Failing required checks first, then failing optional ones, then what passes; otherwise in order. */
export function orderChecks(checks: SetupCheck[]): SetupCheck[] {
  const rank = (c: SetupCheck): number => (c.ok ? 2 : c.optional ? 1 : 0);
  return checks
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => c);
}

export const SETUP_HELP = `Usage: pullmint setup [--repo DIR] [--json]

Runs the checks the editor's "Check Setup" runs: the repository, the endpoint, the provider and its
model, the model's latest qualification ('pullmint qualify'), GitHub and the deploy webhook; failing
ones first, each with the command that fixes it.
Exit code 0 when every required check passes, 1 otherwise.
`;

/** `pullmint setup [--repo DIR] [--json]`: what a review needs, each failing check with the command that fixes it. */
export async function setupCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('setup', argv, {
    repo: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(SETUP_HELP);
    return EXIT.ok;
  }
  const repoDir = resolve(io.cwd, values.repo ?? '.');
  const secrets = envSecrets(io.env);
  const onWarning = (m: string): void => void io.stderr.write(`pullmint: warning: ${m}\n`);
  let loaded: { root?: string; config: ReviewSession['config']; origins: Record<string, string>; warnings: string[] };
  try {
    loaded = await ReviewSession.open({ repoDir, env: io.env, secrets, onWarning });
  } catch (err) {
    // Outside a repository the checks still run, and the first one says so.
    if (!(err instanceof GitError)) throw err;
    loaded = await loadConfig({ repoRoot: repoDir, env: io.env });
  }
  loaded.warnings.forEach(onWarning);
  const token = await secrets.get('githubToken');
  const checks = orderChecks(
    await runSetupChecks({
      repoDir: loaded.root ?? repoDir,
      config: loaded.config,
      secrets,
      github: { signedIn: Boolean(token) },
      origins: loaded.origins,
      stateDir: defaultStateDir(io.env),
      onWarning,
    }),
  );
  if (values.json) {
    // Each fix with what to run in a terminal, as the text output prints it.
    const withCommands = checks.map((c) => (c.fix ? { ...c, fix: { ...c.fix, command: cliFix(c.fix) } } : c));
    io.stdout.write(JSON.stringify(withCommands, null, 2) + '\n');
    return checks.some((c) => !c.ok && !c.optional) ? EXIT.gate : EXIT.ok;
  }
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) {
    const mark = c.ok ? 'ok  ' : c.optional ? 'skip' : 'FAIL';
    io.stdout.write(`${mark}  ${c.name.padEnd(width)}  ${c.detail}${c.optional && !c.ok ? ' (optional)' : ''}\n`);
    if (!c.ok && c.fix) io.stdout.write(`      ${' '.repeat(width)}  fix: ${cliFix(c.fix)}\n`);
  }
  const failing = checks.filter((c) => !c.ok && !c.optional).length;
  io.stdout.write(
    failing
      ? `${failing} check(s) failed: reviews run the built-in rules only until they pass.\n`
      : 'Ready: pullmint review uses the model.\n',
  );
  return failing ? EXIT.gate : EXIT.ok;
}
