import * as vscode from 'vscode';
import { GitError, repoRoot } from '../core/diff/sources.js';

/** The repository of the active editor, else the only one, else the user's pick. */
export async function pickRepository(): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file') {
    try {
      return await repoRoot(vscode.Uri.joinPath(active, '..').fsPath);
    } catch {
      /* the active file is outside any repository: fall back to the folders */
    }
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  const roots = new Map<string, string>();
  await Promise.all(
    folders.map(async (f) => {
      try {
        roots.set(await repoRoot(f.uri.fsPath), f.name);
      } catch {
        /* not a repository */
      }
    }),
  );
  if (roots.size === 0) {
    void vscode.window.showWarningMessage('Pullmint: no git repository in this workspace. Open a folder that is a git checkout.');
    return undefined;
  }
  if (roots.size === 1) return [...roots.keys()][0];
  const pick = await vscode.window.showQuickPick(
    [...roots].map(([root, name]) => ({ label: name, description: root, root })),
    { title: 'Pullmint: which repository?', placeHolder: 'Pick the repository to review' },
  );
  return pick?.root;
}

export async function repoOf(uri: vscode.Uri): Promise<string | undefined> {
  if (uri.scheme !== 'file') return undefined;
  try {
    return await repoRoot(vscode.Uri.joinPath(uri, '..').fsPath);
  } catch (err) {
    if (err instanceof GitError) return undefined;
    throw err;
  }
}
