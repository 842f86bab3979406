import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { LockBusyError, withExclusive } from '../exclusive.js';
import { isAbandoned } from '../store/owner.js';
import { defaultBaseRef, EMPTY_TREE, headSha, isAncestor, mergeBase, repoRoot, resolveRef } from '../git/repo.js';
import type { DeploymentRecorder } from '../hosts/types.js';
import { HistoryStore, type DeploymentRecord, type ExecutionRecord } from '../history.js';
import { incompleteNote, isComplete, passesGate } from '../report/verdict.js';
import { severityCounts } from '../risk.js';
import { runSanityChecks, type SanityCheck } from './sanity.js';
import { DEFAULT_BACKOFF, sendDeployWebhook, type AttemptLog, type DeployPayload } from './webhook.js';
import { tryGit } from '../git/run.js';
import type { ReviewResult } from '../types.js';

export interface DeployRequest {
  repoDir: string;
  environment: string;
  /** Deploy although the decision is manual-review (CLI --force; editor: a modal confirmation). */
  force: boolean;
  url: string;
  token?: string;
  secret?: string;
  stateDir: string;
  deployThreshold: number;
  /** The code host's deployments (GitHub's), when a host and token are at hand. */
  deployments?: DeploymentRecorder | null;
  sanityChecks: SanityCheck[];
  waitUntilHealthyMs: number;
  userAgent: string;
  /** Tests inject these so that no test waits the real backoff. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  backoffMs?: (attempt: number) => number;
  timeoutMs?: number;
  log?: (message: string) => void;
  /** Called at the gate with why it refuses: return true to override (the editor asks with a modal). */
  confirmOverride?: (record: ExecutionRecord, reason: string) => Promise<boolean>;
  /** How long to wait for another deploy of the same commit and environment before refusing. */
  lockWaitMs?: number;
}

export type DeployOutcome =
  | { kind: 'config'; reason: string }
  | { kind: 'refused'; reason: string; record?: ExecutionRecord; existing?: DeploymentRecord }
  | { kind: 'deployed'; record: ExecutionRecord; deployment: DeploymentRecord }
  | { kind: 'failed'; record: ExecutionRecord; deployment: DeploymentRecord };

