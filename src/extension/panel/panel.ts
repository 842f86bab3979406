import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { FromWebviewMessage, PanelState, ToWebviewMessage } from '../../shared/protocol.js';
import { Disposable } from '../lifecycle.js';
import { parseWebviewMessage } from './messages.js';

export interface PanelHost {
  state(): Promise<PanelState>;
  handle(message: Exclude<FromWebviewMessage, { type: 'ready' }>): Promise<void>;
  log: vscode.LogOutputChannel;
}

/** The sidebar risk panel: a webview view whose front-end lives in webview-ui/ (built to dist/webview). */
export class RiskPanel extends Disposable implements vscode.WebviewViewProvider {
  static readonly viewId = 'pullmint.riskPanel';
  private view: vscode.WebviewView | undefined;
  private ready = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: PanelHost,
  ) {
    super();
    this.register(vscode.window.registerWebviewViewProvider(RiskPanel.viewId, this));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [dist, vscode.Uri.joinPath(this.extensionUri, 'media')] };
    view.webview.html = this.html(view.webview, dist);
    this.register(view.webview.onDidReceiveMessage((raw) => void this.receive(raw)));
    this.register(view.onDidChangeVisibility(() => view.visible && void this.refresh()));
    this.register(view.onDidDispose(() => (this.view = undefined)));
  }

  private async receive(raw: unknown): Promise<void> {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.host.log.warn(`risk panel sent an unexpected message: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    if (msg.type === 'ready') {
      this.host.log.debug('risk panel ready');
      this.ready = true;
      await this.refresh();
      return;
    }
    try {
      await this.host.handle(msg);
      if (msg.type === 'command') this.post({ type: 'reply', requestId: msg.requestId, ok: true });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.host.log.error(`risk panel ${msg.type}: ${error}`);
      if (msg.type === 'command') this.post({ type: 'reply', requestId: msg.requestId, ok: false, error });
    }
    await this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.view || !this.ready) return;
    try {
      this.post({ type: 'state', state: await this.host.state() });
    } catch (err) {
      this.host.log.error(`risk panel: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  private post(message: ToWebviewMessage): void {
    void this.view?.webview.postMessage(message);
  }

  private html(webview: vscode.Webview, dist: vscode.Uri): string {
    const nonce = randomBytes(18).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'main.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'main.css'));
    const csp = [
      `default-src 'none'`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Pullmint risk</title>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}
