import { spawn } from 'node:child_process';
import { isAscii } from 'node:buffer';
import { copyFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dubiousOwnership, GitError, gitEnv, runGit, tryGit } from './run.js';
import {
  checkoutRoot,
  checkRevision,
  defaultBaseRef,
  EMPTY_TREE,
  isShallow,
  notARepository,
  resolveCommit,
  UNSHALLOW_HINT,
} from './repo.js';
import type { ReviewTarget } from '../types.js';
import type { FileDiff } from '../diff/model.js';
import { DiffParser, type ParsedDiff } from '../diff/parse.js';
import { AttributeReader, headOf, type Side } from './attributes.js';

export type TargetSpec = { kind: 'working-tree' } | { kind: 'staged' } | { kind: 'base'; ref?: string } | { kind: 'range'; range: string };

export interface DiffOptions {
  contextLines: number;
  /** Extra paths to pass to git as a pathspec (e.g. the one file saved in the editor). */
  paths?: string[];
  /**
   * Called for each file as soon as git's output completes it, while git is still writing the rest,
   * before its attributes are known (they are set on the same object later, before `onFile`). Not
   * called for a file git showed as binary that may be read again as text: that one comes to
   * `onFile` only.
   */
  onParsed?: (file: FileDiff) => void;
  /** Called for each file, in order, once it is complete: its attributes read, a text re-diff done. */
  onFile?: (file: FileDiff) => void;
  /**
   * Called after a read that found little of git's output waiting: the reader is ahead of git, and
   * has time for work that would otherwise wait for the end.
   */
  onSlack?: () => void;
}

/** A read this small (git's output comes in reads of up to 64 KiB) means git's output was drained. */
const SLACK_READ = 16 * 1024;

export interface DiffSourceResult extends ParsedDiff {
  /** The repository's top-level folder. */
  root: string;
  target: ReviewTarget;
  /** Size of git's output. */
  rawBytes: number;
}

interface StreamedDiff {
  parsed: ParsedDiff;
  bytes: number;
}

/**
 * What a diff needs besides git's output to review each file as it is: the base's attributes
 * (generated, vendored) and, for a file git calls binary, how to read its two sides and diff it
 * again with --text when its content is text.
 */
interface DiffHooks {
  attributes?: AttributeReader;
  /** The base as git can read it when the diff starts: the attributes are then read in the diff's own process. */
  attributesAt?: string;
  sides?: Promise<{ old: Side; new: Side }>;
  /** The arguments that diff these paths again, as text. */
  textArgs?: (paths: string[]) => string[];
}

/**
 * Runs a git diff and parses its output as it streams in. This hot path spawns git itself rather
 * than through simple-git, which would also keep a second, whole copy of the output. With hooks,
 * each file is completed (attributes, a text re-diff) in order before it reaches `onFile`.
 */
