import type { ConfigLayer } from '../core/config/load.js';
import { scratchRepo, type ScratchRepo } from '../core/git/scratch.js';
import { defaultStateDir } from '../core/history.js';
import { parseModelOutput } from '../core/output/parse.js';
import { estimateTokens } from '../core/pack/tokens.js';
import { ProviderError, type ReviewProvider } from '../core/providers/types.js';
import { CaseError, type QualifyCase } from '../core/qualify/cases.js';
import {
  caseValidity,
  judgeFindings,
  summarize,
  tokensPerSecond,
  verdictOf,
  type CallMeasure,
  type CaseOutcome,
} from '../core/qualify/score.js';
import { saveQualification, type QualifyReport } from '../core/qualify/store.js';
import type { SecretStore } from '../core/secrets.js';
import type { Finding, ModelErrorInfo } from '../core/types.js';
import { VERSION } from '../core/version.js';
import { ReviewSession } from './session.js';

export interface QualifyOptions {
  env: NodeJS.ProcessEnv;
  secrets: SecretStore;
  /** The top config layer (flags, the editor's settings): which provider and model to qualify. */
  overrides?: ConfigLayer;
  userConfigFile?: string;
  cases: QualifyCase[];
  /** Where results are stored per model; the state directory by default. */
  stateDir?: string;
  /** false: measure only, keep nothing. */
  store?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; outcome: CaseOutcome }) => void;
  onWarning?: (message: string) => void;
}

/** The model could not be asked at all (unreachable, missing, no key): no verdict about it, nothing stored. */
export class ModelUnavailableError extends Error {
  constructor(readonly info: ModelErrorInfo) {
    super(info.message);
    this.name = 'ModelUnavailableError';
  }
}

const SETUP_KINDS = new Set<ModelErrorInfo['kind']>(['unreachable', 'model-missing', 'auth']);

/** The provider as the pipeline uses it, with each answer timed and read the way the pipeline reads it. */
function measured(inner: ReviewProvider, calls: CallMeasure[]): ReviewProvider {
  return {
    name: inner.name,
    model: inner.model,
    isCloud: inner.isCloud,
    concurrency: inner.concurrency,
    prepare: (signal) => inner.prepare(signal),
    async complete(req) {
      const started = performance.now();
      try {
        const reply = await inner.complete(req);
        const parsed = parseModelOutput(reply.text);
        calls.push({
          validity: parsed.unusable ? 'unusable' : parsed.repaired || parsed.truncated ? 'repaired' : 'valid',
          truncated: parsed.truncated || Boolean(reply.truncatedPrompt),
          ms: performance.now() - started,
          // A provider that reports no count is measured by our estimate of its answer.
          completionTokens: reply.completionTokens || estimateTokens(reply.text),
        });
        return reply;
      } catch (err) {
        if (err instanceof ProviderError)
          calls.push({ validity: 'unusable', truncated: false, ms: performance.now() - started, completionTokens: 0, error: err.message });
        throw err;
      }
    },
  };
}

/** Every finding the model made in a review: from the per-chunk events, before rule and model findings merge. */
function modelFindingsOf(events: Finding[], resultFindings: Finding[]): Finding[] {
  const seen = new Set(events.map((f) => f.id));
  return [...events, ...resultFindings.filter((f) => f.origin === 'llm' && !seen.has(f.id))];
}

/**
 * Runs each case through the real review pipeline — a review session on a real repository, the
 * configured rules and provider, no cache and no history — and judges the model by what it answered.
 */
