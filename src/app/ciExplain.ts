import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { MAX_LOG_CHARS } from '../core/ci/log.js';
import { explainFailure, type CiExplainResult, type CiSource, type JobLog } from '../core/ci/explain.js';
import { ciRunMarker, toCiMarkdown } from '../core/ci/report.js';
import { withExclusive } from '../core/exclusive.js';
import { headSha } from '../core/git/repo.js';
import { HostError, type CiAccess, type CiRun, type CodeHost } from '../core/hosts/types.js';
import type { ModelErrorInfo } from '../core/types.js';
import type { ReviewSession } from './session.js';

/** Characters of log excerpt sent to the model at most, all failed jobs together. */
export const CI_EXCERPT_CHARS = 24_000;

/** Failed jobs explained in one go; more are named in a warning. */
const MAX_JOBS = 4;

export type CiTarget =
  /** A log file: no code host. */
  | { kind: 'log'; file: string }
  /** A run by id. */
  | { kind: 'run'; id: number }
  /** The latest failed run of the change request `number` (or the branch's, else of HEAD). */
  | { kind: 'head'; number?: number };

export interface ExplainCiOptions {
  target: CiTarget;
  /** Needed for runs; not for a log file. */
  host?: CodeHost;
  /** Explain from the log alone, with this reason shown. */
  noModel?: ModelErrorInfo;
  signal?: AbortSignal;
  /** Progress for the front end: "downloading the log of job …". */
  onStep?: (message: string) => void;
}

export interface ExplainCiOutcome {
  /** undefined when nothing failed: `noFailure` says what was looked at. */
  result?: CiExplainResult;
  noFailure?: string;
}

/** A failure the user can act on while finding the run or its logs. */
export class CiError extends HostError {
  constructor(message: string) {
    super(message);
    this.name = 'CiError';
  }
}

function ciOf(host: CodeHost | undefined): CiAccess {
  if (!host) throw new CiError('Explaining a CI run needs the code host; give a log file with --log FILE to explain it without one.');
  if (!host.ci) throw new CiError(`${host.name} has no CI access in Pullmint yet; download the job log and use --log FILE.`);
  return host.ci;
}

/** Reads a log file whole, or its last MAX_LOG_CHARS when it is larger: the failure is at the end. */
export async function readLogFile(file: string): Promise<{ text: string; cut: boolean }> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CiError(`Cannot read the log file ${file}: ${code === 'ENOENT' ? 'it does not exist' : (code ?? (err as Error).message)}.`);
  }
  try {
    const { size } = await handle.stat();
    if (!(await handle.stat()).isFile()) throw new CiError(`${file} is not a file.`);
    const start = Math.max(0, size - MAX_LOG_CHARS);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    return { text: buf.toString('utf8').replace(/^\uFFFD+/, ''), cut: start > 0 };
  } finally {
    await handle.close();
  }
}

