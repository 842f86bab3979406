import type { ReviewCache } from './cache.js';
import { unitKey } from './cache-keys.js';
import { UnitLookup } from './cache-packs.js';
import type { PullmintConfig } from './config/schema.js';
import type { FileDiff } from './diff/model.js';
import { anchorFindings, chunkView, resolveFile } from './output/anchor.js';
import { ANSWER_LIMITS, PROMPT_VERSION } from './output/contract.js';
import { normalizeFinding, parseModelOutput, type ParsedOutput } from './output/parse.js';
import { FindingStream } from './output/stream.js';
import { mergeChunks, packFile, riskOrder, smallFirst, splitChunk, type Chunk } from './pack/chunker.js';
import { estimateTokens, TokenGauge } from './pack/tokens.js';
import { mapPool } from './pool.js';
import { buildPrompt, SYSTEM_INSTRUCTIONS, type BuiltPrompt } from './prompt.js';
import { iacInstructionTokens, type IacKindOf } from './iac/instructions.js';
import { iacRuleKind } from './rules/iac.js';
import { ProviderError, type Completion, type ReviewProvider } from './providers/types.js';
import type { Finding, ModelErrorInfo, UnreviewedRange } from './types.js';

export interface ChunkOutcome {
  chunk: Chunk;
  findings: Finding[];
  summary: string;
  reviewed: boolean;
  cached: boolean;
  reason?: string;
  /** Lines of the chunk that no answer covers, reviewed or not: added lines clipped in the prompt. */
  unreviewed: UnreviewedRange[];
}

export interface ModelPhaseResult {
  outcomes: ChunkOutcome[];
  modelError?: ModelErrorInfo;
  llmCalls: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  costUsd?: number;
  /** Provider tokens per estimated token: the largest a reply showed, 1 when none counted more than estimated. */
  tokenRatio: number;
}

