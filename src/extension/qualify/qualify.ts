import * as vscode from 'vscode';
import { ModelUnavailableError, qualifyModel } from '../../app/qualify.js';
import { defaultStateDir } from '../../core/history.js';
import { CaseError, loadSuite } from '../../core/qualify/cases.js';
import { readQualification } from '../../core/qualify/store.js';
import { qualifyText } from '../../core/qualify/text.js';
import type { SecretStore } from '../../core/secrets.js';
import type { SettingsService } from '../settings.js';

/** The settings of the folder in focus: the editor's layer over the user file and the environment. */
function layerInFocus(settings: SettingsService): ReturnType<SettingsService['layer']> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = (active && vscode.workspace.getWorkspaceFolder(active)?.uri) ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  return settings.layer(folder);
}

/**
 * "Qualify Model…": runs the built-in suite against the chosen model, with progress and cancel;
 * the report goes to the log, the verdict to a message, and the result is stored for Check Setup.
 */
export async function qualifyModelCommand(log: vscode.LogOutputChannel, settings: SettingsService, secrets: SecretStore): Promise<void> {
  let cases;
  try {
    cases = await loadSuite();
  } catch (err) {
    if (err instanceof CaseError) return void vscode.window.showErrorMessage(`Pullmint: ${err.message}`);
    throw err;
  }
  const overrides = layerInFocus(settings);
  const run = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Pullmint: qualifying the model', cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
      try {
        return await qualifyModel({
          env: process.env,
          secrets,
          overrides,
          cases,
          signal: controller.signal,
          onProgress: (p) => progress.report({ message: `case ${p.done}/${p.total}: ${p.outcome.id}`, increment: 100 / p.total }),
          onWarning: (m) => log.warn(m),
        });
      } catch (err) {
        if (token.isCancellationRequested) return undefined;
        if (err instanceof ModelUnavailableError) {
          const pick = await vscode.window.showErrorMessage(
            `Pullmint: the model could not be asked, so it was not qualified: ${err.info.message}`,
            'Check Setup',
          );
          if (pick) await vscode.commands.executeCommand('pullmint.checkSetup');
          return undefined;
        }
        throw err;
      }
    },
  );
  if (!run) return;
  const { report, file } = run;
  log.info(`qualification:\n${qualifyText(report, file)}`);
  const message = `Pullmint: ${report.model} is ${report.verdict === 'fit to gate' ? '' : '“'}${report.verdict}${report.verdict === 'fit to gate' ? '' : '”'} — ${report.reason}`;
  const actions = report.verdict === 'fit to gate' ? ['Show Report'] : ['Show Report', 'Select Model'];
  const show = report.verdict === 'fit to gate' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  const pick = await show(message, ...actions);
  if (pick === 'Show Report') log.show(true);
  if (pick === 'Select Model') await vscode.commands.executeCommand('pullmint.selectModel');
}

/** After a model is picked: its stored verdict, or an offer to qualify it. Never blocks the pick. */
export async function offerQualification(provider: string, model: string): Promise<void> {
  const stored = await readQualification(defaultStateDir(), provider, model).catch(() => null);
  const message = stored
    ? `Pullmint: ${model} was qualified on ${stored.qualifiedAt.slice(0, 10)}: ${stored.verdict}.`
    : `Pullmint: ${model} was never qualified. Run the qualification suite to see whether it is fit to gate?`;
  const pick = await vscode.window.showInformationMessage(message, stored ? 'Qualify Again' : 'Qualify Model');
  if (pick) await vscode.commands.executeCommand('pullmint.qualifyModel');
}
