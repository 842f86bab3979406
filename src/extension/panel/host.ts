import * as path from 'node:path';
import * as vscode from 'vscode';
import { defaultStateDir, HistoryStore } from '../../core/history.js';
import { insights } from '../../core/insights.js';
import type { SideResults } from './sideResults.js';

/** How far back the panel's follow-up reads: enough to see a trend, cheap to read on each refresh. */
const INSIGHTS_REVIEWS = 200;
import { incompleteNote } from '../../core/report/verdict.js';
import type { FromWebviewMessage, InsightsView, PanelState } from '../../shared/protocol.js';
import { Disposable } from '../lifecycle.js';
import { repoOf, repoOfFolder } from '../repos.js';
import type { ReviewController } from '../review/controller.js';
import type { Dismissals } from '../review/dismissals.js';
import type { SettingsService } from '../settings.js';
import { RiskPanel } from './panel.js';

export interface PanelDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  controller: ReviewController;
  settings: SettingsService;
  dismissals: Dismissals;
  prKnown: (repo: string) => Promise<boolean>;
  openFinding: (repo: string, file: string, line: number) => Promise<void>;
  dismissFinding: (repo: string, id: string) => Promise<void>;
  /** The last plan review and CI explanation per repository. */
  side?: SideResults;
}

/** The risk panel's state, built from the review in focus, its history and the deploy settings; and its messages. */
export class PanelHost extends Disposable {
  private readonly panel: RiskPanel;
  private focusRepo: string | null = null;

  constructor(private readonly d: PanelDeps) {
    super();
    this.panel = this.register(new RiskPanel(d.extensionUri, { state: () => this.state(), handle: (m) => this.handle(m), log: d.log }));
    if (d.side) this.register(d.side.onDidChange(() => void this.panel.refresh()));
    this.register(
      d.controller.onDidChange((s) => {
        this.focusRepo = s.repo;
        void this.panel.refresh();
      }),
    );
    this.register(
      vscode.window.onDidChangeActiveTextEditor(async (e) => {
        const repo = e ? await repoOf(e.document.uri) : undefined;
        if (repo && repo !== this.focusRepo) {
          this.focusRepo = repo;
          void this.panel.refresh();
        }
      }),
    );
  }

  refresh(): Promise<void> {
    return this.panel.refresh();
  }

  async show(): Promise<void> {
    await vscode.commands.executeCommand(`${RiskPanel.viewId}.focus`);
    await this.panel.refresh();
  }

