import * as vscode from 'vscode';
import type { TargetSpec } from '../../core/git/diff.js';
import { branchRefs, defaultBaseRef } from '../../core/git/repo.js';
import { outgoingTarget, pushVerdict } from '../../app/prePush.js';
import { installHook } from '../../core/hooks.js';
import { incompleteNote } from '../../core/report/verdict.js';
import type { ReviewResult } from '../../core/types.js';
import { pickRepository } from '../repos.js';
import type { ReviewController } from './controller.js';

/** The review commands: working tree, staged, branch, before push; and the pre-push hook. */
export class ReviewCommands {
  constructor(
    private readonly controller: ReviewController,
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly showRiskPanel: () => Promise<void>,
  ) {}

  private async review(target: TargetSpec, label: string): Promise<ReviewResult | undefined> {
    const repo = await pickRepository();
    return repo ? this.controller.review({ repo, target, label }) : undefined;
  }

  reviewWorkingTree(): Promise<ReviewResult | undefined> {
    return this.review({ kind: 'working-tree' }, 'working tree changes');
  }

  reviewStaged(): Promise<ReviewResult | undefined> {
    return this.review({ kind: 'staged' }, 'staged changes');
  }

  async reviewBranch(repo?: string): Promise<ReviewResult | undefined> {
    const root = repo ?? (await pickRepository());
    if (!root) return undefined;
    const fallback = await defaultBaseRef(root).catch(() => undefined);
    const ordered = [...new Set([...(fallback ? [fallback] : []), ...(await branchRefs(root))])];
    const pick = await vscode.window.showQuickPick(
      ordered.map((ref) => ({ label: ref, description: ref === fallback ? 'default base' : undefined })),
      { title: 'Pullmint: review the branch against which base?', placeHolder: 'merge-base(base, HEAD)..HEAD' },
    );
    if (!pick) return undefined;
    return this.controller.review({ repo: root, target: { kind: 'base', ref: pick.label }, label: `branch against ${pick.label}` });
  }

  /** The branch against its default base, or the user's pick when there is none. */
  async reviewAgainstDefaultBase(repo: string): Promise<void> {
    const ref = await defaultBaseRef(repo).catch(() => undefined);
    if (!ref) return void (await this.reviewBranch(repo));
    await this.controller.review({ repo, target: { kind: 'base', ref }, label: `branch against ${ref}` });
  }

  async reviewBeforePush(): Promise<void> {
    const repo = await pickRepository();
    if (!repo) return;
    const result = await this.controller.review({ repo, ...(await outgoingTarget(repo)) });
    if (!result) return;
    if (pushVerdict([result], false).block) {
      void vscode.window
        .showWarningMessage(`Pullmint: risk ${result.riskScore} → manual-review. Fix the findings before pushing.`, 'Show Risk Panel')
        .then((x) => x && this.showRiskPanel());
      return;
    }
    const note = incompleteNote(result);
    if (note) {
      // Push is not offered: the model did not read all of what would go out.
      const pick = await vscode.window.showWarningMessage(
        `Pullmint: ${note} — the commits to push are not approved. ${result.modelError?.message ?? result.coverage.unreviewed[0]?.reason ?? ''}`.trim(),
        'Show Risk Panel',
        'Check Setup',
      );
      if (pick === 'Show Risk Panel') await this.showRiskPanel();
      else if (pick === 'Check Setup') await vscode.commands.executeCommand('pullmint.checkSetup');
      return;
    }
    const pick = await vscode.window.showInformationMessage(`Pullmint: risk ${result.riskScore} → ${result.decision}. Push now?`, 'Push');
    if (pick) await vscode.commands.executeCommand('git.push');
  }

  async installPrePushHook(): Promise<void> {
    const repo = await pickRepository();
    if (!repo) return;
    const cli = vscode.Uri.joinPath(this.extensionUri, 'dist', 'cli.js').fsPath;
    const r = await installHook(repo, { node: process.execPath, cli });
    this.log.info(`pre-push hook ${r.updated ? 'updated' : 'installed'} at ${r.path}${r.chained ? ' (existing hook chained)' : ''}`);
    void vscode.window.showInformationMessage(
      `Pullmint: pre-push hook ${r.updated ? 'updated' : 'installed'}${r.chained ? '; your existing hook still runs first' : ''}. Bypass once with git push --no-verify.`,
    );
  }
}
