/**
 * The one message map between the extension and the risk panel. Both sides import these types;
 * the extension validates what arrives from the webview before acting on it.
 */
import type { Decision, Finding, IacInfo, ModelErrorInfo, SkippedFile, UnreviewedRange } from '../core/types.js';

export type { Decision, UnreviewedRange };

export interface PanelReview {
  executionId: string;
  riskScore: number;
  decision: Decision;
  rulesOnly: boolean;
  summary: string;
  target: { kind: string; label: string; base: string; head: string };
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  durationMs: number;
  costUsd?: number;
  coverage: { changedLines: number; reviewedLines: number; skippedFiles: SkippedFile[]; unreviewed: UnreviewedRange[]; complete: boolean };
  /** "Not fully reviewed: 8 of 151 lines" when the model did not review every changed line; absent when it did. */
  incomplete?: string;
  /** The findings shown now: fixed and dismissed ones have left (the score above is over these). */
  findings: Finding[];
  modelError?: ModelErrorInfo;
  completedAt: string;
  /** IaC files and the Terraform plan (add/change/destroy counts) of the review. */
  iac?: IacInfo;
  /** The score and finding count as recorded, when fixes or dismissals changed the working ones. */
  recorded?: { riskScore: number; findings: number };
}

export interface HistoryRow {
  executionId: string;
  createdAt: string;
  target: string;
  riskScore?: number;
  decision?: Decision;
  status: string;
  deployState?: string;
}

export interface DeploymentView {
  environment: string;
  state: string;
  override: boolean;
  attempts: number;
  lastStatus?: number;
  error?: string;
  checksFailing?: boolean;
  sanity?: { name: string; status: string; durationMs: number; error?: string }[];
  at: string;
}

/** What became of past findings, by category, from this machine's history (`pullmint insights`). */
export interface InsightsView {
  reviews: number;
  findings: number;
  rows: { label: string; total: number; fixed: number; dismissed: number; open: number }[];
}

/** The last Terraform plan review ("Review Terraform Plan…"), shown apart from the code review. */
export interface PanelPlan {
  file: string;
  counts: { add: number; change: number; destroy: number; replace: number; noOp: number };
  riskScore: number;
  decision: Decision;
  findings: { severity: string; title: string; file: string; line: number }[];
  at: string;
}

/** The last CI failure explanation ("Explain CI Failure"). */
export interface PanelCiExplanation {
  /** "CI #123" or the log file. */
  source: string;
  url?: string;
  explained: boolean;
  rootCause: string;
  evidence: string[];
  fix: string[];
  files: { file: string; line?: number; why: string }[];
  confidence?: string;
  at: string;
}

export interface PanelState {
  repo: string | null;
  repoName: string;
  running: boolean;
  /** While running: how far, "3 of 10 · src/auth.ts". */
  progress?: string;
  /** Follow-up of findings across reviews; absent until a review has found something. */
  insights?: InsightsView;
  plan?: PanelPlan;
  ciExplanation?: PanelCiExplanation;
  /** While running: what is being reviewed ("working tree changes"). */
  runningLabel?: string;
  stale: boolean;
  review: PanelReview | null;
  history: HistoryRow[];
  prKnown: boolean;
  /** What the branch's change request is called: a merge request on GitLab; a pull request when absent. */
  changeRequest?: 'PR' | 'MR';
  deploy: { configured: boolean; approveThreshold: number; deployThreshold: number; latest?: DeploymentView };
  setupProblem?: ModelErrorInfo;
  dismissedIds: string[];
}

export type PanelCommand = 'rereview' | 'post' | 'deploy' | 'checkSetup' | 'reviewWorkingTree' | 'reviewStaged' | 'reviewBranch';

export interface ToWebview {
  state: { type: 'state'; state: PanelState };
  reply: { type: 'reply'; requestId: number; ok: boolean; error?: string };
}

export interface FromWebview {
  ready: { type: 'ready' };
  open: { type: 'open'; repo: string; file: string; line: number };
  command: { type: 'command'; requestId: number; command: PanelCommand };
  dismiss: { type: 'dismiss'; repo: string; id: string };
}

export type ToWebviewMessage = ToWebview[keyof ToWebview];
export type FromWebviewMessage = FromWebview[keyof FromWebview];
export const PANEL_COMMANDS: PanelCommand[] = [
  'rereview',
  'post',
  'deploy',
  'checkSetup',
  'reviewWorkingTree',
  'reviewStaged',
  'reviewBranch',
];
