import { randomUUID } from 'node:crypto';
import type { ReviewCache } from './cache.js';
import type { PullmintConfig } from './config/schema.js';
import { collectDiff, rangeCommits, type TargetSpec } from './git/diff.js';
import { memoKey, readMemo, writeMemo, type MemoizedReview } from './review-memo.js';
import { fileFilter, type FileVerdict, type FilterResult } from './diff/filters.js';
import { countChanged, type FileDiff } from './diff/model.js';
import { mergeDuplicates, sortFindings } from './findings.js';
import { HistoryStore, type ExecutionRecord } from './history.js';
import type { ModelPhaseResult } from './model-phase.js';
import { countOwned, ownedLines, ownedRemovedLines, packFile, toRanges, type Chunk } from './pack/chunker.js';
import { ProviderError, type ReviewProvider } from './providers/types.js';
import { decide, riskScore } from './risk.js';
import { applyDismissals, type ActiveDismissal } from './dismissals/apply.js';
import { REVIEW_CONFIG_RULE, reviewConfigChange, teamDismissalsChange } from './rules/configChange.js';
import { runRules } from './rules/index.js';
import { iacRuleKind } from './rules/iac.js';
import type { PlanReview } from './iac/plan.js';
import type { Finding, IacFile, ModelErrorInfo, ReviewResult, ReviewTarget, UnreviewedRange } from './types.js';

export type ReviewEvent =
  | { type: 'started'; executionId: string; target: ReviewTarget; files: number; changedLines: number; chunks: number }
  /**
   * Findings as they come: the rules' at once, then each model finding as soon as the streamed answer
   * completes it (`streamed`), then at the end of each chunk those not given yet. The result's
   * findings are the final list: a streamed finding of a chunk whose answer was not usable is not in it.
   */
  | { type: 'findings'; source: 'rules' | 'llm'; chunk?: number; cached?: boolean; streamed?: boolean; findings: Finding[] }
  | { type: 'progress'; done: number; total: number; file?: string };

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
  /** What to call the target in reports and history, e.g. "PR #5" for a PR's range. */
  label?: string;
  warnings?: string[];
  /** The settings came from the target's base commit: a change to them in the target is itself a finding. */
  configFromBase?: boolean;
  /** Findings people dismissed, by fingerprint: reported apart, out of the score. */
  dismissals?: ReadonlyMap<string, ActiveDismissal>;
  onEvent?: (event: ReviewEvent) => void;
  /** A Terraform plan reviewed with the diff: its findings and counts join this result. */
  terraformPlan?: PlanReview;
}

/** Skips that a file's own name, folder or content decides, which a change adding it controls. */
/** How long per-file work may hold the reader each time it finds git's output drained. */
const SLACK_WORK_MS = 1;

const SELF_DECLARED_SKIP = /^(?:generated(?: \(header marker\))?|vendored|minified(?: or source map| \(long dense lines\)))$/;

