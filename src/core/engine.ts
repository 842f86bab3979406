import { randomUUID } from 'node:crypto';
import { cacheKey, type ReviewCache } from './cache.js';
import type { PullmintConfig } from './config.js';
import { collectDiff, repoRoot, type TargetSpec } from './diff/sources.js';
import { filterFiles } from './diff/filters.js';
import { countAdded } from './diff/model.js';
import { mergeDuplicates, sortFindings } from './findings.js';
import { HistoryStore, type ExecutionRecord } from './history.js';
import { anchorFindings } from './output/anchor.js';
import { parseModelOutput, type ParsedOutput } from './output/parse.js';
import { PROMPT_VERSION } from './output/schema.js';
import { ownedLines, packChunks, toRanges, type Chunk } from './pack/chunker.js';
import { estimateTokens } from './pack/tokens.js';
import { mapPool } from './pool.js';
import { buildPrompt, SYSTEM_INSTRUCTIONS } from './prompt.js';
import { ProviderError, type ReviewProvider } from './providers/types.js';
import { decide, riskScore } from './risk.js';
import { runRules } from './rules/index.js';
import type { Finding, ModelErrorInfo, ReviewResult, ReviewTarget, UnreviewedRange } from './types.js';

export type ReviewEvent =
  | { type: 'started'; executionId: string; target: ReviewTarget; files: number; changedLines: number; chunks: number }
  | { type: 'findings'; source: 'rules' | 'llm'; chunk?: number; cached?: boolean; findings: Finding[] }
  | { type: 'progress'; done: number; total: number }
  | { type: 'warning'; message: string };

export interface ReviewRequest {
  repoDir: string;
  target: TargetSpec;
  config: PullmintConfig;
  /** null: rules only (chosen, or the caller already knows the model cannot be used). */
  provider: ReviewProvider | null;
  /** Why the caller chose rules only, shown to the user with its fix. */
  rulesOnlyReason?: ModelErrorInfo;
  cache?: ReviewCache | null;
  /** Where history lives; omit to keep no history. */
  stateDir?: string;
  signal?: AbortSignal;
  /** Limit the review to these paths (e.g. the file just saved). */
  paths?: string[];
  warnings?: string[];
  onEvent?: (event: ReviewEvent) => void;
}

interface ChunkOutcome {
  findings: Finding[];
  summary: string;
  reviewed: boolean;
  cached: boolean;
  reason?: string;
}

/** Tokens a chunk's data may take: the window minus instructions and a margin for the framing. */
function chunkBudget(contextTokens: number, instructions: string): number {
  return contextTokens - estimateTokens(SYSTEM_INSTRUCTIONS) - estimateTokens(instructions) - 128;
}

