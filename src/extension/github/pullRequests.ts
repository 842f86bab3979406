import * as vscode from 'vscode';
import { changeRequestLabel, reviewAndPost } from '../../app/changeRequest.js';
import { currentBranch } from '../../core/git/repo.js';
import type { ChangeRequestTarget, CodeHost } from '../../core/hosts/types.js';
import { HostError } from '../../core/hosts/types.js';
import type { ReviewController } from '../review/controller.js';
import type { ReviewCommands } from '../review/commands.js';
import { pickRepository } from '../repos.js';
import type { SettingsService } from '../settings.js';
import { requireTrust } from '../trust.js';
import type { GitHubAuth } from './auth.js';

/** Review This PR and Post Review: the pull request of the branch, found once per branch and session. */
export class PullRequests {
  /** `repo\0branch` → the pull request found for it. */
  private readonly found = new Map<string, ChangeRequestTarget>();

  constructor(
    private readonly settings: SettingsService,
    private readonly auth: GitHubAuth,
    private readonly controller: ReviewController,
    private readonly reviews: ReviewCommands,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async known(repo: string): Promise<boolean> {
    const branch = await currentBranch(repo);
    return Boolean(branch && this.found.has(`${repo}\0${branch}`));
  }

  private async host(repo: string, prompt: boolean): Promise<CodeHost | undefined> {
    const session = await this.settings.open(repo);
    if ((await session.hostKind()) === 'gitlab') {
      // GitLab's token comes from secret storage ("Set GitLab Token"), never from the GitHub sign-in.
      const connection = await session.codeHost({ log: (m) => this.log.warn(m) });
      if (connection.host) return connection.host;
      if (prompt && connection.problem === 'no-token')
        void vscode.window
          .showWarningMessage('Pullmint: run "Pullmint: Set GitLab Token" to post to GitLab merge requests.', 'Set GitLab Token')
          .then((x) => x && vscode.commands.executeCommand('pullmint.setGitLabToken'));
      else if (prompt) throw new HostError(connection.message);
      return undefined;
    }
    const signedIn = await this.auth.session(prompt);
    if (!signedIn) {
      if (prompt)
        void vscode.window
          .showWarningMessage('Pullmint: sign in to GitHub (Accounts menu) or run "Pullmint: Set GitHub Token".', 'Set GitHub Token')
          .then((x) => x && vscode.commands.executeCommand('pullmint.setGitHubToken'));
      return undefined;
    }
    const connection = await session.codeHost({ token: signedIn.token, log: (m) => this.log.warn(m) });
    if (!connection.host) throw new HostError(connection.message);
    return connection.host;
  }

  private async target(repo: string, host: CodeHost): Promise<ChangeRequestTarget> {
    const branch = await currentBranch(repo);
    const t = await host.findChangeRequest(repo);
    if (branch) this.found.set(`${repo}\0${branch}`, t);
    if (t.localHeadNote) this.log.warn(t.localHeadNote);
    return t;
  }

  private reviewOf(repo: string, t: ChangeRequestTarget) {
    return this.controller.review({ repo, target: { kind: 'range', range: t.range }, label: changeRequestLabel(t.pr) });
  }

  async reviewPullRequest(): Promise<void> {
    const repo = await pickRepository();
    if (!repo) return;
    let target: ChangeRequestTarget | undefined;
    try {
      const host = vscode.workspace.isTrusted ? await this.host(repo, true) : undefined;
      if (host) target = await this.target(repo, host);
    } catch (err) {
      if (!(err instanceof HostError)) throw err;
      this.log.warn(err.message);
      const pick = await vscode.window.showWarningMessage(`Pullmint: ${err.message}`, 'Review Branch Against Base');
      if (pick) await this.reviews.reviewAgainstDefaultBase(repo);
      return;
    }
    if (!target) {
      const pick = await vscode.window.showInformationMessage(
        'Pullmint: no pull request or merge request is known for this branch yet. Review the branch against its base instead?',
        'Review Branch Against Base',
      );
      if (pick) await this.reviews.reviewAgainstDefaultBase(repo);
      return;
    }
    if (target.localHeadNote) void vscode.window.showInformationMessage(`Pullmint: ${target.localHeadNote}`);
    await this.reviewOf(repo, target);
  }

  async postReview(): Promise<void> {
    const repo = await pickRepository();
    if (!repo || !(await requireTrust('Posting a review'))) return;
    const host = await this.host(repo, true);
    if (!host) return;
    const target = await this.target(repo, host);
    const session = await this.settings.open(repo);
    const done = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Pullmint: posting to ${changeRequestLabel(target.pr)}` },
      () =>
        reviewAndPost(session, {
          host,
          target,
          post: { maxInline: 30, requestChanges: false, commitStatus: false },
          review: (t) => this.reviewOf(repo, t),
        }),
    );
    if (!done) return;
    const { result, outcome } = done;
    this.log.info(
      `[${result.executionId}] posted to ${target.pr.htmlUrl}: summary ${outcome.summaryUpdated ? 'updated' : 'created'}, ${outcome.inlinePosted} inline, ${outcome.alreadyPosted} already posted`,
    );
    const openLabel = target.pr.kind === 'merge-request' ? 'Open Merge Request' : 'Open Pull Request';
    const pick = await vscode.window.showInformationMessage(
      `Pullmint: posted to ${changeRequestLabel(target.pr)} (${outcome.inlinePosted} inline comment(s), summary ${outcome.summaryUpdated ? 'updated' : 'created'}).`,
      openLabel,
    );
    if (pick) await vscode.env.openExternal(vscode.Uri.parse(target.pr.htmlUrl));
  }
}
