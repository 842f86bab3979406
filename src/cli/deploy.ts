import { parseArgs } from 'node:util';
import { deployHead } from '../app/deploy.js';
import { UsageError } from './args.js';
import { VERSION } from './help.js';
import type { Io } from './io.js';
import { openCliSession } from './session.js';

export const DEPLOY_EXIT = { deployed: 0, refused: 1, config: 2, failed: 4 } as const;

/** `pullmint deploy [--environment NAME] [--force] [--repo DIR] [--wait SECONDS]` */
export async function deployCommand(argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { environment: { type: 'string' }, force: { type: 'boolean' }, repo: { type: 'string' }, wait: { type: 'string' } },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const wait = values.wait !== undefined ? Number(values.wait) : 30;
  if (!Number.isFinite(wait) || wait < 0) throw new UsageError(`--wait takes seconds, not '${values.wait}'`);
  const session = await openCliSession(io, values.repo ?? '.');
  const { outcome } = await deployHead(session, {
    environment: values.environment,
    force: values.force ?? false,
    waitSeconds: wait,
    userAgent: `pullmint/${VERSION}`,
    log: (m) => io.stderr.write(`pullmint: ${m}\n`),
  });
  switch (outcome.kind) {
    case 'config':
      io.stderr.write(`pullmint: ${outcome.reason}\n`);
      return DEPLOY_EXIT.config;
    case 'refused':
      io.stderr.write(`pullmint: deploy refused: ${outcome.reason}\n`);
      return DEPLOY_EXIT.refused;
    case 'failed':
      io.stderr.write(`pullmint: deploy failed: ${outcome.deployment.error}\n`);
      return DEPLOY_EXIT.failed;
    case 'deployed': {
      const d = outcome.deployment;
      const count = (status: string): number => d.sanity?.filter((s) => s.status === status).length ?? 0;
      const checks = d.sanity?.length ? `; sanity checks: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped` : '';
      io.stdout.write(
        `Deployed ${outcome.record.target.head.slice(0, 8)} to ${d.environment} (deployment ${d.deploymentId}, ${d.attempts} attempt(s))${checks}${d.checksFailing ? ' — deployed, checks failing' : ''}.\n`,
      );
      for (const s of d.sanity ?? [])
        io.stdout.write(`  ${s.status.padEnd(4)} ${s.name} (${s.durationMs} ms)${s.error ? ` — ${s.error}` : ''}\n`);
      return DEPLOY_EXIT.deployed;
    }
  }
}