function streamDiff(
  dir: string,
  args: string[],
  opts: DiffOptions,
  env?: Record<string, string>,
  okCodes: number[] = [0],
  hooks: DiffHooks = {},
): Promise<StreamedDiff> {
  const settled: FileDiff[] = [];
  const extraWarnings: string[] = [];
  let chain: Promise<void> = Promise.resolve();
  const onFile = (file: FileDiff): void => {
    const mayBecomeText = file.binary && !file.submodule && hooks.sides && hooks.textArgs;
    if (!mayBecomeText) opts.onParsed?.(file);
    // Asked at once, answered in order: many files' questions are in flight while earlier files finish.
    const asked = hooks.attributes?.lookup(file.path);
    asked?.catch(() => undefined);
    chain = chain.then(async () => {
      let f = file;
      try {
        if (mayBecomeText) f = (await asText(dir, f, hooks, env, extraWarnings)) ?? f;
        const attributes = await asked;
        if (attributes) f.attributes = attributes;
      } catch {
        /* the file is reviewed as git showed it */
      }
      settled.push(f);
      opts.onFile?.(f);
    });
  };
  return new Promise<StreamedDiff>((resolve, reject) => {
    const parser = new DiffParser(onFile);
    // Bytes after the last newline, kept for the next read: the parser gets whole lines, each read
    // decoded once (a newline byte never falls inside a UTF-8 sequence, so whole lines decode alone).
    let rest: Buffer | null = null;
    const decode = (buf: Buffer): void => {
      const ascii = isAscii(buf);
      parser.push(buf.toString(ascii ? 'latin1' : 'utf8'), ascii);
    };
    let bytes = 0;
    let stderr = '';
    const shared = hooks.attributesAt ? hooks.attributes?.sharedDiff(hooks.attributesAt, withPaths(args, opts)) : null;
    const child = shared
      ? spawn(shared.command, shared.args, { cwd: dir, env: gitEnv(env), stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] })
      : spawn('git', withPaths(args, opts), { cwd: dir, env: gitEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    if (shared) hooks.attributes!.attachShared(child);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (bytes === 0) hooks.attributes?.open();
      bytes += chunk.length;
      let buf = chunk;
      if (rest) {
        // Only the line the last read cut is joined to this one, not the whole read copied.
        const end = chunk.indexOf(10) + 1;
        if (end === 0) {
          rest = Buffer.concat([rest, chunk]);
          return;
        }
        decode(Buffer.concat([rest, chunk.subarray(0, end)]));
        rest = null;
        buf = chunk.subarray(end);
      }
      const cut = buf.lastIndexOf(10) + 1;
      // Each read is a buffer of its own: the part after the cut is kept without a copy.
      rest = cut < buf.length ? buf.subarray(cut) : null;
      if (cut > 0) decode(cut < buf.length ? buf.subarray(0, cut) : buf);
      if (chunk.length < SLACK_READ) opts.onSlack?.();
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (err) =>
      reject(new GitError(`git could not be started: ${err.message}`, 'Install git and make sure it is on PATH.')),
    );
    // The diff is done when git has exited and its output has been read; a shared process's check-attr
    // (its fd 3) still runs then, waiting for the last questions.
    let exitCode: number | null | undefined;
    let open = 2;
    const done = (): void => {
      if (exitCode === undefined || open > 0) return;
      finish(exitCode);
    };
    child.on('exit', (code) => {
      exitCode = code;
      done();
    });
    for (const stream of [child.stdout!, child.stderr!])
      stream.once('close', () => {
        open--;
        done();
      });
    const finish = (code: number | null): void => {
      // The last questions, held back to be asked together, go now.
      hooks.attributes?.open();
      hooks.attributes?.flush();
      if (!okCodes.includes(code ?? -1))
        return reject(dubiousOwnership(stderr) ?? new GitError(`git diff failed: ${stderr.trim().split('\n')[0] || `exit code ${code}`}`));
      if (rest) decode(rest);
      const parsed = parser.end();
      chain.then(() => resolve({ parsed: { files: settled, warnings: [...parsed.warnings, ...extraWarnings] }, bytes }), reject);
    };
  });
}

/**
 * A file git called binary because of its attributes (`-diff`, `binary`, a diff driver) while its
 * content is text (no NUL in the bytes git looks at): diffed again with --text, so that it is
 * reviewed and counted. Real binaries, and sides that cannot be read, stay binary (null).
 */
async function asText(
  dir: string,
  file: FileDiff,
  hooks: DiffHooks,
  env: Record<string, string> | undefined,
  warnings: string[],
): Promise<FileDiff | null> {
  const sides = await hooks.sides!;
  const [before, after] = await Promise.all([
    // A binary diff has no ---/+++ lines: an added file still names an old path, a deleted one a new path.
    file.oldPath === null || file.status === 'added' ? Buffer.alloc(0) : headOf(dir, sides.old, file.oldPath),
    file.newPath === null || file.status === 'deleted' ? Buffer.alloc(0) : headOf(dir, sides.new, file.newPath),
  ]);
  if (!before || !after || before.includes(0) || after.includes(0)) return null;
  const paths = [...new Set([file.oldPath, file.newPath].filter((p): p is string => p !== null))];
  // `:(top,literal)`: the paths are the repository's, whatever folder git runs in.
  const again = await streamDiff(dir, hooks.textArgs!(paths.map((p) => `:(top,literal)${p}`)), { contextLines: 0 }, env);
  const text = again.parsed.files.find((f) => f.path === file.path && !f.binary);
  if (!text) return null;
  warnings.push(...again.parsed.warnings);
  return { ...text, textByContent: true };
}