export async function runReview(req: ReviewRequest): Promise<ReviewResult> {
  const startedAt = new Date();
  const { config } = req;
  const emit = req.onEvent ?? (() => undefined);
  const warnings: string[] = [...(req.warnings ?? [])];
  const warn = (message: string): void => void warnings.push(message);
  const executionId = randomUUID();
  const providerName = req.provider?.name ?? 'rules';
  const model = req.provider?.model ?? '';

  // The provider's window is asked for while git works, so that files can be packed while git is slower.
  let contextTokens: number | undefined;
  let budget: number | undefined;
  // The model's side (prompts, answer parsing and its schemas) is read only for a review that has a model.
  const modelPhase = req.provider ? import('./model-phase.js') : null;
  const preparing = req.provider
    ? req.provider.prepare(req.signal).then(
        async (prep) => {
          const { chunkBudget } = await modelPhase!;
          contextTokens = prep.contextTokens;
          budget = chunkBudget(prep.contextTokens, config.instructions);
          return { ok: true as const, prep };
        },
        (error: unknown) => ({ ok: false as const, error }),
      )
    : null;

  // The same review of the same commits, done before and complete: used as it was, without the diff.
  const memo = await memoLookup(req, preparing);
  if (memo?.hit) {
    memo.prepWarnings.forEach(warn);
    return replayMemo(req, memo.hit, { startedAt, executionId, warnings });
  }

  // Per-file work waits for slack: when a read finds git's output drained (this process is ahead of
  // git), each file parsed so far has its rules run and its pieces packed, for a little while each
  // time; work done between every read slowed the reading, and so git. What is left is done once the
  // diff is complete.
  const verdictOf = fileFilter({ ignoreGlobs: config.ignore, maxLinesPerFile: config.maxLinesPerFile });
  const filtered: FilterResult = { files: [], skipped: [], clipped: [] };
  const readFiles: FileDiff[] = [];
  const iacFiles: IacFile[] = [];
  const selfDeclared: { file: string; reason: string }[] = [];
  // The verdict made before attributes are known (the base's linguist-generated and -vendored come
  // later, and can only turn "review" into "skip").
  const early = new Map<FileDiff, FileVerdict>();
  const rulesDone = new Map<FileDiff, Finding[]>();
  const rulesOf = (file: FileDiff): Finding[] => (!file.binary && !file.submodule ? runRules([file], config.rules) : []);
  const waiting: { file: FileDiff; verdict: FileVerdict }[] = [];
  const prepacked = new Map<string, Chunk[]>();
  const onSlack = (): void => {
    const until = performance.now() + SLACK_WORK_MS;
    while (waiting.length > 0 && performance.now() < until) {
      const { file, verdict } = waiting.shift()!;
      rulesDone.set(file, rulesOf(file));
      // Pieces packed now stand if the verdict stays "review".
      if (verdict.kind === 'review' && req.provider && budget !== undefined)
        prepacked.set(file.path, packFile(verdict.file, { budgetTokens: budget, overlapLines: 3 }));
    }
  };
  const onParsed = (file: FileDiff): void => {
    const verdict = verdictOf(file);
    early.set(file, verdict);
    waiting.push({ file, verdict });
  };
  const onFile = (file: FileDiff): void => {
    const pre = early.get(file);
    early.delete(file);
    // Most files have no attributes: the verdict is the one already made.
    const v = pre && !file.attributes ? pre : verdictOf(file);
    const iacKind = file.binary || file.submodule ? null : iacRuleKind(file);
    if (iacKind && iacKind !== 'compose') iacFiles.push({ file: file.path, kind: iacKind });
    if (v.kind === 'skip') filtered.skipped.push(v.skipped);
    if (v.kind === 'skip' && req.configFromBase && file.status === 'added' && SELF_DECLARED_SKIP.test(v.skipped.reason))
      selfDeclared.push(v.skipped);
    // Rules read every text file, clipped or skipped by policy: a secret in a "generated" or ignored
    // file, or at line 5,000, still counts. Only what git could not show as text escapes them.
    if (v.kind === 'review' || (v.kind === 'skip' && !file.binary && !file.submodule)) readFiles.push(file);
    if (v.kind !== 'review') {
      prepacked.delete(file.path);
      return;
    }
    filtered.files.push(v.file);
    if (v.clipped) filtered.clipped.push(v.clipped);
  };
  const diff = await collectDiff(req.repoDir, req.target, {
    contextLines: config.contextLines,
    paths: req.paths,
    onParsed,
    onFile,
    onSlack,
  });
  if (req.label) diff.target.label = req.label;
  // In the files' order, whenever their rules ran.
  const ruleFindings = readFiles.flatMap((f) => rulesDone.get(f) ?? rulesOf(f));
  const root = diff.root;
  const history = req.stateDir ? new HistoryStore(req.stateDir, root, { onWarning: warn }) : null;
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

  try {
    for (const w of diff.warnings) warn(w);
    const configChange = req.configFromBase ? reviewConfigChange(diff.files) : null;
    if (configChange) ruleFindings.push(configChange);
    const dismissalsChange = req.configFromBase ? teamDismissalsChange(diff.files) : null;
    if (dismissalsChange) ruleFindings.push(dismissalsChange);
    // Removed lines count as changed: a deletion (an auth check, a whole file) is reviewed like an addition.
    const changedLines = diff.files.filter((f) => !f.binary && !f.submodule).reduce((n, f) => n + countChanged(f), 0);
    if (req.terraformPlan) ruleFindings.push(...req.terraformPlan.findings);
    const unreviewed: UnreviewedRange[] = filtered.clipped.map((c) => ({
      file: c.file,
      startLine: c.fromLine,
      endLine: -1,
      reason: `file clipped after ${config.maxLinesPerFile} changed lines (${c.lines} more not reviewed)`,
    }));
    // A file the change creates is skipped on its own word (a header, its shape, its folder): it stays
    // listed as not reviewed, so that no verdict approves what the model never read.
    for (const d of selfDeclared)
      unreviewed.push({
        file: d.file,
        startLine: 1,
        endLine: -1,
        reason: `${d.reason}, in a file this change adds: not taken on its own word (mark it linguist-generated or ignore it in the base to accept that)`,
      });
    for (const c of filtered.clipped)
      warn(`${c.file}: only the first ${config.maxLinesPerFile} changed lines were reviewed; ${c.lines} more were not`);
    emit({ type: 'findings', source: 'rules', findings: ruleFindings });
    // A running record while the model works (history shows it, a crash leaves it marked interrupted);
    // a review without a model is written once, when done.
    if (req.provider) await history?.put({ ...record, status: 'analyzing' }).catch(() => undefined);

    let modelError: ModelErrorInfo | undefined = req.provider ? undefined : req.rulesOnlyReason;
    let phase: ModelPhaseResult | null = null;
    // Awaited even when nothing is reviewable: a model that cannot be used is said on every run.
    if (req.provider && preparing) {
      const prepared = await preparing;
      if (prepared.ok) prepared.prep.warnings.forEach(warn);
      else if (prepared.error instanceof ProviderError) modelError = prepared.error.info();
      else throw prepared.error;
    }
    if (req.provider && filtered.files.length > 0 && contextTokens !== undefined && !modelError) {
      const { runModelPhase } = await modelPhase!;
      phase = await runModelPhase(
        {
          files: filtered.files,
          prepacked,
          provider: req.provider,
          config,
          cache: req.cache ?? null,
          signal: req.signal,
          warn,
          onPlanned: (chunks) =>
            emit({ type: 'started', executionId, target: diff.target, files: filtered.files.length, changedLines, chunks }),
          onProgress: (done, total, file) => emit({ type: 'progress', done, total, ...(file ? { file } : {}) }),
          onChunk: (o, index, fresh) => emit({ type: 'findings', source: 'llm', chunk: index, cached: o.cached, findings: fresh }),
          onFinding: (f, index) => emit({ type: 'findings', source: 'llm', chunk: index, streamed: true, findings: [f] }),
        },
        contextTokens,
      );
      modelError = phase.modelError;
    }
    const outcomes = phase?.outcomes ?? [];

    // Coverage: which changed lines (added, and removed by their old numbers) a model actually reviewed, and which it did not and why.
    let reviewedLines = 0;
    for (const outcome of outcomes) {
      unreviewed.push(...outcome.unreviewed);
      if (outcome.reviewed) {
        reviewedLines += countOwned(outcome.chunk);
        continue;
      }
      for (const removed of [false, true]) {
        for (const [file, lines] of (removed ? ownedRemovedLines : ownedLines)(outcome.chunk)) {
          if (outcome.reviewed) reviewedLines += lines.length;
          else
            for (const [s, e] of toRanges(lines))
              unreviewed.push({
                file,
                startLine: s,
                endLine: e,
                reason: outcome.reason ?? modelError?.message ?? 'not reviewed',
                ...(removed ? { removed } : {}),
              });
        }
      }
    }
    const rulesOnly = !req.provider || (modelError !== undefined && reviewedLines === 0);
    if (rulesOnly && outcomes.length === 0) {
      for (const f of filtered.files)
        unreviewed.push({ file: f.path, startLine: 1, endLine: -1, reason: modelError?.message ?? 'rules-only review' });
    }

    // Nothing reviewable (only lockfiles, say) is vacuously complete, with or without a model.
    const complete = unreviewed.length === 0 && (!rulesOnly || filtered.files.length === 0);
    const llmFindings = outcomes.flatMap((o) => o.findings);
    const allFindings = applySeverityOverrides(mergeDuplicates([...ruleFindings, ...llmFindings]), config.severityOverrides);
    const { kept, dismissed } = applyDismissals(allFindings, req.dismissals ?? new Map());
    const findings = sortFindings(kept);
    const score = riskScore(findings, changedLines, config.risk);
    const reviewSummary = rulesOnly
      ? `Rules-only review: ${ruleFindings.length} finding(s) from the built-in checks. The model did not review this change${modelError ? ` (${modelError.message})` : ''}.`
      : [...new Set(outcomes.map((o) => o.summary).filter(Boolean))].join('\n\n');
    const summary = req.terraformPlan ? [req.terraformPlan.summary, reviewSummary].filter(Boolean).join('\n\n') : reviewSummary;
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
      decision: decide(score, config.risk, { findings, complete }),
      rulesOnly,
      findings,
      ...(dismissed.length > 0 ? { dismissed: sortFindings(dismissed) } : {}),
      files: readFiles.map((f) => f.path),
      coverage: { changedLines, reviewedLines, skippedFiles: filtered.skipped, unreviewed, complete },
      stats: {
        filesReviewed: filtered.files.length,
        chunks: outcomes.length,
        llmCalls: phase?.llmCalls ?? 0,
        cacheHits: phase?.cacheHits ?? 0,
        promptTokens: phase?.promptTokens ?? 0,
        completionTokens: phase?.completionTokens ?? 0,
        durationMs: completedAt.getTime() - startedAt.getTime(),
        ...(phase?.costUsd !== undefined ? { costUsd: phase.costUsd } : {}),
      },
      warnings,
      ...(modelError ? { modelError } : {}),
      startedAt: startedAt.toISOString(),
      completedAt: completedAt.toISOString(),
      ...(iacFiles.length > 0 || req.terraformPlan
        ? { iac: { files: iacFiles, ...(req.terraformPlan ? { plan: req.terraformPlan.info } : {}) } }
        : {}),
    };
    await history
      ?.put({ ...record, status: 'completed', rulesOnly, riskScore: result.riskScore, decision: result.decision, result })
      .catch(() => undefined);
    if (memo && result.coverage.complete && !result.rulesOnly && !modelError && req.cache)
      await writeMemo(
        req.cache,
        memo.key,
        { ...result, findings: sortFindings(allFindings), dismissed: undefined },
        warnings.slice(req.warnings?.length ?? 0),
      );
    if (config.cache && req.cache) await req.cache.maybePrune();
    return result;
  } catch (err) {
    await history?.put({ ...record, status: 'failed', error: err instanceof Error ? err.message : String(err) }).catch(() => undefined);
    throw err;
  }
}