/** Finds the failure (a run of the change request, a run by id, a log file), cuts its logs and asks the model. */
export async function explainCi(session: ReviewSession, opts: ExplainCiOptions): Promise<ExplainCiOutcome> {
  const step = opts.onStep ?? (() => undefined);
  const warnings: string[] = [];
  let source: CiSource;
  let logs: JobLog[];
  if (opts.target.kind === 'log') {
    const { text, cut } = await readLogFile(opts.target.file);
    if (cut) warnings.push(`the log file is over ${MAX_LOG_CHARS / 1024 / 1024} MB; only its end was read`);
    source = { kind: 'log', file: basename(opts.target.file) };
    logs = [{ name: basename(opts.target.file), log: text }];
  } else {
    const ci = ciOf(opts.host);
    let run: CiRun;
    let pullRequest: number | undefined;
    if (opts.target.kind === 'run') run = await ci.run(opts.target.id);
    else {
      const pr = await ci.changeRequestHead(session.root, opts.target.number);
      const sha = pr?.headSha ?? (await headSha(session.root));
      if (!sha) throw new CiError('This repository has no commits; name a run with --run ID.');
      pullRequest = pr?.number;
      step(`looking for failed runs of ${pr ? `PR #${pr.number} (${sha.slice(0, 8)})` : `HEAD (${sha.slice(0, 8)})`}`);
      const runs = await ci.failedRuns(sha);
      if (runs.length === 0)
        return { noFailure: `No failed workflow run for ${pr ? `PR #${pr.number}'s head ` : ''}commit ${sha.slice(0, 8)}.` };
      run = runs[0];
      if (runs.length > 1)
        warnings.push(
          `${runs.length - 1} more failed run(s) for this commit: ${runs
            .slice(1, 6)
            .map((r) => `${r.name} (--run ${r.id})`)
            .join(', ')}`,
        );
    }
    source = {
      kind: 'run',
      runId: run.id,
      runName: run.name,
      runUrl: run.url,
      headSha: run.headSha,
      ...(pullRequest !== undefined ? { pullRequest } : {}),
    };
    const jobs = await ci.failedJobs(run.id);
    if (jobs.length === 0) {
      const state = run.status === 'completed' ? `concluded '${run.conclusion}'` : `is ${run.status || 'not finished'}`;
      return { noFailure: `Workflow run ${run.id} (${run.name}) ${state} and has no failed job with a log.` };
    }
    if (jobs.length > MAX_JOBS)
      warnings.push(
        `${jobs.length} jobs failed; the first ${MAX_JOBS} were explained: ${jobs
          .slice(MAX_JOBS)
          .map((j) => j.name)
          .join(', ')} were not`,
      );
    logs = [];
    for (const job of jobs.slice(0, MAX_JOBS)) {
      step(`downloading the log of job ${job.name}`);
      logs.push({ name: job.name, id: job.id, url: job.url, failedStep: job.failedStep, log: await ci.jobLog(job.id) });
    }
  }
  step('asking the model');
  const provider = opts.noModel ? null : await session.reviewProvider();
  const result = await explainFailure({
    source,
    logs,
    provider,
    noModelReason: opts.noModel,
    maxChars: CI_EXCERPT_CHARS,
    timeoutMs: session.config.timeoutSeconds * 1000,
    signal: opts.signal,
  });
  result.warnings.unshift(...warnings);
  return { result };
}

/** How long opening an issue waits for another one about the same run from this machine. */
const ISSUE_LOCK_WAIT_MS = 60_000;

/**
 * One issue per failed run, found again by its marker and updated: asked twice (or by two
 * processes at once on this machine) it stays one issue.
 */
export async function openCiIssue(
  session: ReviewSession,
  host: CodeHost,
  result: CiExplainResult,
): Promise<{ number: number; url: string; created: boolean }> {
  const ci = ciOf(host);
  const runId = result.source.runId;
  if (result.source.kind !== 'run' || runId === undefined)
    throw new CiError('An issue is opened for a CI run; a log file has none to link.');
  const marker = ciRunMarker(runId);
  const title = `CI failure: ${result.source.runName ?? `run ${runId}`}${result.source.headSha ? ` at ${result.source.headSha.slice(0, 8)}` : ''}`;
  const { host: server, owner, repo } = host.repo;
  return withExclusive(
    session.stateDir,
    `ci-issue ${server}/${owner}/${repo}#${runId}`,
    () => ci.upsertIssue(marker, title, toCiMarkdown(result, marker)),
    {
      waitMs: ISSUE_LOCK_WAIT_MS,
    },
  );
}

/** The explanation as a comment on the change request, updated in place per run. */
export async function commentCiExplanation(
  host: CodeHost,
  number: number,
  result: CiExplainResult,
): Promise<{ id: number; created: boolean }> {
  const ci = ciOf(host);
  const marker = ciRunMarker(result.source.runId ?? 0);
  return ci.upsertComment(number, marker, toCiMarkdown(result, marker));
}
