import { resolve } from 'node:path';
import { ReviewSession } from '../app/session.js';
import { envSecrets } from '../core/secrets.js';
import { flagsToConfig, type ReviewArgs } from './args.js';
import type { Io } from './io.js';

/** Opens a session for a command: the layered settings, secrets from the environment; warnings to stderr. */
export async function openCliSession(io: Io, repo: string, args?: ReviewArgs): Promise<ReviewSession> {
  const session = await ReviewSession.open({
    repoDir: resolve(io.cwd, repo),
    env: io.env,
    secrets: envSecrets(io.env),
    overrides: args ? flagsToConfig(args) : undefined,
    target: args?.targetGiven ? args.target : undefined,
    onWarning: (m) => io.stderr.write(`pullmint: warning: ${m}\n`),
  });
  for (const w of session.warnings)
    io.stderr.write(`pullmint: warning: ${w}
`);
  return session;
}