export interface ModelPhaseOptions {
  files: FileDiff[];
  /** Pieces already packed per file while the diff streamed in (same budget), by path. */
  prepacked?: Map<string, Chunk[]>;
  provider: ReviewProvider;
  config: PullmintConfig;
  cache: ReviewCache | null;
  signal?: AbortSignal;
  warn: (message: string) => void;
  /** A chunk is done; `fresh` are its findings not already given to `onFinding`. */
  onChunk: (outcome: ChunkOutcome, index: number, fresh: Finding[]) => void;
  /** A finding read from the answer while it streams, before its chunk is done. */
  onFinding?: (finding: Finding, index: number) => void;
  /** `file`: the first file of the chunk just finished, for progress such as "3 of 10 · src/auth.ts". */
  onProgress: (done: number, total: number, file?: string) => void;
  onPlanned: (chunks: number) => void;
  /** The pause before a retry; tests pass a quicker one. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Tries after the first for a call the server answered busy (429) or failed (5xx), which it does at
 * once. A stream that broke is tried once more only: the model had already worked on it, and a
 * second break usually means the prompt itself brings the server down.
 */
export const MAX_RETRIES = 2;

/** The pause before retry `n` (from 1): the server's Retry-After when it gave one (already capped), else 0.5 s, 1 s. */
export function retryDelayMs(n: number, retryAfterMs?: number): number {
  return retryAfterMs ?? 500 * 2 ** (n - 1);
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('cancelled'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('cancelled'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Why the lines of a chunk whose prompt lost its start are not reviewed. */
export const TRUNCATED_ANSWER_REASON = "the model's answer was cut off before it ended";
export const WINDOW_CUT_REASON = "the model's window cut the prompt";

/**
 * A cache unit is what can be answered from the cache on its own: a whole file when it fits one
 * chunk, else one piece of a file too large for a chunk. Units never mix files, so editing one file
 * invalidates only that file's units; the model still sees small files packed together.
 */
interface Unit {
  key: string;
  chunk: Chunk;
  file: FileDiff;
  whole: boolean;
  /** Its first new and old lines: cached findings are stored counted from them (see `unitKey`). */
  baseLine: number;
  baseOldLine: number;
}

/**
 * Findings moved by `delta` new-file lines (`oldDelta` old-file lines for a finding on a removed
 * line): into a unit's own numbering to store, back into the file's to use.
 */
function shifted(parsed: ParsedOutput, delta: number, oldDelta: number): ParsedOutput {
  if ((delta === 0 && oldDelta === 0) || parsed.findings.length === 0) return parsed;
  return {
    ...parsed,
    findings: parsed.findings.map((f) => {
      const d = f.side === 'old' ? oldDelta : delta;
      return { ...f, line: f.line + d, ...(f.endLine !== undefined ? { endLine: f.endLine + d } : {}) };
    }),
  };
}

interface CachedUnit {
  parsed: ParsedOutput;
}

/**
 * Estimated tokens the diff data of one chunk may take. The whole prompt, in the provider's tokens
 * (`tokenRatio` per estimated token), must fit the window; 128 are left for the data markers and the
 * chat template.
 */
export function chunkBudget(contextTokens: number, instructions: string, tokenRatio = 1): number {
  return Math.floor((contextTokens - 128) / tokenRatio) - estimateTokens(SYSTEM_INSTRUCTIONS) - estimateTokens(instructions);
}

/** Estimated data tokens of the first call of a review that sends more than a small file. */
export const FIRST_CHUNK_TOKENS = 1024;

/** A window of fewer than four times that already makes small chunks: nothing to gain from another call. */
function firstChunkTokens(budget: number): number {
  return budget >= 4 * FIRST_CHUNK_TOKENS ? FIRST_CHUNK_TOKENS : Infinity;
}

function clippedRanges(chunk: Chunk): UnreviewedRange[] {
  return chunk.clipped.map((c) => ({
    file: c.file,
    startLine: c.line,
    endLine: c.line,
    reason: `line clipped: ${c.chars} characters, longer than the model's window`,
    ...(c.removed ? { removed: true } : {}),
  }));
}

/** Fewer data tokens per call than this make a review of many calls of a few lines each. */
const SMALL_BUDGET_TOKENS = 512;

export async function runModelPhase(opts: ModelPhaseOptions, contextTokens: number): Promise<ModelPhaseResult> {
  const { provider, config, warn } = opts;
  const budget = chunkBudget(contextTokens, config.instructions);
  if (budget < SMALL_BUDGET_TOKENS)
    warn(
      `the model's window leaves ${Math.max(0, budget)} tokens of diff per call (${config.outputReserveTokens} are kept for the answer): ` +
        "each call reads a few lines; raise the model's context window setting or lower outputReserveTokens",
    );
  const rulesConfig = JSON.stringify(config.rules);
  const keyParts = {
    provider: provider.name,
    model: provider.model,
    promptVersion: PROMPT_VERSION,
    rulesConfig,
    instructions: config.instructions,
  };

  const cache = config.cache ? opts.cache : null;
  const units: Unit[] = [];
  let first: Chunk | undefined;
  for (const file of riskOrder(opts.files)) {
    let pieces = opts.prepacked?.get(file.path) ?? packFile(file, { budgetTokens: budget, overlapLines: 3 });
    if (!first) {
      pieces = smallFirst(pieces, firstChunkTokens(budget), budget, 3);
      first = pieces[0];
    }
    // Keys are hashes of the whole diff text: only worth computing when there is a cache to ask.
    for (const chunk of pieces) {
      const id = cache ? unitKey(chunk, keyParts) : null;
      units.push({
        key: id?.key ?? '',
        chunk,
        file,
        whole: pieces.length === 1,
        baseLine: id?.baseLine ?? 0,
        baseOldLine: id?.baseOldLine ?? 0,
      });
    }
  }
  // One read per pack of units, and one per unit only where a pack missed (see cache-packs.ts).
  const lookup = cache ? new UnitLookup(cache) : null;
  const found = lookup ? await lookup.load(units.map((u) => u.key)) : null;
  const hits = units.map((u) => found?.get(u.key) ?? null);

  // What goes to the model: files that missed, small ones packed together, risk order first.
  const missedWhole = units.filter((u, i) => !hits[i] && u.whole).map((u) => u.chunk);
  const missedPieces = units.filter((u, i) => !hits[i] && !u.whole).map((u) => u.chunk);
  const ordered = [...mergeChunks(missedWhole, budget), ...missedPieces].sort((a, b) => b.priority - a.priority);
  // The riskiest file's small first piece goes out first.
  const at = first && !units.find((u) => u.chunk === first)?.whole ? ordered.indexOf(first) : -1;
  if (at > 0) ordered.unshift(...ordered.splice(at, 1));
  const toSend = ordered.map((c, index) => ({ ...c, index }));
  const cachedUnits = units.filter((_, i) => hits[i]);
  const hitOf = new Map(units.map((u, i) => [u, hits[i]]));
  opts.onPlanned(cachedUnits.length + toSend.length);

  const result: ModelPhaseResult = { outcomes: [], llmCalls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, tokenRatio: 1 };
  const none = (chunk: Chunk, cached = false): ChunkOutcome => ({
    chunk,
    findings: [],
    summary: '',
    reviewed: false,
    cached,
    unreviewed: clippedRanges(chunk),
  });
  const finish = (o: ChunkOutcome, parsed: ParsedOutput | null): ChunkOutcome => {
    if (!parsed || parsed.unusable) return o;
    if (parsed.findings.length === 0) return { ...o, summary: parsed.summary, reviewed: true };
    const anchored = anchorFindings(o.chunk, parsed.findings);
    anchored.warnings.forEach((w) => warn(w));
    return { ...o, findings: anchored.findings, summary: parsed.summary, reviewed: true };
  };

  cachedUnits.forEach((u, i) => {
    const parsed = shifted(hitOf.get(u)!.parsed, u.baseLine, u.baseOldLine);
    result.cacheHits++;
    const outcome = finish(none(u.chunk, true), parsed);
    result.outcomes.push(outcome);
    opts.onChunk(outcome, i, outcome.findings);
  });

  // A file's IaC kind was found once, from all of its lines, when its rules ran.
  const fileByPath = new Map(opts.files.map((f) => [f.path, f]));
  const iacKindOf: IacKindOf = (seg) => {
    const file = fileByPath.get(seg.file);
    const kind = file ? iacRuleKind(file) : null;
    return kind === 'compose' ? null : kind;
  };
  const promptOf = (c: Chunk): BuiltPrompt =>
    buildPrompt(c, { redact: provider.isCloud, customInstructions: config.instructions, iacKindOf });
  // Each prompt is written just before its call, so that only the one in flight is held; what they
  // say (a cut instruction, redactions) is told once.
  const promptWarnings = new Set<string>();
  let redactions = 0;
  const promptFor = (c: Chunk): BuiltPrompt => {
    const p = promptOf(c);
    for (const w of p.warnings)
      if (!promptWarnings.has(w)) {
        promptWarnings.add(w);
        warn(w);
      }
    redactions += p.redactions;
    return p;
  };

  // Small prompts would calibrate the template's overhead rather than the tokenizer.
  const gauge = new TokenGauge(Math.max(256, Math.floor(contextTokens / 4)));
  const limitReason = `review limit reached (max ${config.maxCalls} calls / ${config.maxTokens} tokens)`;
  // Limits are checked as calls go out, in risk order; what they leave out is reported line by line by the caller.
  let calls = 0;
  let spent = 0;
  const withinLimits = (tokens: number): boolean => calls + 1 <= config.maxCalls && spent + tokens <= config.maxTokens;
  let done = 0;
  let stop: ModelErrorInfo | undefined;
  let cost = 0;
  let sawCost = false;

  /**
   * One chunk, one call; up to MAX_RETRIES more, after a pause, when the connection broke or the
   * server was busy or failed on its side, since a later call usually goes through. A call that still
   * fails leaves its own chunk unreviewed and the others go on.
   */
  const review = async (chunk: Chunk, prompt: BuiltPrompt, label: string, streamed: Set<string>, index: number): Promise<ChunkOutcome> => {
    const base = none(chunk);
    const estimate = prompt.tokens;
    let reply: Completion | undefined;
    for (let attempt = 1; !reply; attempt++) {
      const promptTokens = gauge.tokens(estimate);
      if (!withinLimits(promptTokens)) return { ...base, reason: limitReason };
      if (stop) return { ...base, reason: stop.message };
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('cancelled');
      calls++;
      spent += promptTokens;
      result.llmCalls++;
      const stream = opts.onFinding ? new FindingStream() : null;
      const onDelta = stream
        ? (delta: string): void => {
            for (const raw of stream.push(delta)) {
              if (streamed.size >= ANSWER_LIMITS.findings) return;
              const p = normalizeFinding(raw);
              if (typeof p === 'string') continue;
              // Warnings are said once, by the anchoring of the whole answer.
              for (const f of anchorFindings(chunk, [p]).findings) {
                if (streamed.has(f.id)) continue;
                streamed.add(f.id);
                opts.onFinding!(f, index);
              }
            }
          }
        : undefined;
      try {
        reply = await provider.complete({
          onDelta,
          system: prompt.system,
          user: prompt.user,
          promptTokens,
          signal: opts.signal,
          timeoutMs: config.timeoutSeconds * 1000,
        });
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        if (err.setup) stop ??= err.info();
        if (err.promptTooLong) gauge.observeCut(estimate, contextTokens);
        const retries = err.busy ? MAX_RETRIES : 1;
        const retry = err.transient && attempt <= retries && !stop && withinLimits(gauge.tokens(estimate));
        const wait = retry ? retryDelayMs(attempt, err.retryAfterMs) : 0;
        const when = wait >= 1000 ? ` in ${Math.round(wait / 1000)} s` : '';
        warn(
          `chunk ${label}: ${err.message}${retry ? `; trying once more${when}${retries > 1 ? ` (retry ${attempt} of ${retries})` : ''}` : ''}`,
        );
        if (!retry) return { ...base, reason: err.message };
        await (opts.sleep ?? abortableSleep)(wait, opts.signal);
      }
    }
    result.promptTokens += reply.promptTokens;
    result.completionTokens += reply.completionTokens;
    if (reply.costUsd !== undefined) {
      cost += reply.costUsd;
      sawCost = true;
    }
    reply.warnings.forEach(warn);
    if (reply.truncatedPrompt) {
      // The answer came from the end of the prompt without the instructions: neither used nor cached.
      gauge.observeCut(estimate, contextTokens);
      return { ...base, reason: WINDOW_CUT_REASON };
    }
    gauge.observe(estimate, reply.promptTokens);
    const parsed = parseModelOutput(reply.text);
    parsed.warnings.forEach((w) => warn(`chunk ${label}: ${w}`));
    if (parsed.unusable) return { ...base, reason: 'the model answer could not be read' };
    if (cache && lookup && !parsed.truncated) await storeUnits(cache, lookup, chunk, parsed, units);
    const outcome = finish(base, parsed);
    // An answer that stops mid-way may have been about to report the worst of the chunk: its complete
    // findings count, but the chunk is not reviewed.
    return parsed.truncated ? { ...outcome, reviewed: false, reason: TRUNCATED_ANSWER_REASON } : outcome;
  };

  const sent = await mapPool(toSend, provider.concurrency, async (chunk): Promise<ChunkOutcome[]> => {
    const label = `${chunk.index + 1}/${toSend.length}`;
    const outcomes: ChunkOutcome[] = [];
    const queue: Chunk[] = [chunk];
    try {
      while (queue.length > 0) {
        const next = queue.shift()!;
        // A reply since this chunk was packed counted more tokens than estimated: what no longer fits is re-packed.
        // A chunk of infrastructure files also carries their review instructions (iac/instructions.ts).
        const fits = chunkBudget(contextTokens, config.instructions, gauge.factor) - iacInstructionTokens(next, iacKindOf);
        if (next.tokens > fits) {
          const pieces = splitChunk(next, fits, 3);
          if (pieces.length > 1 || pieces[0].tokens < next.tokens) {
            queue.unshift(...pieces.map((c) => ({ ...c, index: chunk.index })));
            continue;
          }
        }
        const streamed = new Set<string>();
        const index = cachedUnits.length + chunk.index;
        const outcome = await review(next, promptFor(next), label, streamed, index);
        outcomes.push(outcome);
        if (outcome.reviewed)
          opts.onChunk(
            outcome,
            index,
            outcome.findings.filter((f) => !streamed.has(f.id)),
          );
      }
    } finally {
      opts.onProgress(++done, toSend.length, chunk.segments[0]?.file);
    }
    return outcomes;
  });
  if (redactions > 0) warn(`${redactions} secret(s) were redacted from the prompt before it left this machine`);
  const outcomes = sent.flat();
  await lookup?.storePacks();
  result.outcomes.push(...outcomes);
  result.tokenRatio = gauge.factor;
  if (sawCost) result.costUsd = Math.round(cost * 10000) / 10000;
  if (stop) result.modelError = stop;
  else if (outcomes.length > 0 && outcomes.every((o) => !o.reviewed) && cachedUnits.length === 0) {
    result.modelError = { kind: 'other', message: outcomes[0].reason ?? 'no chunk could be reviewed', fix: 'See the warnings above.' };
  }
  return result;
}

/** Splits one reply into the cache units of the files it covered. */
async function storeUnits(cache: ReviewCache, lookup: UnitLookup, chunk: Chunk, parsed: ParsedOutput, units: Unit[]): Promise<void> {
  const views = parsed.findings.length > 0 ? chunkView(chunk) : new Map();
  const filesInChunk = new Set(chunk.segments.map((s) => s.file));
  const writes: Promise<void>[] = [];
  for (const unit of units) {
    if (!filesInChunk.has(unit.file.path)) continue;
    // A file's unit is stored only from a reply that saw all of it, not from a piece of a re-packed chunk.
    if (unit.whole ? !chunk.text.includes(unit.chunk.text) : unit.chunk.text !== chunk.text) continue;
    const findings = parsed.findings.filter((f) => resolveFile(views, f.file) === unit.file.path);
    const entry: CachedUnit = { parsed: shifted({ ...parsed, findings, warnings: [] }, -unit.baseLine, -unit.baseOldLine) };
    writes.push(
      cache.set(unit.key, { parsed: entry.parsed, promptTokens: 0, completionTokens: 0 }).then((stored) => lookup.record(unit.key, stored)),
    );
  }
  await Promise.all(writes);
}
