import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { FileAttributes } from '../diff/model.js';
import { gitEnv, runGit } from './run.js';

/** The attributes a review reads: GitHub's (linguist) conventions for generated and vendored files. */
const ATTRIBUTES = ['linguist-generated', 'linguist-vendored'] as const;

/**
 * The diff's process, with this reader's check-attr beside it: `sh -c SHARED idx base <git diff
 * args>`. The shell starts, in the background, read-tree of the base into a scratch index (at the
 * top level, where check-attr's repository-relative paths mean what they say) and then check-attr,
 * which reads the questions on fd 4 and answers on fd 3 (not stdin: Node closes a child's stdin
 * when the child exits, and the child is the diff); then it becomes the diff itself, so that the
 * process's exit code and output are the diff's. One spawn instead of two: while git streams, each
 * spawn blocks this process for milliseconds.
 */
const SHARED = [
  'idx=$1; base=$2; shift 2',
  `( export GIT_INDEX_FILE="$idx"; cd "./$(git rev-parse --show-cdup)" && git read-tree "$base" && exec git check-attr --cached --stdin -z ${ATTRIBUTES.join(' ')} ) <&4 >&3 2>/dev/null 4<&- &`,
  'exec git "$@" 3>&- 4<&-',
].join('\n');

/** `set`, `true` → true; `unset`, `false` → false; anything else says nothing. */
function truth(value: string): boolean | undefined {
  if (value === 'set' || value === 'true') return true;
  if (value === 'unset' || value === 'false') return false;
  return undefined;
}

/**
 * `git check-attr` path by path as the diff streams in, one long-running `check-attr --stdin -z`.
 * For a review of commits, the attributes are those of the base commit (a throw-away index of it):
 * the base, never the change, decides, so a change cannot mark its own files generated. For a
 * working-tree or staged review they are the files on disk, as for `.pullmint.json`.
 */
export class AttributeReader {
  /** check-attr's questions go to `stdin`; `closed` settles once its process has ended. */
  private io: { stdin: Writable; closed: Promise<void>; done: () => boolean } | null = null;
  private scratch: string | null = null;
  private shared = false;
  private readonly pending: { path: string; resolve: (a: FileAttributes | undefined) => void; got: string[] }[] = [];
  private tokens: string[] = [];
  private partial = '';
  private failed = false;
  private readonly ready: Promise<void>;

  /**
   * `where` resolves to the repository's top level and the commit whose attributes count, or
   * `'worktree'` for the files on disk, or null for none. Started at once, so that it gets ready
   * while git diffs.
   */
  constructor(where: Promise<{ root: string; base: string | 'worktree' | null }>) {
    const opened = new Promise<void>((resolve) => (this.open = resolve));
    this.ready = Promise.all([where, opened])
      .then(([w]) => this.start(w.root, w.base))
      .catch(() => void (this.failed = true));
  }

  /**
   * Lets the reader start its git processes. The diff calls it when git begins to write: before
   * that, git is finding renames and copies, and processes started then would slow it down.
   */
  open: () => void = () => undefined;

  /**
   * The command that runs `git <diff args>` with this reader's check-attr of `base` in the same
   * process (see SHARED); null on Windows, or when the reader has started already. The caller spawns
   * it with stdio ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] and hands it to `attachShared`.
   */
  sharedDiff(base: string, diffArgs: string[]): { command: string; args: string[] } | null {
    if (process.platform === 'win32' || this.shared || this.io) return null;
    // In a folder of its own, as for a reader of its own: the index lists the base's files, for this user only.
    try {
      this.scratch = mkdtempSync(join(tmpdir(), 'pullmint-attr-'));
    } catch {
      return null;
    }
    this.shared = true;
    return { command: '/bin/sh', args: ['-c', SHARED, 'sh', join(this.scratch, 'index'), base, ...diffArgs] };
  }

  /** The streams of the process `sharedDiff` described: questions to its fd 4, answers from its fd 3. */
  attachShared(child: ChildProcess): void {
    const answers = child.stdio[3] as Readable | null;
    const questions = child.stdio[4] as Writable | null;
    if (!questions || !answers) {
      this.failed = true;
      return;
    }
    this.listen(questions, answers, child);
  }

  private listen(stdin: Writable, answers: Readable, child: ChildProcess): void {
    let ended = false;
    const fail = (): void => {
      this.failed = true;
      for (const p of this.pending.splice(0)) p.resolve(undefined);
    };
    // check-attr has answered everything asked once its output ends (the shared process's own exit is the diff's).
    const closed = new Promise<void>((resolve) => {
      const end = (): void => {
        ended = true;
        fail();
        resolve();
      };
      answers.once('close', end);
      child.once('error', end);
    });
    this.io = { stdin, closed, done: () => ended };
    answers.setEncoding('utf8');
    answers.on('data', (chunk: string) => this.read(chunk));
    child.on('error', fail);
    stdin.on('error', fail);
  }