export async function runReview(req: ReviewRequest): Promise<ReviewResult> {
  const startedAt = new Date();
  const { config } = req;
  const emit = req.onEvent ?? (() => undefined);
  const warnings: string[] = [...(req.warnings ?? [])];
  const warn = (message: string): void => {
    warnings.push(message);
    emit({ type: 'warning', message });
  };
  const root = await repoRoot(req.repoDir);
  const history = req.stateDir ? new HistoryStore(req.stateDir, root) : null;
  const executionId = randomUUID();
  const providerName = req.provider?.name ?? 'rules';
  const model = req.provider?.model ?? '';

  const diff = await collectDiff(root, req.target, { contextLines: config.contextLines, paths: req.paths });
  const record: ExecutionRecord = {
    executionId,
    repo: root,
    target: diff.target,
    status: 'pending',
    provider: providerName,
    model,
    createdAt: startedAt.toISOString(),
    updatedAt: startedAt.toISOString(),
  };
  await history?.put(record).catch(() => undefined);

  try {
    for (const w of diff.warnings) warn(w);
    const filtered = filterFiles(diff.files, { ignoreGlobs: config.ignore, maxLinesPerFile: config.maxLinesPerFile });
    const reviewable = new Set(filtered.files.map((f) => f.path));
    const changedLines = diff.files.filter((f) => f.status !== 'deleted' && !f.binary && !f.submodule).reduce((n, f) => n + countAdded(f), 0);
    const unreviewed: UnreviewedRange[] = filtered.clipped.map((c) => ({
      file: c.file,
      startLine: c.fromLine,
      endLine: -1,
      reason: `file clipped after ${config.maxLinesPerFile} changed lines (${c.lines} more not reviewed)`,
    }));
    for (const c of filtered.clipped) warn(`${c.file}: only the first ${config.maxLinesPerFile} changed lines were reviewed; ${c.lines} more were not`);

    // Rules read the whole of every reviewable file, clipped or not: a secret at line 5,000 still counts.
    const ruleFindings = runRules(diff.files.filter((f) => reviewable.has(f.path)), config.rules);
    emit({ type: 'findings', source: 'rules', findings: ruleFindings });
    await history?.put({ ...record, status: 'analyzing' }).catch(() => undefined);

    let modelError: ModelErrorInfo | undefined = req.provider ? undefined : req.rulesOnlyReason;
    let chunks: Chunk[] = [];
    const outcomes: ChunkOutcome[] = [];
    const stats = { llmCalls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
    let sawCost = false;

    if (req.provider && filtered.files.length > 0) {
      const provider = req.provider;
      let contextTokens = 0;
      try {
        const prep = await provider.prepare(req.signal);
        contextTokens = prep.contextTokens;
        prep.warnings.forEach(warn);
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        modelError = err.info();
      }
      if (!modelError) {
        chunks = packChunks(filtered.files, { budgetTokens: chunkBudget(contextTokens, config.instructions), overlapLines: 3 });
        emit({ type: 'started', executionId, target: diff.target, files: filtered.files.length, changedLines, chunks: chunks.length });
        const rulesConfig = JSON.stringify(config.rules);
        const prompts = chunks.map((c) => buildPrompt(c, { redact: provider.isCloud, customInstructions: config.instructions }));
        const promptWarnings = new Set(prompts.flatMap((p) => p.warnings));
        promptWarnings.forEach(warn);
        const redactions = prompts.reduce((n, p) => n + p.redactions, 0);
        if (redactions > 0) warn(`${redactions} secret(s) were redacted from the prompt before it left this machine`);
        const keys = chunks.map((c) =>
          cacheKey({ chunkText: c.text, provider: provider.name, model: provider.model, promptVersion: PROMPT_VERSION, rulesConfig, instructions: config.instructions }),
        );
        const useCache = config.cache && req.cache ? req.cache : null;
        const cached = await Promise.all(keys.map((k) => (useCache ? useCache.get(k) : Promise.resolve(null))));

        // Limits apply to calls not yet made; cached chunks are free. Chunks are already in risk order.
        const allowed = new Set<number>();
        let calls = 0;
        let tokens = 0;
        for (const c of chunks) {
          if (cached[c.index]) continue;
          const cost = estimateTokens(prompts[c.index].system) + estimateTokens(prompts[c.index].user);
          if (calls + 1 > config.maxCalls || tokens + cost > config.maxTokens) continue;
          calls++;
          tokens += cost;
          allowed.add(c.index);
        }
        let done = 0;
        let stop: ModelErrorInfo | undefined;
        const results = await mapPool(chunks, provider.concurrency, async (chunk): Promise<ChunkOutcome> => {
          const fromCache = cached[chunk.index];
          let parsed: ParsedOutput;
          let wasCached = false;
          if (fromCache) {
            parsed = fromCache.parsed;
            wasCached = true;
            stats.cacheHits++;
          } else if (!allowed.has(chunk.index)) {
            return { findings: [], summary: '', reviewed: false, cached: false, reason: `review limit reached (max ${config.maxCalls} calls / ${config.maxTokens} tokens)` };
          } else if (stop) {
            return { findings: [], summary: '', reviewed: false, cached: false, reason: stop.message };
          } else {
            if (req.signal?.aborted) throw req.signal.reason ?? new Error('cancelled');
            const prompt = prompts[chunk.index];
            const promptTokens = estimateTokens(prompt.system) + estimateTokens(prompt.user);
            try {
              stats.llmCalls++;
              const reply = await provider.complete({ system: prompt.system, user: prompt.user, promptTokens, signal: req.signal, timeoutMs: config.timeoutSeconds * 1000 });
              stats.promptTokens += reply.promptTokens;
              stats.completionTokens += reply.completionTokens;
              if (reply.costUsd !== undefined) {
                stats.costUsd += reply.costUsd;
                sawCost = true;
              }
              reply.warnings.forEach(warn);
              parsed = parseModelOutput(reply.text);
              if (!parsed.unusable && !parsed.truncated) {
                await useCache?.set(keys[chunk.index], { parsed, promptTokens: reply.promptTokens, completionTokens: reply.completionTokens });
              }
            } catch (err) {
              if (!(err instanceof ProviderError)) throw err;
              if (err.setup) stop ??= err.info();
              warn(`chunk ${chunk.index + 1}/${chunks.length}: ${err.message}`);
              return { findings: [], summary: '', reviewed: false, cached: false, reason: err.message };
            } finally {
              emit({ type: 'progress', done: ++done, total: chunks.length });
            }
          }
          parsed.warnings.forEach((w) => warn(`chunk ${chunk.index + 1}: ${w}`));
          if (parsed.unusable) return { findings: [], summary: '', reviewed: false, cached: wasCached, reason: 'the model answer could not be read' };
          const anchored = anchorFindings(chunk, parsed.findings);
          anchored.warnings.forEach((w) => warn(`chunk ${chunk.index + 1}: ${w}`));
          emit({ type: 'findings', source: 'llm', chunk: chunk.index, cached: wasCached, findings: anchored.findings });
          return { findings: anchored.findings, summary: parsed.summary, reviewed: true, cached: wasCached };
        });
        outcomes.push(...results);
        if (stop) modelError = stop;
        else if (results.length > 0 && results.every((r) => !r.reviewed)) {
          modelError = { kind: 'other', message: results[0].reason ?? 'no chunk could be reviewed', fix: 'See the warnings above.' };
        }
      }
    }

    // Coverage: which added lines a model actually reviewed, and which it did not and why.
    let reviewedLines = 0;
    chunks.forEach((chunk, i) => {
      const outcome = outcomes[i];
      for (const [file, lines] of ownedLines(chunk)) {
        if (outcome?.reviewed) reviewedLines += lines.length;
        else for (const [s, e] of toRanges(lines)) unreviewed.push({ file, startLine: s, endLine: e, reason: outcome?.reason ?? modelError?.message ?? 'not reviewed' });
      }
    });
    const rulesOnly = !req.provider || modelError !== undefined && reviewedLines === 0;
    if (rulesOnly && chunks.length === 0) {
      for (const f of filtered.files) unreviewed.push({ file: f.path, startLine: 1, endLine: -1, reason: modelError?.message ?? 'rules-only review' });
    }

    const llmFindings = outcomes.flatMap((o) => o.findings);
    const findings = sortFindings(applySeverityOverrides(mergeDuplicates([...ruleFindings, ...llmFindings]), config.severityOverrides));
    const score = riskScore(findings, changedLines, config.risk);
    const summary = rulesOnly
      ? `Rules-only review: ${ruleFindings.length} finding(s) from the built-in checks. The model did not review this change${modelError ? ` (${modelError.message})` : ''}.`
      : outcomes.map((o) => o.summary).filter(Boolean).join('\n\n');
    const completedAt = new Date();
    const result: ReviewResult = {
      schemaVersion: 1,
      executionId,
      repo: root,
      target: diff.target,
      provider: providerName,
      model,
      summary,
      riskScore: score,
      decision: decide(score, config.risk),
      rulesOnly,
      findings,
      coverage: { changedLines, reviewedLines, skippedFiles: filtered.skipped, unreviewed, llm: !rulesOnly },
      stats: {
        filesReviewed: filtered.files.length,
        chunks: chunks.length,
        llmCalls: stats.llmCalls,
        cacheHits: stats.cacheHits,
        promptTokens: stats.promptTokens,
        completionTokens: stats.completionTokens,
        durationMs: completedAt.getTime() - startedAt.getTime(),
        ...(sawCost ? { costUsd: Math.round(stats.costUsd * 10000) / 10000 } : {}),
      },
      warnings,
      ...(modelError ? { modelError } : {}),
      startedAt: startedAt.toISOString(),
      completedAt: completedAt.toISOString(),
    };
    await history
      ?.put({ ...record, status: 'completed', rulesOnly, riskScore: result.riskScore, decision: result.decision, findings, summary })
      .catch(() => undefined);
    return result;
  } catch (err) {
    await history?.put({ ...record, status: 'failed', error: err instanceof Error ? err.message : String(err) }).catch(() => undefined);
    throw err;
  }
}

export function applySeverityOverrides(findings: Finding[], overrides: Record<string, Finding['severity']>): Finding[] {
  if (Object.keys(overrides).length === 0) return findings;
  return findings.map((f) => {
    const s = (f.rule && overrides[f.rule]) || overrides[f.category];
    return s ? { ...f, severity: s } : f;
  });
}
