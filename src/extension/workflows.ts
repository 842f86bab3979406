import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadConfig } from '../core/config.js';
import { deploy } from '../core/deploy/deploy.js';
import { parseSanityChecks } from '../core/deploy/sanity.js';
import { defaultBaseRef } from '../core/diff/sources.js';
import { createGitHubClient, GitHubError, type GitHubClient } from '../core/github/client.js';
import { postReview } from '../core/github/post.js';
import { baseRemote, currentBranch } from '../core/github/pr.js';
import { apiBaseUrl } from '../core/github/remote.js';
import { latestReviewOf, pullRequestDiff, pullRequestTarget, type PullRequestTarget } from '../core/github/workflow.js';
import { defaultStateDir, HistoryStore } from '../core/history.js';
import { installHook } from '../core/hooks.js';
import type { FromWebviewMessage, PanelState } from '../shared/protocol.js';
import { Disposable } from './lifecycle.js';
import { RiskPanel } from './panel.js';
import { pickRepository, repoOf, repoOfFolder } from './repos.js';
import type { Pullmint } from './services.js';
import { toEngineOverrides } from './settingsModel.js';

/** The multi-step commands (PR, push, post, deploy, hook) and the risk panel they report to. */
export class Workflows extends Disposable {
  private readonly panel: RiskPanel;
  /** The PR found for a repository's branch in this session: `repo\0branch` → target. */
  private readonly prs = new Map<string, PullRequestTarget>();
  private focusRepo: string | null = null;

