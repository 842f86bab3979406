import * as vscode from 'vscode';
import type { Pullmint } from './services.js';

/**
 * Wiring only. Activation registers commands and cheap listeners; the engine, Octokit and the
 * Anthropic SDK load on first use (the first command or the first save).
 */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Pullmint', { log: true });
  context.subscriptions.push(log);

  let loading: Promise<Pullmint> | undefined;
  // services.js is a separate bundle: require()d on first use, through the loader that provides `vscode`.
  const services = (): Promise<Pullmint> =>
    (loading ??= Promise.resolve().then(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazily loaded second bundle, by design
      const m = require('./services.js') as typeof import('./services.js');
      const p = new m.Pullmint(context, log);
      context.subscriptions.push(p);
      return p;
    }));

  const command = (id: string, run: (p: Pullmint, ...args: unknown[]) => unknown): void => {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await run(await services(), ...args);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          log.error(`${id} failed: ${err instanceof Error && err.stack ? err.stack : message}`);
          void vscode.window.showErrorMessage(`Pullmint: ${message}`);
          return undefined;
        }
      }),
    );
  };

  command('pullmint.reviewWorkingTree', (p) => p.reviewWorkingTree());
  command('pullmint.reviewStaged', (p) => p.reviewStaged());
  command('pullmint.reviewBranch', (p) => p.reviewBranch());
  command('pullmint.reviewPullRequest', (p) => p.reviewPullRequest());
  command('pullmint.reviewBeforePush', (p) => p.reviewBeforePush());
  command('pullmint.postReview', (p) => p.postReview());
  command('pullmint.triggerDeploy', (p) => p.triggerDeploy());
  command('pullmint.showRiskPanel', (p) => p.showRiskPanel());
  command('pullmint.clearFindings', (p) => p.clearFindings());
  command('pullmint.clearDismissed', (p) => p.clearDismissed());
  command('pullmint.selectModel', (p) => p.selectModel());
  command('pullmint.checkSetup', (p) => p.checkSetup());
  command('pullmint.setAnthropicKey', (p) => p.secrets.prompt('anthropicApiKey'));
  command('pullmint.setGitHubToken', (p) => p.secrets.prompt('githubToken'));
  command('pullmint.setDeployToken', (p) => p.secrets.prompt('deployToken'));
  command('pullmint.setDeploySecret', (p) => p.secrets.prompt('deploySecret'));
  command('pullmint.installPrePushHook', (p) => p.installPrePushHook());
  command('pullmint.dismissFinding', (p, repo, id) => p.dismissFinding(String(repo), String(id)));
  command('pullmint.copyFinding', (p, entry) => p.copyFinding(entry));
  command('pullmint.openFinding', (p, repo, file, line) => p.openFinding(String(repo), String(file), Number(line)));

  // The status bar, the diagnostics and review on save need the services: load them once the
  // window has settled, off the activation path.
  const warmUp = setTimeout(() => void services(), 0);
  context.subscriptions.push({ dispose: () => clearTimeout(warmUp) });

  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {
  /* everything is in context.subscriptions */
}
