import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ownerGone } from './store/owner.js';

/** Who holds a lock, as written into the lock file. */
export interface LockOwner {
  pid: number;
  host: string;
  token: string;
  key: string;
  acquiredAt: string;
}

export interface ExclusiveOptions {
  /** How long to wait for another holder before giving up (0: try once). */
  waitMs?: number;
  /** A lock whose file was not touched for this long is abandoned (another machine, or a hung process). */
  staleMs?: number;
  pollMs?: number;
}

/** Another live process holds the lock for longer than the caller would wait. */
/** The lock folder cannot be made: nothing is sent, and the message says what to fix. */
export class LockUnavailableError extends Error {
  override name = 'LockUnavailableError';
}

export class LockBusyError extends Error {
  constructor(
    readonly key: string,
    readonly owner: LockOwner | null,
  ) {
    super(
      `another Pullmint process holds the lock for ${key}${owner ? ` (pid ${owner.pid} on ${owner.host}, since ${owner.acquiredAt})` : ''}`,
    );
    this.name = 'LockBusyError';
  }
}

const DEFAULT_STALE_MS = 60_000;

export function lockPath(stateDir: string, key: string): string {
  return join(stateDir, 'locks', `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.lock`);
}

async function readOwner(file: string): Promise<LockOwner | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as LockOwner;
    return typeof parsed.pid === 'number' && typeof parsed.token === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Dead holders are recognised at once on this machine (SIGKILL, power loss); elsewhere only by a
 * heartbeat that stopped. A file without readable content is a holder that died between creating
 * and writing it, once it is old enough not to be one still writing.
 */
async function isStale(file: string, owner: LockOwner | null, staleMs: number): Promise<boolean> {
  const info = await stat(file).catch(() => null);
  if (!info) return false;
  const age = Date.now() - info.mtimeMs;
  if (!owner) return age > Math.min(staleMs, 2000);
  return ownerGone(owner) || age > staleMs;
}

/**
 * Moves an abandoned lock aside and removes it, unless another process replaced it meanwhile: the
 * rename is atomic, so of two processes breaking the same lock only one gets the stale file.
 */
async function breakStale(file: string, seen: LockOwner | null): Promise<void> {
  const aside = `${file}.${randomUUID()}.stale`;
  try {
    await rename(file, aside);
  } catch {
    return;
  }
  const moved = await readOwner(aside);
  if (moved && moved.token !== seen?.token) {
    // A fresh holder took over between our read and the rename: give its file back.
    await link(aside, file).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

async function tryCreate(file: string, owner: LockOwner): Promise<boolean> {
  try {
    const handle = await open(file, 'wx');
    try {
      await handle.writeFile(JSON.stringify(owner));
      await handle.sync().catch(() => undefined);
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Runs `fn` while holding a lock file under `stateDir/locks` that other processes (and other
 * callers in this one) respect: O_EXCL creation, a heartbeat while held, and recovery of locks
 * whose holder died. Throws LockBusyError when a live holder keeps it past `waitMs`.
 */
export async function withExclusive<T>(stateDir: string, key: string, fn: () => Promise<T>, opts: ExclusiveOptions = {}): Promise<T> {
  const file = lockPath(stateDir, key);
  const dir = join(file, '..');
  await mkdir(dir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    throw new LockUnavailableError(`cannot create the lock folder ${dir} (${err.code ?? err.message}): if a file stands there, remove it`);
  });
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  const pollMs = opts.pollMs ?? 100;
  const deadline = Date.now() + (opts.waitMs ?? 0);
  const me: LockOwner = { pid: process.pid, host: hostname(), token: randomUUID(), key, acquiredAt: new Date().toISOString() };
  for (;;) {
    if (await tryCreate(file, me)) break;
    const owner = await readOwner(file);
    if (await isStale(file, owner, staleMs)) {
      await breakStale(file, owner);
      continue;
    }
    if (Date.now() >= deadline) throw new LockBusyError(key, owner);
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const beat = setInterval(
    () => {
      const t = new Date();
      void utimes(file, t, t).catch(() => undefined);
    },
    Math.max(250, Math.floor(staleMs / 4)),
  );
  beat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(beat);
    // Only our own file: after a stale break another holder's file may sit at this path.
    if ((await readOwner(file))?.token === me.token) await unlink(file).catch(() => undefined);
  }
}
