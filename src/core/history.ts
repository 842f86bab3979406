import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Decision, ExecutionStatus, ReviewResult, ReviewTarget } from './types.js';

export const HISTORY_RETENTION_MS = 90 * 24 * 3600 * 1000;
/** Past this size the file is rewritten with one line per live execution. */
const COMPACT_AT_BYTES = 2 * 1024 * 1024;

export interface DeploymentRecord {
  deploymentId: string;
  environment: string;
  state: 'approved' | 'deploying' | 'deployed' | 'failed';
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
}

export interface ExecutionRecord {
  executionId: string;
  repo: string;
  target: ReviewTarget;
  status: ExecutionStatus;
  provider: string;
  model: string;
  rulesOnly?: boolean;
  createdAt: string;
  updatedAt: string;
  riskScore?: number;
  decision?: Decision;
  /** The whole review, on completed records: what posting and deploying act on. */
  result?: ReviewResult;
  error?: string;
  deployments?: DeploymentRecord[];
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'pullmint');
}

/**
 * Execution records of one repository as JSON lines; each state change appends the whole record
 * and reading keeps the latest per executionId. Appends are atomic enough for one writer per line.
 */
export class HistoryStore {
  private readonly file: string;

  constructor(
    stateDir: string,
    readonly repo: string,
    private readonly now: () => number = Date.now,
  ) {
    const id = createHash('sha256').update(repo).digest('hex').slice(0, 16);
    this.file = join(stateDir, 'history', `${id}.jsonl`);
  }

  async put(record: ExecutionRecord): Promise<void> {
    await mkdir(join(this.file, '..'), { recursive: true });
    await appendFile(this.file, JSON.stringify({ ...record, updatedAt: new Date(this.now()).toISOString() }) + '\n');
    if (record.status === 'completed' || record.status === 'failed') {
      const size = (await stat(this.file).catch(() => null))?.size ?? 0;
      if (size > COMPACT_AT_BYTES) await this.compact();
    }
  }

  /** Latest state of each execution, newest first, without those past retention. */
  async list(limit = Infinity): Promise<ExecutionRecord[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    const latest = new Map<string, ExecutionRecord>();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const rec = JSON.parse(line) as ExecutionRecord;
        if (rec.executionId) latest.set(rec.executionId, rec);
      } catch {
        /* a torn line from a crash: skip it */
      }
    }
    const cutoff = this.now() - HISTORY_RETENTION_MS;
    return [...latest.values()]
      .filter((r) => Date.parse(r.createdAt) >= cutoff)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, limit);
  }

  async get(executionId: string): Promise<ExecutionRecord | undefined> {
    return (await this.list()).find((r) => r.executionId === executionId);
  }

  /** The newest completed review of exactly this base and head. */
  async latestFor(base: string, head: string): Promise<ExecutionRecord | undefined> {
    return (await this.list()).find((r) => r.status === 'completed' && r.result && r.target.base === base && r.target.head === head);
  }

  /** Rewrites the file with one line per live execution: drops old states and expired records. */
  async compact(): Promise<void> {
    const records = await this.list();
    await mkdir(join(this.file, '..'), { recursive: true });
    await writeFile(
      this.file,
      records
        .reverse()
        .map((r) => JSON.stringify(r) + '\n')
        .join(''),
    );
  }
}