  private async currentRepo(): Promise<string | null> {
    if (this.focusRepo) return this.focusRepo;
    const active = vscode.window.activeTextEditor?.document.uri;
    const fromEditor = active ? await repoOf(active) : undefined;
    if (fromEditor) return (this.focusRepo = fromEditor);
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      const r = await repoOfFolder(f.uri);
      if (r) return (this.focusRepo = r);
    }
    return null;
  }

  /** The panel's "what you act on" section: the same follow-up as `pullmint insights`, by category. */
  private async insightsOf(repo: string): Promise<InsightsView | undefined> {
    const records = await new HistoryStore(defaultStateDir(), repo, { onWarning: (m) => this.d.log.warn(m) })
      .list(INSIGHTS_REVIEWS)
      .catch(() => []);
    const i = insights(records, new Set(this.d.dismissals.list(repo)));
    if (i.findings === 0) return undefined;
    const rows = Object.entries(i.byCategory)
      .sort((a, b) => b[1].total - a[1].total)
      .slice(0, 6)
      .map(([label, c]) => ({ label, ...c }));
    return { reviews: i.reviews, findings: i.findings, rows };
  }

  async state(): Promise<PanelState> {
    const repo = await this.currentRepo();
    const session = repo ? await this.d.settings.open(repo) : null;
    const config = session?.config ?? null;
    const onGitLab = session ? (await session.hostKind().catch(() => null)) === 'gitlab' : false;
    const s = repo ? this.d.controller.state(repo) : undefined;
    const records = repo
      ? await new HistoryStore(defaultStateDir(), repo, { onWarning: (m) => this.d.log.warn(m) }).list(20).catch(() => [])
      : [];
    const insightsView = repo ? await this.insightsOf(repo) : undefined;
    const r = s?.result;
    const working = repo ? this.d.controller.working(repo) : undefined;
    const record = r ? records.find((x) => x.executionId === r.executionId) : undefined;
    const latest = record?.deployments?.[record.deployments.length - 1];
    return {
      repo,
      repoName: repo ? path.basename(repo) : '',
      running: s?.running ?? false,
      progress: s?.running ? s.progress : undefined,
      runningLabel: s?.running ? s.runningLabel : undefined,
      stale: s?.stale ?? false,
      review: r
        ? {
            executionId: r.executionId,
            riskScore: working?.riskScore ?? r.riskScore,
            decision: r.decision,
            rulesOnly: r.rulesOnly,
            summary: r.summary,
            target: r.target,
            provider: r.provider,
            model: r.model,
            promptTokens: r.stats.promptTokens,
            completionTokens: r.stats.completionTokens,
            durationMs: r.stats.durationMs,
            costUsd: r.stats.costUsd,
            coverage: r.coverage,
            incomplete: incompleteNote(r) ?? undefined,
            findings: working?.findings ?? r.findings,
            modelError: r.modelError,
            completedAt: r.completedAt,
            ...(r.iac ? { iac: r.iac } : {}),
            recorded:
              working && (working.riskScore !== r.riskScore || working.findings.length !== r.findings.length)
                ? { riskScore: r.riskScore, findings: r.findings.length }
                : undefined,
          }
        : null,
      history: records.map((x) => ({
        executionId: x.executionId,
        createdAt: x.createdAt,
        target: x.target.label,
        riskScore: x.riskScore,
        decision: x.decision,
        status: x.status,
        deployState: x.deployments?.at(-1)?.state,
      })),
      prKnown: repo ? await this.d.prKnown(repo) : false,
      ...(onGitLab ? { changeRequest: 'MR' as const } : {}),
      deploy: {
        configured: Boolean(config?.deploy.url),
        approveThreshold: config?.risk.approveThreshold ?? 30,
        deployThreshold: config?.risk.deployThreshold ?? 40,
        latest: latest
          ? {
              environment: latest.environment,
              state: latest.state,
              override: latest.override,
              attempts: latest.attempts,
              lastStatus: latest.lastStatus,
              error: latest.error,
              checksFailing: latest.checksFailing,
              sanity: latest.sanity,
              at: latest.completedAt ?? latest.startedAt ?? latest.approvedAt,
            }
          : undefined,
      },
      setupProblem: s?.setupProblem,
      dismissedIds: repo ? this.d.dismissals.list(repo) : [],
      ...(insightsView ? { insights: insightsView } : {}),
      ...(repo && this.d.side?.planOf(repo) ? { plan: this.d.side.planOf(repo) } : {}),
      ...(repo && this.d.side?.ciOf(repo) ? { ciExplanation: this.d.side.ciOf(repo) } : {}),
    };
  }

  private async handle(m: Exclude<FromWebviewMessage, { type: 'ready' }>): Promise<void> {
    if (m.type === 'open') return this.d.openFinding(m.repo, m.file, m.line);
    if (m.type === 'dismiss') return this.d.dismissFinding(m.repo, m.id);
    if (m.command === 'rereview') {
      const repo = await this.currentRepo();
      const r = repo ? this.d.controller.state(repo).result : undefined;
      if (!repo || !r) return void (await vscode.commands.executeCommand('pullmint.reviewWorkingTree'));
      const t = r.target;
      const target =
        t.kind === 'working-tree' || t.kind === 'staged'
          ? { kind: t.kind }
          : t.kind === 'base'
            ? { kind: 'base' as const, ref: t.label }
            : { kind: 'range' as const, range: `${t.base}..${t.head}` };
      await this.d.controller.review({ repo, target, label: t.label });
      return;
    }
    const commands = {
      post: 'pullmint.postReview',
      deploy: 'pullmint.triggerDeploy',
      checkSetup: 'pullmint.checkSetup',
      reviewWorkingTree: 'pullmint.reviewWorkingTree',
      reviewStaged: 'pullmint.reviewStaged',
      reviewBranch: 'pullmint.reviewBranch',
    } as const;
    await vscode.commands.executeCommand(commands[m.command]);
  }
}
