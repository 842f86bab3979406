import * as vscode from 'vscode';
import type { Services } from './services.js';

/**
 * Wiring only. Activation registers commands and cheap listeners; the engine, Octokit and the
 * Anthropic SDK load on first use (the first command or the first save).
 */
/** Kept here, not read from the services bundle, so that activation loads nothing else. */
const COMMANDS = [
  'pullmint.reviewWorkingTree',
  'pullmint.reviewStaged',
  'pullmint.reviewBranch',
  'pullmint.reviewPullRequest',
  'pullmint.reviewTerraformPlan',
  'pullmint.reviewBeforePush',
  'pullmint.postReview',
  'pullmint.triggerDeploy',
  'pullmint.showRiskPanel',
  'pullmint.clearFindings',
  'pullmint.clearDismissed',
  'pullmint.selectModel',
  'pullmint.checkSetup',
  'pullmint.qualifyModel',
  'pullmint.setAnthropicKey',
  'pullmint.setOpenAIKey',
  'pullmint.setGitHubToken',
  'pullmint.setGitLabToken',
  'pullmint.setDeployToken',
  'pullmint.setDeploySecret',
  'pullmint.setSecret',
  'pullmint.installPrePushHook',
  'pullmint.applyFix',
  'pullmint.dismissFinding',
  'pullmint.dismissFindingForTeam',
  'pullmint.copyFinding',
  'pullmint.openFinding',
  'pullmint.explainCiFailure',
];

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Pullmint', { log: true });
  context.subscriptions.push(log);

  let loading: Promise<Services> | undefined;
  // services.js is a separate bundle: require()d on first use, through the loader that provides `vscode`.
  const services = (): Promise<Services> =>
    (loading ??= Promise.resolve().then(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazily loaded second bundle, by design
      const m = require('./services.js') as typeof import('./services.js');
      const p = new m.Services(context, log);
      context.subscriptions.push(p);
      return p;
    }));

  // Every command is registered at activation; its code loads with the services on first use.
  for (const id of COMMANDS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await (await services()).commands[id]?.(...args);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          log.error(`${id} failed: ${err instanceof Error && err.stack ? err.stack : message}`);
          void vscode.window.showErrorMessage(`Pullmint: ${message}`);
          return undefined;
        }
      }),
    );
  }

  // The status bar, the diagnostics and review on save need the services: load them once the
  // window has settled, off the activation path.
  const warmUp = setTimeout(() => void services(), 0);
  context.subscriptions.push({ dispose: () => clearTimeout(warmUp) });

  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {
  /* everything is in context.subscriptions */
}