const FULL_SHA = /^[0-9a-f]{40,64}$/;

/** The repository's top level and both ends of a range in one git call; slower paths only to explain an error. */
async function rangeEnds(dir: string, a: string, b: string): Promise<{ root: string; from: string; to: string }> {
  const sha = FULL_SHA;
  // Full SHAs (pre-push, PR reviews) need no lookup: the top level is the folder holding .git.
  const checkout = sha.test(a) && sha.test(b) ? checkoutRoot(dir) : null;
  if (checkout) return { root: checkout, from: a, to: b };
  if (a !== EMPTY_TREE) {
    try {
      const [root, from, to] = (await runGit(dir, ['rev-parse', '--show-toplevel', `${a}^{commit}`, `${b}^{commit}`])).trim().split('\n');
      if (root && sha.test(from ?? '') && sha.test(to ?? '')) return { root, from, to };
    } catch {
      /* below: find out which part is wrong */
    }
  }
  const { root } = await repoInfo(dir);
  const [from, to] = await resolvePair(root, a, b);
  return { root, from, to };
}

/** Both ends of a range in one git call; one at a time only to say which one is wrong. */
async function resolvePair(dir: string, a: string, b: string): Promise<[string, string]> {
  // The empty tree is not a commit; it stands for "before the first commit" (a first push).
  if (a === EMPTY_TREE) return [EMPTY_TREE, await resolveCommit(dir, b)];
  const out = (await tryGit(dir, ['rev-parse', `${a}^{commit}`, `${b}^{commit}`])).split('\n');
  if (out.length === 2 && out.every((s) => /^[0-9a-f]{40,64}$/.test(s))) return [out[0], out[1]];
  return [await resolveCommit(dir, a), await resolveCommit(dir, b)];
}

function diffArgs(opts: DiffOptions): string[] {
  return [
    // Quoted paths (git's default): a name that is not UTF-8 then arrives as git quotes it, not as bytes
    // a decoder would turn into U+FFFD; UTF-8 names are unquoted by the parser.
    '-c',
    'core.quotePath=true',
    'diff',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--find-renames',
    '--find-copies',
    '--submodule=short',
    `--unified=${Math.max(0, Math.floor(opts.contextLines))}`,
    '--src-prefix=a/',
    '--dst-prefix=b/',
  ];
}

function withPaths(args: string[], opts: DiffOptions): string[] {
  return opts.paths && opts.paths.length > 0 ? [...args, '--', ...opts.paths] : args;
}

interface RepoInfo {
  root: string;
  gitDir: string;
  head: string | null;
}

/** Top level, git dir and HEAD in one git call (two when the repository has no commits yet). */
async function repoInfo(dir: string): Promise<RepoInfo> {
  let failure: unknown;
  try {
    const [root, gitDir, head] = (await runGit(dir, ['rev-parse', '--show-toplevel', '--absolute-git-dir', 'HEAD^{commit}']))
      .trim()
      .split('\n');
    if (root && gitDir && head && /^[0-9a-f]{40,64}$/.test(head)) return { root, gitDir, head };
  } catch {
    /* no HEAD yet, or not a repository: ask without it */
  }
  try {
    const [root, gitDir] = (await runGit(dir, ['rev-parse', '--show-toplevel', '--absolute-git-dir'])).trim().split('\n');
    if (root && gitDir) return { root, gitDir, head: null };
  } catch (err) {
    failure = err;
  }
  throw await notARepository(dir, failure);
}

