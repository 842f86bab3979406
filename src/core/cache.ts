import type cacacheModule from 'cacache';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ParsedOutput } from './output/parse.js';
import { reasonOf } from './store/atomic.js';
import { clip, clipFinding, LIMITS } from './store/limits.js';
import { SEVERITIES, CATEGORIES } from './types.js';

export const CACHE_TTL_MS = 7 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 24 * 3600 * 1000;

export interface CachedReply {
  parsed: ParsedOutput;
  promptTokens: number;
  completionTokens: number;
  createdAt: number;
}

export interface CacheOptions {
  now?: () => number;
  /** Told once per kind of problem (a bad entry, a failed write, a cut entry); Node's warning by default. */
  onWarning?: (message: string) => void;
}

type Cacache = typeof cacacheModule;
let loading: Promise<Cacache> | undefined;
/** cacache and its dependencies (a third of the CLI's code) load on first use: a review with the cache off never reads them. */
function lib(): Promise<Cacache> {
  loading ??= import('cacache').then((m) => ((m as { default?: Cacache }).default ?? m) as Cacache);
  return loading;
}

/** cacache accepts `removeFully` (drop the index bucket, not just append a tombstone); its types predate it. */
const removeEntry = async (store: string, key: string): Promise<unknown> =>
  ((await lib()).rm.entry as (cache: string, key: string, opts: { removeFully: boolean }) => Promise<unknown>)(store, key, {
    removeFully: true,
  }).catch(() => undefined);

const severities = new Set<unknown>(SEVERITIES);
const categories = new Set<unknown>(CATEGORIES);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): boolean => Number.isSafeInteger(v);
const optional = (v: unknown, ok: (v: unknown) => boolean): boolean => v === undefined || ok(v);
const isString = (v: unknown): boolean => typeof v === 'string';

/**
 * The hot path's check of a cached reply: accepts only what `CachedReplySchema` accepts, and is
 * allowed to be stricter; what it rejects goes to the schema, which decides and names the problem.
 */
export function isCachedReply(v: unknown): v is CachedReply {
  if (!isObject(v) || !Number.isFinite(v.promptTokens) || !Number.isFinite(v.completionTokens) || !Number.isFinite(v.createdAt))
    return false;
  const p = v.parsed;
  if (!isObject(p) || typeof p.summary !== 'string' || typeof p.truncated !== 'boolean' || typeof p.unusable !== 'boolean') return false;
  if (!Array.isArray(p.warnings) || !p.warnings.every(isString) || !Array.isArray(p.findings)) return false;
  return p.findings.every(
    (f: unknown) =>
      isObject(f) &&
      typeof f.file === 'string' &&
      f.file.length > 0 &&
      isInt(f.line) &&
      optional(f.endLine, isInt) &&
      severities.has(f.severity) &&
      categories.has(f.category) &&
      typeof f.title === 'string' &&
      typeof f.message === 'string' &&
      optional(f.suggestion, isString) &&
      optional(f.quote, isString),
  );
}

/** Why a reply that failed the hand check is invalid, from the schema (loaded only then), or null when it is valid. */
async function schemaProblem(v: unknown): Promise<string | null> {
  const { CachedReplySchema, firstIssue } = await import('./store/schemas.js');
  const r = CachedReplySchema.safeParse(v);
  return r.success ? null : firstIssue(r.error);
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pullmint');
}

/**
 * Model replies in a cacache store under `<dir>/replies`: content-addressed, written atomically and
 * checked against its integrity hash on every read, safe with many writers. An entry that is
 * corrupt, fails its integrity check or does not match the schema is a miss, reported once and
 * removed — never a failed review. Entries older than the TTL are misses and pruned daily. Replies
 * are checked by hand first and by the schema only when that fails. A pack (`setPack`) holds several
 * replies as one entry, read at once: a large review reads its units in packs (see cache-packs.ts).
 */
export class ReviewCache {
  private readonly now: () => number;
  private readonly onWarning: (message: string) => void;
  private readonly warned = new Set<string>();
  /** What was reported, for callers that print warnings themselves. */
  readonly warnings: string[] = [];

