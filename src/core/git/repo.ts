/** What Pullmint asks git about a repository: its root, HEAD, branches, remotes and commits. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { dubiousOwnership, gitAt, GitError, gitEnv, runGit, tryGit } from './run.js';

/** git's well-known hash of the empty tree: the base for a repository with no commits. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** The repository's top-level folder, or a GitError that says how to fix it. */
export async function repoRoot(dir: string): Promise<string> {
  try {
    return (await runGit(dir, ['rev-parse', '--show-toplevel'])).trim();
  } catch (err) {
    throw await notARepository(dir, err);
  }
}

/**
 * Why git found no working tree at `dir`, from what it said: another user's repository, a bare
 * repository, the inside of a .git folder, or no repository at all. Each has its own fix.
 */
export async function notARepository(dir: string, err: unknown): Promise<GitError> {
  const said = err instanceof Error ? err.message : String(err);
  // runGit has already worded git's refusal of another user's repository.
  if (err instanceof GitError && err.hint?.includes('safe.directory')) return err;
  const dubious = dubiousOwnership(said);
  if (dubious) return dubious;
  if (/must be run in a work tree/i.test(said)) {
    const [bare, insideGitDir] = (await tryGit(dir, ['rev-parse', '--is-bare-repository', '--is-inside-git-dir'])).split('\n');
    if (bare === 'true')
      return new GitError(
        `${dir} is a bare repository: it has no working tree to review`,
        `Review in a checkout of it: git clone ${dir} <folder>, then run pullmint there (or pass --repo <folder>).`,
      );
    if (insideGitDir === 'true')
      return new GitError(
        `${dir} is inside a .git folder, not a working tree`,
        'Run the review from the checkout above it, or pass --repo DIR.',
      );
  }
  return new GitError(`${dir} is not inside a git repository`, 'Run the review from a git checkout, or pass --repo DIR.');
}

/**
 * Refuses a revision the user typed that git would read as an option: `HEAD~1..--output=/tmp/x`
 * makes `git diff` write that file before it finds no such revision.
 */
export function checkRevision(ref: string): string {
  if (ref.startsWith('-') || /[\0\n\r]/.test(ref)) {
    throw new GitError(`'${ref.replace(/[\0\n\r]/g, '?')}' is not a revision`, 'Name a branch, tag or commit, e.g. --range main..HEAD.');
  }
  return ref;
}

/** Whether the repository holds only part of its history (`git clone --depth`). */
export async function isShallow(dir: string): Promise<boolean> {
  return (await tryGit(dir, ['rev-parse', '--is-shallow-repository'])) === 'true';
}

/** What to do when a shallow clone lacks a commit: fetch the rest of the history. */
export const UNSHALLOW_HINT =
  'This clone is shallow (git clone --depth): fetch the full history with `git fetch --unshallow`, or in GitHub Actions set fetch-depth: 0 on actions/checkout.';

export async function headSha(dir: string): Promise<string | null> {
  return resolveRef(dir, 'HEAD');
}

/** The commit a ref names, or null. `rev-parse -q` fails silently, so an empty answer means no. */
export async function resolveRef(dir: string, ref: string): Promise<string | null> {
  checkRevision(ref);
  return (await tryGit(dir, ['rev-parse', '--verify', '-q', `${ref}^{commit}`])) || null;
}

export async function resolveCommit(dir: string, ref: string): Promise<string> {
  const sha = await resolveRef(dir, ref);
  if (sha) return sha;
  if (await isShallow(dir)) throw new GitError(`unknown revision '${ref}': this clone is shallow`, UNSHALLOW_HINT);
  throw new GitError(`unknown revision '${ref}'`, 'Check the name with `git branch -a`, or fetch it first.');
}

/** origin/HEAD, else origin/main, origin/master, main, master: the branch a feature branch forks from. */
export async function defaultBaseRef(dir: string): Promise<string> {
  const sym = await tryGit(dir, ['symbolic-ref', '-q', '--short', 'refs/remotes/origin/HEAD']);
  if (sym) return sym;
  for (const ref of ['origin/main', 'origin/master', 'main', 'master']) {
    if (await resolveRef(dir, ref)) return ref;
  }
  throw new GitError('no base branch found (no origin/HEAD, main or master)', 'Name one: --base REF.');
}

/** The checked-out branch, or null on a detached HEAD. */
export async function currentBranch(dir: string): Promise<string | null> {
  return (await tryGit(dir, ['symbolic-ref', '-q', '--short', 'HEAD'])) || null;
}

/** A git config value, or '' when unset. */
export function configValue(dir: string, key: string): Promise<string> {
  return tryGit(dir, ['config', '--get', key]);
}

