import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReviewController } from './controller.js';
import type { DiagnosticsPresenter } from './diagnostics.js';
import { Disposable } from '../lifecycle.js';
import { repoOf } from '../repos.js';
import type { SettingsService } from '../settings.js';

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
      const result = await this.controller.review({
        repo,
        target: { kind: 'working-tree' },
        label: rel,
        paths: [rel],
        rulesOnly: !llm,
        quiet: true,
        signal: abort.signal,
      });
      if (this.pending.get(key) === entry) this.pending.delete(key);
      if (!result || abort.signal.aborted) return;
      const mine = result.findings.filter((f) => f.file === rel);
      this.presenter.replaceFile(repo, doc.uri, mine, llm ? ['rule', 'llm'] : ['rule']);
      this.log.debug(`on save: ${rel}: ${mine.length} finding(s) in ${Date.now() - started} ms (${llm ? 'model' : 'rules'})`);
    };
    if (mode === 'llm') entry.timer = setTimeout(() => void run(), LLM_DEBOUNCE_MS);
    else await run();
  }
}
