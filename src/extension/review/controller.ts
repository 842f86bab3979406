import * as vscode from 'vscode';
import type { ReviewSession } from '../../app/session.js';
import type { TargetSpec } from '../../core/git/diff.js';
import { headSha } from '../../core/git/repo.js';
import { GitError } from '../../core/git/run.js';
import type { PullmintConfig } from '../../core/config/schema.js';
import { riskScore, type RiskConfig } from '../../core/risk.js';
import { incompleteNote } from '../../core/report/verdict.js';
import { endpointSetting } from '../../core/config/load.js';
import { runSetupChecks } from '../../core/setup.js';
import type { ModelErrorInfo, ReviewResult, SetupCheck } from '../../core/types.js';
import { Disposable } from '../lifecycle.js';
import type { SettingsService } from '../settings.js';
import { applyFix, ollamaFix } from '../setup/setup.js';
import { countsText, type DiagnosticsPresenter, type FindingCounts } from './diagnostics.js';
import type { Dismissals } from './dismissals.js';
import type { StatusBar } from './statusBar.js';

export interface RepoReview {
  repo: string;
  result?: ReviewResult;
  running: boolean;
  /** The code changed since the review (HEAD moved, or edits to reviewed files). */
  stale: boolean;
  /** HEAD when the review started, to notice branch switches and commits. */
  head: string | null;
  /** Why the last review could not use the model, when it was a setup problem. */
  setupProblem?: ModelErrorInfo;
  /** The risk settings the review was scored with, to score what is left after fixes and dismissals. */
  risk?: RiskConfig;
  /** What the running review is doing: "3 of 10 · src/auth.ts". */
  progress?: string;
  /** What the running review reviews. */
  runningLabel?: string;
  /** HEAD moved and the findings were taken off the editor: no working view, the recorded one stands. */
  cleared?: boolean;
}

/** The review as it stands now: dismissed and fixed findings left; the recorded result is unchanged. */
export interface WorkingView {
  riskScore: number;
  findings: ReviewResult['findings'];
  counts: FindingCounts;
}

export interface ReviewOptions {
  repo: string;
  target: TargetSpec;
  label: string;
  /** Review only these repository-relative paths. */
  paths?: string[];
  /** The commit whose .pullmint.json applies (see SessionReview.configAt). */
  configAt?: string;
  /** Skip the model even when it is configured (review on save in rules mode). */
  rulesOnly?: boolean;
  /** No notification progress (review on save). */
  quiet?: boolean;
  signal?: AbortSignal;
}

