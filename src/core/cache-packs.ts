import { createHash } from 'node:crypto';
import type { CachedReply, ReviewCache } from './cache.js';

/**
 * A review asks the cache about every unit it has (thousands on a large diff). Reading them one
 * entry each costs a read, an integrity check and a parse per unit, more than the review itself, so
 * units are also kept in packs: groups of units whose replies are one entry, read at once.
 *
 * Groups are cut by content, not by position: the review's unit keys are sorted, and a group ends
 * after a key whose last byte is below `BOUNDARY` (one in `MEAN_GROUP` keys on average), or at
 * `MAX_GROUP`. A changed unit replaces one key by another, so it changes the groups those keys
 * fall in (at most three: the old key's group joins the next when the key ended it, the new key's
 * splits when it ends one; more only where `MAX_GROUP` cut a long run); every other group, and so its pack, is as in the last review. A
 * group that misses is read unit by unit, as every unit is stored on its own too; and once all its
 * units have replies, its pack is written for the next review. Packs are content-addressed by the
 * keys they hold, so writers never overwrite each other's different data.
 */
export const MEAN_GROUP = 64;
const BOUNDARY = 256 / MEAN_GROUP;
const MAX_GROUP = 4 * MEAN_GROUP;
/** Smaller groups are read unit by unit: a pack would save little and cost a write. */
export const MIN_PACK = 4;

/** The review's unit keys in groups (see above), each key once. */
export function packGroups(keys: Iterable<string>): string[][] {
  const sorted = [...new Set(keys)].sort();
  const groups: string[][] = [];
  let group: string[] = [];
  for (const key of sorted) {
    group.push(key);
    if (parseInt(key.slice(-2), 16) < BOUNDARY || group.length >= MAX_GROUP) {
      groups.push(group);
      group = [];
    }
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

export function packKey(group: readonly string[]): string {
  const h = createHash('sha256').update('pullmint-pack\0');
  for (const key of group) h.update(key).update('\0');
  return h.digest('hex');
}

/** The cache as one review uses it: found replies by unit key, fresh ones recorded, packs written at the end. */
export class UnitLookup {
  /** Every reply this review has, found or freshly stored, by unit key. */
  readonly replies = new Map<string, CachedReply>();
  private readonly toPack: string[][] = [];

  constructor(private readonly cache: ReviewCache) {}

  /** Reads the packs, then the units of the groups whose pack missed; returns the replies found. */
  async load(keys: Iterable<string>): Promise<Map<string, CachedReply>> {
    const groups = packGroups(keys);
    const packs = await Promise.all(groups.map((g) => (g.length >= MIN_PACK ? this.cache.getPack(packKey(g)) : null)));
    const single: string[] = [];
    groups.forEach((group, i) => {
      const pack = packs[i];
      let complete = pack !== null;
      for (const key of group) {
        const reply = pack?.get(key);
        if (reply) this.replies.set(key, reply);
        else {
          complete = false;
          single.push(key);
        }
      }
      if (!complete && group.length >= MIN_PACK) this.toPack.push(group);
    });
    const found = await Promise.all(single.map((k) => this.cache.get(k)));
    single.forEach((k, i) => found[i] && this.replies.set(k, found[i]!));
    return this.replies;
  }

  /** A reply just stored under `key`, as `ReviewCache.set` returned it. */
  record(key: string, reply: CachedReply): void {
    this.replies.set(key, reply);
  }

  /** Writes the pack of every group that missed and now has a reply for each of its units. */
  async storePacks(): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const group of this.toPack) {
      if (!group.every((k) => this.replies.has(k))) continue;
      writes.push(this.cache.setPack(packKey(group), new Map(group.map((k) => [k, this.replies.get(k)!]))));
    }
    this.toPack.length = 0;
    await Promise.all(writes);
  }
}
