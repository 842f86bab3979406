import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { defaultBaseRef, headSha, isAncestor, mergeBase, repoRoot, resolveRef } from '../git/repo.js';
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

const ACTIVE: DeploymentRecord['state'][] = ['approved', 'deploying', 'deployed'];

/** The gate, the webhook, the record and the checks — in that order, each step recorded in history. */
export async function deploy(req: DeployRequest): Promise<DeployOutcome> {
  const log = req.log ?? (() => undefined);
  if (!req.url)
    return {
      kind: 'config',
      reason: 'No deploy webhook URL is configured: set pullmint.deploy.url (editor) or PULLMINT_DEPLOY_URL (CLI).',
    };
  if (!/^https?:\/\//.test(req.url)) return { kind: 'config', reason: `The deploy URL must be http(s): ${req.url}` };
  const root = await repoRoot(req.repoDir);
  const head = await headSha(root);
  if (!head) return { kind: 'refused', reason: 'The repository has no commits to deploy.' };
  const history = new HistoryStore(req.stateDir, root);
  const ofHead = (await history.list()).filter((r) => r.status === 'completed' && r.result && r.target.head === head);
  let record: ExecutionRecord | undefined;
  for (const r of ofHead) {
    if (!(await coversBranch(root, r))) continue;
    record = r;
    break;
  }
  if (!record?.result) {
    return {
      kind: 'refused',
      reason: `No completed review of HEAD ${head.slice(0, 8)} that covers the branch since its base: review it first (pullmint review --base, or "Review Branch Against Base…"). A review of an earlier HEAD, or of only part of the branch, does not count.`,
    };
  }
  const existing = (record.deployments ?? []).find((d) => d.environment === req.environment && ACTIVE.includes(d.state));
  if (existing) {
    return {
      kind: 'refused',
      reason: `Execution ${record.executionId} is already ${existing.state} to ${req.environment} (deployment ${existing.deploymentId}, ${existing.completedAt ?? existing.startedAt ?? existing.approvedAt}).`,
      record,
      existing,
    };
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
  const save = async (): Promise<void> => {
    const latest = (await history.get(record.executionId)) ?? record;
    const others = (latest.deployments ?? []).filter((d) => d.deploymentId !== deployment.deploymentId);
    record.deployments = [...others, { ...deployment }];
    await history.put({ ...latest, deployments: record.deployments });
  };
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
 * Whether a review of HEAD reviewed everything the branch adds to its base: a review of just the
 * last commit, or of HEAD..HEAD, says nothing about the rest of what would be deployed.
 */
async function coversBranch(root: string, record: ExecutionRecord): Promise<boolean> {
  const t = record.target;
  if (t.kind !== 'base' && t.kind !== 'range') return false;
  const baseRef = await defaultBaseRef(root).catch(() => null);
  const baseSha = baseRef ? await resolveRef(root, baseRef) : null;
  const forkPoint = baseSha ? await mergeBase(root, baseSha, t.head).catch(() => '') : '';
  if (!forkPoint) return t.base !== t.head;
  return t.base === forkPoint || isAncestor(root, t.base, forkPoint);
}