/** Runs reviews for the editor: provider from settings and secrets, progress, streaming diagnostics. */
export class ReviewController extends Disposable {
  private readonly states = new Map<string, RepoReview>();
  private readonly changed = this.register(new vscode.EventEmitter<RepoReview>());
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly settings: SettingsService,
    private readonly presenter: DiagnosticsPresenter,
    private readonly status: StatusBar,
    private readonly dismissals: Dismissals,
  ) {
    super();
  }

  state(repo: string): RepoReview {
    let s = this.states.get(repo);
    if (!s) this.states.set(repo, (s = { repo, running: false, stale: false, head: null }));
    return s;
  }

  allStates(): RepoReview[] {
    return [...this.states.values()];
  }

  private update(repo: string, patch: Partial<RepoReview>): RepoReview {
    const s = Object.assign(this.state(repo), patch);
    this.changed.fire(s);
    return s;
  }

  markStale(repo: string): void {
    const s = this.states.get(repo);
    if (!s?.result || s.stale) return;
    this.update(repo, { stale: true });
    this.status.show(s.result, true);
  }

  /** A full review with notification progress; findings appear as each chunk completes. */
  async review(opts: ReviewOptions): Promise<ReviewResult | undefined> {
    if (opts.quiet) return (await this.run(opts, undefined, opts.signal))?.result;
    // One progress per review; it closes when the review ends, however it ends. What the user is
    // told afterwards (a warning that waits for a click) comes after the progress has closed.
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Pullmint: reviewing ${opts.label}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
        try {
          return await this.run(opts, progress, controller.signal);
        } finally {
          sub.dispose();
        }
      },
    );
    if (outcome?.announce) void outcome.announce().catch((err) => this.log.warn(`notification failed: ${String(err)}`));
    return outcome?.result;
  }

  /** The review in focus as it stands now: its score over the findings still shown. */
  working(repo: string): WorkingView | undefined {
    const s = this.states.get(repo);
    if (!s?.result || s.cleared) return undefined;
    const findings = this.presenter.working(repo).map((e) => e.finding);
    const counts = this.presenter.counts(repo);
    return { riskScore: riskScore(findings, s.result.coverage.changedLines, s.risk), findings, counts };
  }

  private async run(
    opts: ReviewOptions,
    progress: vscode.Progress<{ message?: string; increment?: number }> | undefined,
    signal?: AbortSignal,
  ): Promise<{ result: ReviewResult; announce?: () => Promise<void> } | undefined> {
    const { repo } = opts;
    const session = await this.settings.open(repo);
    session.warnings.forEach((w) => this.log.warn(w));
    const trusted = vscode.workspace.isTrusted;
    let rulesOnly: ModelErrorInfo | undefined;
    if (opts.rulesOnly) {
      rulesOnly = { kind: 'other', message: 'rules-only review on save', fix: 'Set pullmint.reviewOnSave to "llm" to include the model.' };
    } else if (!trusted) {
      rulesOnly = {
        kind: 'other',
        message: 'the workspace is not trusted, so no model was called',
        fix: 'Trust the workspace to let Pullmint call the model.',
      };
    }
    if (!opts.quiet) {
      this.update(repo, { running: true, progress: undefined, runningLabel: opts.label });
      this.status.reviewing(opts.label);
    }
    try {
      return await this.runSession(opts, session, rulesOnly, trusted, progress, signal);
    } finally {
      // Whatever happened, nothing is left saying "reviewing".
      if (!opts.quiet && this.state(repo).running) {
        this.update(repo, { running: false, progress: undefined });
        const prev = this.state(repo).result;
        if (prev) this.status.show(prev, this.state(repo).stale);
        else this.status.idle();
      }
    }
  }

  private async runSession(
    opts: ReviewOptions,
    session: ReviewSession,
    rulesOnly: ModelErrorInfo | undefined,
    trusted: boolean,
    progress: vscode.Progress<{ message?: string; increment?: number }> | undefined,
    signal?: AbortSignal,
  ): Promise<{ result: ReviewResult; announce?: () => Promise<void> } | undefined> {
    const { repo } = opts;
    const provider = rulesOnly ? null : await session.reviewProvider();
    const head = await headSha(repo);
    const dismissed = new Set(this.dismissals.list(repo));
    const visible = <T extends { id: string }>(list: T[]): T[] => list.filter((f) => !dismissed.has(f.id));
    let streamed = false;
    try {
      this.log.info(`review of ${opts.label} in ${repo} with ${provider ? `${provider.name} ${provider.model}` : 'rules only'}`);
      const result = await session.review({
        target: opts.target,
        rulesOnly,
        // Reviews on save are private drafts: they stay out of the history.
        history: !opts.quiet,
        signal,
        paths: opts.paths,
        configAt: opts.configAt,
        label: opts.target.kind === 'range' ? opts.label : undefined,
        onEvent: (e) => {
          if (e.type === 'started')
            this.log.info(`[${e.executionId}] ${e.files} file(s), ${e.changedLines} changed lines, ${e.chunks} chunk(s)`);
          else if (e.type === 'progress') {
            const detail = `${e.done} of ${e.total}${e.file ? ` · ${e.file}` : ''}`;
            progress?.report({ message: detail, increment: 100 / e.total });
            if (!opts.quiet) this.update(repo, { progress: detail });
          } else if (e.type === 'findings' && !opts.quiet) {
            if (!streamed) {
              // The first findings of a new review replace the old ones for this repository.
              this.presenter.setRepo(repo, []);
              streamed = true;
            }
            this.presenter.add(repo, visible(e.findings));
          }
        },
      });
      this.log.info(
        `[${result.executionId}] done: risk ${result.riskScore} ${result.decision}, ${result.findings.length} finding(s), ${result.stats.llmCalls} call(s), ${result.stats.cacheHits} cached, ${result.stats.durationMs} ms`,
      );
      result.warnings.forEach((w) => this.log.warn(`[${result.executionId}] ${w}`));
      if (opts.quiet) return { result };
      this.presenter.setRepo(repo, visible(result.findings));
      const setupProblem =
        result.modelError && ['unreachable', 'model-missing', 'auth'].includes(result.modelError.kind)
          ? forEditor(result.modelError, session.config, session.origins)
          : undefined;
      this.update(repo, {
        result,
        running: false,
        progress: undefined,
        stale: false,
        cleared: false,
        head,
        setupProblem,
        risk: session.config.risk,
      });
      this.status.show(result);
      if (setupProblem) void this.logSetupChecks(session);
      return { result, announce: () => this.announce(repo, result, trusted, setupProblem) };
    } catch (err) {
      if (signal?.aborted) {
        this.log.info('review cancelled');
        return undefined;
      }
      const message = err instanceof GitError ? `${err.message}. ${err.hint ?? ''}` : err instanceof Error ? err.message : String(err);
      this.log.error(`review failed: ${message}`);
      if (!opts.quiet) void vscode.window.showErrorMessage(`Pullmint: ${message}`);
      return undefined;
    }
  }

  /** The same checks as "Check Setup", run when a review failed for setup reasons, into the log. */
  private async logSetupChecks(session: ReviewSession): Promise<void> {
    const checks = await runSetupChecks({
      repoDir: session.root,
      config: session.config,
      secrets: session.secrets,
      github: { signedIn: false },
      origins: session.origins,
    });
    for (const c of checks) if (c.fix?.kind === 'install-ollama') c.fix = await ollamaFix();
    for (const c of checks.filter((x) => !x.optional))
      this.log[c.ok ? 'info' : 'warn'](`setup: ${c.ok ? 'ok' : 'FAIL'} ${c.name}: ${c.detail}${c.fix ? ` (fix: ${c.fix.label})` : ''}`);
  }

  /** Tells the user what happened, with the fix when the model could not be used. */
  private async announce(repo: string, result: ReviewResult, trusted: boolean, setupProblem?: ModelErrorInfo): Promise<void> {
    const note = incompleteNote(result);
    // The counts the Problems panel, the Findings view and the status bar show: dismissed ones left.
    const counts = this.presenter.counts(repo);
    const summary = `Pullmint: risk ${result.riskScore} → ${result.decision}; ${counts.total} finding(s)${counts.total ? ` (${countsText(counts)})` : ''}.${note ? ` ${note}.` : ''}`;
    if (!trusted) {
      const pick = await vscode.window.showWarningMessage(
        `${summary} Only the built-in rules ran: this workspace is not trusted.`,
        'Manage Workspace Trust',
      );
      if (pick) await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    const err = setupProblem ?? result.modelError;
    if (!err) {
      void vscode.window
        .showInformationMessage(summary, 'Show Risk Panel')
        .then((p) => p && vscode.commands.executeCommand('pullmint.showRiskPanel'));
      return;
    }
    const fixes: NonNullable<SetupCheck['fix']>[] =
      result.provider !== 'ollama'
        ? []
        : err.kind === 'model-missing'
          ? [
              { label: 'Pull Model', kind: 'pull-model', arg: result.model },
              { label: 'Select Model…', kind: 'select-model' },
            ]
          : err.kind === 'unreachable'
            ? [await ollamaFix(), { label: 'Open Setting', kind: 'open-settings', arg: 'pullmint.ollama.host' }]
            : [];
    const pick = await vscode.window.showWarningMessage(
      `${summary} The model review did not run: ${err.message}`,
      ...fixes.map((f) => f.label),
      'Check Setup',
    );
    if (pick === 'Check Setup') await vscode.commands.executeCommand('pullmint.checkSetup');
    const fix = fixes.find((f) => f.label === pick);
    if (fix) await applyFix(fix);
  }

  /** Shows a review recorded elsewhere (the pre-push hook's) as the repository's current one. */
  async showRecorded(repo: string, result: ReviewResult, risk?: RiskConfig): Promise<void> {
    const dismissed = new Set(this.dismissals.list(repo));
    this.presenter.setRepo(
      repo,
      result.findings.filter((f) => !dismissed.has(f.id)),
    );
    this.update(repo, {
      result,
      running: false,
      progress: undefined,
      stale: false,
      cleared: false,
      head: await headSha(repo),
      risk: risk ?? this.state(repo).risk,
    });
    this.status.show(result);
  }

  /** HEAD moved under a review: its line numbers no longer describe the code. */
  async checkHead(repo: string): Promise<void> {
    const s = this.states.get(repo);
    if (!s?.result || s.running) return;
    const head = await headSha(repo);
    if (head === s.head) return;
    this.log.info(`HEAD of ${repo} moved (${s.head?.slice(0, 8)} → ${head?.slice(0, 8)}); clearing findings of the old review`);
    this.presenter.clear(repo);
    this.update(repo, { stale: true, head, cleared: true });
    this.status.show(s.result, true);
  }
}

/**
 * A model failure as the editor tells it: the endpoint and the layer that set it, and fixes that
 * are editor actions — the CLI's flags and variables mean nothing in a notification.
 */
export function forEditor(err: ModelErrorInfo, config: PullmintConfig, origins: Record<string, string>): ModelErrorInfo {
  const endpoint = endpointSetting(config);
  const where = endpoint ? ` (pullmint.${endpoint}, set by ${origins[endpoint] ?? 'default'})` : '';
  const fix =
    err.kind === 'unreachable'
      ? `Start the server, or point pullmint.${endpoint ?? `${config.provider}`} at where it runs${vscode.env.remoteName ? ' in the Remote settings of this window' : ''}; then Check Setup.`
      : err.kind === 'model-missing'
        ? 'Pull the model, or choose another with Select Model.'
        : err.kind === 'auth'
          ? 'Set the API key with the Pullmint: Set … API Key command; then Check Setup.'
          : err.fix;
  return { ...err, message: `${err.message}${where}`, fix };
}