export async function hasUpstream(dir: string): Promise<boolean> {
  return Boolean(await tryGit(dir, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']));
}

/** Local branches and remote-tracking refs, without the symbolic `origin/HEAD`. */
export async function branchRefs(dir: string): Promise<string[]> {
  return (await runGit(dir, ['for-each-ref', '--format=%(refname:short)', 'refs/heads', 'refs/remotes']))
    .split('\n')
    .map((r) => r.trim())
    .filter((r) => r && !r.endsWith('/HEAD'));
}

/** Remote name → fetch URL (the push URL when no fetch URL is set). */
export async function remoteUrls(dir: string): Promise<Map<string, string>> {
  const list = await (await gitAt(dir)).getRemotes(true);
  return new Map(list.map((r) => [r.name, r.refs.fetch || r.refs.push]));
}

export async function mergeBase(dir: string, a: string, b: string): Promise<string> {
  return (await (await gitAt(dir)).raw(['merge-base', a, b])).trim();
}

export async function isAncestor(dir: string, ancestor: string, of: string): Promise<boolean> {
  return runGit(dir, ['merge-base', '--is-ancestor', ancestor, of]).then(
    () => true,
    () => false,
  );
}

export async function hasObject(dir: string, sha: string): Promise<boolean> {
  return Boolean(await tryGit(dir, ['cat-file', '-t', sha]));
}

/** Fetches refs or commits from a remote; a GitError with git's first line on failure. */
export async function fetchFrom(dir: string, remote: string, refs: string[]): Promise<void> {
  try {
    await (await gitAt(dir)).raw(['fetch', '--no-tags', '--quiet', remote, ...refs]);
  } catch (err) {
    throw new GitError(`git fetch ${remote} ${refs.join(' ')} failed: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** The folder git runs this repository's hooks from (`rev-parse --git-path hooks` honours core.hooksPath). */
export async function gitPath(dir: string, name: string): Promise<string> {
  return (await (await gitAt(dir)).raw(['rev-parse', '--git-path', name])).trim();
}

/** A file's text as committed at `commit`; null when the commit has no such file. */
export async function fileAtCommit(root: string, commit: string, path: string): Promise<string | null> {
  return runGit(root, ['show', `${commit}:${path}`]).catch(() => null);
}

/**
 * Several files' texts as committed at `commit`, from one git process (`cat-file --batch`); null
 * for a path the commit does not have as a file. The whole answer is null when git could not give
 * one (no repository there, one git refuses, output past the limit): the caller then asks the slow
 * way, which says why. Paths are from the top level, from any folder of the repository.
 */
export function filesAtCommit(dir: string, commit: string, paths: readonly string[]): Promise<(string | null)[] | null> {
  return new Promise((done) => {
    try {
      const child = execFile(
        'git',
        ['cat-file', '--batch'],
        { cwd: dir, env: gitEnv(), encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
        (err, stdout) => done(err ? null : readBatch(stdout, paths.length)),
      );
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(paths.map((p) => `${commit}:${p}\n`).join(''));
    } catch {
      // A folder that is a file: spawning fails at once.
      done(null);
    }
  });
}

/** `cat-file --batch` answers: `<oid> <type> <size>` then the content and a newline, or `<name> missing`. */
function readBatch(out: Buffer, count: number): (string | null)[] | null {
  const texts: (string | null)[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const eol = out.indexOf(10, at);
    if (eol < 0) return null;
    const head = out.toString('utf8', at, eol).split(' ');
    at = eol + 1;
    if (head.length !== 3) {
      texts.push(null);
      continue;
    }
    const size = Number(head[2]);
    if (!Number.isSafeInteger(size) || at + size > out.length) return null;
    texts.push(head[1] === 'blob' ? out.toString('utf8', at, at + size) : null);
    at += size + 1;
  }
  return texts;
}

/** The nearest folder at or above `dir` with a .git entry (folder, or file for worktrees and submodules). */
export function checkoutRoot(dir: string): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return null;
  }
}

/** "Name <email>" as git would sign a commit now (config, then GIT_AUTHOR_* variables); '' when git knows nobody. */
export async function authorIdent(dir: string): Promise<string> {
  // The identity variables are the user's own choice of name, unlike the ones that point git elsewhere.
  const who = Object.fromEntries(['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  const ident = (await runGit(dir, ['var', 'GIT_AUTHOR_IDENT'], who).catch(() => '')).trim();
  return ident.replace(/\s+\d+\s+[+-]\d{4}$/, '');
}

/**
 * Whether the working tree differs from HEAD: a change to a tracked file, staged or not, or an
 * untracked file git does not ignore. A repository git cannot read is a GitError, as for a review.
 */
export async function hasUncommittedChanges(dir: string): Promise<boolean> {
  try {
    return (await runGit(dir, ['status', '--porcelain', '--untracked-files=normal', '--ignore-submodules=dirty'])).trim() !== '';
  } catch (err) {
    throw await notARepository(dir, err);
  }
}
