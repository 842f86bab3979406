import { cacheKey, type ReviewCache } from './cache.js';
import type { PullmintConfig } from './config/schema.js';
import type { FileDiff } from './diff/model.js';
import { anchorFindings, chunkView, resolveFile } from './output/anchor.js';
import { parseModelOutput, type ParsedOutput } from './output/parse.js';
import { PROMPT_VERSION } from './output/schema.js';
import { mergeChunks, packFile, riskOrder, type Chunk } from './pack/chunker.js';
import { estimateTokens } from './pack/tokens.js';
import { mapPool } from './pool.js';
import { buildPrompt, SYSTEM_INSTRUCTIONS } from './prompt.js';
import { ProviderError, type ReviewProvider } from './providers/types.js';
import type { Finding, ModelErrorInfo } from './types.js';

export interface ChunkOutcome {
  chunk: Chunk;
  findings: Finding[];
  summary: string;
  reviewed: boolean;
  cached: boolean;
  reason?: string;
}

export interface ModelPhaseResult {
  outcomes: ChunkOutcome[];
  modelError?: ModelErrorInfo;
  llmCalls: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  costUsd?: number;
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
  onChunk: (outcome: ChunkOutcome, index: number) => void;
  onProgress: (done: number, total: number) => void;
  onPlanned: (chunks: number) => void;
}

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
}

interface CachedUnit {
  parsed: ParsedOutput;
}

export function chunkBudget(contextTokens: number, instructions: string): number {
  return contextTokens - estimateTokens(SYSTEM_INSTRUCTIONS) - estimateTokens(instructions) - 128;
}