async function whoAmI(repo: string): Promise<string> {
  const email = await tryGit(repo, ['config', '--get', 'user.email']);
  const name = await tryGit(repo, ['config', '--get', 'user.name']);
  if (email || name) return name && email ? `${name} <${email}>` : name || email;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** A deploy of the same commit and environment waits this long for another to finish, then reads its record. */
export const DEPLOY_LOCK_WAIT_MS = 10_000;
const inFlight = (d: DeploymentRecord): boolean => d.state === 'approved' || d.state === 'deploying';

/**
 * Whether a deployment is no longer driven by anyone: the store reads one left by a dead process
 * as `interrupted`; a record it has not classified yet is judged by the store's same rule.
 */
export function deploymentInterrupted(d: DeploymentRecord, now = Date.now()): boolean {
  if (d.state === 'interrupted') return true;
  return inFlight(d) && isAbandoned(d.owner, d.updatedAt ?? d.startedAt ?? d.approvedAt, now);
}

async function findReview(root: string, history: HistoryStore, head: string, environment: string): Promise<ExecutionRecord | undefined> {
  const records = await history.list();
  const since = await deployedSince(root, records, head, environment);
  const ofHead = records.filter((r) => r.status === 'completed' && r.result && r.target.head === head);
  for (const r of ofHead) if (await covers(root, r, since)) return r;
  return undefined;
}

/** The history, its warnings (an unreadable record, a failed write) said through the deploy's log. */
const historyOf = (req: DeployRequest, root: string): HistoryStore =>
  new HistoryStore(req.stateDir, root, { onWarning: (m) => (req.log ?? (() => undefined))(`warning: ${m}`) });

const describeDeployment = (d: DeploymentRecord): string =>
  `deployment ${d.deploymentId}, ${d.completedAt ?? d.startedAt ?? d.approvedAt}${d.owner ? `, pid ${d.owner.pid} on ${d.owner.host}` : ''}`;

/**
 * The gate, the webhook, the record and the checks — in that order, each step recorded in history.
 * Deciding and sending happen under a lock per repository, commit and environment: of two deploys
 * started together exactly one sends the webhook, the other waits and then refuses with its record.
 */
export async function deploy(req: DeployRequest): Promise<DeployOutcome> {
  if (!req.url)
    return {
      kind: 'config',
      reason: 'No deploy webhook URL is configured: set pullmint.deploy.url (editor) or PULLMINT_DEPLOY_URL (CLI).',
    };
  if (!/^https?:\/\//.test(req.url)) return { kind: 'config', reason: `The deploy URL must be http(s): ${req.url}` };
  const root = await repoRoot(req.repoDir);
  const head = await headSha(root);
  if (!head) return { kind: 'refused', reason: 'The repository has no commits to deploy.' };
  const key = `deploy ${root} ${head} ${req.environment}`;
  try {
    return await withExclusive(req.stateDir, key, () => decideAndSend(req, root, head), { waitMs: req.lockWaitMs ?? DEPLOY_LOCK_WAIT_MS });
  } catch (err) {
    if (!(err instanceof LockBusyError)) throw err;
    const record = await findReview(root, historyOf(req, root), head, req.environment);
    const existing = record?.deployments?.find((d) => d.environment === req.environment && inFlight(d));
    const who = err.owner ? ` (pid ${err.owner.pid} on ${err.owner.host})` : '';
    return {
      kind: 'refused',
      reason: existing
        ? `Execution ${record!.executionId} is already ${existing.state} to ${req.environment} (${describeDeployment(existing)}).`
        : `Another deploy of ${head.slice(0, 8)} to ${req.environment} is already deploying${who}.`,
      record,
      existing,
    };
  }
}

async function decideAndSend(req: DeployRequest, root: string, head: string): Promise<DeployOutcome> {
  const log = req.log ?? (() => undefined);
  const history = historyOf(req, root);
  const record = await findReview(root, history, head, req.environment);
  if (!record?.result) {
    // The review that would count, as a command: from the fork point or the last deploy, else the whole history.
    const since = await deployedSince(root, await history.list(), head, req.environment);
    const command = `pullmint review --range ${since ? since.slice(0, 12) : EMPTY_TREE}..${head.slice(0, 12)}`;
    return {
      kind: 'refused',
      reason: `No completed review of HEAD ${head.slice(0, 8)} that covers what would be deployed: the branch since its base, or on the default branch the commits since the last deploy to ${req.environment}${since ? '' : ' (never deployed there: the whole history)'}. Review it first: ${command}; or deploy with --force. A review of an earlier HEAD, or of only part of it, does not count.`,
    };
  }
  if (record.unreadableDeployments && !req.force) {
    // Unknown is not "never deployed": sending again could deploy twice.
    return {
      kind: 'refused',
      reason: `${record.unreadableDeployments} deployment record(s) of execution ${record.executionId} could not be read (see the warning above), so whether it was already deployed is unknown. Check the environment, remove the damaged file, or deploy with --force.`,
      record,
    };
  }
  const mine = (record.deployments ?? []).filter((d) => d.environment === req.environment);
  const done = mine.find((d) => d.state === 'deployed');
  if (done) {
    return {
      kind: 'refused',
      reason: `Execution ${record.executionId} is already deployed to ${req.environment} (${describeDeployment(done)}).`,
      record,
      existing: done,
    };
  }
  // Exactly once per commit and environment, not per review: a second review of the same commit
  // (a re-run, a cache hit) is no reason to send it again.
  const elsewhere = (await history.list())
    .filter((r) => r.target.head === head && r.executionId !== record.executionId)
    .flatMap((r) => (r.deployments ?? []).filter((d) => d.environment === req.environment && d.state === 'deployed'))
    .at(-1);
  if (elsewhere && !req.force) {
    return {
      kind: 'refused',
      reason: `${head.slice(0, 8)} is already deployed to ${req.environment} (${describeDeployment(elsewhere)}). Deploy it again with --force.`,
      record,
      existing: elsewhere,
    };
  }
  const interrupted: DeploymentRecord[] = [];
  for (const d of mine.filter((x) => inFlight(x) || x.state === 'interrupted')) {
    if (!deploymentInterrupted(d)) {
      return {
        kind: 'refused',
        reason: `Execution ${record.executionId} is already ${d.state} to ${req.environment} (${describeDeployment(d)}).`,
        record,
        existing: d,
      };
    }
    interrupted.push(d);
  }
  if (interrupted.length > 0) {
    const d = interrupted[interrupted.length - 1];
    // The webhook may have reached the receiver before the process died: only the user can tell.
    const reason = `Deployment ${d.deploymentId} to ${req.environment} was interrupted while ${d.state === 'interrupted' ? 'running' : d.state} (${describeDeployment(d)}; that process is gone): the receiver may or may not have acted on it. Check ${req.environment}, then deploy again with --force.`;
    const again = req.force || ((await req.confirmOverride?.(record, reason)) ?? false);
    if (!again) return { kind: 'refused', reason, record, existing: d };
    log(`deployment ${d.deploymentId} was interrupted; deploying again`);
  }
  const result = record.result;
  const refusal = gateRefusal(result, req.deployThreshold);
  let override = false;
  if (refusal) {
    override = req.force || ((await req.confirmOverride?.(record, refusal)) ?? false);
    if (!override) return { kind: 'refused', reason: `${refusal} Deploy anyway with --force (recorded as an override).`, record };
  }
  const requestedBy = await whoAmI(root);
  const now = (): string => new Date().toISOString();
  const deployment: DeploymentRecord = {
    deploymentId: randomUUID(),
    environment: req.environment,
    state: 'approved',
    override,
    requestedBy,
    approvedAt: now(),
    attempts: 0,
  };
  const save = (): Promise<void> =>
    updateRecord(req.stateDir, history, record, (latest) => [
      ...latest.filter((d) => d.deploymentId !== deployment.deploymentId),
      { ...deployment },
    ]);
  await save();
  log(
    `[${record.executionId}] deployment ${deployment.deploymentId} approved for ${req.environment}${override ? ` (override by ${requestedBy}, risk ${result.riskScore})` : ''}`,
  );

  const hostDeployments = req.deployments;
  if (hostDeployments) {
    try {
      const id = await hostDeployments.create({
        ref: head,
        environment: req.environment,
        description: `Pullmint: risk ${result.riskScore}/100 → ${result.decision}`,
        payload: { deploymentId: deployment.deploymentId, executionId: record.executionId },
      });
      if (id !== undefined) {
        deployment.githubDeploymentId = id;
        await hostDeployments.status(id, 'in_progress');
      }
    } catch (err) {
      log(`GitHub deployment not recorded: ${(err as Error).message}`);
    }
  }

  deployment.state = 'deploying';
  deployment.startedAt = now();
  await save();
  const payload: DeployPayload = {
    deploymentId: deployment.deploymentId,
    executionId: record.executionId,
    repository: hostDeployments ? hostDeployments.repository : root,
    ref: (await tryGit(root, ['symbolic-ref', '-q', '--short', 'HEAD'])) || head,
    sha: head,
    environment: req.environment,
    riskScore: result.riskScore,
    decision: result.decision,
    findings: severityCounts(result.findings),
    requestedBy,
    requestedAt: deployment.approvedAt,
    override,
  };
  const outcome = await sendDeployWebhook(payload, {
    url: req.url,
    token: req.token,
    secret: req.secret,
    userAgent: req.userAgent,
    timeoutMs: req.timeoutMs ?? 10_000,
    maxAttempts: 4,
    backoffMs: req.backoffMs ?? DEFAULT_BACKOFF,
    sleep: req.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    onAttempt: (a: AttemptLog) => {
      deployment.attempts = a.attempt;
      deployment.lastStatus = a.status;
      log(
        `[${record.executionId}] webhook attempt ${a.attempt}: ${a.status ? `HTTP ${a.status}` : a.error} in ${a.durationMs} ms${a.retryInMs !== undefined ? `; retrying in ${(a.retryInMs / 1000).toFixed(1)} s` : ''}`,
      );
    },
  });
  deployment.completedAt = now();
  deployment.attempts = outcome.attempts;
  deployment.lastStatus = outcome.lastStatus;
  if (!outcome.ok) {
    deployment.state = 'failed';
    deployment.error = outcome.error;
    await save();
    await githubStatus(req, deployment, 'failure', log);
    return { kind: 'failed', record, deployment };
  }
  deployment.state = 'deployed';
  await save();
  if (req.sanityChecks.length > 0) {
    deployment.sanity = await runSanityChecks(req.sanityChecks, {
      waitUntilHealthyMs: req.waitUntilHealthyMs,
      sleep: req.sleep,
      now: req.now,
    });
    deployment.checksFailing = deployment.sanity.some((s) => s.status === 'fail');
    for (const s of deployment.sanity) log(`sanity ${s.status}: ${s.name} (${s.durationMs} ms)${s.error ? ` — ${s.error}` : ''}`);
    await save();
  }
  await githubStatus(req, deployment, deployment.checksFailing ? 'failure' : 'success', log);
  return { kind: 'deployed', record, deployment };
}

/**
 * Read-modify-write of the execution's deployments under a lock of its own: deploys to other
 * environments of the same execution write the same record at the same time.
 */
async function updateRecord(
  stateDir: string,
  history: HistoryStore,
  record: ExecutionRecord,
  change: (deployments: DeploymentRecord[]) => DeploymentRecord[],
): Promise<void> {
  await withExclusive(
    stateDir,
    `execution ${history.repo} ${record.executionId}`,
    async () => {
      const latest = (await history.get(record.executionId)) ?? record;
      record.deployments = change(latest.deployments ?? []);
      await history.put({ ...latest, deployments: record.deployments });
    },
    { waitMs: 30_000 },
  );
}

async function githubStatus(
  req: DeployRequest,
  d: DeploymentRecord,
  state: 'success' | 'failure',
  log: (m: string) => void,
): Promise<void> {
  const hostDeployments = req.deployments;
  if (!hostDeployments || d.githubDeploymentId === undefined) return;
  try {
    await hostDeployments.status(
      d.githubDeploymentId,
      state,
      d.checksFailing ? 'deployed, sanity checks failing' : state === 'success' ? 'deployed' : (d.error ?? 'failed'),
    );
  } catch (err) {
    log(`GitHub deployment status not recorded: ${(err as Error).message}`);
  }
}

/** Why the review does not approve a deploy on its own, or null when it does. */
function gateRefusal(result: ReviewResult, deployThreshold: number): string | null {
  if (result.decision === 'incomplete' || !isComplete(result))
    return `${incompleteNote(result) ?? 'The review is incomplete'}: an incomplete review never approves a deploy.`;
  if (result.decision === 'manual-review' && result.riskScore < deployThreshold)
    return `The review needs a manual review (risk ${result.riskScore}/100, a blocking finding).`;
  if (result.riskScore >= deployThreshold)
    return `Risk ${result.riskScore}/100 is at or above the deploy threshold ${deployThreshold} (${result.decision}).`;
  return passesGate(result.decision) ? null : `The decision is ${result.decision}.`;
}

/**
 * Where what a deploy of `head` brings begins: a branch's fork point from the default branch; on
 * the default branch itself (or with none), the newest commit already deployed to this
 * environment. Null when nothing marks a beginning: only a review of the whole history covers it.
 */
async function deployedSince(root: string, records: ExecutionRecord[], head: string, environment: string): Promise<string | null> {
  const baseRef = await defaultBaseRef(root).catch(() => null);
  const baseSha = baseRef ? await resolveRef(root, baseRef) : null;
  const forkPoint = baseSha ? await mergeBase(root, baseSha, head).catch(() => '') : '';
  if (forkPoint && forkPoint !== head) return forkPoint;
  for (const r of records) {
    const deployed = r.deployments?.some((d) => d.environment === environment && d.state === 'deployed');
    if (deployed && r.target.head !== head && (await isAncestor(root, r.target.head, head))) return r.target.head;
  }
  return null;
}

/** Whether a review of HEAD read everything since `since`: a review of HEAD..HEAD, or of the last commit alone, does not. */
async function covers(root: string, record: ExecutionRecord, since: string | null): Promise<boolean> {
  const t = record.target;
  if (t.kind !== 'base' && t.kind !== 'range') return false;
  if (t.base === EMPTY_TREE) return true;
  if (since === null) return false;
  return t.base === since || isAncestor(root, t.base, since);
}
