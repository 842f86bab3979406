import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReviewController } from './controller.js';
import type { DiagnosticsPresenter } from './diagnostics.js';
import { Disposable } from '../lifecycle.js';
import { repoOf } from '../repos.js';
import type { SettingsService } from '../settings.js';
import { plainText } from './markdown.js';
import type { StatusBar } from './statusBar.js';

const LLM_DEBOUNCE_MS = 1500;

/**
 * Review while coding: on save, only the saved file's working-tree diff. Rules mode runs at once;
 * llm mode waits for typing to settle and cancels the previous request for the same file.
 */
export class SaveReviewer extends Disposable {
  private readonly pending = new Map<string, { timer?: NodeJS.Timeout; controller: AbortController }>();

  constructor(
    private readonly settings: SettingsService,
    private readonly controller: ReviewController,
    private readonly presenter: DiagnosticsPresenter,
    private readonly log: vscode.LogOutputChannel,
    private readonly status?: StatusBar,
  ) {
    super();
    this.register(vscode.workspace.onDidSaveTextDocument((doc) => void this.onSave(doc)));
    this.register({ dispose: () => this.pending.forEach((p) => (clearTimeout(p.timer), p.controller.abort())) });
  }

  private async onSave(doc: vscode.TextDocument): Promise<void> {
    const mode = this.settings.editor(doc.uri).reviewOnSave;
    if (mode === 'off' || doc.uri.scheme !== 'file') return;
    const repo = await repoOf(doc.uri);
    if (!repo) return;
    const key = doc.uri.toString();
    const previous = this.pending.get(key);
    if (previous) {
      clearTimeout(previous.timer);
      previous.controller.abort(new Error('superseded by a newer save'));
    }
    const abort = new AbortController();
    const entry: { timer?: NodeJS.Timeout; controller: AbortController } = { controller: abort };
    this.pending.set(key, entry);
    const run = async (): Promise<void> => {
      const rel = path.relative(repo, doc.uri.fsPath).split(path.sep).join('/');
      const started = Date.now();
      const llm = mode === 'llm' && vscode.workspace.isTrusted;
      // With the model a review on save takes seconds: the status bar says so while it runs.
      if (llm) this.status?.onSave(path.basename(rel));
      let result: Awaited<ReturnType<ReviewController['review']>>;
      try {
        result = await this.controller.review({
          repo,
          target: { kind: 'working-tree' },
          label: rel,
          paths: [rel],
          rulesOnly: !llm,
          quiet: true,
          signal: abort.signal,
        });
      } finally {
        if (this.pending.get(key) === entry) this.pending.delete(key);
        if (llm && this.pending.size === 0) this.status?.onSave(undefined);
      }
      if (mode === 'llm' && !abort.signal.aborted) this.tellWhyNot(llm, result);
      if (!result || abort.signal.aborted) return;
      const mine = result.findings.filter((f) => f.file === rel);
      this.presenter.replaceFile(repo, doc.uri, mine, llm ? ['rule', 'llm'] : ['rule']);
      this.log.debug(`on save: ${rel}: ${mine.length} finding(s) in ${Date.now() - started} ms (${llm ? 'model' : 'rules'})`);
    };
    if (mode === 'llm')
      entry.timer = setTimeout(() => void run().catch((err) => this.log.warn(`on save: ${String(err)}`)), LLM_DEBOUNCE_MS);
    else await run();
  }

  /**
   * A review on save that could not use the model says so quietly — in the status bar and the log,
   * once per cause — instead of failing silently or raising a notification on every save.
   */
  private lastNotice: string | undefined;
  private tellWhyNot(llm: boolean, result: Awaited<ReturnType<ReviewController['review']>>): void {
    const why = !llm
      ? 'the workspace is not trusted, so only the rules ran'
      : !result
        ? 'the review failed (see the Pullmint log)'
        : result.modelError
          ? `the model could not be used (${plainText(result.modelError.message)}); only the rules ran`
          : undefined;
    this.status?.saveNotice(why);
    if (why && why !== this.lastNotice) {
      this.log.warn(`on save: ${why}`);
      void vscode.window.setStatusBarMessage(`$(circle-slash) Pullmint on save: ${why}`, 8000);
    }
    this.lastNotice = why;
  }
}
