import * as vscode from 'vscode';
import { SECRETS, type SecretName, type SecretStore } from '../core/secrets.js';

/** Everything secret lives in SecretStorage only: never in settings.json, never in the log. */
const storageKey = (name: SecretName): string => `pullmint.${name}`;

const PROMPTS: Record<SecretName, { prompt: string; placeholder: string; validate?: (v: string) => string | undefined }> = {
  anthropicApiKey: {
    prompt: 'Stored in VS Code secret storage. Leave empty to remove the stored key.',
    placeholder: 'sk-ant-…',
    validate: (v) => (v && !v.startsWith('sk-ant-') ? 'Anthropic keys start with sk-ant-' : undefined),
  },
  openaiApiKey: { prompt: 'Sent as Authorization: Bearer <key> to pullmint.openai.baseUrl. Leave empty to remove.', placeholder: 'key' },
  githubToken: {
    prompt: "Used when VS Code's GitHub sign-in is unavailable. Needs the repo scope (or pull requests: write).",
    placeholder: 'ghp_… or github_pat_…',
  },
  gitlabToken: {
    prompt: 'For merge requests on GitLab (gitlab.com or pullmint.gitlab.url). A personal or project access token with the api scope.',
    placeholder: 'glpat-…',
  },
  deployToken: { prompt: 'Sent as Authorization: Bearer <token>. Leave empty to remove.', placeholder: 'token' },
  deploySecret: { prompt: 'Signs each deploy request (X-Pullmint-Signature-256). Leave empty to remove.', placeholder: 'secret' },
};

/** The editor's side of the secrets port. */
export class Secrets implements SecretStore {
  constructor(private readonly storage: vscode.SecretStorage) {}

  async get(name: SecretName): Promise<string | undefined> {
    return (await this.storage.get(storageKey(name))) || undefined;
  }

  /** Asks for the value with a password box; empty removes it. Returns whether something changed. */
  async prompt(name: SecretName): Promise<boolean> {
    const p = PROMPTS[name];
    const label = SECRETS[name].label;
    const value = await vscode.window.showInputBox({
      title: `Pullmint: ${label}`,
      prompt: p.prompt,
      placeHolder: p.placeholder,
      password: true,
      ignoreFocusOut: true,
      validateInput: p.validate,
    });
    if (value === undefined) return false;
    const shown = label[0].toUpperCase() + label.slice(1);
    if (value.trim() === '') {
      await this.storage.delete(storageKey(name));
      void vscode.window.showInformationMessage(`${shown} removed.`);
    } else {
      await this.storage.store(storageKey(name), value.trim());
      void vscode.window.showInformationMessage(`${shown} saved in secret storage.`);
    }
    return true;
  }
}
