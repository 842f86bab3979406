import { simpleGit } from 'simple-git';
import * as vscode from 'vscode';
import { defaultCacheDir, ReviewCache } from '../core/cache.js';
import { loadConfig, type PullmintConfig } from '../core/config.js';
import { GitError, headSha, type TargetSpec } from '../core/diff/sources.js';
import { runReview } from '../core/engine.js';
import { defaultStateDir } from '../core/history.js';
import { createProvider } from '../core/providers/index.js';
import { runSetupChecks, type SetupCheck } from '../core/setup.js';
import type { ModelErrorInfo, ReviewResult } from '../core/types.js';
import type { DiagnosticsPresenter } from './diagnostics.js';
import type { Dismissals } from './dismissals.js';
import { Disposable } from './lifecycle.js';
import type { Secrets } from './secrets.js';
import { applyFix } from './setup.js';
import type { SettingsService } from './settings.js';
import { toEngineOverrides } from './settingsModel.js';
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
}

export interface ReviewOptions {
  repo: string;
  target: TargetSpec;
  label: string;
  /** Review only these repository-relative paths. */
  paths?: string[];
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
  private readonly cache = new ReviewCache(defaultCacheDir());

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly settings: SettingsService,
    private readonly secrets: Secrets,
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
    if (opts.quiet) return this.run(opts, undefined, opts.signal);
    return vscode.window.withProgress(
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
  }

  private async run(
    opts: ReviewOptions,
    progress: vscode.Progress<{ message?: string; increment?: number }> | undefined,
    signal?: AbortSignal,
  ): Promise<ReviewResult | undefined> {
    const { repo } = opts;
    const settings = this.settings.forResource(vscode.Uri.file(repo));
    const loaded = await loadConfig({ repoRoot: repo, overrides: toEngineOverrides(settings) });
    loaded.warnings.forEach((w) => this.log.warn(w));
    const trusted = vscode.workspace.isTrusted;
    let rulesOnlyReason: ModelErrorInfo | undefined;
    let provider = null;
    if (opts.rulesOnly) {
      rulesOnlyReason = {
        kind: 'other',
        message: 'rules-only review on save',
        fix: 'Set pullmint.reviewOnSave to "llm" to include the model.',
      };
    } else if (!trusted) {
      rulesOnlyReason = {
        kind: 'other',
        message: 'the workspace is not trusted, so no model was called',
        fix: 'Trust the workspace to let Pullmint call the model.',
      };
    } else {
      provider = createProvider(loaded.config, { anthropicApiKey: await this.secrets.get('anthropicApiKey') });
    }
    if (!opts.quiet) {
      this.update(repo, { running: true });
      this.status.reviewing(opts.label);
    }
    const head = await headSha(repo);
    const dismissed = new Set(this.dismissals.list(repo));
    const visible = <T extends { id: string }>(list: T[]): T[] => list.filter((f) => !dismissed.has(f.id));
    let streamed = false;
    try {
      this.log.info(`review of ${opts.label} in ${repo} with ${provider ? `${provider.name} ${provider.model}` : 'rules only'}`);
      const result = await runReview({
        repoDir: repo,
        target: opts.target,
        config: loaded.config,
        provider,
        rulesOnlyReason,
        cache: this.cache,
        // Reviews on save are private drafts: they stay out of the history.
        stateDir: opts.quiet ? undefined : defaultStateDir(),
        signal,
        paths: opts.paths,
        label: opts.target.kind === 'range' ? opts.label : undefined,
        onEvent: (e) => {
          if (e.type === 'started')
            this.log.info(`[${e.executionId}] ${e.files} file(s), ${e.changedLines} changed lines, ${e.chunks} chunk(s)`);
          else if (e.type === 'progress') progress?.report({ message: `chunk ${e.done} of ${e.total}`, increment: 100 / e.total });
          else if (e.type === 'findings' && !opts.quiet) {
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
      if (opts.quiet) return result;
      this.presenter.setRepo(repo, visible(result.findings));
      const setupProblem =
        result.modelError && ['unreachable', 'model-missing', 'auth'].includes(result.modelError.kind) ? result.modelError : undefined;
      this.update(repo, { result, running: false, stale: false, head, setupProblem });
      this.status.show(result);
      if (setupProblem) void this.logSetupChecks(repo, loaded.config);
      await this.announce(result, trusted);
      return result;
    } catch (err) {
      if (!opts.quiet) {
        this.update(repo, { running: false });
        const prev = this.state(repo).result;
        if (prev) this.status.show(prev, this.state(repo).stale);
        else this.status.idle();
      }
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
  private async logSetupChecks(repo: string, config: PullmintConfig): Promise<void> {
    const checks = await runSetupChecks({
      repoDir: repo,
      config,
      hasAnthropicKey: Boolean(await this.secrets.get('anthropicApiKey')),
      github: { signedIn: false },
      deployUrl: '',
    });
    for (const c of checks.filter((x) => !x.optional))
      this.log[c.ok ? 'info' : 'warn'](`setup: ${c.ok ? 'ok' : 'FAIL'} ${c.name}: ${c.detail}${c.fix ? ` (fix: ${c.fix.label})` : ''}`);
  }

  /** Tells the user what happened, with the fix when the model could not be used. */
  private async announce(result: ReviewResult, trusted: boolean): Promise<void> {
    const summary = `Pullmint: risk ${result.riskScore} → ${result.decision}; ${result.findings.length} finding(s).`;
    if (!trusted) {
      const pick = await vscode.window.showWarningMessage(
        `${summary} Only the built-in rules ran: this workspace is not trusted.`,
        'Manage Workspace Trust',
      );
      if (pick) await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    const err = result.modelError;
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
            ? [{ label: 'Install Ollama', kind: 'install-ollama' }]
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

  async hasUpstream(repo: string): Promise<boolean> {
    return Boolean(
      (
        await simpleGit(repo)
          .raw(['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}'])
          .catch(() => '')
      ).trim(),
    );
  }

  /** HEAD moved under a review: its line numbers no longer describe the code. */
  async checkHead(repo: string): Promise<void> {
    const s = this.states.get(repo);
    if (!s?.result || s.running) return;
    const head = await headSha(repo);
    if (head === s.head) return;
    this.log.info(`HEAD of ${repo} moved (${s.head?.slice(0, 8)} → ${head?.slice(0, 8)}); clearing findings of the old review`);
    this.presenter.clear(repo);
    this.update(repo, { stale: true, head });
    this.status.show(s.result, true);
  }
}