/** A user's range split into its ends, each refused when git would read it as an option. */
function splitRange(range: string): { from: string; dots: string; to: string } {
  const m = /^(.+?)(\.{2,3})(.+)$/.exec(range);
  if (!m) throw new GitError(`'${range}' is not a range`, 'Write it as A..B (or A...B for the merge-base).');
  return { from: checkRevision(m[1]), dots: m[2], to: checkRevision(m[3]) };
}

/** The merge-base of two commits, or a GitError that says why there is none (a shallow clone first). */
async function mergeBaseOf(root: string, a: string, b: string, what: string): Promise<string> {
  const base = await tryGit(root, ['merge-base', a, b]);
  if (base) return base;
  if (await isShallow(root)) throw new GitError(`${what}: this clone is shallow and does not have their common history`, UNSHALLOW_HINT);
  throw new GitError(`${what} share no history`, 'Pick a base that HEAD branched from.');
}

/** The base of a range of two full SHAs (`A..B`: A), known without asking git; null for any other target. */
export function baseWithoutGit(spec: TargetSpec): string | null {
  if (spec.kind !== 'range') return null;
  const m = /^([0-9a-f]{40,64})\.\.([0-9a-f]{40,64})$/.exec(spec.range);
  return m && m[1] !== EMPTY_TREE ? m[1] : null;
}

/**
 * The commit a committed target is compared against (range start, or the merge-base with the base
 * ref); null for working-tree and staged targets. Settings for a review of commits come from here,
 * so that the commits cannot configure their own review.
 */
export async function targetBase(dir: string, spec: TargetSpec): Promise<string | null> {
  if (spec.kind === 'range') {
    const r = splitRange(spec.range);
    const ends = await rangeEnds(dir, r.from, r.to);
    return r.dots === '...' ? mergeBaseOf(ends.root, ends.from, ends.to, `'${r.from}' and '${r.to}'`) : ends.from;
  }
  if (spec.kind !== 'base') return null;
  if (spec.ref !== undefined) checkRevision(spec.ref);
  const { root, head } = await repoInfo(dir);
  if (!head) return null;
  const refSha = await resolveCommit(root, spec.ref ?? (await defaultBaseRef(root)));
  return (await tryGit(root, ['merge-base', refSha, head]))?.trim() || null;
}

/**
 * The two commits a range names, resolved (and the merge-base for `A...B`): what a review of it
 * reads is fixed by them. One git call at most; none for full SHAs with `..`.
 */
export async function rangeCommits(dir: string, range: string): Promise<{ root: string; from: string; to: string }> {
  const r = splitRange(range);
  const ends = await rangeEnds(dir, r.from, r.to);
  const from = r.dots === '...' ? await mergeBaseOf(ends.root, ends.from, ends.to, `'${r.from}' and '${r.to}'`) : ends.from;
  return { root: ends.root, from, to: ends.to };
}

