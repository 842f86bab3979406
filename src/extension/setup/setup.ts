import * as vscode from 'vscode';
import { SETTINGS } from '../../core/config/schema.js';
import { providerOf } from '../../core/providers/index.js';
import { ProviderError } from '../../core/providers/types.js';
import type { SecretName } from '../../core/secrets.js';
import { defaultStateDir } from '../../core/history.js';
import { runSetupChecks } from '../../core/setup.js';
import type { SetupCheck } from '../../core/types.js';
import { findOnPath, orderChecks } from './order.js';
import type { GitHubAuth } from '../github/auth.js';
import { offerQualification } from '../qualify/qualify.js';
import { pickRepository } from '../repos.js';
import type { SettingsService } from '../settings.js';

/** The session of the repository in focus; the window's settings alone when no repository is open. */
async function sessionOrNull(settings: SettingsService) {
  const repo = await pickRepository();
  return { repo, session: repo ? await settings.open(repo) : null };
}

/** "Check Setup": each check with its state; picking a failing one runs its fix. */
export async function checkSetup(log: vscode.LogOutputChannel, settings: SettingsService, github: GitHubAuth): Promise<SetupCheck[]> {
  const { repo, session } = await sessionOrNull(settings);
  if (!session) return [];
  session.warnings.forEach((w) => log.warn(w));
  const account = await github.session(false).catch(() => undefined);
  const checks = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Pullmint: checking setup' }, () =>
    runSetupChecks({
      repoDir: repo,
      config: session.config,
      secrets: session.secrets,
      github: { signedIn: Boolean(account), account: account?.account },
      origins: session.origins,
      stateDir: defaultStateDir(),
      onWarning: (m) => log.warn(m),
    }),
  );
  for (const c of checks) log.info(`setup: ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  // Ollama that does not answer: installed but not running wants "Start Ollama", not "Install".
  for (const c of checks) if (c.fix?.kind === 'install-ollama') c.fix = await ollamaFix();
  const items = orderChecks(checks).map((c) => ({
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
  if (pick?.check.fix) await applyFix(pick.check.fix);
  return checks;
}

/** The fix for an Ollama that does not answer: start it when it is installed, else install it. */
export async function ollamaFix(): Promise<NonNullable<SetupCheck['fix']>> {
  const bin = await findOnPath('ollama');
  return bin ? { label: 'Start Ollama', kind: 'start-ollama', arg: bin } : { label: 'Install Ollama', kind: 'install-ollama' };
}

/** One place that knows how to carry out each fix, for Check Setup and for failed reviews alike. */
export async function applyFix(fix: NonNullable<SetupCheck['fix']>): Promise<void> {
  switch (fix.kind) {
    case 'install-ollama':
      await vscode.env.openExternal(vscode.Uri.parse('https://ollama.com/download'));
      return;
    case 'start-ollama': {
      const t = vscode.window.createTerminal('Pullmint: ollama serve');
      t.show();
      t.sendText(`${fix.arg && /\s/.test(fix.arg) ? `"${fix.arg}"` : (fix.arg ?? 'ollama')} serve`);
      return;
    }
    case 'pull-model': {
      const t = vscode.window.createTerminal('Pullmint: ollama pull');
      t.show();
      t.sendText(`ollama pull ${fix.arg}`);
      return;
    }
    case 'select-model':
      await vscode.commands.executeCommand('pullmint.selectModel');
      return;
    case 'set-secret':
      await vscode.commands.executeCommand('pullmint.setSecret', fix.arg as SecretName);
      return;
    case 'open-settings':
    case 'set-deploy-url': {
      const key = fix.arg ?? 'pullmint.deploy.url';
      // In a remote window, machine-scoped settings (hosts, URLs) are read from the remote's settings.
      if (vscode.env.remoteName && isMachineScoped(key)) await vscode.commands.executeCommand('workbench.action.openRemoteSettings');
      else await vscode.commands.executeCommand('workbench.action.openSettings', key);
      return;
    }
    case 'sign-in-github':
      await vscode.commands.executeCommand('pullmint.setGitHubToken');
      return;
    case 'open-folder':
      await vscode.commands.executeCommand('vscode.openFolder');
      return;
    case 'qualify-model':
      await vscode.commands.executeCommand('pullmint.qualifyModel');
      return;
  }
}

/** "Select Model…": the chosen provider's models (Ollama's pulled ones, a server's list); writes the user setting. */
export async function selectModel(settings: SettingsService): Promise<void> {
  const { session } = await sessionOrNull(settings);
  if (!session) return;
  const { config } = session;
  const { module, ctx } = await providerOf(config, session.secrets);
  const current = config[config.provider].model;
  let models: { name: string; detail?: string }[] = [];
  try {
    models = await module.listModels(config[config.provider], ctx);
  } catch (err) {
    const message = err instanceof ProviderError ? `${err.message}. ${err.fix}` : (err as Error).message;
    const pick = await vscode.window.showErrorMessage(`Pullmint: ${message}`, 'Check Setup', 'Enter a Model Name');
    if (pick === 'Check Setup') return void (await vscode.commands.executeCommand('pullmint.checkSetup'));
    if (pick !== 'Enter a Model Name') return;
  }
  const other = { label: 'Other…', description: 'type a model name' };
  const pick = await vscode.window.showQuickPick(
    [...models.map((m) => ({ label: m.name, description: m.detail, picked: m.name === current })), other],
    { title: `Pullmint: ${module.label} model`, placeHolder: `current: ${current}` },
  );
  if (!pick) return;
  const model = pick === other ? await vscode.window.showInputBox({ prompt: 'Model name', value: current }) : pick.label;
  if (!model) return;
  await vscode.workspace.getConfiguration('pullmint').update(`${config.provider}.model`, model, vscode.ConfigurationTarget.Global);
  void offerQualification(config.provider, model);
}

function isMachineScoped(key: string): boolean {
  return SETTINGS.some((s) => `pullmint.${s.path}` === key && s.meta.scope === 'machine');
}