  constructor(private readonly p: Pullmint) {
    super();
    this.panel = this.register(
      new RiskPanel(p.context.extensionUri, { state: () => this.panelState(), handle: (m) => this.handlePanel(m), log: p.log }),
    );
    this.register(
      p.controller.onDidChange((s) => {
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

  async panelState(): Promise<PanelState> {
    const repo = await this.currentRepo();
    const settings = this.p.settings.current;
    const s = repo ? this.p.controller.state(repo) : undefined;
    const records = repo ? await new HistoryStore(defaultStateDir(), repo).list(20).catch(() => []) : [];
    const r = s?.result;
    const record = r ? records.find((x) => x.executionId === r.executionId) : undefined;
    const latest = record?.deployments?.[record.deployments.length - 1];
    const branch = repo ? await currentBranch(repo) : null;
    return {
      repo,
      repoName: repo ? path.basename(repo) : '',
      running: s?.running ?? false,
      stale: s?.stale ?? false,
      review: r
        ? {
            executionId: r.executionId,
            riskScore: r.riskScore,
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
            findings: r.findings,
            modelError: r.modelError,
            completedAt: r.completedAt,
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
      prKnown: Boolean(repo && branch && this.prs.has(`${repo}\0${branch}`)),
      deploy: {
        configured: Boolean(settings.deploy.url),
        approveThreshold: settings.risk.approveThreshold,
        deployThreshold: settings.risk.deployThreshold,
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
      dismissedIds: repo ? this.p.dismissals.list(repo) : [],
    };
  }

  private async handlePanel(m: Exclude<FromWebviewMessage, { type: 'ready' }>): Promise<void> {
    if (m.type === 'open') return this.p.openFinding(m.repo, m.file, m.line);
    if (m.type === 'dismiss') return this.p.dismissFinding(m.repo, m.id);
    const repo = await this.currentRepo();
    switch (m.command) {
      case 'rereview': {
        const r = repo ? this.p.controller.state(repo).result : undefined;
        if (!repo || !r) return void (await vscode.commands.executeCommand('pullmint.reviewWorkingTree'));
        const t = r.target;
        const target =
          t.kind === 'working-tree' || t.kind === 'staged'
            ? { kind: t.kind }
            : t.kind === 'base'
              ? { kind: 'base' as const, ref: t.label }
              : { kind: 'range' as const, range: `${t.base}..${t.head}` };
        await this.p.controller.review({ repo, target, label: t.label });
        return;
      }
      case 'post':
        return void (await vscode.commands.executeCommand('pullmint.postReview'));
      case 'deploy':
        return void (await vscode.commands.executeCommand('pullmint.triggerDeploy'));
      case 'checkSetup':
        return void (await vscode.commands.executeCommand('pullmint.checkSetup'));
      case 'reviewWorkingTree':
        return void (await vscode.commands.executeCommand('pullmint.reviewWorkingTree'));
      case 'reviewStaged':
        return void (await vscode.commands.executeCommand('pullmint.reviewStaged'));
      case 'reviewBranch':
        return void (await vscode.commands.executeCommand('pullmint.reviewBranch'));
    }
  }

  async showRiskPanel(): Promise<void> {
    await vscode.commands.executeCommand(`${RiskPanel.viewId}.focus`);
    await this.panel.refresh();
  }

  /** No model call, post or deploy in an untrusted workspace: explain and offer to manage trust. */
  private async requireTrust(what: string): Promise<boolean> {
    if (vscode.workspace.isTrusted) return true;
    const pick = await vscode.window.showWarningMessage(
      `Pullmint: ${what} needs a trusted workspace.`,
      { modal: true },
      'Manage Workspace Trust',
    );
    if (pick) await vscode.commands.executeCommand('workbench.trust.manage');
    return false;
  }

  private async github(repo: string, prompt: boolean): Promise<GitHubClient | undefined> {
    const session = await this.p.github.session(prompt);
    if (!session) {
      if (prompt)
        void vscode.window
          .showWarningMessage('Pullmint: sign in to GitHub (Accounts menu) or run "Pullmint: Set GitHub Token".', 'Set GitHub Token')
          .then((x) => x && vscode.commands.executeCommand('pullmint.setGitHubToken'));
      return undefined;
    }
    const remote = await baseRemote(repo);
    if (!remote) throw new GitHubError('This repository has no GitHub remote (origin or upstream).');
    return createGitHubClient({
      token: session.token,
      baseUrl: apiBaseUrl(remote.host, this.p.settings.current.githubEnterpriseUrl || process.env.GITHUB_API_URL),
      log: (m) => this.p.log.warn(m),
    });
  }

  private async prTarget(repo: string, client: GitHubClient): Promise<PullRequestTarget> {
    const branch = await currentBranch(repo);
    const t = await pullRequestTarget(repo, client);
    if (branch) this.prs.set(`${repo}\0${branch}`, t);
    if (t.localHeadNote) this.p.log.warn(t.localHeadNote);
    return t;
  }

  async reviewPullRequest(): Promise<void> {
    const repo = await pickRepository();
    if (!repo) return;
    let target: PullRequestTarget | undefined;
    try {
      const client = vscode.workspace.isTrusted ? await this.github(repo, true) : undefined;
      if (client) target = await this.prTarget(repo, client);
    } catch (err) {
      if (!(err instanceof GitHubError)) throw err;
      this.p.log.warn(err.message);
      const pick = await vscode.window.showWarningMessage(`Pullmint: ${err.message}`, 'Review Branch Against Base');
      if (pick) await this.reviewAgainstDefaultBase(repo);
      return;
    }
    if (!target) {
      const pick = await vscode.window.showInformationMessage(
        'Pullmint: no pull request is known for this branch yet. Review the branch against its base instead?',
        'Review Branch Against Base',
      );
      if (pick) await this.reviewAgainstDefaultBase(repo);
      return;
    }
    if (target.localHeadNote) void vscode.window.showInformationMessage(`Pullmint: ${target.localHeadNote}`);
    await this.p.controller.review({ repo, target: { kind: 'range', range: target.range }, label: `PR #${target.pr.number}` });
  }

  private async reviewAgainstDefaultBase(repo: string): Promise<void> {
    const ref = await defaultBaseRef(repo).catch(() => undefined);
    if (!ref) return void (await this.p.reviewBranch(repo));
    await this.p.controller.review({ repo, target: { kind: 'base', ref }, label: `branch against ${ref}` });
  }

  async reviewBeforePush(): Promise<void> {
    const repo = await pickRepository();
    if (!repo) return;
    const hasUpstream = await this.p.controller.hasUpstream(repo);
    const result = hasUpstream
      ? await this.p.controller.review({ repo, target: { kind: 'range', range: '@{upstream}..HEAD' }, label: 'commits to push' })
      : await this.p.controller.review({ repo, target: { kind: 'base' }, label: 'commits to push (new branch)' });
    if (!result) return;
    if (result.decision === 'manual-review') {
      void vscode.window
        .showWarningMessage(`Pullmint: risk ${result.riskScore} → manual-review. Fix the findings before pushing.`, 'Show Risk Panel')
        .then((x) => x && this.showRiskPanel());
      return;
    }
    const pick = await vscode.window.showInformationMessage(`Pullmint: risk ${result.riskScore} → ${result.decision}. Push now?`, 'Push');
    if (pick) await vscode.commands.executeCommand('git.push');
  }

  async postReview(): Promise<void> {
    const repo = await pickRepository();
    if (!repo || !(await this.requireTrust('Posting to GitHub'))) return;
    const client = await this.github(repo, true);
    if (!client) return;
    const target = await this.prTarget(repo, client);
    let result = await latestReviewOf(defaultStateDir(), repo, target);
    if (!result)
      result = await this.p.controller.review({ repo, target: { kind: 'range', range: target.range }, label: `PR #${target.pr.number}` });
    if (!result) return;
    const config = (await loadConfig({ repoRoot: repo, overrides: toEngineOverrides(this.p.settings.current) })).config;
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Pullmint: posting to PR #${target.pr.number}` },
      async () =>
        postReview(client, target.pr, result!, await pullRequestDiff(repo, target), {
          maxInline: 30,
          requestChanges: false,
          commitStatus: false,
          deployThreshold: config.risk.deployThreshold,
        }),
    );
    this.p.log.info(
      `[${result.executionId}] posted to ${target.pr.htmlUrl}: summary ${outcome.summaryUpdated ? 'updated' : 'created'}, ${outcome.inlinePosted} inline, ${outcome.alreadyPosted} already posted`,
    );
    const pick = await vscode.window.showInformationMessage(
      `Pullmint: posted to PR #${target.pr.number} (${outcome.inlinePosted} inline comment(s), summary ${outcome.summaryUpdated ? 'updated' : 'created'}).`,
      'Open Pull Request',
    );
    if (pick) await vscode.env.openExternal(vscode.Uri.parse(target.pr.htmlUrl));
  }

  async triggerDeploy(): Promise<void> {
    const repo = await pickRepository();
    if (!repo || !(await this.requireTrust('Deploying'))) return;
    const settings = this.p.settings.current;
    const config = (await loadConfig({ repoRoot: repo, overrides: toEngineOverrides(settings) })).config;
    const sanity = parseSanityChecks(settings.sanityChecks);
    sanity.warnings.forEach((w) => this.p.log.warn(w));
    const client = await this.github(repo, false).catch(() => undefined);
    const remote = client ? await baseRemote(repo) : null;
    const token = await this.p.secrets.get('deployToken');
    const secret = await this.p.secrets.get('deploySecret');
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Pullmint: deploying to ${settings.deploy.environment}` },
      () =>
        deploy({
          repoDir: repo,
          environment: settings.deploy.environment,
          force: false,
          url: settings.deploy.url,
          token,
          secret,
          stateDir: defaultStateDir(),
          deployThreshold: config.risk.deployThreshold,
          github: client && remote ? { client, repo: remote } : null,
          sanityChecks: sanity.checks,
          waitUntilHealthyMs: 30_000,
          userAgent: `pullmint-vscode/${this.p.context.extension.packageJSON.version}`,
          log: (m) => this.p.log.info(m),
          confirmOverride: async (rec) => {
            const pick = await vscode.window.showWarningMessage(
              `Risk ${rec.riskScore}/100 is at or above the deploy threshold (${config.risk.deployThreshold}): ${rec.decision}. Deploy anyway? The override is recorded with your name.`,
              { modal: true },
              'Deploy Anyway',
            );
            return pick === 'Deploy Anyway';
          },
        }),
    );
    await this.panel.refresh();
    switch (outcome.kind) {
      case 'config': {
        const pick = await vscode.window.showErrorMessage(`Pullmint: ${outcome.reason}`, 'Open Settings', 'Set Deploy Webhook Token');
        if (pick === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'pullmint.deploy.url');
        else if (pick) await vscode.commands.executeCommand('pullmint.setDeployToken');
        return;
      }
      case 'refused': {
        const needsReview = !outcome.record;
        const pick = await vscode.window.showWarningMessage(
          `Pullmint: deploy refused. ${outcome.reason}`,
          ...(needsReview ? ['Review Branch Against Base'] : []),
        );
        if (pick) await this.reviewAgainstDefaultBase(repo);
        return;
      }
      case 'failed':
        void vscode.window.showErrorMessage(
          `Pullmint: deploy failed after ${outcome.deployment.attempts} attempt(s): ${outcome.deployment.error}`,
        );
        return;
      case 'deployed': {
        const d = outcome.deployment;
        const msg = `Pullmint: deployed to ${d.environment}${d.checksFailing ? ' — sanity checks failing' : ''}.`;
        if (d.checksFailing) void vscode.window.showWarningMessage(msg, 'Show Risk Panel').then((x) => x && this.showRiskPanel());
        else void vscode.window.showInformationMessage(msg);
      }
    }
  }

  async installPrePushHook(): Promise<void> {
    const repo = await pickRepository();
    if (!repo) return;
    const cli = vscode.Uri.joinPath(this.p.context.extensionUri, 'dist', 'cli.js').fsPath;
    const r = await installHook(repo, { node: process.execPath, cli });
    this.p.log.info(`pre-push hook ${r.updated ? 'updated' : 'installed'} at ${r.path}${r.chained ? ' (existing hook chained)' : ''}`);
    void vscode.window.showInformationMessage(
      `Pullmint: pre-push hook ${r.updated ? 'updated' : 'installed'}${r.chained ? '; your existing hook still runs first' : ''}. Bypass once with git push --no-verify.`,
    );
  }
}