/** Takes the diff the target names; throws GitError with a hint on anything git refuses. */
export async function collectDiff(dir: string, spec: TargetSpec, opts: DiffOptions): Promise<DiffSourceResult> {
  // A range needs nothing from HEAD: ask git everything at once; git diff prints repo-relative paths from any folder.
  if (spec.kind === 'range') {
    // Checked before any git call: the diff below starts at once, with the user's words as arguments.
    const r = splitRange(spec.range);
    const fromRef = r.dots === '...' ? `${r.from}...${r.to}` : r.from;
    // Two git calls at once: where the repository is and what the ends are (one rev-parse), and the diff.
    const endsP = rangeEnds(dir, r.from, r.to);
    const fromP = endsP.then((ends) =>
      r.dots === '...' ? mergeBaseOf(ends.root, ends.from, ends.to, `'${r.from}' and '${r.to}'`) : ends.from,
    );
    const hooks = commitHooks(
      opts,
      Promise.all([endsP, fromP]).then(([ends, from]) => ({ root: ends.root, old: from, new: { rev: ends.to } as Side })),
    );
    const revs = [fromRef, ...(r.dots === '...' ? [] : [r.to])];
    const sharable = r.dots === '..' && r.from !== EMPTY_TREE && FULL_SHA.test(r.from) && FULL_SHA.test(r.to);
    try {
      const [ends, streamed] = await Promise.all([
        endsP,
        // Two full SHAs (a push, a pull request) cannot mean anything else in the top folder: the attributes
        // of the base are read in the diff's own process.
        streamDiff(dir, [...diffArgs(opts), ...revs], opts, undefined, [0], hooks(revs, sharable ? r.from : undefined)).catch(() => null),
      ]);
      const from = await fromP;
      // Full SHAs were taken as they are, unchecked: when the diff failed, say which is missing (and
      // that a shallow clone lacks it) rather than git's "bad object".
      if (!streamed && r.dots === '..' && FULL_SHA.test(r.from) && FULL_SHA.test(r.to)) await resolvePair(ends.root, r.from, r.to);
      const diff =
        streamed ?? (await streamDiff(ends.root, [...diffArgs(opts), from, ends.to], opts, undefined, [0], hooks([from, ends.to])));
      return finish(diff, ends.root, { kind: 'range', base: from, head: ends.to, label: spec.range });
    } finally {
      await hooks.close();
    }
  }
  if (spec.kind === 'working-tree' && opts.paths?.length) return savedFilesDiff(dir, opts);
  if (spec.kind === 'base' && spec.ref !== undefined) checkRevision(spec.ref);
  const { root, gitDir, head } = await repoInfo(dir);
  switch (spec.kind) {
    case 'working-tree': {
      const base = head ?? EMPTY_TREE;
      const diff = await workingTreeDiff(root, gitDir, base, opts);
      return finish(diff, root, { kind: 'working-tree', base, head: 'WORKTREE', label: 'working tree' });
    }
    case 'staged': {
      const base = head ?? EMPTY_TREE;
      const hooks = commitHooks(opts, Promise.resolve({ root, old: base, new: { index: true } as Side }));
      try {
        const diff = await streamDiff(root, [...diffArgs(opts), '--cached', base], opts, undefined, [0], hooks(['--cached', base]));
        return finish(diff, root, { kind: 'staged', base, head: 'INDEX', label: 'staged changes' });
      } finally {
        await hooks.close();
      }
    }
    case 'base': {
      if (!head) throw new GitError('the repository has no commits yet', 'Review the working tree instead.');
      const ref = spec.ref ?? (await defaultBaseRef(root));
      const refSha = await resolveCommit(root, ref);
      const mergeBase = await mergeBaseOf(root, refSha, head, `'${ref}' and HEAD`);
      const hooks = commitHooks(opts, Promise.resolve({ root, old: mergeBase, new: { rev: head } as Side }));
      try {
        const diff = await streamDiff(
          root,
          [...diffArgs(opts), mergeBase, head],
          opts,
          undefined,
          [0],
          hooks([mergeBase, head], mergeBase),
        );
        return finish(diff, root, { kind: 'base', base: mergeBase, head, label: ref });
      } finally {
        await hooks.close();
      }
    }
  }
}

/**
 * Hooks for a diff whose old side is a commit: attributes from that commit, and the text re-diff
 * with the same revisions. `hooks(revs)` gives the hooks of one git diff call; `close` ends the
 * attribute reader once every call is done. Every question has been answered by then: its process
 * exits and its scratch index is removed in the background (the process stays alive until they
 * are), so that the review does not wait a few milliseconds for them.
 */
