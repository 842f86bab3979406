/** Shared vocabulary of the review engine. Nothing here knows about editors or terminals. */

import type { IacKind } from './iac/detect.js';

export type { IacKind };

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = [
  'security',
  'bug',
  'performance',
  'correctness',
  'maintainability',
  'style',
  'testing',
  'documentation',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * `incomplete`: the model did not review every reviewable changed line (unusable, rules only, a
 * limit, a failed or cut chunk, a clipped file or line). Never an approval, whatever the score.
 */
export type Decision = 'auto-approve' | 'auto-deploy' | 'manual-review' | 'incomplete';

export interface Finding {
  /** Stable fingerprint: file + normalized title + quoted line text; survives line shifts. */
  id: string;
  file: string;
  line: number;
  endLine?: number;
  severity: Severity;
  category: Category;
  title: string;
  message: string;
  suggestion?: string;
  /** The exact new-file text of `line` when known; used to follow edits and to anchor. */
  quote?: string;
  /**
   * Set when the finding is about a removed line: its line in the old file (GitHub's LEFT side).
   * `line` is then the nearest new-file line, where an editor shows it, and `quote` the removed text.
   */
  oldLine?: number;
  origin: 'llm' | 'rule';
  rule?: string;
}

/** A finding somebody dismissed: out of the score and of what is posted, kept with who and why. */
export interface DismissedFinding extends Finding {
  dismissal: { scope: 'team' | 'local'; author: string; reason: string; date: string };
}

/** `terraform-plan`: a review of a Terraform plan alone, with no diff (`pullmint review --terraform-plan`). */
export type TargetKind = 'working-tree' | 'staged' | 'base' | 'range' | 'terraform-plan';

export interface ReviewTarget {
  kind: TargetKind;
  /** What the diff is taken against (a sha, or the empty tree for a repo with no commits). */
  base: string;
  /** A sha, or 'WORKTREE' / 'INDEX' for uncommitted targets. */
  head: string;
  /** The user's words, e.g. "origin/main" or "A..B". */
  label: string;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface UnreviewedRange {
  file: string;
  startLine: number;
  endLine: number;
  reason: string;
  /** The lines are removed lines, numbered in the old file. */
  removed?: boolean;
}

export interface Coverage {
  /** Added and removed lines of every text file in the change (a removal is a change to review). */
  changedLines: number;
  reviewedLines: number;
  skippedFiles: SkippedFile[];
  /** Changed lines that a limit or a failed model call left unreviewed by the model. */
  unreviewed: UnreviewedRange[];
  /** True only when the model reviewed every reviewable changed line: nothing unreviewed, not rules only. */
  complete: boolean;
}

export interface ReviewStats {
  filesReviewed: number;
  chunks: number;
  llmCalls: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  durationMs: number;
  costUsd?: number;
}

export type ExecutionStatus = 'pending' | 'analyzing' | 'completed' | 'failed';

export interface ReviewResult {
  schemaVersion: 1;
  executionId: string;
  repo: string;
  target: ReviewTarget;
  provider: string;
  model: string;
  summary: string;
  riskScore: number;
  decision: Decision;
  /** True when no model reviewed the change (unreachable, untrusted, or chosen). */
  rulesOnly: boolean;
  findings: Finding[];
  /** Findings left out because the team (or, for uncommitted work, the user) dismissed them. */
  dismissed?: DismissedFinding[];
  /** The files the review read (rules or model): a finding absent from a later review of its file was fixed. */
  files?: string[];
  coverage: Coverage;
  stats: ReviewStats;
  warnings: string[];
  /** Why the model could not be used, with the fix; absent when it was used. */
  modelError?: ModelErrorInfo;
  startedAt: string;
  completedAt: string;
  /** Infrastructure as code in the review: each IaC file's kind, and the Terraform plan reviewed with it. */
  iac?: IacInfo;
}

export interface IacFile {
  file: string;
  kind: IacKind;
}

export interface TerraformPlanInfo {
  /** The plan JSON as reviewed: repository-relative when it is in the repository. */
  file: string;
  formatVersion: string;
  terraformVersion?: string;
  /** As Terraform counts them: a replace is one add and one destroy. `replace` and `noOp` are told apart too. */
  counts: { add: number; change: number; destroy: number; replace: number; noOp: number };
}

export interface IacInfo {
  files: IacFile[];
  plan?: TerraformPlanInfo;
}

export type ModelErrorKind = 'unreachable' | 'model-missing' | 'auth' | 'timeout' | 'bad-response' | 'other';

export interface ModelErrorInfo {
  kind: ModelErrorKind;
  message: string;
  fix: string;
}

export type FixKind =
  | 'open-folder'
  | 'install-ollama'
  | 'start-ollama'
  | 'pull-model'
  | 'select-model'
  | 'set-secret'
  | 'open-settings'
  | 'sign-in-github'
  | 'set-deploy-url'
  | 'qualify-model';

export interface SetupCheck {
  name: string;
  ok: boolean;
  /** What was found, in words: "qwen2.5-coder:7b, 32,768-token context". */
  detail: string;
  /** `arg`: the model to pull, the setting to open, or the secret to set. */
  fix?: { label: string; kind: FixKind; arg?: string };
  /** Not needed for a review (GitHub, deploy): shown, never blocks. */
  optional?: boolean;
}
