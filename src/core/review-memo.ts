import { createHash } from 'node:crypto';
import type { ReviewCache } from './cache.js';
import type { PullmintConfig } from './config/schema.js';
import { PROMPT_VERSION } from './output/contract.js';
import type { ReviewResult } from './types.js';

/**
 * A whole review of fixed commits, kept so that the same review again reads one entry instead of
 * diffing, parsing and packing the change (a push tried again, a pull request reviewed again). Only
 * a complete review is kept: one the model did not finish is done again, so that it can finish.
 * Its findings are kept before dismissals, which are applied afresh on every use.
 */
export interface MemoizedReview {
  memo: 1;
  createdAt: number;
  /** The result as the review made it, `findings` holding the dismissed ones too and `dismissed` absent. */
  result: ReviewResult;
  /** The warnings the review itself gave (those of the caller are given again by the caller). */
  warnings: string[];
}

export interface MemoKeyParts {
  root: string;
  from: string;
  to: string;
  config: PullmintConfig;
  provider: string;
  model: string;
  isCloud: boolean;
  contextTokens: number;
  configFromBase: boolean;
}

/** Everything a review's outcome depends on besides the commits' content, which their SHAs fix. */
export function memoKey(p: MemoKeyParts): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify([
      'review',
      1,
      PROMPT_VERSION,
      p.root,
      p.from,
      p.to,
      p.provider,
      p.model,
      p.isCloud,
      p.contextTokens,
      p.configFromBase,
      p.config,
    ]),
  );
  return `review-${h.digest('hex')}`;
}

function isMemo(v: unknown): v is MemoizedReview {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Partial<MemoizedReview>;
  return m.memo === 1 && Number.isFinite(m.createdAt) && Array.isArray(m.warnings) && typeof m.result === 'object' && m.result !== null;
}

/** The kept review, or null: absent, past the cache's TTL, or not a valid result (then warned about and removed). */
export async function readMemo(cache: ReviewCache, key: string): Promise<MemoizedReview | null> {
  const json = await cache.readEntry(key);
  if (json === undefined) return null;
  if (isMemo(json)) {
    const { ResultSchema, firstIssue } = await import('./store/schemas.js');
    const checked = ResultSchema.safeParse(json.result);
    if (checked.success && json.result.coverage.complete) return cache.isFresh(json.createdAt) ? json : null;
    await cache.discardEntry(
      key,
      `kept review ${key.slice(7, 19)} is invalid (${checked.success ? 'not complete' : firstIssue(checked.error)})`,
    );
    return null;
  }
  await cache.discardEntry(key, `kept review ${key.slice(7, 19)} is invalid (not a kept review)`);
  return null;
}

export async function writeMemo(cache: ReviewCache, key: string, result: ReviewResult, warnings: string[]): Promise<void> {
  const entry: MemoizedReview = { memo: 1, createdAt: cache.clock(), result, warnings };
  await cache.writeEntry(key, entry, entry.createdAt);
}
