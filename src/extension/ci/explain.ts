import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { explainCi, openCiIssue, type CiTarget } from '../../app/ciExplain.js';
import type { CiExplainResult } from '../../core/ci/explain.js';
import { ciFileProblems, toCiMarkdown } from '../../core/ci/report.js';
import type { CodeHost } from '../../core/hosts/types.js';
import type { GitHubAuth } from '../github/auth.js';
import { Disposable } from '../lifecycle.js';
import { pickRepository } from '../repos.js';
import type { SettingsService } from '../settings.js';
import { requireTrust } from '../trust.js';

type Choice = vscode.QuickPickItem & { source: 'head' | 'run' | 'log' };

/**
 * "Explain CI Failure": the latest failed run of the branch's PR (or HEAD), a run by id or a log
 * file; the explanation in a Markdown view, the files it names as diagnostics with the fix, and an
 * issue on GitHub when the user confirms.
 */
export class CiExplainer extends Disposable {
  private readonly diagnostics = this.register(vscode.languages.createDiagnosticCollection('pullmint-ci'));

  constructor(
    private readonly settings: SettingsService,
    private readonly auth: GitHubAuth,
    private readonly log: vscode.LogOutputChannel,
    /** Where the panel hears of the explanation. */
    private readonly onExplained?: (repo: string, result: CiExplainResult) => void,
  ) {
    super();
  }

  async explain(): Promise<void> {
    const repo = await pickRepository();
    if (!repo || !(await requireTrust('Explaining a CI failure'))) return;
    const choice = await vscode.window.showQuickPick<Choice>(
      [
        { source: 'head', label: 'Latest failed run of this branch', description: "its pull request's head, else HEAD (GitHub Actions)" },
        { source: 'run', label: 'A workflow run by ID…', description: 'the number in …/actions/runs/ID' },
        { source: 'log', label: 'A log file…', description: 'Jenkins, a local test run: no GitHub needed' },
      ],
      { title: 'Pullmint: Explain CI Failure' },
    );
    if (!choice) return;
    let target: CiTarget;
    if (choice.source === 'log') {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Explain', title: 'The CI log to explain' });
      if (!picked?.[0]) return;
      target = { kind: 'log', file: picked[0].fsPath };
    } else if (choice.source === 'run') {
      const id = await vscode.window.showInputBox({
        title: 'Workflow run ID',
        validateInput: (v) => (/^\s*\d+\s*$/.test(v) && Number(v) > 0 ? undefined : 'A run ID is a positive whole number'),
      });
      if (!id) return;
      target = { kind: 'run', id: Number(id) };
    } else target = { kind: 'head' };

    const session = await this.settings.open(repo);
    session.warnings.forEach((w) => this.log.warn(w));
    let host: CodeHost | undefined;
    if (target.kind !== 'log') {
      const signedIn = await this.auth.session(true);
      if (!signedIn) {
        void vscode.window.showWarningMessage('Pullmint: sign in to GitHub or run "Pullmint: Set GitHub Token" to read CI runs.');
        return;
      }
      const connection = await session.codeHost({ token: signedIn.token, log: (m) => this.log.warn(m) });
      if (!connection.host) {
        void vscode.window.showWarningMessage(`Pullmint: ${connection.message}`);
        return;
      }
      host = connection.host;
    }
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Pullmint: explaining the CI failure', cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
        return explainCi(session, { target, host, signal: controller.signal, onStep: (message) => progress.report({ message }) });
      },
    );
    if (!outcome.result) {
      void vscode.window.showInformationMessage(`Pullmint: ${outcome.noFailure}`);
      return;
    }
    const result = outcome.result;
    result.warnings.forEach((w) => this.log.warn(w));
    this.showDiagnostics(repo, result);
    this.onExplained?.(repo, result);
    await this.showMarkdown(result);
    if (!result.explanation) {
      void vscode.window.showWarningMessage(
        `Pullmint: no explanation: ${result.modelError?.message ?? 'the model gave none'}. The failure lines are shown instead.`,
      );
      return;
    }
    this.log.info(`CI failure explained (${result.explanation.confidence}): ${result.explanation.rootCause}`);
    if (result.source.kind !== 'run' || !host) return;
    const pick = await vscode.window.showInformationMessage(`Pullmint: ${result.explanation.rootCause}`, 'Open Issue…');
    if (pick) await this.openIssue(session, host, result);
  }

  private async openIssue(session: Parameters<typeof openCiIssue>[0], host: CodeHost, result: CiExplainResult): Promise<void> {
    const sure = await vscode.window.showWarningMessage(
      `Open a GitHub issue for run ${result.source.runId} with this explanation? One issue per run: asked again, it is updated.`,
      { modal: true },
      'Open Issue',
    );
    if (sure !== 'Open Issue') return;
    const issue = await openCiIssue(session, host, result);
    this.log.info(`issue #${issue.number} ${issue.created ? 'opened' : 'updated'}: ${issue.url}`);
    const open = await vscode.window.showInformationMessage(
      `Pullmint: issue #${issue.number} ${issue.created ? 'opened' : 'updated'}.`,
      'Open in Browser',
    );
    if (open) await vscode.env.openExternal(vscode.Uri.parse(issue.url));
  }

  /** The files the explanation names, each with the fix as its message. */
  private showDiagnostics(repo: string, result: CiExplainResult): void {
    this.diagnostics.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of ciFileProblems(result)) {
      // A path outside the repository (a runner's /home/runner/work/…) is not one of ours.
      if (isAbsolute(p.file) || p.file.split('/').includes('..')) continue;
      const line = Math.max(0, p.line - 1);
      const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), p.message, vscode.DiagnosticSeverity.Error);
      d.source = 'Pullmint CI';
      const file = join(repo, p.file);
      // A path the model made up, or one that lives only on the runner, is no place to show it.
      if (!existsSync(file)) {
        this.log.info(`CI explanation names ${p.file}, which is not in ${repo}`);
        continue;
      }
      byFile.set(file, [...(byFile.get(file) ?? []), d]);
    }
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
  }

  private async showMarkdown(result: CiExplainResult): Promise<void> {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: toCiMarkdown(result, '') });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    await vscode.commands.executeCommand('markdown.showPreview', doc.uri).then(undefined, () => undefined);
  }
}