export function applySeverityOverrides(findings: Finding[], overrides: Record<string, Finding['severity']>): Finding[] {
  if (Object.keys(overrides).length === 0) return findings;
  return findings.map((f) => {
    // A change to the review policy is judged by a human whatever the policy says about severities.
    if (f.rule === REVIEW_CONFIG_RULE) return f;
    const s = (f.rule && overrides[f.rule]) || overrides[f.category];
    return s ? { ...f, severity: s } : f;
  });
}

type Preparing = Promise<{ ok: true; prep: { contextTokens: number; warnings: string[] } } | { ok: false; error: unknown }> | null;

/**
 * Where a review of fixed commits may be kept, and what was kept there: only for ranges (the
 * commits fix what is read), with the cache on and a model that answered `prepare`.
 */
async function memoLookup(
  req: ReviewRequest,
  preparing: Preparing,
): Promise<{ key: string; hit: MemoizedReview | null; prepWarnings: string[] } | null> {
  const { cache, provider, target } = req;
  if (!cache || !req.config.cache || !provider || !preparing || target.kind !== 'range' || req.paths?.length || req.terraformPlan)
    return null;
  const [ends, prepared] = await Promise.all([rangeCommits(req.repoDir, target.range).catch(() => null), preparing]);
  if (!ends || !prepared.ok) return null;
  const key = memoKey({
    ...ends,
    config: req.config,
    provider: provider.name,
    model: provider.model,
    isCloud: provider.isCloud,
    contextTokens: prepared.prep.contextTokens,
    configFromBase: req.configFromBase ?? false,
  });
  return { key, hit: await readMemo(cache, key), prepWarnings: prepared.prep.warnings };
}

