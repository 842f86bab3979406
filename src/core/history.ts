import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isTempFile, reasonOf, removeStaleTemps, writeFileAtomic } from './store/atomic.js';
import { clip, clipFinding, LIMITS } from './store/limits.js';
import { currentOwner, HEARTBEAT_MS, isAbandoned, isMine } from './store/owner.js';
import type { DeploymentRecord, ExecutionRecord, HistoryStatus } from './store/records.js';
import type { ReviewResult } from './types.js';

/** The record schemas, read when records are: writing one needs none, and a review only writes. */
const schemas = (): Promise<typeof import('./store/schemas.js')> => import('./store/schemas.js');

export const HISTORY_RETENTION_MS = 90 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 24 * 3600 * 1000;

export type { DeploymentRecord, ExecutionRecord, HistoryStatus } from './store/records.js';

export interface HistoryOptions {
  now?: () => number;
  /** Told each kind of problem once (a failed write, unreadable records); Node's warning by default. */
  onWarning?: (message: string) => void;
  /** How often a running record's owner refreshes it. */
  heartbeatMs?: number;
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'pullmint');
}

const RUNNING_EXECUTION: HistoryStatus[] = ['pending', 'analyzing'];
const RUNNING_DEPLOYMENT: DeploymentRecord['state'][] = ['approved', 'deploying'];

