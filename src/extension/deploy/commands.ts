import * as vscode from 'vscode';
import { deployHead } from '../../app/deploy.js';
import type { GitHubAuth } from '../github/auth.js';
import { pickRepository } from '../repos.js';
import type { ReviewCommands } from '../review/commands.js';
import type { SettingsService } from '../settings.js';
import { requireTrust } from '../trust.js';

export interface DeployDeps {
  settings: SettingsService;
  auth: GitHubAuth;
  reviews: ReviewCommands;
  log: vscode.LogOutputChannel;
  version: string;
  refreshPanel: () => Promise<void>;
  showRiskPanel: () => Promise<void>;
}

/** "Trigger Deploy": the gate on the latest review of HEAD, a modal to override, the signed webhook. */
export async function triggerDeploy(d: DeployDeps): Promise<void> {
  const repo = await pickRepository();
  if (!repo || !(await requireTrust('Deploying'))) return;
  const session = await d.settings.open(repo);
  session.warnings.forEach((w) => d.log.warn(w));
  const signedIn = await d.auth.session(false).catch(() => undefined);
  const { outcome, environment } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Pullmint: deploying to ${session.config.deploy.environment}` },
    () =>
      deployHead(session, {
        force: false,
        waitSeconds: 30,
        userAgent: `pullmint-vscode/${d.version}`,
        githubToken: signedIn?.token,
        log: (m) => d.log.info(m),
        confirmOverride: async (_rec, reason) => {
          const pick = await vscode.window.showWarningMessage(
            `${reason} Deploy anyway? The override is recorded with your name.`,
            { modal: true },
            'Deploy Anyway',
          );
          return pick === 'Deploy Anyway';
        },
      }),
  );
  await d.refreshPanel();
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
      if (pick) await d.reviews.reviewAgainstDefaultBase(repo);
      return;
    }
    case 'failed':
      void vscode.window.showErrorMessage(
        `Pullmint: deploy failed after ${outcome.deployment.attempts} attempt(s): ${outcome.deployment.error}`,
      );
      return;
    case 'deployed': {
      const dep = outcome.deployment;
      const msg = `Pullmint: deployed to ${environment}${dep.checksFailing ? ' — sanity checks failing' : ''}.`;
      if (dep.checksFailing) void vscode.window.showWarningMessage(msg, 'Show Risk Panel').then((x) => x && d.showRiskPanel());
      else void vscode.window.showInformationMessage(msg);
    }
  }
}
