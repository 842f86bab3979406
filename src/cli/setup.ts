import { SECRETS, type SecretName } from '../core/secrets.js';
import { runSetupChecks, type SetupCheck } from '../core/setup.js';
import { parseFlags } from './args.js';
import { EXIT } from './help.js';
import type { Io } from './io.js';
import { openCliSession } from './session.js';

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

/** `pullmint setup [--repo DIR]`: what a review needs, each failing check with the command that fixes it. */
export async function setupCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('setup', argv, { repo: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  const session = await openCliSession(io, values.repo ?? '.');
  const token = await session.secrets.get('githubToken');
  const checks = orderChecks(
    await runSetupChecks({
      repoDir: session.root,
      config: session.config,
      secrets: session.secrets,
      github: { signedIn: Boolean(token) },
      origins: session.origins,
    }),
  );
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
