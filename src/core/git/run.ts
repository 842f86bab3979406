import { execFile } from 'node:child_process';
import type { SimpleGit } from 'simple-git';

export class GitError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

/**
 * git's refusal to touch a repository owned by another user (CVE-2022-24765), with the command it
 * suggests; null for any other failure. Without it the refusal reads as "not a git repository".
 */
export function dubiousOwnership(stderr: string): GitError | null {
  const m = /detected dubious ownership in repository at '([^']+)'/.exec(stderr);
  if (!m) return null;
  const path = m[1];
  const fix = /git config --global --add safe\.directory .+/.exec(stderr)?.[0].trim() ?? `git config --global --add safe.directory ${path}`;
  return new GitError(
    `git refuses to work in ${path}: the repository is owned by another user (dubious ownership)`,
    `If you trust this repository, mark it safe and run the review again:\n  ${fix}`,
  );
}

/** The environment for git: the caller's, without GIT_* variables that would point git elsewhere. */
export function gitEnv(extra?: Record<string, string>): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toUpperCase().startsWith('GIT_'))), ...extra };
}

/**
 * Runs git for commands that may print nothing (`add`, `ls-files`, `config --get`, `rev-parse -q`
 * misses). simple-git waits a fixed 50 ms after a silent command; on save and on push that adds up.
 */
export function runGit(dir: string, args: string[], env?: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: dir, env: gitEnv(env), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err)
        reject(
          dubiousOwnership(String(stderr)) ?? new GitError(`git ${args[0]} failed: ${String(stderr).trim().split('\n')[0] || err.message}`),
        );
      else resolve(String(stdout));
    });
  });
}

/** Like runGit, but a failure (an unset key, an unknown ref) is an empty answer. */
export function tryGit(dir: string, args: string[]): Promise<string> {
  return runGit(dir, args).then(
    (out) => out.trim(),
    () => '',
  );
}

/** simple-git for commands that always print (rev-parse of known refs, remotes, fetch). */
export async function gitAt(dir: string): Promise<SimpleGit> {
  // Read on first use: a review of commits never needs it.
  const { simpleGit } = await import('simple-git');
  return simpleGit({ baseDir: dir, maxConcurrentProcesses: 4, trimmed: false });
}
