import * as vscode from 'vscode';
import { Disposable } from './lifecycle.js';
import { readSettings, type EditorSettings } from './settingsModel.js';

/** Reads `pullmint.*` into one typed object, re-read when the configuration changes. */
export class SettingsService extends Disposable {
  private cached: EditorSettings | undefined;
  private readonly changed = this.register(new vscode.EventEmitter<EditorSettings>());
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('pullmint')) return;
        this.cached = undefined;
        this.changed.fire(this.current);
      }),
    );
  }

  get current(): EditorSettings {
    if (!this.cached) {
      const cfg = vscode.workspace.getConfiguration('pullmint');
      this.cached = readSettings((key, fallback) => cfg.get(key, fallback));
    }
    return this.cached;
  }

  /** Settings for one resource (multi-root folders may differ). */
  forResource(uri: vscode.Uri): EditorSettings {
    const cfg = vscode.workspace.getConfiguration('pullmint', uri);
    return readSettings((key, fallback) => cfg.get(key, fallback));
  }
}