  private async start(root: string, base: string | null): Promise<void> {
    if (this.shared) {
      if (!this.io) this.failed = true;
      return;
    }
    if (!base) {
      this.failed = true;
      return;
    }
    let env: Record<string, string> | undefined;
    const args = ['check-attr', '--stdin', '-z', ...ATTRIBUTES];
    let child: ChildProcess;
    if (base === 'worktree') child = spawn('git', args, { cwd: root, env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    else {
      this.scratch = await mkdtemp(join(tmpdir(), 'pullmint-attr-'));
      env = { GIT_INDEX_FILE: join(this.scratch, 'index') };
      args.splice(1, 0, '--cached');
      if (process.platform === 'win32') {
        await runGit(root, ['read-tree', base], env);
        child = spawn('git', args, { cwd: root, env: gitEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
      } else {
        // One process from here, not two: a spawn costs this process milliseconds of its own time while
        // the diff streams in; the shell starts read-tree and then becomes check-attr.
        child = spawn('/bin/sh', ['-c', 'base=$1; shift; git read-tree "$base" && exec git "$@"', 'sh', base, ...args], {
          cwd: root,
          env: gitEnv(env),
          stdio: ['pipe', 'pipe', 'pipe'],
        });
      }
    }
    child.stderr!.resume();
    this.listen(child.stdin!, child.stdout!, child);
  }

  private read(chunk: string): void {
    const parts = (this.partial + chunk).split('\0');
    this.partial = parts.pop() ?? '';
    this.tokens.push(...parts);
    while (this.tokens.length >= 3 && this.pending.length > 0) {
      const [, attr, value] = this.tokens.splice(0, 3);
      const p = this.pending[0];
      p.got.push(attr, value);
      if (p.got.length === ATTRIBUTES.length * 2) {
        this.pending.shift();
        const out: FileAttributes = {};
        for (let i = 0; i < p.got.length; i += 2) {
          const v = truth(p.got[i + 1]);
          if (v === undefined) continue;
          if (p.got[i] === 'linguist-generated') out.generated = v;
          else if (p.got[i] === 'linguist-vendored') out.vendored = v;
        }
        p.resolve(Object.keys(out).length > 0 ? out : undefined);
      }
    }
  }

  /** The path's attributes at the base; undefined when none is set or they cannot be read. */
  async lookup(path: string): Promise<FileAttributes | undefined> {
    await this.ready;
    // A name with a NUL cannot be asked; git never prints one.
    if (this.failed || !this.io || path.includes('\0')) return undefined;
    return new Promise((resolve) => {
      this.pending.push({ path, resolve, got: [] });
      this.unsent += path + '\0';
      // Asked in batches: each write wakes git, which then competes with the diff for the processor.
      if (++this.unsentCount >= AttributeReader.BATCH) this.send();
      else if (this.draining && !this.scheduled) {
        // After `flush`, what is asked goes out with the next turn, in one write.
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          this.send();
        });
      }
    });
  }

  /** Paths asked per write, until `flush`, which the diff calls when git has written it all. */
  static readonly BATCH = 256;
  private unsent = '';
  private unsentCount = 0;
  private draining = false;
  private scheduled = false;

  /** Sends the questions held back, and from now on every question without waiting for a batch. */
  flush(): void {
    this.draining = true;
    this.send();
  }

  private send(): void {
    const text = this.unsent;
    this.unsent = '';
    this.unsentCount = 0;
    if (text && this.io && !this.failed) this.io.stdin.write(text);
  }

  async close(): Promise<void> {
    this.open();
    await this.ready;
    if (this.io) {
      if (!this.io.done()) this.io.stdin.end();
      await this.io.closed;
    }
    if (this.scratch) await rm(this.scratch, { recursive: true, force: true });
  }
}

/** Where to read one side of a file: a commit, the index, the working tree, or nothing (no such side). */
export type Side = { rev: string } | { index: true } | { worktree: string } | null;

/** Bytes git looks at to call content binary (a NUL among them). */
const SNIFF_BYTES = 8000;

/** The first bytes of one side of a file, or null when it cannot be read. */
export async function headOf(root: string, side: Side, path: string): Promise<Buffer | null> {
  if (!side) return Buffer.alloc(0);
  if ('worktree' in side) {
    try {
      const fh = await open(join(side.worktree, path), 'r');
      try {
        const buf = Buffer.alloc(SNIFF_BYTES);
        const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    } catch {
      // A symlink's target, a removed file: read it as git would, or not at all.
      return readFile(join(side.worktree, path)).then(
        (b) => b.subarray(0, SNIFF_BYTES),
        () => null,
      );
    }
  }
  const spec = 'rev' in side ? `${side.rev}:${path}` : `:${path}`;
  return new Promise((resolve) => {
    const child = spawn('git', ['cat-file', 'blob', spec], { cwd: root, env: gitEnv(), stdio: ['ignore', 'pipe', 'ignore'] });
    const parts: Buffer[] = [];
    let n = 0;
    let done = false;
    const finish = (value: Buffer | null): void => {
      if (done) return;
      done = true;
      resolve(value);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      n += chunk.length;
      if (n >= SNIFF_BYTES) {
        finish(Buffer.concat(parts).subarray(0, SNIFF_BYTES));
        child.kill();
      }
    });
    child.on('error', () => finish(null));
    child.on('close', (code) => finish(code === 0 ? Buffer.concat(parts) : null));
  });
}
