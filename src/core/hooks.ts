import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { configValue, gitPath, repoRoot } from './git/repo.js';
import { tryGit } from './git/run.js';

export const HOOK_MARKER = '# pullmint pre-push hook';
const CHAINED = 'pre-push.pullmint-chained';
const ZERO = /^0+$/;

/**
 * The folder whose pre-push git runs: `git rev-parse --git-path hooks` honours core.hooksPath; a
 * husky setup keeps its user hooks in .husky/ (its `_` folder is regenerated on install).
 */
export async function hooksDir(repo: string): Promise<string> {
  const root = await repoRoot(repo);
  const configured = await configValue(root, 'core.hooksPath');
  if (configured && /(^|\/)\.husky(\/_)?\/?$/.test(configured)) return join(root, '.husky');
  const dir = await gitPath(root, 'hooks');
  return isAbsolute(dir) ? dir : join(root, dir);
}

/** How the hook starts the CLI: by absolute path, so it works from a terminal and from the editor alike. */
export interface CliInvocation {
  node: string;
  cli: string;
}

function hookScript(cli: CliInvocation): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh
${HOOK_MARKER} — installed by \`pullmint hook install\`; \`pullmint hook uninstall\` removes it.
# Bypass once: git push --no-verify, or PULLMINT_SKIP=1 git push
input=$(cat)
dir=$(dirname "$0")
if [ -x "$dir/${CHAINED}" ]; then
  printf '%s\\n' "$input" | "$dir/${CHAINED}" "$@" || exit $?
fi
if [ "$PULLMINT_SKIP" = "1" ]; then
  echo "pullmint: review skipped (PULLMINT_SKIP=1)" >&2
  exit 0
fi
printf '%s\\n' "$input" | ELECTRON_RUN_AS_NODE=1 ${q(cli.node)} ${q(cli.cli)} hook run "$@"
`;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

export interface HookInstallResult {
  path: string;
  chained: boolean;
  updated: boolean;
}

/** Writes the pre-push hook; an existing foreign hook is kept and runs first. */
export async function installHook(repo: string, cli: CliInvocation): Promise<HookInstallResult> {
  const dir = await hooksDir(repo);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'pre-push');
  let chained = await exists(join(dir, CHAINED));
  let updated = false;
  if (await exists(path)) {
    const current = await readFile(path, 'utf8');
    if (current.includes(HOOK_MARKER)) updated = true;
    else {
      if (chained) throw new Error(`${join(dir, CHAINED)} already exists; remove it or the current pre-push hook first`);
      await rename(path, join(dir, CHAINED));
      chained = true;
    }
  }
  await writeFile(path, hookScript(cli));
  await chmod(path, 0o755);
  return { path, chained, updated };
}

/** Removes our hook and puts a chained one back in its place. */
export async function uninstallHook(repo: string): Promise<{ removed: boolean; restored: boolean; path: string }> {
  const dir = await hooksDir(repo);
  const path = join(dir, 'pre-push');
  if (!(await exists(path)) || !(await readFile(path, 'utf8')).includes(HOOK_MARKER)) return { removed: false, restored: false, path };
  await rm(path);
  const chained = join(dir, CHAINED);
  if (await exists(chained)) {
    await rename(chained, path);
    return { removed: true, restored: true, path };
  }
  return { removed: true, restored: false, path };
}

export type PushUpdate =
  | { kind: 'delete'; remoteRef: string }
  | { kind: 'update'; localRef: string; remoteRef: string; from: string; to: string }
  | { kind: 'new-branch'; localRef: string; remoteRef: string; to: string };

/** Git's pre-push stdin: `<local ref> <local sha> <remote ref> <remote sha>` per line. */
export function parsePushLines(input: string): PushUpdate[] {
  const out: PushUpdate[] = [];
  for (const line of input.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length !== 4) continue;
    const [localRef, localSha, remoteRef, remoteSha] = parts;
    if (ZERO.test(localSha)) out.push({ kind: 'delete', remoteRef });
    else if (ZERO.test(remoteSha)) out.push({ kind: 'new-branch', localRef, remoteRef, to: localSha });
    else out.push({ kind: 'update', localRef, remoteRef, from: remoteSha, to: localSha });
  }
  return out;
}

/** For a new branch: where it forks from the remote's default branch (or the local main/master). */
export async function newBranchBase(repo: string, remote: string, sha: string): Promise<string | null> {
  const candidates: string[] = [];
  const head = await tryGit(repo, ['symbolic-ref', '-q', '--short', `refs/remotes/${remote}/HEAD`]);
  if (head) candidates.push(head);
  candidates.push(`${remote}/main`, `${remote}/master`, 'main', 'master');
  for (const ref of candidates) {
    const base = await tryGit(repo, ['merge-base', ref, sha]);
    if (base && base !== sha) return base;
  }
  return null;
}
