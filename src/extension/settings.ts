import * as vscode from 'vscode';
import { ReviewSession } from '../app/session.js';
import { editorLayer, mergeConfig, type ConfigLayer } from '../core/config/load.js';
import type { PullmintConfig } from '../core/config/schema.js';
import type { SecretStore } from '../core/secrets.js';
import { Disposable } from './lifecycle.js';

/**
 * The editor's settings as one config layer: only the values the user set (`inspect`), read for the
 * folder in question, so the repository's .pullmint.json and the environment keep their place
 * beneath them — the same layering as the CLI.
 */
export class SettingsService extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly secrets: SecretStore,
    /** Where store warnings go (a corrupt cache entry, history that could not be written). */
    private readonly onWarning?: (message: string) => void,
  ) {
    super();
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('pullmint')) this.changed.fire();
      }),
    );
  }

  /** The settings the user set for a folder (or the window), as the top config layer. */
  layer(resource?: vscode.Uri): ConfigLayer {
    const cfg = vscode.workspace.getConfiguration('pullmint', resource ?? null);
    return editorLayer((key) => cfg.inspect(key));
  }

  /** Editor-only values (how findings show, review on save) for a resource: defaults and the editor's settings. */
  editor(resource?: vscode.Uri): Pick<PullmintConfig, 'severityMap' | 'reviewOnSave'> {
    return mergeConfig([this.layer(resource)]).config;
  }

  /** A review session for a repository: user config file, .pullmint.json, environment, then these settings. */
  open(repo: string): Promise<ReviewSession> {
    return ReviewSession.open({
      repoDir: repo,
      env: process.env,
      secrets: this.secrets,
      overrides: this.layer(vscode.Uri.file(repo)),
      onWarning: this.onWarning,
    });
  }
}
