import * as vscode from 'vscode';
import { DismissError, dismissFinding } from '../../app/dismiss.js';
import type { ReviewSession } from '../../app/session.js';
import { DismissalFileError, TEAM_DISMISSALS_FILE } from '../../core/dismissals/team.js';
import type { Finding } from '../../core/types.js';

export const DISMISS_FOR_TEAM_COMMAND = 'pullmint.dismissFindingForTeam';

export interface TeamDismissDeps {
  open(repo: string): Promise<ReviewSession>;
  /** The finding as the editor shows it, so its file and title go into the committed entry. */
  findingOf(repo: string, id: string): Finding | undefined;
  /** Takes the finding out of Problems and the panel at once; the next review leaves it out by itself. */
  hide(repo: string, id: string): void;
  log: vscode.LogOutputChannel;
}

/**
 * "Dismiss for the team": asks why, writes the entry to .pullmint/dismissed.json in the working
 * tree and says that it must be committed to reach the others (and that reviews of commits only
 * honour it from the commit after).
 */
export async function dismissForTeam(deps: TeamDismissDeps, repo: string, id: string): Promise<void> {
  const finding = deps.findingOf(repo, id);
  const reason = await vscode.window.showInputBox({
    title: `Dismiss for the team${finding ? `: ${finding.title}` : ''}`,
    prompt: 'Why does this finding not apply? The reason is committed with the dismissal for everybody to read.',
    placeHolder: 'e.g. documented example key, not a real credential',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'A reason is required: the next reader must know why.'),
  });
  if (reason === undefined) return;
  try {
    const session = await deps.open(repo);
    const { entry } = await dismissFinding(session, { fingerprint: id, reason, team: true, finding });
    deps.hide(repo, id);
    deps.log.info(`dismissed finding ${id} for the team in ${repo}: ${entry.reason}`);
    const choice = await vscode.window.showInformationMessage(
      `Pullmint: dismissed for the team in ${TEAM_DISMISSALS_FILE}. Commit the file to share it.`,
      'Open File',
    );
    if (choice === 'Open File') await vscode.window.showTextDocument(vscode.Uri.file(`${session.root}/${TEAM_DISMISSALS_FILE}`));
  } catch (err) {
    if (!(err instanceof DismissError || err instanceof DismissalFileError)) throw err;
    void vscode.window.showErrorMessage(`Pullmint: ${err.message}`);
  }
}
