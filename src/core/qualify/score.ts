import { severityRank } from '../findings.js';
import type { Finding, Severity } from '../types.js';
import type { ExpectedDefect } from './cases.js';

/**
 * How one answer of the model read: `valid` parsed as is, `repaired` only after repair (jsonrepair)
 * or cut off, `unusable` nothing could be read. A call that failed (timeout, server error) brought
 * no answer and counts as unusable too: a gate gets nothing from it either.
 */
export type AnswerValidity = 'valid' | 'repaired' | 'unusable';

export type Verdict = 'fit to gate' | 'use with a human' | 'not fit';

/** What was measured of one model call. */
export interface CallMeasure {
  validity: AnswerValidity;
  /** The answer was cut off, or the model's window cut the prompt. */
  truncated: boolean;
  ms: number;
  completionTokens: number;
  /** Why the call brought no answer. */
  error?: string;
}

export interface FindingBrief {
  file: string;
  line: number;
  severity: Severity;
  title: string;
}

export interface CaseOutcome {
  id: string;
  description: string;
  language: string;
  source: string;
  kind: 'defect' | 'clean';
  expected?: { file: string; line: number; minSeverity: Severity };
  /** The worst validity of the case's answers; `no-answer` when no call was made or all failed. */
  validity: AnswerValidity | 'no-answer';
  answers: { valid: number; repaired: number; unusable: number };
  /** Defect cases: a model finding within ±1 line at or above minSeverity. */
  found?: boolean;
  /** The model finding that counted, or the nearest one in the file that did not (wrong severity or line). */
  match?: FindingBrief;
  /** Clean cases: model findings of high severity or above. */
  falsePositives?: FindingBrief[];
  /** Model findings in all. */
  modelFindings: number;
  truncated: boolean;
  /** The model read every changed line (the review would not be `incomplete`). */
  complete: boolean;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  /** Completion tokens per second of model calls; null when none returned. */
  tokensPerSecond: number | null;
  error?: string;
  warnings: string[];
}

export interface QualifyMetrics {
  cases: number;
  answers: number;
  validity: { valid: number; repaired: number; unusable: number; rate: number; asIsRate: number };
  recall: { found: number; planted: number; rate: number };
  falsePositives: { flagged: number; clean: number; rate: number };
  truncated: number;
  incomplete: number;
  tokensPerSecond: number | null;
  latencyMs: { median: number; max: number; total: number };
}

/** Severity at or above which a finding on a clean change is a false positive. */
export const FALSE_POSITIVE_SEVERITY: Severity = 'high';

/**
 * The bar for each verdict. "fit to gate": nearly every answer readable, 80 % of planted defects
 * found, at most one clean change in ten flagged high, and nothing cut off or left unread — a gate
 * treats an incomplete review as no approval, so a model that truncates would block every push.
 * "use with a human": most answers readable and half the defects found, with noise a person can
 * wave away. Anything below is "not fit".
 */
export const THRESHOLDS = {
  fitToGate: { validity: 0.95, recall: 0.8, falsePositiveRate: 0.1, truncated: 0, incomplete: 0 },
  withHuman: { validity: 0.8, recall: 0.5, falsePositiveRate: 0.5 },
} as const;

export function atLeast(s: Severity, min: Severity): boolean {
  return severityRank(s) <= severityRank(min);
}

const brief = (f: Finding): FindingBrief => ({ file: f.file, line: f.line, severity: f.severity, title: f.title });

/** Does a finding cover the planted line, within one line either side? */
function nearLine(f: Finding, line: number): boolean {
  const end = f.endLine ?? f.line;
  return line >= f.line - 1 && line <= end + 1;
}

/** Recall and false positives of one case, from the model's own findings (rule findings never count). */
export function judgeFindings(
  expect: ExpectedDefect | null,
  modelFindings: Finding[],
): Pick<CaseOutcome, 'found' | 'match' | 'falsePositives'> {
  const mine = modelFindings.filter((f) => f.origin === 'llm');
  if (!expect) {
    const fps = mine.filter((f) => atLeast(f.severity, FALSE_POSITIVE_SEVERITY)).map(brief);
    return { falsePositives: fps };
  }
  const inFile = mine.filter((f) => f.file === expect.file);
  const hit = inFile.find((f) => nearLine(f, expect.line) && atLeast(f.severity, expect.minSeverity));
  if (hit) return { found: true, match: brief(hit) };
  const near = inFile.sort((a, b) => Math.abs(a.line - expect.line) - Math.abs(b.line - expect.line))[0];
  return { found: false, ...(near ? { match: brief(near) } : {}) };
}

