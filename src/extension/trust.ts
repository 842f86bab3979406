import * as vscode from 'vscode';

/** No model call, post or deploy in an untrusted workspace: explain and offer to manage trust. */
export async function requireTrust(what: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const pick = await vscode.window.showWarningMessage(
    `Pullmint: ${what} needs a trusted workspace.`,
    { modal: true },
    'Manage Workspace Trust',
  );
  if (pick) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
