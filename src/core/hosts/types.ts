/**
 * What Pullmint needs from a code host (GitHub, GitLab): the change request of a branch
 * and its diff range, posting a review onto it, and recording deployments. The use cases in
 * src/app/ speak only this interface.
 */
import type { FileDiff } from '../diff/model.js';
import type { ReviewResult } from '../types.js';

/** A repository on a code host, as a git remote names it. */
export interface RemoteRepo {
  host: string;
  owner: string;
  repo: string;
}

/** A pull request (GitHub) or merge request (GitLab). */
export interface ChangeRequest {
  base: RemoteRepo;
  number: number;
  /** How it was found: the branch's config key, the user's number, the host's API, or the CI event. */
  source: 'branch-config' | 'flag' | 'api' | 'event';
  title: string;
  state: string;
  author: string;
  headSha: string;
  headRef: string;
  baseSha: string;
  baseRef: string;
  htmlUrl: string;
  /** A GitLab merge request ("MR !7"); a GitHub pull request ("PR #7") when absent. */
  kind?: 'pull-request' | 'merge-request';
  /** GitLab's `diff_refs.start_sha`: the target branch's tip the MR's diff was computed against. */
  startSha?: string;
}

/** A change request and the local range that is its diff. */
export interface ChangeRequestTarget {
  pr: ChangeRequest;
  mergeBase: string;
  /** `mergeBase..headSha`. */
  range: string;
  /** Set when the local checkout is not at the change request's head. */
  localHeadNote?: string;
}

export interface PostOptions {
  /** Most inline comments in one review; the rest go to the summary. */
  maxInline: number;
  /** Ask for changes on manual-review (a comment on one's own change request, which hosts refuse otherwise). */
  requestChanges: boolean;
  /** Set the `pullmint/risk` commit status. */
  commitStatus: boolean;
  deployThreshold: number;
}

export const DEFAULT_POST_OPTIONS: PostOptions = { maxInline: 30, requestChanges: false, commitStatus: false, deployThreshold: 40 };

export interface PostOutcome {
  summaryCommentId: number;
  summaryUpdated: boolean;
  inlinePosted: number;
  alreadyPosted: number;
  /** Findings outside the diff's hunks, or over the cap: listed in the summary. */
  inSummaryOnly: number;
  reviewEvent?: 'COMMENT' | 'REQUEST_CHANGES';
  status?: 'success' | 'failure' | 'pending';
  /** The host refused the inline comments: their findings went into the summary instead. */
  inlineError?: string;
}

/** Deployments as the host shows them (GitHub's Deployments and their statuses). */
export interface DeploymentRecorder {
  /** The full name the deploy payload carries, e.g. `acme/shop`. */
  readonly repository: string;
  create(input: { ref: string; environment: string; description: string; payload: Record<string, unknown> }): Promise<number | undefined>;
  status(id: number, state: 'in_progress' | 'success' | 'failure', description?: string): Promise<void>;
}

export interface CodeHost {
  /** "GitHub": for messages. */
  readonly name: string;
  readonly repo: RemoteRepo;
  /** The change request of the checked-out branch, or `number`; both ends fetched when missing. */
  findChangeRequest(repoDir: string, number?: number): Promise<ChangeRequestTarget>;
  /**
   * Inline comments on diff lines (each once), then one summary (updated in place) that says what
   * actually went inline, optionally a commit status. Converges: repeated or concurrent posts and
   * retried requests leave one summary and one comment per finding.
   */
  post(pr: ChangeRequest, result: ReviewResult, diff: FileDiff[], options: PostOptions): Promise<PostOutcome>;
  readonly deployments: DeploymentRecorder;
  /** Code scanning (SARIF), where the host has it. */
  uploadSarif?(pr: ChangeRequest, sarif: string): Promise<void>;
  /** CI runs, their logs and issues about them, where the host has CI (GitHub Actions). */
  readonly ci?: CiAccess;
}

/** A CI run (a GitHub Actions workflow run). */
export interface CiRun {
  id: number;
  name: string;
  url: string;
  headSha: string;
  /** failure, timed_out, success, … ; empty while it runs. */
  conclusion: string;
  status: string;
  createdAt: string;
}

/** A job of a run, and the step that failed in it. */
export interface CiJob {
  id: number;
  name: string;
  url: string;
  conclusion: string;
  failedStep?: string;
}

/** What explaining a failed run needs from a code host. */
export interface CiAccess {
  /** The change request `number`, or the checked-out branch's: its number and head commit; undefined when there is none. */
  changeRequestHead(repoDir: string, number?: number): Promise<{ number: number; headSha: string } | undefined>;
  /** Failed runs of a commit, the latest first. */
  failedRuns(sha: string): Promise<CiRun[]>;
  run(id: number): Promise<CiRun>;
  /** The run's failed jobs (its latest attempt). */
  failedJobs(runId: number): Promise<CiJob[]>;
  /** A job's whole log as text. */
  jobLog(jobId: number): Promise<string>;
  /** The issue carrying `marker` in its body, updated; else a new one. */
  upsertIssue(marker: string, title: string, body: string): Promise<{ number: number; url: string; created: boolean }>;
  /** The change request comment carrying `marker`, updated; else a new one. */
  upsertComment(number: number, marker: string, body: string): Promise<{ id: number; created: boolean }>;
}

/** A host failure in words a user can act on. */
export class HostError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HostError';
  }
}