/** Ids become file names: anything unusual is hashed, so no id can name a path outside the folder. */
function fileId(id: string): string {
  return /^[A-Za-z0-9_-]{1,80}$/.test(id) ? id : `h-${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
}

type StoredDeployment = DeploymentRecord & { executionId: string };

/**
 * Execution and deployment records of one repository, one JSON file each under
 * `<stateDir>/history/<repo hash>/` (`executions/`, `deployments/`). A write replaces its own file
 * atomically and nothing is ever rewritten in place, so a crash at any instant loses at most the
 * write under way and concurrent reviews never touch each other's files. Every file is validated on
 * read; invalid ones are skipped and reported once. A record still running when its process died
 * reads as `interrupted`. The single JSON-lines file of earlier versions is read and migrated.
 */
export class HistoryStore {
  private readonly dir: string;
  private readonly legacyFile: string;
  private readonly now: () => number;
  private readonly onWarning: (message: string) => void;
  private readonly heartbeatMs: number;
  private readonly warned = new Set<string>();
  /** Records this process is running, refreshed by the heartbeat until they finish. */
  private readonly running = new Map<string, { updatedAt: string }>();
  private heartbeat: NodeJS.Timeout | undefined;
  /** Problems reported so far, for callers that print warnings themselves. */
  readonly warnings: string[] = [];

  constructor(
    stateDir: string,
    readonly repo: string,
    opts: (() => number) | HistoryOptions = {},
  ) {
    const o = typeof opts === 'function' ? { now: opts } : opts;
    this.now = o.now ?? Date.now;
    this.onWarning = o.onWarning ?? ((m) => process.emitWarning(m, { code: 'PULLMINT_HISTORY' }));
    this.heartbeatMs = o.heartbeatMs ?? HEARTBEAT_MS;
    const id = createHash('sha256').update(repo).digest('hex').slice(0, 16);
    this.dir = join(stateDir, 'history', id);
    this.legacyFile = join(stateDir, 'history', `${id}.jsonl`);
  }

  private get executionsDir(): string {
    return join(this.dir, 'executions');
  }

  private get deploymentsDir(): string {
    return join(this.dir, 'deployments');
  }

  private executionFile(executionId: string): string {
    return join(this.executionsDir, `${fileId(executionId)}.json`);
  }

  private deploymentFile(executionId: string, deploymentId: string): string {
    return join(this.deploymentsDir, `${fileId(executionId)}.${fileId(deploymentId)}.json`);
  }

  private warn(kind: string, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.warnings.push(message);
    this.onWarning(message);
  }

  /**
   * Records the execution's new state, and each of its deployments that this call owns: a deployment
   * read from another process's records is left to that process, so a stale copy never overwrites it.
   * A failed write is reported once (through onWarning) and rejects.
   */
  async put(record: ExecutionRecord): Promise<void> {
    const updatedAt = new Date(this.now()).toISOString();
    const owner = currentOwner();
    const { deployments, ...execution } = record;
    const writes = [
      this.write(
        this.executionFile(record.executionId),
        { ...execution, ...(execution.result ? { result: this.bounded(execution.result) } : {}), updatedAt, owner },
        RUNNING_EXECUTION.includes(record.status),
      ),
    ];
    for (const d of deployments ?? []) {
      if (d.owner && !isMine(d.owner)) continue;
      const stored = { ...d, executionId: record.executionId, updatedAt, owner };
      writes.push(this.write(this.deploymentFile(record.executionId, d.deploymentId), stored, RUNNING_DEPLOYMENT.includes(d.state)));
    }
    const failed = (await Promise.allSettled(writes)).find((r) => r.status === 'rejected');
    if (failed) {
      this.warn(
        'write',
        `history could not be written (${reasonOf(failed.reason)}): this run is not recorded, so \`pullmint history\`, post and deploy will not find it.`,
      );
      throw failed.reason;
    }
    if (!RUNNING_EXECUTION.includes(record.status)) await this.maybePrune();
  }

  private write<T extends { updatedAt: string }>(path: string, value: T, running: boolean): Promise<void> {
    if (running) this.running.set(path, value);
    else this.running.delete(path);
    this.tickHeartbeat();
    return writeFileAtomic(path, JSON.stringify(value));
  }

  /** Runs the heartbeat only while something runs; unref'd so that it never keeps a process alive. */
  private tickHeartbeat(): void {
    if (this.running.size > 0 && !this.heartbeat) {
      this.heartbeat = setInterval(() => {
        const at = new Date(this.now()).toISOString();
        // Queued synchronously, so a later put of the same file always lands after this refresh.
        for (const [path, value] of this.running) {
          value.updatedAt = at;
          writeFileAtomic(path, JSON.stringify(value)).catch((err) =>
            this.warn('heartbeat', `history could not be refreshed (${reasonOf(err)}).`),
          );
        }
      }, this.heartbeatMs);
      this.heartbeat.unref();
    } else if (this.running.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  /** A review small enough to read back quickly: a runaway model answer is cut, and the cut reported. */
  private bounded(result: ReviewResult): ReviewResult {
    const findings = result.findings.slice(0, LIMITS.findingsPerRecord).map(clipFinding);
    const warnings = result.warnings.slice(0, LIMITS.warningsPerRecord).map((w) => clip(w, LIMITS.warningChars));
    const cut =
      result.findings.length > findings.length ||
      findings.some((f, i) => f !== result.findings[i]) ||
      result.summary.length > LIMITS.summaryChars ||
      result.warnings.length > warnings.length ||
      warnings.some((w, i) => w !== result.warnings[i]);
    if (!cut) return result;
    this.warn('cut', 'the review was larger than history keeps: the recorded copy has shortened texts.');
    return { ...result, summary: clip(result.summary, LIMITS.summaryChars), findings, warnings };
  }

  /** Latest state of each execution, newest first, without those past retention. */
  async list(limit = Infinity): Promise<ExecutionRecord[]> {
    const invalid: string[] = [];
    const records = new Map<string, ExecutionRecord>();
    const { DeploymentSchema, ExecutionSchema } = await schemas();
    for (const name of await this.names(this.executionsDir)) {
      const rec = await this.readRecord(join(this.executionsDir, name), invalid, (v) => ExecutionSchema.safeParse(v));
      // Deployments live in files of their own; one embedded here would be a stale copy.
      if (rec) records.set(rec.executionId, { ...(rec as unknown as ExecutionRecord), deployments: [] });
    }
    const legacy = await this.readLegacy(invalid);
    const toMigrate = [...legacy.values()].filter((r) => !records.has(r.executionId));
    for (const r of toMigrate) records.set(r.executionId, r);

    const deployments = new Map<string, Map<string, DeploymentRecord>>();
    for (const r of records.values())
      if (r.deployments?.length) deployments.set(r.executionId, new Map(r.deployments.map((d) => [d.deploymentId, d])));
    // Deployment files that exist but cannot be read, by the execution their name carries: a deploy
    // must not take "no deployment" from a record it could not read.
    const unreadable = new Map<string, number>();
    for (const name of await this.names(this.deploymentsDir)) {
      const before = invalid.length;
      const d = await this.readRecord(join(this.deploymentsDir, name), invalid, (v) =>
        DeploymentSchema.extend({ executionId: ExecutionSchema.shape.executionId }).safeParse(v),
      );
      if (invalid.length > before) {
        const owner = name.slice(0, name.indexOf('.'));
        unreadable.set(owner, (unreadable.get(owner) ?? 0) + 1);
      }
      if (!d) continue;
      const { executionId, ...deployment } = d as unknown as StoredDeployment;
      if (!deployments.has(executionId)) deployments.set(executionId, new Map());
      deployments.get(executionId)!.set(deployment.deploymentId, deployment);
    }
    if (invalid.length > 0)
      this.warn(
        'invalid',
        `skipped ${invalid.length} history record(s) that could not be read (${invalid[0]}${invalid.length > 1 ? ', …' : ''}).`,
      );

    const now = this.now();
    const cutoff = now - HISTORY_RETENTION_MS;
    const out: ExecutionRecord[] = [];
    for (const r of records.values()) {
      if (Date.parse(r.createdAt) < cutoff) continue;
      const ds = [...(deployments.get(r.executionId)?.values() ?? [])]
        .sort((a, b) => a.approvedAt.localeCompare(b.approvedAt))
        .map((d) => this.settleDeployment(d, now));
      const { deployments: _embedded, ...execution } = this.settleExecution(r, now);
      const lost = unreadable.get(fileId(r.executionId));
      out.push({ ...execution, ...(ds.length ? { deployments: ds } : {}), ...(lost ? { unreadableDeployments: lost } : {}) });
    }
    if (legacy.size > 0) await this.migrate(toMigrate.filter((r) => Date.parse(r.createdAt) >= cutoff));
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.executionId.localeCompare(b.executionId)).slice(0, limit);
  }

  async get(executionId: string): Promise<ExecutionRecord | undefined> {
    return (await this.list()).find((r) => r.executionId === executionId);
  }

  /** The newest completed review of exactly this base and head. */
  async latestFor(base: string, head: string): Promise<ExecutionRecord | undefined> {
    return (await this.list()).find((r) => r.status === 'completed' && r.result && r.target.base === base && r.target.head === head);
  }

  private settleExecution(r: ExecutionRecord, now: number): ExecutionRecord {
    if (!RUNNING_EXECUTION.includes(r.status) || !isAbandoned(r.owner, r.updatedAt, now)) return r;
    return { ...r, status: 'interrupted', error: r.error ?? 'the process running this review stopped before it finished' };
  }

  private settleDeployment(d: DeploymentRecord, now: number): DeploymentRecord {
    if (!RUNNING_DEPLOYMENT.includes(d.state) || !isAbandoned(d.owner, d.updatedAt ?? d.startedAt ?? d.approvedAt, now)) return d;
    return { ...d, state: 'interrupted', error: d.error ?? `the process running this deployment stopped while it was ${d.state}` };
  }

  private async names(dir: string): Promise<string[]> {
    try {
      return (await readdir(dir)).filter((n) => n.endsWith('.json') && !isTempFile(n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.warn('read', `history could not be read (${reasonOf(err)}).`);
      return [];
    }
  }

  private async readRecord<T>(
    path: string,
    invalid: string[],
    validate: (v: unknown) => { success: true; data: T } | { success: false; error: import('zod').ZodError },
  ): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      // Pruned or replaced between listing and reading: not a problem with the record.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') invalid.push(`${path}: ${reasonOf(err)}`);
      return null;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      invalid.push(`${path}: not JSON`);
      return null;
    }
    const v = validate(json);
    if (!v.success) {
      invalid.push(`${path}: ${(await schemas()).firstIssue(v.error)}`);
      return null;
    }
    return v.data;
  }

  /** The JSON-lines file of earlier versions: the last line of each execution is its state. */
  private async readLegacy(invalid: string[]): Promise<Map<string, ExecutionRecord>> {
    const latest = new Map<string, ExecutionRecord>();
    let text: string;
    try {
      text = await readFile(this.legacyFile, 'utf8');
    } catch {
      return latest;
    }
    const { ExecutionSchema, firstIssue } = await schemas();
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        // The old format's usual crash damage is a torn last line; anything else is worth a word.
        if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l.trim())) invalid.push(`${this.legacyFile}:${i + 1}: not JSON`);
        return;
      }
      const v = ExecutionSchema.safeParse(json);
      if (v.success) latest.set(v.data.executionId, v.data as unknown as ExecutionRecord);
      else invalid.push(`${this.legacyFile}:${i + 1}: ${firstIssue(v.error)}`);
    });
    return latest;
  }

  /**
   * Moves the old file's records into files of their own, then sets the old file aside. A crash in
   * between only repeats the work: records already moved are skipped and the old file is still read.
   */
  private async migrate(records: ExecutionRecord[]): Promise<void> {
    try {
      for (const r of records) {
        const { deployments, ...execution } = r;
        for (const d of deployments ?? [])
          await writeFileAtomic(this.deploymentFile(r.executionId, d.deploymentId), JSON.stringify({ ...d, executionId: r.executionId }));
        await writeFileAtomic(this.executionFile(r.executionId), JSON.stringify(execution));
      }
      await rename(this.legacyFile, `${this.legacyFile}.migrated`);
    } catch {
      /* a read-only folder keeps the old file, which is simply read again next time */
    }
  }

  /** Prunes at most once a day (a marker file remembers when); never fails a write. */
  async maybePrune(): Promise<number> {
    const marker = join(this.dir, '.last-prune');
    const last = await stat(marker).catch(() => null);
    if (last && this.now() - last.mtimeMs < PRUNE_EVERY_MS) return 0;
    try {
      await writeFileAtomic(marker, new Date(this.now()).toISOString());
      return await this.prune();
    } catch {
      return 0;
    }
  }

  /**
   * Deletes the files of executions past retention, their deployments first so that none is left
   * without its execution, and temporary files of killed writers. Only whole files go; a kill at any
   * point leaves every other record as it was. Returns how many executions went.
   */
  async prune(): Promise<number> {
    const now = this.now();
    const cutoff = now - HISTORY_RETENTION_MS;
    const expired = new Set<string>();
    const keep = new Set<string>();
    for (const name of await this.names(this.executionsDir)) {
      const path = join(this.executionsDir, name);
      const created = await readFile(path, 'utf8').then(
        (t) => Date.parse((JSON.parse(t) as { createdAt?: unknown }).createdAt as string),
        () => NaN,
      );
      const stem = name.slice(0, -'.json'.length);
      // An unreadable file is judged by its age on disk, so that damage alone never deletes it early.
      const when = Number.isNaN(created) ? ((await stat(path).catch(() => null))?.mtimeMs ?? now) : created;
      (when < cutoff ? expired : keep).add(stem);
    }
    for (const name of await this.names(this.deploymentsDir)) {
      const stem = name.split('.')[0];
      const path = join(this.deploymentsDir, name);
      const orphanAge = keep.has(stem) || expired.has(stem) ? 0 : now - ((await stat(path).catch(() => null))?.mtimeMs ?? now);
      if (expired.has(stem) || orphanAge > HISTORY_RETENTION_MS) await rm(path, { force: true }).catch(() => undefined);
    }
    for (const stem of expired) await rm(join(this.executionsDir, `${stem}.json`), { force: true }).catch(() => undefined);
    await removeStaleTemps(this.executionsDir, now);
    await removeStaleTemps(this.deploymentsDir, now);
    return expired.size;
  }

  /** Kept for callers of the single-file store: what it compacted is now pruned file by file. */
  async compact(): Promise<void> {
    await this.prune();
  }
}
