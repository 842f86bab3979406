import * as vscode from 'vscode';
import { pushVerdict } from '../../app/prePush.js';
import { defaultStateDir, HistoryStore } from '../../core/history.js';
import { headSha } from '../../core/git/repo.js';
import { incompleteNote } from '../../core/report/verdict.js';
import type { ReviewResult } from '../../core/types.js';
import { Disposable } from '../lifecycle.js';
import { plainText } from './markdown.js';
import type { HookEnvironment } from './hookEnv.js';

/** The few parts of the built-in git extension's API (extensions/git/src/api/git.d.ts) used here. */
interface GitRepository {
  rootUri: vscode.Uri;
  push(remoteName?: string, branchName?: string, setUpstream?: boolean): Promise<void>;
}
interface GitRemote {
  name: string;
}
interface GitApi {
  registerPushErrorHandler(handler: {
    handlePushError(repository: GitRepository, remote: GitRemote, refspec: string, error: Error & { stderr?: string }): Promise<boolean>;
  }): vscode.Disposable;
}

/** The hook speaks as "pullmint: …" and says it blocked (src/cli/hook.ts). */
const OURS = /^pullmint\b/im;
const BLOCKED = /block/i;
/** How recent the hook's review must be to be the one that blocked this push. */
const RECENT_MS = 10 * 60 * 1000;

export interface PushBlockedDeps {
  log: vscode.LogOutputChannel;
  env: HookEnvironment;
  /** Shows a recorded review's findings in the editor (Problems, Findings view, panel). */
  showFindings: (repo: string, result: ReviewResult) => Promise<void>;
}

/**
 * A push from the editor that the pre-push hook blocked: instead of git's "Can't push refs to
 * remote", the user reads why — the score, the top findings — with Show Findings and Push Anyway.
 * The hook records its review in the history like every review; the verdict shown is read from
 * there, and the hook's own output is the fallback.
 */
export class PushBlocked extends Disposable {
  constructor(private readonly d: PushBlockedDeps) {
    super();
    void this.attach();
  }

  private async attach(): Promise<void> {
    try {
      const ext = vscode.extensions.getExtension<{ getAPI(v: 1): GitApi }>('vscode.git');
      if (!ext) return;
      const api = (ext.isActive ? ext.exports : await ext.activate()).getAPI(1);
      this.register(
        api.registerPushErrorHandler({ handlePushError: (repo, remote, refspec, err) => this.handle(repo, remote, refspec, err) }),
      );
      this.d.log.info('watching pushes from the editor for the pre-push hook');
    } catch (err) {
      this.d.log.warn(`the git extension is not available, so a push blocked by the hook is told by git alone: ${String(err)}`);
    }
  }

  private async handle(
    repository: GitRepository,
    remote: GitRemote,
    refspec: string,
    error: Error & { stderr?: string },
  ): Promise<boolean> {
    const output = `${error.stderr ?? ''}\n${error.message ?? ''}`;
    if (!OURS.test(output)) return false;
    const repo = repository.rootUri.fsPath;
    const results = await this.recentHookReviews(repo).catch(() => []);
    const verdict = pushVerdict(results, false);
    // Our hook spoke, but something else stopped the push (a network error, a rejected ref): git's message stands.
    if (!BLOCKED.test(output) && !verdict.block) return false;
    const worst = verdict.worst;
    const top = verdict.findings.slice(0, 3).map((f) => `${f.severity} ${f.file}:${f.line} ${plainText(f.title)}`);
    const headline = worst
      ? `risk ${worst.riskScore}/100 → ${worst.decision}${incompleteNote(worst) ? ` (${incompleteNote(worst)})` : ''}`
      : (/pullmint: (risk [^\n]+)/.exec(output)?.[1] ?? 'the change needs a manual review');
    const lines = top.length
      ? top
      : [...output.matchAll(/^\s+(CRITICAL|HIGH|MEDIUM|LOW|INFO)\s+(.+)$/gm)]
          .slice(0, 3)
          .map((m) => `${m[1].toLowerCase()} ${m[2].trim()}`);
    this.d.log.warn(`push to ${remote.name} (${refspec}) blocked by the pre-push hook: ${headline}; ${lines.join('; ')}`);
    const more = verdict.findings.length > 3 ? ` … and ${verdict.findings.length - 3} more.` : '';
    void vscode.window
      .showErrorMessage(
        `Pullmint blocked the push: ${headline}. ${lines.length ? `Top findings: ${lines.join(' · ')}.${more}` : ''}`.trim(),
        ...(worst ? ['Show Findings'] : []),
        'Push Anyway',
      )
      .then(async (pick) => {
        if (pick === 'Show Findings' && worst) await this.d.showFindings(repo, worst);
        if (pick === 'Push Anyway') await this.pushAnyway(repository, remote, refspec);
      });
    return true;
  }

  /** Completed reviews of commits up to HEAD, recorded in the last minutes: the hook's. */
  private async recentHookReviews(repo: string): Promise<ReviewResult[]> {
    const head = await headSha(repo);
    const since = Date.now() - RECENT_MS;
    const records = await new HistoryStore(defaultStateDir(), repo, { onWarning: (m) => this.d.log.warn(m) }).list(20);
    const mine = records.filter(
      (r) => r.result && r.target.kind === 'range' && Date.parse(r.createdAt) >= since && (head === null || r.target.head === head),
    );
    // The newest review of each range: a push retried after a fix is judged by its last review.
    const seen = new Set<string>();
    const out: ReviewResult[] = [];
    for (const r of mine.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))) {
      const key = `${r.target.base}..${r.target.head}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r.result!);
    }
    return out;
  }

  private async pushAnyway(repository: GitRepository, remote: GitRemote, refspec: string): Promise<void> {
    this.d.log.warn(`push anyway: ${remote.name} ${refspec}, the pre-push review skipped once (PULLMINT_SKIP=1)`);
    try {
      await this.d.env.withVariable('PULLMINT_SKIP', '1', () => repository.push(remote.name, refspec));
      void vscode.window.showInformationMessage(`Pullmint: pushed to ${remote.name} without the review (Push Anyway).`);
    } catch (err) {
      void vscode.window.showErrorMessage(`Pullmint: the push failed: ${(err as Error).message}`);
    }
  }
}
