import { resolve } from 'node:path';
import { ReviewSession } from '../app/session.js';
import { loadConfig } from '../core/config/load.js';
import { GitError } from '../core/git/run.js';
import { defaultStateDir } from '../core/history.js';
import { envSecrets } from '../core/secrets.js';
import { runSetupChecks } from '../core/setup.js';
import { parseFlags } from './args.js';
import { EXIT } from './help.js';
import type { Io } from './io.js';

export const SETUP_HELP = `Usage: pullmint setup [--repo DIR] [--json]

Runs the checks the editor's "Check Setup" runs: the repository, the endpoint, the provider and its
model, the model's latest qualification ('pullmint qualify'), GitHub and the deploy webhook.
Exit code 0 when every required check passes, 1 otherwise.
`;

/** `pullmint setup`: Check Setup on the command line. */
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
  let loaded: { config: ReviewSession['config']; origins: Record<string, string>; warnings: string[] };
  try {
    loaded = await ReviewSession.open({ repoDir, env: io.env, secrets, onWarning });
  } catch (err) {
    // Outside a repository the checks still run, and the first one says so.
    if (!(err instanceof GitError)) throw err;
    loaded = await loadConfig({ repoRoot: repoDir, env: io.env });
  }
  loaded.warnings.forEach(onWarning);
  const token = await secrets.get('githubToken');
  const checks = await runSetupChecks({
    repoDir,
    config: loaded.config,
    secrets,
    github: { signedIn: Boolean(token) },
    origins: loaded.origins,
    stateDir: defaultStateDir(io.env),
    onWarning,
  });
  if (values.json) io.stdout.write(JSON.stringify(checks, null, 2) + '\n');
  else {
    for (const c of checks) {
      const mark = c.ok ? 'ok  ' : c.optional ? '-   ' : 'FAIL';
      io.stdout.write(
        `${mark} ${c.name}: ${c.detail}${!c.ok && c.fix ? `\n     fix: ${c.fix.label}${c.fix.arg ? ` (${c.fix.arg})` : ''}` : ''}\n`,
      );
    }
  }
  return checks.some((c) => !c.ok && !c.optional) ? EXIT.gate : EXIT.ok;
}
