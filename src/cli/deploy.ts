import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.js';
import { deploy } from '../core/deploy/deploy.js';
import { parseSanityChecks } from '../core/deploy/sanity.js';
import { repoRoot } from '../core/diff/sources.js';
import { createGitHubClient } from '../core/github/client.js';
import { baseRemote } from '../core/github/pr.js';
import { apiBaseUrl } from '../core/github/remote.js';
import { defaultStateDir } from '../core/history.js';
import { UsageError } from './args.js';
import { VERSION } from './help.js';
import type { Io } from './io.js';
import { githubToken } from './post.js';

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
  const repo = await repoRoot(resolve(io.cwd, values.repo ?? '.'));
  const loaded = await loadConfig({ repoRoot: repo, env: io.env });
  const sanity = parseSanityChecks(io.env.PULLMINT_SANITY_CHECKS);
  sanity.warnings.forEach((w) => io.stderr.write(`pullmint: warning: ${w}\n`));
  const wait = values.wait !== undefined ? Number(values.wait) : 30;
  if (!Number.isFinite(wait) || wait < 0) throw new UsageError(`--wait takes seconds, not '${values.wait}'`);
  const token = githubToken(io.env);
  const remote = token ? await baseRemote(repo) : null;
  const github =
    token && remote
      ? { client: await createGitHubClient({ token, baseUrl: apiBaseUrl(remote.host, io.env.GITHUB_API_URL) }), repo: remote }
      : null;
  const outcome = await deploy({
    repoDir: repo,
    environment: values.environment ?? io.env.PULLMINT_DEPLOY_ENVIRONMENT ?? 'production',
    force: values.force ?? false,
    url: io.env.PULLMINT_DEPLOY_URL ?? '',
    token: io.env.PULLMINT_DEPLOY_TOKEN,
    secret: io.env.PULLMINT_DEPLOY_SECRET,
    stateDir: defaultStateDir(io.env),
    deployThreshold: loaded.config.risk.deployThreshold,
    github,
    sanityChecks: sanity.checks,
    waitUntilHealthyMs: wait * 1000,
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
      const checks = d.sanity?.length
        ? `; sanity checks: ${d.sanity.filter((s) => s.status === 'pass').length} passed, ${d.sanity.filter((s) => s.status === 'fail').length} failed, ${d.sanity.filter((s) => s.status === 'skip').length} skipped`
        : '';
      io.stdout.write(
        `Deployed ${outcome.record.target.head.slice(0, 8)} to ${d.environment} (deployment ${d.deploymentId}, ${d.attempts} attempt(s))${checks}${d.checksFailing ? ' — deployed, checks failing' : ''}.\n`,
      );
      for (const s of d.sanity ?? [])
        io.stdout.write(`  ${s.status.padEnd(4)} ${s.name} (${s.durationMs} ms)${s.error ? ` — ${s.error}` : ''}\n`);
      return DEPLOY_EXIT.deployed;
    }
  }
}
