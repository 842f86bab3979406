import * as vscode from 'vscode';

/** Everything secret lives in SecretStorage only: never in settings.json, never in the log. */
export const SECRET_KEYS = {
  anthropicApiKey: 'pullmint.anthropicApiKey',
  githubToken: 'pullmint.githubToken',
  deployToken: 'pullmint.deployToken',
  deploySecret: 'pullmint.deploySecret',
} as const;
export type SecretName = keyof typeof SECRET_KEYS;

const PROMPTS: Record<SecretName, { title: string; prompt: string; placeholder: string; validate?: (v: string) => string | undefined }> = {
  anthropicApiKey: {
    title: 'Pullmint: Anthropic API key',
    prompt: 'Stored in VS Code secret storage. Leave empty to remove the stored key.',
    placeholder: 'sk-ant-…',
    validate: (v) => (v && !v.startsWith('sk-ant-') ? 'Anthropic keys start with sk-ant-' : undefined),
  },
  githubToken: {
    title: 'Pullmint: GitHub token',
    prompt: "Used when VS Code's GitHub sign-in is unavailable. Needs the repo scope (or pull requests: write).",
    placeholder: 'ghp_… or github_pat_…',
  },
  deployToken: {
    title: 'Pullmint: deploy webhook token',
    prompt: 'Sent as Authorization: Bearer <token>. Leave empty to remove.',
    placeholder: 'token',
  },
  deploySecret: {
    title: 'Pullmint: deploy signing secret',
    prompt: 'Signs each deploy request (X-Pullmint-Signature-256). Leave empty to remove.',
    placeholder: 'secret',
  },
};

export class Secrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  get(name: SecretName): Thenable<string | undefined> {
    return this.storage.get(SECRET_KEYS[name]);
  }

  /** Asks for the value with a password box; empty removes it. Returns whether something changed. */
  async prompt(name: SecretName): Promise<boolean> {
    const p = PROMPTS[name];
    const value = await vscode.window.showInputBox({
      title: p.title,
      prompt: p.prompt,
      placeHolder: p.placeholder,
      password: true,
      ignoreFocusOut: true,
      validateInput: p.validate,
    });
    if (value === undefined) return false;
    if (value.trim() === '') {
      await this.storage.delete(SECRET_KEYS[name]);
      void vscode.window.showInformationMessage(`${p.title.replace('Pullmint: ', '')} removed.`);
    } else {
      await this.storage.store(SECRET_KEYS[name], value.trim());
      void vscode.window.showInformationMessage(`${p.title.replace('Pullmint: ', '')} saved in secret storage.`);
    }
    return true;
  }
}