/** The case's validity: its worst answer. */
export function caseValidity(calls: CallMeasure[]): CaseOutcome['validity'] {
  if (calls.length === 0) return 'no-answer';
  if (calls.every((c) => c.error)) return 'no-answer';
  if (calls.some((c) => c.validity === 'unusable')) return 'unusable';
  if (calls.some((c) => c.validity === 'repaired')) return 'repaired';
  return 'valid';
}

export function tokensPerSecond(calls: CallMeasure[]): number | null {
  const answered = calls.filter((c) => !c.error);
  const ms = answered.reduce((n, c) => n + c.ms, 0);
  const tokens = answered.reduce((n, c) => n + c.completionTokens, 0);
  if (answered.length === 0 || ms <= 0) return null;
  return Math.round((tokens / (ms / 1000)) * 10) / 10;
}

const ratio = (n: number, d: number): number => (d === 0 ? 0 : Math.round((n / d) * 1000) / 1000);

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : Math.round((s[m - 1] + s[m]) / 2);
}

export function summarize(outcomes: CaseOutcome[], calls: CallMeasure[]): QualifyMetrics {
  const count = (v: AnswerValidity): number => calls.filter((c) => c.validity === v).length;
  const valid = count('valid');
  const repaired = count('repaired');
  const unusable = count('unusable');
  const planted = outcomes.filter((o) => o.kind === 'defect');
  const clean = outcomes.filter((o) => o.kind === 'clean');
  const flagged = clean.filter((o) => (o.falsePositives?.length ?? 0) > 0).length;
  const latencies = outcomes.map((o) => o.latencyMs);
  return {
    cases: outcomes.length,
    answers: calls.length,
    validity: { valid, repaired, unusable, rate: ratio(valid + repaired, calls.length), asIsRate: ratio(valid, calls.length) },
    recall: {
      found: planted.filter((o) => o.found).length,
      planted: planted.length,
      rate: ratio(planted.filter((o) => o.found).length, planted.length),
    },
    falsePositives: { flagged, clean: clean.length, rate: ratio(flagged, clean.length) },
    truncated: outcomes.filter((o) => o.truncated).length,
    incomplete: outcomes.filter((o) => !o.complete).length,
    tokensPerSecond: tokensPerSecond(calls),
    latencyMs: { median: median(latencies), max: Math.max(0, ...latencies), total: latencies.reduce((a, b) => a + b, 0) },
  };
}

const pct = (r: number): string => `${Math.round(r * 100)}%`;

/** The verdict and its reason: every bar the model missed, or what it met. */
export function verdictOf(m: QualifyMetrics): { verdict: Verdict; reason: string } {
  const h = THRESHOLDS.withHuman;
  const g = THRESHOLDS.fitToGate;
  const validity = `valid answers ${pct(m.validity.rate)}`;
  const recall = `recall ${pct(m.recall.rate)} (${m.recall.found} of ${m.recall.planted} planted defects)`;
  const fp = `false positives ${pct(m.falsePositives.rate)} (${m.falsePositives.flagged} of ${m.falsePositives.clean} clean changes flagged ${FALSE_POSITIVE_SEVERITY} or above)`;
  const human: string[] = [];
  if (m.validity.rate < h.validity) human.push(`${validity}, below ${pct(h.validity)}`);
  if (m.recall.rate < h.recall) human.push(`${recall}, below ${pct(h.recall)}`);
  if (m.falsePositives.rate > h.falsePositiveRate) human.push(`${fp}, above ${pct(h.falsePositiveRate)}`);
  if (human.length > 0) return { verdict: 'not fit', reason: human.join('; ') };
  const gate: string[] = [];
  if (m.validity.rate < g.validity) gate.push(`${validity}, below ${pct(g.validity)}`);
  if (m.recall.rate < g.recall) gate.push(`${recall}, below ${pct(g.recall)}`);
  if (m.falsePositives.rate > g.falsePositiveRate) gate.push(`${fp}, above ${pct(g.falsePositiveRate)}`);
  if (m.truncated > g.truncated) gate.push(`${m.truncated} case(s) with a cut-off answer or prompt`);
  if (m.incomplete > g.incomplete) gate.push(`${m.incomplete} case(s) the model did not review completely`);
  if (gate.length > 0) return { verdict: 'use with a human', reason: `not fit to gate: ${gate.join('; ')}` };
  return { verdict: 'fit to gate', reason: `${validity}, ${recall}, ${fp}; nothing cut off or left unread` };
}
