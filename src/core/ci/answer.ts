import { z } from 'zod';
import { extractJson, parseLoose, pathCandidates } from '../output/parse.js';

/** A file named in the answer, in the plainest of the forms the review parser would try. */
const normalizePath = (p: string): string => pathCandidates(p).at(-1) ?? p;

/** Version of the CI instructions and answer schema. */
export const CI_PROMPT_VERSION = 'ci-v1';

export const CONFIDENCES = ['high', 'medium', 'low'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export interface CiFileRef {
  file: string;
  line?: number;
  why: string;
}

/** What the model says about a failed run. */
export interface CiExplanation {
  rootCause: string;
  /** Log lines, quoted. */
  evidence: string[];
  /** Steps, in order. */
  fix: string[];
  files: CiFileRef[];
  confidence: Confidence;
}

/** The answer contract, as JSON Schema: Ollama `format`, Anthropic tool `input_schema`, OpenAI `response_format`. */
export const CI_ANSWER_SCHEMA = {
  type: 'object',
  properties: {
    rootCause: { type: 'string', description: 'One or two sentences: why the run failed.' },
    evidence: { type: 'array', items: { type: 'string' }, description: 'The log lines that show it, quoted exactly.' },
    fix: { type: 'array', items: { type: 'string' }, description: 'Steps that fix it, in order.' },
    files: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          file: { type: 'string', description: 'Repository-relative path named in the log.' },
          line: { type: 'integer' },
          why: { type: 'string', description: 'What to change there.' },
        },
        required: ['file', 'why'],
      },
    },
    confidence: { type: 'string', enum: [...CONFIDENCES] },
  },
  required: ['rootCause', 'evidence', 'fix', 'files', 'confidence'],
} as const;

const text = z.union([z.string(), z.number()]).transform((v) => String(v).trim());
const lineNumber = z
  .union([z.number(), z.string().regex(/^\s*\d+/)])
  .transform((v) => (typeof v === 'number' ? Math.trunc(v) : parseInt(v, 10)))
  .refine((n) => n > 0);

/** Lists the model may write as one string, a list of strings or a list of objects. */
function textList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/\r?\n/) : [];
  return items
    .map((v) => {
      if (typeof v === 'string' || typeof v === 'number') return String(v);
      if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        const t = o.line ?? o.text ?? o.step ?? o.description ?? Object.values(o).find((x) => typeof x === 'string');
        return typeof t === 'string' || typeof t === 'number' ? String(t) : '';
      }
      return '';
    })
    .map((s) => s.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trimEnd())
    .filter((s) => s.trim() !== '')
    .map((s) => (s.length > ANSWER_TEXT ? `${s.slice(0, ANSWER_TEXT - 1)}…` : s))
    .slice(0, 30);
}

const ANSWER_TEXT = 2000;
const ANSWER_CHARS = 128 * 1024;

function confidenceOf(value: unknown): Confidence {
  if (typeof value === 'number') return value >= 0.75 ? 'high' : value >= 0.4 ? 'medium' : 'low';
  const s = String(value ?? '')
    .trim()
    .toLowerCase();
  if ((CONFIDENCES as readonly string[]).includes(s)) return s as Confidence;
  const n = Number(s.replace(/%$/, ''));
  if (s !== '' && Number.isFinite(n)) return confidenceOf(s.endsWith('%') || n > 1 ? n / 100 : n);
  return 'low';
}

const FileSchema = z.object({ file: z.string().min(1), line: lineNumber.optional().nullable().catch(undefined), why: text.optional() });

export interface ParsedCiAnswer {
  explanation: CiExplanation | null;
  warnings: string[];
}

/** Reads a model's answer as forgivingly as reviews: fences, prose, repairable JSON, synonyms. Never throws. */
export function parseCiAnswer(answer: string): ParsedCiAnswer {
  const warnings: string[] = [];
  const json = extractJson((answer ?? '').slice(0, ANSWER_CHARS));
  if (!json) return { explanation: null, warnings: ['the model answered without JSON'] };
  const parsed = parseLoose(json);
  if (!parsed || !parsed.value || typeof parsed.value !== 'object' || Array.isArray(parsed.value))
    return { explanation: null, warnings: ['the model answer is not a JSON object that can be read'] };
  const o = parsed.value as Record<string, unknown>;
  const rootRaw = o.rootCause ?? o.root_cause ?? o.cause ?? o.summary;
  const rootCause = typeof rootRaw === 'string' || typeof rootRaw === 'number' ? String(rootRaw).trim() : '';
  if (!rootCause) return { explanation: null, warnings: ['the model answer has no rootCause'] };
  const files: CiFileRef[] = [];
  for (const raw of Array.isArray(o.files) ? o.files : []) {
    const f = FileSchema.safeParse(typeof raw === 'string' ? { file: raw } : raw);
    if (!f.success) {
      warnings.push(`dropped a file entry without a path: ${JSON.stringify(raw).slice(0, 80)}`);
      continue;
    }
    files.push({ file: normalizePath(f.data.file), ...(f.data.line ? { line: f.data.line } : {}), why: f.data.why ?? '' });
  }
  return {
    explanation: {
      rootCause: rootCause.length > ANSWER_TEXT * 2 ? `${rootCause.slice(0, ANSWER_TEXT * 2 - 1)}…` : rootCause,
      evidence: textList(o.evidence),
      fix: textList(o.fix ?? o.fixes ?? o.steps),
      files: files.slice(0, 20),
      confidence: confidenceOf(o.confidence),
    },
    warnings,
  };
}
