import * as vscode from 'vscode';
import { Disposable } from '../lifecycle.js';
import type { Secrets } from '../secrets.js';

export interface GitHubSession {
  token: string;
  account?: string;
  source: 'vscode' | 'token';
}

export type GetSession = typeof vscode.authentication.getSession;

/**
 * VS Code's GitHub sign-in first (silently, then prompting on first real use), the token from
 * "Set GitHub Token" as fallback. `getSession` is injected so that it can be tested.
 */
export class GitHubAuth extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly secrets: Secrets,
    private readonly enterprise: () => string,
    private readonly getSession: GetSession = vscode.authentication.getSession,
  ) {
    super();
    this.register(
      vscode.authentication.onDidChangeSessions((e) => {
        if (e.provider.id === 'github' || e.provider.id === 'github-enterprise') this.changed.fire();
      }),
    );
  }

  private providerId(): string {
    return this.enterprise() ? 'github-enterprise' : 'github';
  }

  /** A signed-in session without asking; then the stored token; then, if `prompt`, a sign-in. */
  async session(prompt: boolean): Promise<GitHubSession | undefined> {
    const attempt = async (options: vscode.AuthenticationGetSessionOptions): Promise<GitHubSession | undefined> => {
      try {
        const s = await this.getSession(this.providerId(), ['repo'], options);
        return s ? { token: s.accessToken, account: s.account.label, source: 'vscode' } : undefined;
      } catch {
        return undefined; // no GitHub sign-in here (some editors lack the provider), or declined
      }
    };
    const silent = await attempt({ silent: true });
    if (silent) return silent;
    const token = await this.secrets.get('githubToken');
    if (token) return { token, source: 'token' };
    return prompt ? attempt({ createIfNone: true }) : undefined;
  }
}