  constructor(
    readonly dir: string,
    opts: (() => number) | CacheOptions = {},
  ) {
    const o = typeof opts === 'function' ? { now: opts } : opts;
    this.now = o.now ?? Date.now;
    this.onWarning = o.onWarning ?? ((m) => process.emitWarning(m, { code: 'PULLMINT_CACHE' }));
  }

  private get store(): string {
    return join(this.dir, 'replies');
  }

  private warn(kind: string, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.warnings.push(message);
    this.onWarning(message);
  }

  /** The JSON of an entry; undefined when it is absent, or unreadable (then warned about and removed). */
  private async read(key: string): Promise<unknown> {
    let data: Buffer;
    try {
      data = (await (await lib()).get(this.store, key, { memoize: false })).data;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      await this.discard(key, `cache entry ${key.slice(0, 12)} could not be read (${code ?? reasonOf(err)})`);
      return undefined;
    }
    try {
      return JSON.parse(data.toString('utf8'));
    } catch {
      await this.discard(key, `cache entry ${key.slice(0, 12)} is not valid JSON`);
      return undefined;
    }
  }

  /** A reply as read, checked by hand and by the schema only when that fails; null (warned, removed) when invalid. */
  private async valid(key: string, json: unknown): Promise<CachedReply | null> {
    if (isCachedReply(json)) return json;
    const problem = await schemaProblem(json);
    if (problem === null) return json as CachedReply;
    await this.discard(key, `cache entry ${key.slice(0, 12)} is invalid (${problem})`);
    return null;
  }

  private fresh(reply: CachedReply): boolean {
    return this.now() - reply.createdAt <= CACHE_TTL_MS;
  }

  async get(key: string): Promise<CachedReply | null> {
    const json = await this.read(key);
    if (json === undefined) return null;
    const entry = await this.valid(key, json);
    return entry && this.fresh(entry) ? entry : null;
  }

  /**
   * The replies a pack holds (see `setPack`), by their own keys, without those past the TTL; null
   * when there is no such pack, or it is invalid (then warned about and removed, like any entry).
   */
  async getPack(key: string): Promise<Map<string, CachedReply> | null> {
    const json = await this.read(key);
    if (json === undefined) return null;
    const replies = isObject(json) && json.pack === 1 && isObject(json.replies) ? json.replies : null;
    if (!replies) {
      await this.discard(key, `cache entry ${key.slice(0, 12)} is invalid (not a pack of replies)`);
      return null;
    }
    const out = new Map<string, CachedReply>();
    for (const [k, v] of Object.entries(replies)) {
      const reply = await this.valid(key, v);
      if (!reply) return null;
      if (this.fresh(reply)) out.set(k, reply);
    }
    return out;
  }

  /**
   * Several replies as one entry, read back with one `getPack`: each keeps its own key and
   * `createdAt`, and the entry expires with its oldest reply. The replies are those `set` returned.
   */
  async setPack(key: string, replies: ReadonlyMap<string, CachedReply>): Promise<void> {
    if (replies.size === 0) return;
    let createdAt = Infinity;
    for (const r of replies.values()) createdAt = Math.min(createdAt, r.createdAt);
    try {
      // `writtenAt` makes each write its own content: cacache keeps content it already has, so a pack
      // written again after its content was damaged must not hash to the damaged file.
      const data = JSON.stringify({ pack: 1, writtenAt: this.now(), replies: Object.fromEntries(replies) });
      await (await lib()).put(this.store, key, data, { metadata: { createdAt } });
    } catch (err) {
      this.warn('write', `the review cache could not be written (${reasonOf(err)}): replies are not reused until it can.`);
    }
  }

  /** Any JSON entry by key (a kept review, see `review-memo.ts`); undefined when absent or unreadable (warned, removed). */
  async readEntry(key: string): Promise<unknown> {
    return this.read(key);
  }

