import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const TEMP_SUFFIX = '.tmp';
/** Older temporary files belong to writers that died: no live writer takes this long. */
const STALE_TEMP_MS = 3600 * 1000;

/** Writes still in flight per path in this process, so that an older write never lands after a newer one. */
const queues = new Map<string, Promise<unknown>>();

export function isTempFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

/**
 * Replaces `path` whole or not at all: readers (and a crash at any instant) see the old content or
 * the new, never a torn or empty file. The temporary file sits in the same folder, because rename is
 * only atomic within one file system; it is flushed before the rename, and removed when the write
 * fails (a full disk leaves nothing behind).
 */
export function writeFileAtomic(path: string, data: string): Promise<void> {
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => write(path, data));
  queues.set(path, next);
  const forget = (): void => {
    if (queues.get(path) === next) queues.delete(path);
  };
  next.then(forget, forget);
  return next;
}

async function write(path: string, data: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(data);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Removes temporary files that a killed writer left; returns how many. */
export async function removeStaleTemps(dir: string, now: number): Promise<number> {
  let removed = 0;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!isTempFile(name)) continue;
    const s = await stat(join(dir, name)).catch(() => null);
    if (s && now - s.mtimeMs > STALE_TEMP_MS) {
      await rm(join(dir, name), { force: true }).catch(() => undefined);
      removed++;
    }
  }
  return removed;
}

/** A short reason for a failed file operation: the errno code when there is one. */
export function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}${e.path ? ` (${e.path})` : ''}` : String((e as Error)?.message ?? err);
}
