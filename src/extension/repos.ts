import * as vscode from 'vscode';
import { repoRoot } from '../core/git/repo.js';
import { GitError } from '../core/git/run.js';

/** The repository a folder belongs to, or undefined when it is not in one. */
export async function repoOfFolder(folder: vscode.Uri): Promise<string | undefined> {
  if (folder.scheme !== 'file') return undefined;
  try {
    return await repoRoot(folder.fsPath);
  } catch (err) {
    if (err instanceof GitError) return undefined;
    throw err;
  }
}

/** The repository a file belongs to. */
export function repoOf(file: vscode.Uri): Promise<string | undefined> {
  return repoOfFolder(vscode.Uri.joinPath(file, '..'));
}

/** The repository of the active editor, else the only one, else the user's pick. */
export async function pickRepository(): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const fromEditor = active ? await repoOf(active) : undefined;
  if (fromEditor) return fromEditor;
  const folders = vscode.workspace.workspaceFolders ?? [];
  const roots = new Map<string, string>();
  for (const [i, root] of (await Promise.all(folders.map((f) => repoOfFolder(f.uri)))).entries()) {
    if (root) roots.set(root, folders[i].name);
  }
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
