import * as vscode from 'vscode';

const SHOWN = 'pullmint.walkthroughShown';

/** The getting-started walkthrough opens by itself once, the first time the extension runs. */
export async function openWalkthroughOnce(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<void> {
  if (context.globalState.get<boolean>(SHOWN)) return;
  await context.globalState.update(SHOWN, true);
  try {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#pullmint.gettingStarted`, false);
    log.info('opened the getting-started walkthrough (first run)');
  } catch (err) {
    log.warn(`could not open the walkthrough: ${String(err)}`);
  }
}
