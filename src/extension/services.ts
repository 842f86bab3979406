import * as vscode from 'vscode';
import { getPath } from '../core/config/schema.js';
import type { SecretName } from '../core/secrets.js';
import { CiExplainer } from './ci/explain.js';
import { triggerDeploy } from './deploy/commands.js';
import { GitHubAuth } from './github/auth.js';
import { PullRequests } from './github/pullRequests.js';
import { Disposable } from './lifecycle.js';
import { SideResults } from './panel/sideResults.js';
import { PanelHost } from './panel/host.js';
import { FindingCodeActions } from './review/codeActions.js';
import { ReviewCommands } from './review/commands.js';
import { ReviewController } from './review/controller.js';
import { DiagnosticsPresenter } from './review/diagnostics.js';
import { Dismissals } from './review/dismissals.js';
import { DISMISS_FOR_TEAM_COMMAND, dismissForTeam } from './review/teamDismiss.js';
import { entryOf, FindingActions } from './review/findingActions.js';
import { FindingsView } from './review/findingsView.js';
import { HookEnvironment, hookVariables } from './review/hookEnv.js';
import { FindingHovers } from './review/hover.js';
import { PushBlocked } from './review/pushBlocked.js';
import { SaveReviewer } from './review/saveReviewer.js';
import { StatusBar } from './review/statusBar.js';
import { pickRepository } from './repos.js';
import { Secrets } from './secrets.js';
import { SettingsService } from './settings.js';
import { qualifyModelCommand } from './qualify/qualify.js';
import { checkSetup, selectModel } from './setup/setup.js';
import { reviewTerraformPlanCommand } from './iac/planCommand.js';
import { openWalkthroughOnce } from './setup/walkthrough.js';

/**
 * The composition root, loaded on first use: builds each feature once and maps every command to
 * it. Features get what they need here and never reach for each other through this class.
 */
export class Services extends Disposable {
  readonly commands: Record<string, (...args: unknown[]) => unknown>;

  constructor(context: vscode.ExtensionContext, log: vscode.LogOutputChannel) {
    super();
    const secrets = new Secrets(context.secrets);
    const settings = this.register(new SettingsService(secrets, (m) => log.warn(m)));
    const presenter = this.register(new DiagnosticsPresenter(() => settings.editor().severityMap));
    const controllerRef: { c?: ReviewController } = {};
    const status = this.register(
      new StatusBar((result) => {
        const s = controllerRef.c?.allStates().find((x) => x.result === result);
        return s ? controllerRef.c?.working(s.repo) : undefined;
      }),
    );
    const dismissals = new Dismissals(context.workspaceState);
    const auth = this.register(
      new GitHubAuth(secrets, () => vscode.workspace.getConfiguration('pullmint').get('github.enterpriseUrl', '')),
    );
    const controller = this.register(new ReviewController(log, settings, presenter, status, dismissals));
    controllerRef.c = controller;
    const actions = new FindingActions(presenter, dismissals, log);
    const side = this.register(new SideResults());
    const panelRef: { host?: PanelHost } = {};
    const showRiskPanel = async (): Promise<void> => panelRef.host?.show();
    const reviews = new ReviewCommands(controller, context.extensionUri, log, showRiskPanel);
    const pullRequests = new PullRequests(settings, auth, controller, reviews, log);

    const openFinding = async (repo: string, file: string, line: number): Promise<void> => {
      const pos = new vscode.Position(Math.max(0, line - 1), 0);
      await vscode.window.showTextDocument(presenter.uriOf(repo, file), { selection: new vscode.Range(pos, pos), preview: false });
    };
    const dismissFinding = async (repo: string, id: string): Promise<void> => {
      const entry = presenter.find(repo, id);
      if (entry) return actions.dismiss(entry);
      await dismissals.dismiss(repo, id);
      log.info(`dismissed finding ${id} in ${repo}`);
    };
    const withEntry =
      (fn: (e: NonNullable<ReturnType<typeof entryOf>>) => Promise<unknown>) =>
      async (...args: unknown[]): Promise<unknown> => {
        const entry = entryOf(presenter, args);
        if (!entry)
          return void vscode.window.showWarningMessage('Pullmint: that finding is no longer shown (fixed, dismissed or re-reviewed).');
        return fn(entry);
      };
    const panel = this.register(
      new PanelHost({
        side,
        extensionUri: context.extensionUri,
        log,
        controller,
        settings,
        dismissals,
        prKnown: (repo) => pullRequests.known(repo),
        openFinding,
        dismissFinding,
      }),
    );
    panelRef.host = panel;
    this.register(
      vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new FindingCodeActions(presenter), FindingCodeActions.metadata),
    );
    this.register(vscode.languages.registerHoverProvider({ scheme: 'file' }, new FindingHovers(presenter)));
    this.register(new FindingsView(presenter, controller));
    this.register(new SaveReviewer(settings, controller, presenter, log, status));
    this.register(settings.onDidChange(() => presenter.refresh()));
    // Fixed and dismissed findings leave the working counts and score wherever they show.
    this.register(
      presenter.onDidChange(() => {
        status.refresh();
        void panel.refresh();
      }),
    );
    const hookEnv = new HookEnvironment();
    const exportHookSettings = (): void => {
      const layer = settings.layer();
      const provider = String(getPath(layer.values, 'provider') ?? process.env.PULLMINT_PROVIDER ?? 'ollama');
      const set = hookEnv.apply(hookVariables(layer, provider));
      if (set.length) log.info(`pushes from the editor review with the editor's settings: ${set.join(', ')}`);
    };
    exportHookSettings();
    this.register(settings.onDidChange(exportHookSettings));
    this.register(
      new PushBlocked({
        log,
        env: hookEnv,
        showFindings: async (repo, result) => {
          await controller.showRecorded(repo, result);
          await vscode.commands.executeCommand('pullmint.findings.focus');
        },
      }),
    );
    void openWalkthroughOnce(context, log);
    this.register(
      presenter.onStale((gone) =>
        gone.forEach((e) => log.info(`finding "${e.finding.title}" at ${e.finding.file} left: its line was edited away`)),
      ),
    );
    this.watchForChanges(controller);