/** A kept review as this run's result: dismissals, score and decision made afresh, no model call. */
async function replayMemo(
  req: ReviewRequest,
  memo: MemoizedReview,
  run: { startedAt: Date; executionId: string; warnings: string[] },
): Promise<ReviewResult> {
  const { config } = req;
  const emit = req.onEvent ?? (() => undefined);
  const kept = memo.result;
  const target = { ...kept.target, label: req.label ?? (req.target.kind === 'range' ? req.target.range : kept.target.label) };
  const { kept: findings, dismissed } = applyDismissals(kept.findings, req.dismissals ?? new Map());
  const sorted = sortFindings(findings);
  const score = riskScore(sorted, kept.coverage.changedLines, config.risk);
  emit({
    type: 'started',
    executionId: run.executionId,
    target,
    files: kept.stats.filesReviewed,
    changedLines: kept.coverage.changedLines,
    chunks: kept.stats.chunks,
  });
  emit({ type: 'findings', source: 'rules', findings: sorted.filter((f) => f.origin === 'rule') });
  emit({ type: 'findings', source: 'llm', cached: true, findings: sorted.filter((f) => f.origin !== 'rule') });
  const completedAt = new Date();
  const { costUsd: _cost, ...stats } = kept.stats;
  const result: ReviewResult = {
    ...kept,
    executionId: run.executionId,
    target,
    riskScore: score,
    decision: decide(score, config.risk, { findings: sorted, complete: kept.coverage.complete }),
    findings: sorted,
    ...(dismissed.length > 0 ? { dismissed: sortFindings(dismissed) } : {}),
    stats: {
      ...stats,
      llmCalls: 0,
      cacheHits: kept.stats.chunks,
      promptTokens: 0,
      completionTokens: 0,
      durationMs: completedAt.getTime() - run.startedAt.getTime(),
    },
    warnings: [...run.warnings, ...memo.warnings],
    startedAt: run.startedAt.toISOString(),
    completedAt: completedAt.toISOString(),
  };
  if (dismissed.length === 0) delete result.dismissed;
  const history = req.stateDir ? new HistoryStore(req.stateDir, kept.repo, { onWarning: (m) => result.warnings.push(m) }) : null;
  await history
    ?.put({
      executionId: run.executionId,
      repo: kept.repo,
      target,
      status: 'completed',
      provider: result.provider,
      model: result.model,
      createdAt: result.startedAt,
      updatedAt: result.completedAt,
      rulesOnly: result.rulesOnly,
      riskScore: result.riskScore,
      decision: result.decision,
      result,
    })
    .catch(() => undefined);
  return result;
}