  /** Stores any JSON entry; a failed write is warned about once, never thrown. */
  async writeEntry(key: string, value: unknown, createdAt: number): Promise<void> {
    try {
      await (await lib()).put(this.store, key, JSON.stringify(value), { metadata: { createdAt } });
    } catch (err) {
      this.warn('write', `the review cache could not be written (${reasonOf(err)}): replies are not reused until it can.`);
    }
  }

  /** An entry found invalid by its reader: a miss from now on, warned about once. */
  async discardEntry(key: string, why: string): Promise<void> {
    await this.discard(key, why);
  }

  /** Whether something made at `createdAt` is still within the cache's TTL. */
  isFresh(createdAt: number): boolean {
    return this.now() - createdAt <= CACHE_TTL_MS;
  }

  clock(): number {
    return this.now();
  }

  /** Treats the entry as a miss from now on, so that it is reported once and then answered afresh. */
  private async discard(key: string, why: string): Promise<void> {
    this.warn('corrupt', `${why}: ignored and removed; the chunk is reviewed again.`);
    await removeEntry(this.store, key);
  }

  /** Stores a reply, shortened to the cache's bounds; returns the entry as stored (and as `get` reads it back). */
  async set(key: string, reply: Omit<CachedReply, 'createdAt'>): Promise<CachedReply> {
    const { parsed } = reply;
    const findings = parsed.findings.slice(0, LIMITS.findingsPerCacheEntry).map(clipFinding);
    const cut =
      parsed.findings.length > LIMITS.findingsPerCacheEntry ||
      parsed.summary.length > LIMITS.summaryChars ||
      findings.some((f, i) => f !== parsed.findings[i]);
    if (cut)
      this.warn(
        'cut',
        `a model reply was larger than the cache keeps (${LIMITS.findingsPerCacheEntry} findings, ${LIMITS.summaryChars} summary characters per chunk): the cached copy is shortened.`,
      );
    const entry: CachedReply = {
      promptTokens: reply.promptTokens,
      completionTokens: reply.completionTokens,
      parsed: { ...parsed, summary: clip(parsed.summary, LIMITS.summaryChars), findings, warnings: parsed.warnings.slice(0, 20) },
      createdAt: this.now(),
    };
    try {
      await (await lib()).put(this.store, key, JSON.stringify(entry), { metadata: { createdAt: entry.createdAt } });
    } catch (err) {
      this.warn('write', `the review cache could not be written (${reasonOf(err)}): replies are not reused until it can.`);
    }
    return entry;
  }

  /** Prunes at most once a day (a marker file remembers when); never fails a review. */
  async maybePrune(): Promise<number> {
    const marker = join(this.dir, '.last-prune');
    const last = await stat(marker).catch(() => null);
    if (last && this.now() - last.mtimeMs < PRUNE_EVERY_MS) return 0;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(marker, new Date(this.now()).toISOString());
      return await this.prune();
    } catch {
      return 0;
    }
  }

  /**
   * Drops expired entries, then lets cacache's verify collect unreferenced content, rebuild the
   * index and clear temporary files a killed or failed write left. Returns how many entries went.
   */
  async prune(): Promise<number> {
    let removed = await this.removeLegacyShards();
    let entries: Record<string, cacacheModule.CacheObject>;
    try {
      entries = await (await lib()).ls(this.store);
    } catch {
      return removed;
    }
    const cutoff = this.now() - CACHE_TTL_MS;
    for (const entry of Object.values(entries)) {
      const created = typeof entry.metadata?.createdAt === 'number' ? (entry.metadata.createdAt as number) : entry.time;
      if (created >= cutoff) continue;
      await removeEntry(this.store, entry.key);
      removed++;
    }
    await (await lib()).verify(this.store).catch(() => undefined);
    return removed;
  }

  /** Earlier versions kept one JSON file per key in two-letter folders: a cache, so simply dropped. */
  private async removeLegacyShards(): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(name)) continue;
      removed += (await readdir(join(this.dir, name)).catch(() => [] as string[])).length;
      await rm(join(this.dir, name), { recursive: true, force: true }).catch(() => undefined);
    }
    return removed;
  }
}