    const setSecret = (name: SecretName) => () => secrets.prompt(name);
    this.commands = {
      'pullmint.reviewWorkingTree': () => reviews.reviewWorkingTree(),
      'pullmint.reviewStaged': () => reviews.reviewStaged(),
      'pullmint.reviewBranch': () => reviews.reviewBranch(),
      'pullmint.reviewBeforePush': () => reviews.reviewBeforePush(),
      'pullmint.installPrePushHook': () => reviews.installPrePushHook(),
      'pullmint.reviewPullRequest': () => pullRequests.reviewPullRequest(),
      'pullmint.reviewTerraformPlan': async () => {
        const result = await reviewTerraformPlanCommand({ settings, presenter, log });
        if (result) {
          side.setPlan(result.repo, result);
          await showRiskPanel();
        }
      },
      'pullmint.postReview': () => pullRequests.postReview(),
      'pullmint.triggerDeploy': () =>
        triggerDeploy({
          settings,
          auth,
          reviews,
          log,
          version: String(context.extension.packageJSON.version),
          refreshPanel: () => panel.refresh(),
          showRiskPanel,
        }),
      'pullmint.showRiskPanel': showRiskPanel,
      'pullmint.clearFindings': async () => {
        presenter.clear();
        status.idle();
      },
      'pullmint.clearDismissed': async () => {
        const repo = await pickRepository();
        if (!repo) return;
        const n = await dismissals.clear(repo);
        void vscode.window.showInformationMessage(`Pullmint: ${n} dismissed finding(s) will show again after the next review.`);
        const result = controller.state(repo).result;
        if (result) presenter.setRepo(repo, result.findings);
      },
      'pullmint.dismissFinding': withEntry((e) => actions.dismiss(e)),
      'pullmint.copyFinding': withEntry((e) => actions.copy(e)),
      'pullmint.applyFix': withEntry((e) => actions.applyFix(e)),
      'pullmint.openFinding': (repo, file, line) =>
        typeof repo === 'string' ? openFinding(repo, String(file), Number(line)) : withEntry((e) => actions.open(e))(repo),
      [DISMISS_FOR_TEAM_COMMAND]: withEntry((e) =>
        dismissForTeam(
          {
            open: (r) => settings.open(r),
            findingOf: (r, fid) => controller.state(r).result?.findings.find((f) => f.id === fid),
            hide: (r, fid) => presenter.remove((x) => x.repo === r && x.finding.id === fid),
            log,
          },
          e.repo,
          e.finding.id,
        ),
      ),
      'pullmint.selectModel': () => selectModel(settings),
      'pullmint.checkSetup': () => checkSetup(log, settings, auth),
      'pullmint.qualifyModel': () => qualifyModelCommand(log, settings, secrets),
      'pullmint.setAnthropicKey': setSecret('anthropicApiKey'),
      'pullmint.setOpenAIKey': setSecret('openaiApiKey'),
      'pullmint.setGitHubToken': setSecret('githubToken'),
      'pullmint.setGitLabToken': setSecret('gitlabToken'),
      'pullmint.setDeployToken': setSecret('deployToken'),
      'pullmint.setDeploySecret': setSecret('deploySecret'),
      'pullmint.setSecret': (name) => secrets.prompt(name as SecretName),
      'pullmint.explainCiFailure': (
        (ci) => () =>
          ci.explain()
      )(this.register(new CiExplainer(settings, auth, log, (repo, result) => side.setCi(repo, result)))),
    };
  }

  /** HEAD moves (commit, checkout) clear old findings; edits to reviewed files mark the review stale. */
  private watchForChanges(controller: ReviewController): void {
    const checkAll = (): void => controller.allStates().forEach((s) => void controller.checkHead(s.repo));
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const watcher = this.register(
        vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.git/{HEAD,refs/heads/**}')),
      );
      this.register(watcher.onDidChange(checkAll));
      this.register(watcher.onDidCreate(checkAll));
    }
    this.register(vscode.window.onDidChangeWindowState((w) => w.focused && checkAll()));
    this.register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0 || e.document.uri.scheme !== 'file') return;
        for (const s of controller.allStates()) if (e.document.uri.fsPath.startsWith(s.repo)) controller.markStale(s.repo);
      }),
    );
  }
}
