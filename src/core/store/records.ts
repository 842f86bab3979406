import type { Decision, ExecutionStatus, ReviewResult, ReviewTarget } from '../types.js';
import type { Owner } from './owner.js';

/** What the history keeps: one execution per review, with the deployments made from it. */

/** `interrupted`: left pending or analyzing by a process that died; only ever derived on read or written back. */
export type HistoryStatus = ExecutionStatus | 'interrupted';

export interface DeploymentRecord {
  deploymentId: string;
  environment: string;
  /** `interrupted`: left approved or deploying by a process that died; never active. */
  state: 'approved' | 'deploying' | 'deployed' | 'failed' | 'interrupted';
  override: boolean;
  requestedBy: string;
  approvedAt: string;
  startedAt?: string;
  completedAt?: string;
  attempts: number;
  lastStatus?: number;
  error?: string;
  githubDeploymentId?: number;
  sanity?: { name: string; status: 'pass' | 'fail' | 'skip'; durationMs: number; error?: string }[];
  /** Deployed, but a post-deploy sanity check failed. */
  checksFailing?: boolean;
  /** Set by the store: the last write, refreshed while the deployment runs. */
  updatedAt?: string;
  /** Set by the store: the process that runs the deployment; only it rewrites the record. */
  owner?: Owner;
}

export interface ExecutionRecord {
  executionId: string;
  repo: string;
  target: ReviewTarget;
  status: HistoryStatus;
  provider: string;
  model: string;
  rulesOnly?: boolean;
  createdAt: string;
  /** Set by the store on every write, and refreshed while the review runs (the heartbeat). */
  updatedAt: string;
  riskScore?: number;
  decision?: Decision;
  /** The whole review, on completed records: what posting and deploying act on. */
  result?: ReviewResult;
  error?: string;
  deployments?: DeploymentRecord[];
  /** Derived on read: deployment files of this execution that exist but could not be read. */
  unreadableDeployments?: number;
  /** Set by the store: the process that wrote the record last. */
  owner?: Owner;
}
