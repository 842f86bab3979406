import { deploy, type DeployOutcome } from '../core/deploy/deploy.js';
import { parseSanityChecks } from '../core/deploy/sanity.js';
import type { ExecutionRecord } from '../core/history.js';
import type { ReviewSession } from './session.js';

export interface DeployOptions {
  /** Overrides `deploy.environment`. */
  environment?: string;
  force: boolean;
  waitSeconds: number;
  userAgent: string;
  /** The editor's GitHub sign-in; the secret store's token otherwise. */
  githubToken?: string;
  log: (message: string) => void;
  confirmOverride?: (record: ExecutionRecord, reason: string) => Promise<boolean>;
}

/** The gated deploy with the session's settings and secrets: the CLI's and the editor's. */
export async function deployHead(session: ReviewSession, opts: DeployOptions): Promise<{ outcome: DeployOutcome; environment: string }> {
  const { config } = session;
  const sanity = parseSanityChecks(config.sanityChecks);
  sanity.warnings.forEach((w) => opts.log(`warning: ${w}`));
  const connection = await session.codeHost({ token: opts.githubToken, log: opts.log });
  const environment = opts.environment ?? config.deploy.environment;
  const outcome = await deploy({
    repoDir: session.root,
    environment,
    force: opts.force,
    url: config.deploy.url,
    token: await session.secrets.get('deployToken'),
    secret: await session.secrets.get('deploySecret'),
    stateDir: session.stateDir,
    deployThreshold: config.risk.deployThreshold,
    deployments: connection.host?.deployments ?? null,
    sanityChecks: sanity.checks,
    waitUntilHealthyMs: opts.waitSeconds * 1000,
    userAgent: opts.userAgent,
    log: opts.log,
    confirmOverride: opts.confirmOverride,
  });
  return { outcome, environment };
}
