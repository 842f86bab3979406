import * as vscode from 'vscode';
import { defaultBaseRef, type TargetSpec } from '../core/diff/sources.js';
import { simpleGit } from 'simple-git';
import { FindingCodeActions, findingAsText } from './codeActions.js';
import { ReviewController } from './controller.js';
import { DiagnosticsPresenter, type FindingEntry } from './diagnostics.js';
import { Dismissals } from './dismissals.js';
import { GitHubAuth } from './githubAuth.js';
import { Disposable } from './lifecycle.js';
import { pickRepository } from './repos.js';
import { SaveReviewer } from './saveReviewer.js';
import { Secrets } from './secrets.js';
import { SettingsService } from './settings.js';
import { checkSetup, selectModel } from './setup.js';
import { StatusBar } from './statusBar.js';
import { Workflows } from './workflows.js';

/** Everything behind the commands, built on first use. */
export class Pullmint extends Disposable {
  readonly settings = this.register(new SettingsService());
  readonly secrets: Secrets;
  readonly presenter: DiagnosticsPresenter;
  readonly status = this.register(new StatusBar());
  readonly dismissals: Dismissals;
  readonly controller: ReviewController;
  readonly github: GitHubAuth;
  readonly workflows: Workflows;

  constructor(
    readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.secrets = new Secrets(context.secrets);
    this.presenter = this.register(new DiagnosticsPresenter(() => this.settings.current.severityMap));
    this.dismissals = new Dismissals(context.workspaceState);
    this.github = this.register(new GitHubAuth(this.secrets, () => this.settings.current.githubEnterpriseUrl));
    this.controller = this.register(new ReviewController(log, this.settings, this.secrets, this.presenter, this.status, this.dismissals));
    this.workflows = this.register(new Workflows(this));
    this.register(
      vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new FindingCodeActions(this.presenter), FindingCodeActions.metadata),
    );
    this.register(new SaveReviewer(this.settings, this.controller, this.presenter, log));
    this.register(this.settings.onDidChange(() => this.presenter.refresh()));
    this.register(
      this.presenter.onStale((gone) =>
        gone.forEach((e) => log.info(`finding "${e.finding.title}" at ${e.finding.file} left: its line was edited away`)),
      ),
    );
    this.watchForChanges();
  }

  /** HEAD moves (commit, checkout) clear old findings; edits to reviewed files mark the review stale. */
  private watchForChanges(): void {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const watcher = this.register(
        vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.git/{HEAD,refs/heads/**}')),
      );
      const check = (): void => this.controller.allStates().forEach((s) => void this.controller.checkHead(s.repo));
      this.register(watcher.onDidChange(check));
      this.register(watcher.onDidCreate(check));
    }
    this.register(
      vscode.window.onDidChangeWindowState(
        (w) => w.focused && this.controller.allStates().forEach((s) => void this.controller.checkHead(s.repo)),
      ),
    );
    this.register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0 || e.document.uri.scheme !== 'file') return;
        for (const s of this.controller.allStates()) if (e.document.uri.fsPath.startsWith(s.repo)) this.controller.markStale(s.repo);
      }),
    );
  }

  private async review(target: TargetSpec, label: string, repo?: string) {
    const root = repo ?? (await pickRepository());
    if (!root) return undefined;
    return this.controller.review({ repo: root, target, label });
  }

  reviewWorkingTree() {
    return this.review({ kind: 'working-tree' }, 'working tree changes');
  }

  reviewStaged() {
    return this.review({ kind: 'staged' }, 'staged changes');
  }

  async reviewBranch(repo?: string) {
    const root = repo ?? (await pickRepository());
    if (!root) return undefined;
    const fallback = await defaultBaseRef(root).catch(() => undefined);
    const refs = (await simpleGit(root).raw(['for-each-ref', '--format=%(refname:short)', 'refs/heads', 'refs/remotes']))
      .split('\n')
      .map((r) => r.trim())
      .filter((r) => r && !r.endsWith('/HEAD'));
    const ordered = [...new Set([...(fallback ? [fallback] : []), ...refs])];
    const pick = await vscode.window.showQuickPick(
      ordered.map((ref) => ({ label: ref, description: ref === fallback ? 'default base' : undefined })),
      { title: 'Pullmint: review the branch against which base?', placeHolder: 'merge-base(base, HEAD)..HEAD' },
    );
    if (!pick) return undefined;
    return this.controller.review({ repo: root, target: { kind: 'base', ref: pick.label }, label: `branch against ${pick.label}` });
  }

  reviewPullRequest() {
    return this.workflows.reviewPullRequest();
  }

  reviewBeforePush() {
    return this.workflows.reviewBeforePush();
  }

  postReview() {
    return this.workflows.postReview();
  }

  triggerDeploy() {
    return this.workflows.triggerDeploy();
  }

  showRiskPanel() {
    return this.workflows.showRiskPanel();
  }

  installPrePushHook() {
    return this.workflows.installPrePushHook();
  }

  async clearFindings() {
    this.presenter.clear();
    this.status.idle();
  }

  async clearDismissed() {
    const repo = await pickRepository();
    if (!repo) return;
    const n = await this.dismissals.clear(repo);
    void vscode.window.showInformationMessage(`Pullmint: ${n} dismissed finding(s) will show again after the next review.`);
    const result = this.controller.state(repo).result;
    if (result) this.presenter.setRepo(repo, result.findings);
  }

  async dismissFinding(repo: string, id: string) {
    await this.dismissals.dismiss(repo, id);
    this.presenter.remove((e) => e.repo === repo && e.finding.id === id);
    this.log.info(`dismissed finding ${id} in ${repo}`);
  }

  async copyFinding(entry: unknown) {
    await vscode.env.clipboard.writeText(findingAsText(entry as FindingEntry));
    void vscode.window.setStatusBarMessage('Pullmint: finding copied', 2000);
  }

  async openFinding(repo: string, file: string, line: number) {
    const uri = this.presenter.uriOf(repo, file);
    const pos = new vscode.Position(Math.max(0, line - 1), 0);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(pos, pos), preview: false });
  }

  selectModel() {
    return selectModel(this.settings);
  }

  checkSetup() {
    return checkSetup(this.log, this.settings, this.secrets, this.github);
  }
}