function commitHooks(
  opts: DiffOptions,
  where: Promise<{ root: string; old: string; new: Side }>,
): ((revs: string[], attributesAt?: string) => DiffHooks) & { close: () => Promise<void> } {
  where.catch(() => undefined);
  // A review of commits reads the base's attributes; one of the working tree or the index, those on disk.
  const attributes = new AttributeReader(
    where.then((w) => ({
      root: w.root,
      base: w.new && !('rev' in w.new) ? 'worktree' : w.old === EMPTY_TREE ? null : w.old,
    })),
  );
  const sides = where.then((w) => ({ old: w.old === EMPTY_TREE ? null : ({ rev: w.old } as Side), new: w.new }));
  sides.catch(() => undefined);
  const make = (revs: string[], attributesAt?: string): DiffHooks => ({
    attributes,
    attributesAt,
    sides,
    textArgs: (paths) => [...diffArgs(opts), '--text', ...revs, '--', ...paths],
  });
  return Object.assign(make, {
    close: async (): Promise<void> => void attributes.close().catch(() => undefined),
  });
}

function finish(diff: StreamedDiff, root: string, target: ReviewTarget): DiffSourceResult {
  return { ...diff.parsed, root, target, rawBytes: diff.bytes };
}

/**
 * The working-tree diff of a few files (review on save), in parallel git calls: HEAD, the diff of
 * tracked files against it, and which of the files are new. New files diff against /dev/null.
 */
async function savedFilesDiff(dir: string, opts: DiffOptions): Promise<DiffSourceResult> {
  const paths = opts.paths ?? [];
  const [info, untracked] = await Promise.all([
    repoInfo(dir),
    runGit(dir, ['ls-files', '--others', '--exclude-standard', '-z', '--', ...paths]).then((out) => out.split('\0').filter(Boolean)),
  ]);
  const base = info.head ?? EMPTY_TREE;
  const tracked = paths.filter((p) => !untracked.includes(p));
  const hooks = commitHooks(opts, Promise.resolve({ root: info.root, old: base, new: { worktree: info.root } as Side }));
  let parts;
  try {
    parts = await Promise.all([
      tracked.length
        ? streamDiff(info.root, [...diffArgs(opts), base, '--', ...tracked], { ...opts, paths: undefined }, undefined, [0], hooks([base]))
        : null,
      ...untracked.map((p) =>
        streamDiff(info.root, [...diffArgs(opts), '--no-index', '--', '/dev/null', p], { ...opts, paths: undefined }, undefined, [0, 1]),
      ),
    ]);
  } finally {
    await hooks.close();
  }
  const files = parts.flatMap((d) => d?.parsed.files ?? []);
  const warnings = parts.flatMap((d) => d?.parsed.warnings ?? []);
  return {
    files,
    warnings,
    root: info.root,
    target: { kind: 'working-tree', base, head: 'WORKTREE', label: 'working tree' },
    rawBytes: parts.reduce((n, d) => n + (d?.bytes ?? 0), 0),
  };
}

/**
 * Staged + unstaged + untracked (not ignored) against `base`, rename detection included, without
 * touching the user's index: a throw-away copy of the index takes `git add -A`.
 */
async function workingTreeDiff(root: string, gitDir: string, base: string, opts: DiffOptions): Promise<StreamedDiff> {
  const scratch = await mkdtemp(join(tmpdir(), 'pullmint-index-'));
  const index = join(scratch, 'index');
  try {
    const original = join(gitDir, 'index');
    await copyFile(original, index)
      // The copy keeps the index's own time: git trusts a file whose size and time match the index
      // unless the file is not older than the index itself ("racily clean"). A fresh time on the copy
      // would hide an edit made in the same second as the last commit, if the size did not change.
      .then(async () => {
        const st = await stat(original);
        await utimes(index, st.atime, st.mtime);
      })
      .catch(() => undefined);
    const env = { GIT_INDEX_FILE: index };
    await runGit(root, withPaths(['add', '-A', '--ignore-errors'], opts.paths?.length ? opts : { ...opts, paths: ['.'] }), env);
    const hooks = commitHooks(opts, Promise.resolve({ root, old: base, new: { worktree: root } as Side }));
    try {
      return await streamDiff(root, [...diffArgs(opts), '--cached', base], opts, env, [0], hooks(['--cached', base]));
    } finally {
      await hooks.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