export async function runModelPhase(opts: ModelPhaseOptions, contextTokens: number): Promise<ModelPhaseResult> {
  const { provider, config, warn } = opts;
  const budget = chunkBudget(contextTokens, config.instructions);
  const rulesConfig = JSON.stringify(config.rules);
  const keyOf = (text: string): string =>
    cacheKey({
      chunkText: text,
      provider: provider.name,
      model: provider.model,
      promptVersion: PROMPT_VERSION,
      rulesConfig,
      instructions: config.instructions,
    });

  const cache = config.cache ? opts.cache : null;
  const units: Unit[] = [];
  for (const file of riskOrder(opts.files)) {
    const pieces = opts.prepacked?.get(file.path) ?? packFile(file, { budgetTokens: budget, overlapLines: 3 });
    // Keys are hashes of the whole diff text: only worth computing when there is a cache to ask.
    for (const chunk of pieces) units.push({ key: cache ? keyOf(chunk.text) : '', chunk, file, whole: pieces.length === 1 });
  }
  const hits = await Promise.all(units.map((u) => (cache ? cache.get(u.key) : Promise.resolve(null))));

  // What goes to the model: files that missed, small ones packed together, risk order first.
  const missedWhole = units.filter((u, i) => !hits[i] && u.whole).map((u) => u.chunk);
  const missedPieces = units.filter((u, i) => !hits[i] && !u.whole).map((u) => u.chunk);
  const toSend = [...mergeChunks(missedWhole, budget), ...missedPieces]
    .sort((a, b) => b.priority - a.priority)
    .map((c, index) => ({ ...c, index }));
  const cachedUnits = units.filter((_, i) => hits[i]);
  opts.onPlanned(cachedUnits.length + toSend.length);

  const result: ModelPhaseResult = { outcomes: [], llmCalls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0 };
  const finish = (o: ChunkOutcome, parsed: ParsedOutput | null): ChunkOutcome => {
    if (!parsed || parsed.unusable) return o;
    if (parsed.findings.length === 0) return { ...o, summary: parsed.summary, reviewed: true };
    const anchored = anchorFindings(o.chunk, parsed.findings);
    anchored.warnings.forEach((w) => warn(w));
    return { ...o, findings: anchored.findings, summary: parsed.summary, reviewed: true };
  };

  cachedUnits.forEach((u, i) => {
    const parsed = hits[units.indexOf(u)]!.parsed;
    result.cacheHits++;
    const outcome = finish({ chunk: u.chunk, findings: [], summary: '', reviewed: false, cached: true }, parsed);
    result.outcomes.push(outcome);
    opts.onChunk(outcome, i);
  });

  const prompts = toSend.map((c) => buildPrompt(c, { redact: provider.isCloud, customInstructions: config.instructions }));
  new Set(prompts.flatMap((p) => p.warnings)).forEach(warn);
  const redactions = prompts.reduce((n, p) => n + p.redactions, 0);
  if (redactions > 0) warn(`${redactions} secret(s) were redacted from the prompt before it left this machine`);

  // Limits apply in risk order; what they leave out is reported line by line by the caller.
  const allowed = new Set<number>();
  let tokens = 0;
  for (const c of toSend) {
    const cost = estimateTokens(prompts[c.index].system) + estimateTokens(prompts[c.index].user);
    if (allowed.size + 1 > config.maxCalls || tokens + cost > config.maxTokens) continue;
    allowed.add(c.index);
    tokens += cost;
  }

  let done = 0;
  let stop: ModelErrorInfo | undefined;
  let cost = 0;
  let sawCost = false;
  const sent = await mapPool(toSend, provider.concurrency, async (chunk): Promise<ChunkOutcome> => {
    const base: ChunkOutcome = { chunk, findings: [], summary: '', reviewed: false, cached: false };
    if (!allowed.has(chunk.index))
      return { ...base, reason: `review limit reached (max ${config.maxCalls} calls / ${config.maxTokens} tokens)` };
    if (stop) return { ...base, reason: stop.message };
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('cancelled');
    const prompt = prompts[chunk.index];
    const promptTokens = estimateTokens(prompt.system) + estimateTokens(prompt.user);
    let parsed: ParsedOutput;
    try {
      result.llmCalls++;
      const reply = await provider.complete({
        system: prompt.system,
        user: prompt.user,
        promptTokens,
        signal: opts.signal,
        timeoutMs: config.timeoutSeconds * 1000,
      });
      result.promptTokens += reply.promptTokens;
      result.completionTokens += reply.completionTokens;
      if (reply.costUsd !== undefined) {
        cost += reply.costUsd;
        sawCost = true;
      }
      reply.warnings.forEach(warn);
      parsed = parseModelOutput(reply.text);
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      if (err.setup) stop ??= err.info();
      warn(`chunk ${chunk.index + 1}/${toSend.length}: ${err.message}`);
      return { ...base, reason: err.message };
    } finally {
      opts.onProgress(++done, toSend.length);
    }
    parsed.warnings.forEach((w) => warn(`chunk ${chunk.index + 1}: ${w}`));
    if (parsed.unusable) return { ...base, reason: 'the model answer could not be read' };
    if (cache && !parsed.truncated) await storeUnits(cache, chunk, parsed, units);
    const outcome = finish(base, parsed);
    opts.onChunk(outcome, cachedUnits.length + chunk.index);
    return outcome;
  });
  result.outcomes.push(...sent);
  if (sawCost) result.costUsd = Math.round(cost * 10000) / 10000;
  if (stop) result.modelError = stop;
  else if (sent.length > 0 && sent.every((o) => !o.reviewed) && cachedUnits.length === 0) {
    result.modelError = { kind: 'other', message: sent[0].reason ?? 'no chunk could be reviewed', fix: 'See the warnings above.' };
  }
  return result;
}

/** Splits one reply into the cache units of the files it covered. */
async function storeUnits(cache: ReviewCache, chunk: Chunk, parsed: ParsedOutput, units: Unit[]): Promise<void> {
  const views = parsed.findings.length > 0 ? chunkView(chunk) : new Map();
  const filesInChunk = new Set(chunk.segments.map((s) => s.file));
  const writes: Promise<void>[] = [];
  for (const unit of units) {
    if (!filesInChunk.has(unit.file.path)) continue;
    if (!unit.whole && unit.chunk.text !== chunk.text) continue;
    const findings = parsed.findings.filter((f) => resolveFile(views, f.file) === unit.file.path);
    const entry: CachedUnit = { parsed: { ...parsed, findings, warnings: [] } };
    writes.push(cache.set(unit.key, { parsed: entry.parsed, promptTokens: 0, completionTokens: 0 }));
  }
  await Promise.all(writes);
}
