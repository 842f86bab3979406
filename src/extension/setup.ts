import * as vscode from 'vscode';
import { Ollama } from 'ollama';
import { loadConfig } from '../core/config.js';
import { runSetupChecks, type SetupCheck } from '../core/setup.js';
import type { GitHubAuth } from './githubAuth.js';
import { pickRepository } from './repos.js';
import type { Secrets } from './secrets.js';
import type { SettingsService } from './settings.js';
import { toEngineOverrides } from './settingsModel.js';

/** "Check Setup": each check with its state; picking a failing one runs its fix. */
export async function checkSetup(
  log: vscode.LogOutputChannel,
  settings: SettingsService,
  secrets: Secrets,
  github: GitHubAuth,
): Promise<SetupCheck[]> {
  const repo = await pickRepository();
  const loaded = await loadConfig({ repoRoot: repo ?? process.cwd(), overrides: toEngineOverrides(settings.current) });
  const session = await github.session(false).catch(() => undefined);
  const hasAnthropicKey = Boolean(await secrets.get('anthropicApiKey'));
  const checks = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Pullmint: checking setup' }, () =>
    runSetupChecks({
      repoDir: repo,
      config: loaded.config,
      hasAnthropicKey,
      github: { signedIn: Boolean(session), account: session?.account },
      deployUrl: settings.current.deploy.url,
    }),
  );
  for (const c of checks) log.info(`setup: ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  const items = checks.map((c) => ({
    label: `${c.ok ? '$(pass-filled)' : c.optional ? '$(circle-large-outline)' : '$(error)'} ${c.name}`,
    description: c.detail,
    detail: c.ok ? undefined : c.fix ? `Fix: ${c.fix.label}` : undefined,
    check: c,
  }));
  const failing = checks.filter((c) => !c.ok && !c.optional).length;
  const pick = await vscode.window.showQuickPick(items, {
    title: failing ? `Pullmint setup: ${failing} problem(s) — pick one to fix it` : 'Pullmint setup: ready to review',
    matchOnDescription: true,
  });
  if (pick?.check.fix) await runFix(pick.check);
  return checks;
}

export async function runFix(check: SetupCheck): Promise<void> {
  if (check.fix) await applyFix(check.fix);
}

/** One place that knows how to carry out each fix, for Check Setup and for failed reviews alike. */
export async function applyFix(fix: NonNullable<SetupCheck['fix']>): Promise<void> {
  switch (fix.kind) {
    case 'install-ollama':
      await vscode.env.openExternal(vscode.Uri.parse('https://ollama.com/download'));
      return;
    case 'pull-model': {
      const t = vscode.window.createTerminal('Pullmint: ollama pull');
      t.show();
      t.sendText(`ollama pull ${fix.arg}`);
      return;
    }
    case 'select-model':
      await vscode.commands.executeCommand('pullmint.selectModel');
      return;
    case 'set-anthropic-key':
      await vscode.commands.executeCommand('pullmint.setAnthropicKey');
      return;
    case 'open-settings':
    case 'set-deploy-url':
      await vscode.commands.executeCommand('workbench.action.openSettings', fix.arg ?? 'pullmint.deploy.url');
      return;
    case 'sign-in-github':
      await vscode.commands.executeCommand('pullmint.setGitHubToken');
      return;
    case 'open-folder':
      await vscode.commands.executeCommand('vscode.openFolder');
      return;
  }
}

/** "Select Model…": the models Ollama has pulled (or the provider's known ones); writes the user setting. */
export async function selectModel(settings: SettingsService): Promise<void> {
  const s = settings.current;
  if (s.provider === 'ollama') {
    let models: { name: string; size: number; details?: { parameter_size?: string; quantization_level?: string } }[];
    try {
      models = (
        await new Ollama({ host: s.ollama.host, fetch: (i, init) => fetch(i, { ...init, signal: AbortSignal.timeout(5000) }) }).list()
      ).models;
    } catch {
      const pick = await vscode.window.showErrorMessage(
        `Pullmint: Ollama is not reachable at ${s.ollama.host}. Start it with \`ollama serve\`.`,
        'Install Ollama',
        'Open Settings',
      );
      if (pick === 'Install Ollama') await vscode.env.openExternal(vscode.Uri.parse('https://ollama.com/download'));
      else if (pick === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'pullmint.ollama.host');
      return;
    }
    if (models.length === 0) {
      void vscode.window.showWarningMessage('Pullmint: Ollama has no models yet. Run `ollama pull qwen2.5-coder:7b` in a terminal.');
      return;
    }
    const pick = await vscode.window.showQuickPick(
      models.map((m) => ({
        label: m.name,
        description: [m.details?.parameter_size, m.details?.quantization_level, `${(m.size / 1e9).toFixed(1)} GB`]
          .filter(Boolean)
          .join(' · '),
        picked: m.name === s.ollama.model,
      })),
      { title: 'Pullmint: Ollama model', placeHolder: `current: ${s.ollama.model}` },
    );
    if (pick) await vscode.workspace.getConfiguration('pullmint').update('ollama.model', pick.label, vscode.ConfigurationTarget.Global);
    return;
  }
  if (s.provider === 'anthropic') {
    const known = ['claude-sonnet-5', 'claude-opus-5', 'claude-haiku-4-5', 'claude-sonnet-4-6'];
    const pick = await vscode.window.showQuickPick([...known.map((label) => ({ label })), { label: 'Other…' }], {
      title: 'Pullmint: Claude model',
      placeHolder: `current: ${s.anthropic.model}`,
    });
    if (!pick) return;
    const model = pick.label === 'Other…' ? await vscode.window.showInputBox({ prompt: 'Model id', value: s.anthropic.model }) : pick.label;
    if (model) await vscode.workspace.getConfiguration('pullmint').update('anthropic.model', model, vscode.ConfigurationTarget.Global);
    return;
  }
  const model = await vscode.window.showInputBox({ prompt: 'Model name on the OpenAI-compatible server', value: s.openai.model });
  if (model) await vscode.workspace.getConfiguration('pullmint').update('openai.model', model, vscode.ConfigurationTarget.Global);
}