export async function qualifyModel(opts: QualifyOptions): Promise<{ report: QualifyReport; file?: string }> {
  const overrides: ConfigLayer = { source: opts.overrides?.source ?? 'qualify', values: { ...opts.overrides?.values, cache: false } };
  const warnings = new Set<string>();
  const warn = (m: string): void => {
    if (warnings.has(m)) return;
    warnings.add(m);
    opts.onWarning?.(m);
  };
  // Every case is materialised before the model is asked: a bad patch costs no model time.
  const repos: ScratchRepo[] = [];
  try {
    for (const c of opts.cases) {
      try {
        repos.push(await scratchRepo(c));
      } catch (err) {
        throw new CaseError(`case ${c.id} (${c.source}) could not be set up as a repository: ${(err as Error).message}`);
      }
    }
    let provider: ReviewProvider | undefined;
    const allCalls: CallMeasure[] = [];
    const outcomes: CaseOutcome[] = [];
    for (const [i, c] of opts.cases.entries()) {
      const repo = repos[i];
      const session = await ReviewSession.open({
        repoDir: repo.dir,
        env: opts.env,
        secrets: opts.secrets,
        overrides,
        userConfigFile: opts.userConfigFile,
        onWarning: warn,
      });
      session.warnings.forEach(warn);
      try {
        provider ??= await session.reviewProvider();
      } catch (err) {
        if (err instanceof ProviderError) throw new ModelUnavailableError(err.info());
        throw err;
      }
      const calls: CallMeasure[] = [];
      const events: Finding[] = [];
      const result = await session.review({
        target: { kind: 'range', range: `${repo.base}..${repo.head}` },
        label: `qualify ${c.id}`,
        history: false,
        provider: measured(provider, calls),
        signal: opts.signal,
        onEvent: (e) => {
          if (e.type === 'findings' && e.source === 'llm') events.push(...e.findings);
        },
      });
      const answered = calls.filter((k) => !k.error).length;
      if (result.modelError && SETUP_KINDS.has(result.modelError.kind) && answered === 0)
        throw new ModelUnavailableError(result.modelError);
      const modelFindings = modelFindingsOf(events, result.findings);
      const errors = calls.filter((k) => k.error).map((k) => k.error!);
      const outcome: CaseOutcome = {
        id: c.id,
        description: c.description,
        language: c.language,
        source: c.source,
        kind: c.expect ? 'defect' : 'clean',
        ...(c.expect ? { expected: { file: c.expect.file, line: c.expect.line, minSeverity: c.expect.minSeverity } } : {}),
        validity: caseValidity(calls),
        answers: {
          valid: calls.filter((k) => k.validity === 'valid').length,
          repaired: calls.filter((k) => k.validity === 'repaired').length,
          unusable: calls.filter((k) => k.validity === 'unusable').length,
        },
        ...judgeFindings(c.expect, modelFindings),
        modelFindings: modelFindings.length,
        truncated: calls.some((k) => k.truncated),
        complete: result.coverage.complete,
        latencyMs: Math.round(calls.reduce((n, k) => n + k.ms, 0)),
        promptTokens: result.stats.promptTokens,
        completionTokens: calls.reduce((n, k) => n + k.completionTokens, 0),
        tokensPerSecond: tokensPerSecond(calls),
        ...(errors.length > 0 ? { error: errors[errors.length - 1] } : result.modelError ? { error: result.modelError.message } : {}),
        warnings: result.warnings.slice(0, 10),
      };
      outcomes.push(outcome);
      allCalls.push(...calls);
      opts.onProgress?.({ done: i + 1, total: opts.cases.length, outcome });
    }
    const metrics = summarize(outcomes, allCalls);
    const { verdict, reason } = verdictOf(metrics);
    const report: QualifyReport = {
      schemaVersion: 1,
      provider: provider?.name ?? '',
      model: provider?.model ?? '',
      remote: provider?.isCloud ?? false,
      qualifiedAt: new Date().toISOString(),
      pullmintVersion: VERSION,
      suite: {
        builtIn: opts.cases.filter((c) => c.source === 'built-in').length,
        user: opts.cases.filter((c) => c.source !== 'built-in').length,
      },
      verdict,
      reason,
      metrics,
      cases: outcomes,
      warnings: [...warnings],
    };
    if (opts.store === false || !provider) return { report };
    const stateDir = opts.stateDir ?? defaultStateDir(opts.env);
    try {
      return { report, file: await saveQualification(stateDir, report) };
    } catch (err) {
      const message = `the result could not be stored in ${stateDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      report.warnings.push(message);
      opts.onWarning?.(message);
      return { report };
    }
  } finally {
    await Promise.all(repos.map((r) => r.remove().catch(() => undefined)));
  }
}
