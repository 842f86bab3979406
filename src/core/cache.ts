import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ParsedOutput } from './output/parse.js';

export const CACHE_TTL_MS = 7 * 24 * 3600 * 1000;

export interface CachedReply {
  parsed: ParsedOutput;
  promptTokens: number;
  completionTokens: number;
  createdAt: number;
}

export interface CacheKeyParts {
  chunkText: string;
  provider: string;
  model: string;
  promptVersion: string;
  rulesConfig: string;
  instructions: string;
}

export function cacheKey(p: CacheKeyParts): string {
  const h = createHash('sha256');
  for (const part of [p.chunkText, p.provider, p.model, p.promptVersion, p.rulesConfig, p.instructions]) h.update(part).update('\0');
  return h.digest('hex');
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pullmint');
}

/** Model replies on disk, one file per chunk key; a corrupt or expired entry is a miss, never an error. */
export class ReviewCache {
  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  private file(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<CachedReply | null> {
    try {
      const entry = JSON.parse(await readFile(this.file(key), 'utf8')) as CachedReply;
      if (typeof entry.createdAt !== 'number' || this.now() - entry.createdAt > CACHE_TTL_MS) return null;
      if (!entry.parsed || !Array.isArray(entry.parsed.findings)) return null;
      return entry;
    } catch {
      return null;
    }
  }

  async set(key: string, reply: Omit<CachedReply, 'createdAt'>): Promise<void> {
    const path = this.file(key);
    try {
      await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
      // Write then rename: a reader never sees half a file.
      const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, JSON.stringify({ ...reply, createdAt: this.now() }));
      await rename(tmp, path);
    } catch {
      /* a cache that cannot be written only costs speed */
    }
  }

  /** Prunes at most once a day (a marker file remembers when); never fails a review. */
  async maybePrune(): Promise<number> {
    const marker = join(this.dir, '.last-prune');
    const last = await stat(marker).catch(() => null);
    if (last && this.now() - last.mtimeMs < 24 * 3600 * 1000) return 0;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(marker, new Date(this.now()).toISOString());
      return await this.prune();
    } catch {
      return 0;
    }
  }

  /** Removes expired entries; returns how many. */
  async prune(): Promise<number> {
    let removed = 0;
    let shards: string[];
    try {
      shards = await readdir(this.dir);
    } catch {
      return 0;
    }
    for (const shard of shards) {
      const dir = join(this.dir, shard);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        const path = join(dir, name);
        const s = await stat(path).catch(() => null);
        if (s && this.now() - s.mtimeMs > CACHE_TTL_MS) {
          await rm(path, { force: true });
          removed++;
        }
      }
    }
    return removed;
  }
}
