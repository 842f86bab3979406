import { jsonrepair } from 'jsonrepair';
import { CATEGORIES, SEVERITIES, type Category, type Finding, type Severity } from '../types.js';
import { ANSWER_LIMITS } from './contract.js';
import { RawFindingSchema } from './schema.js';

/**
 * A finding as the model wrote it: not yet anchored to the diff, so without fingerprint or origin.
 * `file` is the model's own string: anchoring tries it exactly before any normalisation.
 * `side: 'old'`: `line` is the old-file line of a removed line.
 */
export type ParsedFinding = Omit<Finding, 'id' | 'origin' | 'rule' | 'oldLine'> & { side?: 'old' };

export interface ParsedOutput {
  summary: string;
  findings: ParsedFinding[];
  warnings: string[];
  /** The answer was cut off; only complete findings were kept. */
  truncated: boolean;
  /** Nothing usable could be read at all. */
  unusable: boolean;
  /** The JSON was read only after repair (jsonrepair: quotes, commas, brackets); absent when it parsed as is. */
  repaired?: boolean;
}

const SEVERITY_SYNONYMS: Record<string, Severity> = {
  blocker: 'critical',
  fatal: 'critical',
  severe: 'critical',
  error: 'high',
  major: 'high',
  important: 'high',
  warning: 'medium',
  warn: 'medium',
  moderate: 'medium',
  minor: 'low',
  trivial: 'low',
  note: 'info',
  suggestion: 'info',
  nit: 'info',
  information: 'info',
  informational: 'info',
  hint: 'info',
};

export function normalizeSeverity(value: unknown): Severity | null {
  if (typeof value !== 'string') return null;
  const s = value.trim().toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(s)) return s as Severity;
  return SEVERITY_SYNONYMS[s] ?? null;
}

export function normalizeCategory(value: unknown): Category {
  if (typeof value !== 'string') return 'other';
  const c = value.trim().toLowerCase();
  return (CATEGORIES as readonly string[]).includes(c) ? (c as Category) : 'other';
}

/** The JSON text inside a reply: fences removed, prose before and after cut. */
export function extractJson(text: string): string | null {
  let body = text;
  const fence = /```[a-zA-Z]*\s*\n?/.exec(body);
  if (fence) {
    const rest = body.slice(fence.index + fence[0].length);
    const close = rest.indexOf('```');
    body = close >= 0 ? rest.slice(0, close) : rest;
  }
  const start = body.search(/[{[]/);
  if (start < 0) return null;
  return body.slice(start).trim();
}

/**
 * Scans JSON text the way a parser would: where its first value ends (`end`, or null when it is
 * cut off before its brackets close), and how many objects inside the first array under the root
 * were closed — the complete findings.
 */
function scan(text: string): { end: number | null; completeItems: number } {
  const stack: string[] = [];
  let inString = false;
  let completeItems = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') stack.push(c);
    else if (c === '}' || c === ']') {
      const open = stack.pop();
      const rootIsArray = stack[0] === '[';
      const itemDepth = rootIsArray ? 1 : 2;
      if (open === '{' && stack.length === itemDepth && stack[itemDepth - 1] === '[') completeItems++;
      if (stack.length === 0) return { end: i + 1, completeItems };
    }
  }
  return { end: null, completeItems };
}

export function parseLoose(json: string): { value: unknown; repaired: boolean } | null {
  try {
    return { value: JSON.parse(json), repaired: false };
  } catch {
    try {
      return { value: JSON.parse(jsonrepair(json)), repaired: true };
    } catch {
      return null;
    }
  }
}

/** Reads a model's answer into findings. Never throws: whatever cannot be read becomes a warning. */
export function parseModelOutput(answer: string): ParsedOutput {
  const warnings: string[] = [];
  let text = answer ?? '';
  if (text.length > ANSWER_LIMITS.answerChars) {
    warnings.push(
      `the model answer was ${text.length.toLocaleString('en-US')} characters; only the first ${ANSWER_LIMITS.answerChars.toLocaleString('en-US')} were read`,
    );
    text = text.slice(0, ANSWER_LIMITS.answerChars);
  }
  const json = extractJson(text);
  if (!json) {
    return { summary: '', findings: [], warnings: ['the model answered without JSON'], truncated: false, unusable: true };
  }
  const { end, completeItems } = scan(json);
  const balanced = end !== null;
  // Cut trailing prose after a balanced object so that repair does not glue it on.
  const body = balanced ? json.slice(0, end) : json;
  const parsed = parseLoose(body);
  if (!parsed) {
    return {
      summary: '',
      findings: [],
      warnings: [...warnings, 'the model answer is not JSON that can be repaired'],
      truncated: !balanced,
      unusable: true,
    };
  }
  const root = parsed.value;
  let rawFindings: unknown[] = [];
  let summary = '';
  if (Array.isArray(root)) rawFindings = root;
  else if (root && typeof root === 'object') {
    const obj = root as Record<string, unknown>;
    summary = typeof obj.summary === 'string' ? obj.summary : '';
    const list = obj.findings ?? obj.issues ?? obj.comments;
    if (Array.isArray(list)) rawFindings = list;
    else if (list !== undefined) warnings.push('"findings" is not a list');
  } else {
    return { summary: '', findings: [], warnings: ['the model answer is not a JSON object'], truncated: false, unusable: true };
  }
  if (!balanced) {
    warnings.push(`the model answer was cut off; kept ${Math.min(completeItems, rawFindings.length)} complete finding(s)`);
    rawFindings = rawFindings.slice(0, completeItems);
  }
  let findings: ParsedFinding[] = [];
  let dropped = 0;
  for (const raw of rawFindings) {
    const f = normalizeFinding(raw);
    // Past a few, each dropped finding is not worth its own line.
    if (typeof f === 'string') {
      if (++dropped <= 5) warnings.push(f);
    } else findings.push(f);
  }
  if (dropped > 5) warnings.push(`dropped ${dropped - 5} more finding(s) without a usable file and line`);
  if (findings.length > ANSWER_LIMITS.findings) {
    warnings.push(`the model reported ${findings.length} findings; only the ${ANSWER_LIMITS.findings} most severe are kept`);
    const rank = (f: ParsedFinding): number => SEVERITIES.indexOf(f.severity);
    findings = findings
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .slice(0, ANSWER_LIMITS.findings)
      .sort((a, b) => a.i - b.i)
      .map(({ f }) => f);
  }
  summary = summary.trim();
  if (summary.length > ANSWER_LIMITS.summaryChars) {
    warnings.push(`the model's summary was ${summary.length} characters; cut to ${ANSWER_LIMITS.summaryChars}`);
    summary = `${summary.slice(0, ANSWER_LIMITS.summaryChars - 1)}…`;
  }
  return { summary, findings, warnings, truncated: !balanced, unusable: false, ...(parsed.repaired ? { repaired: true } : {}) };
}

/** One finding object as the model wrote it, normalized; a string says why it cannot be used. */
export function normalizeFinding(raw: unknown): ParsedFinding | string {
  const r = RawFindingSchema.safeParse(raw);
  if (!r.success) {
    const what = raw && typeof raw === 'object' ? JSON.stringify(raw).slice(0, 80) : String(raw);
    return `dropped a finding without a usable file and line: ${what}`;
  }
  const v = r.data;
  const severity = normalizeSeverity(v.severity) ?? 'medium';
  const title = (v.title ?? '').trim() || firstSentence(v.message ?? '') || 'Issue';
  const message = clip((v.message ?? '').trim() || title);
  const endLine = v.endLine != null && v.endLine >= v.line ? v.endLine : undefined;
  return {
    file: v.file,
    line: v.line,
    endLine: endLine !== undefined && endLine !== v.line ? endLine : undefined,
    severity,
    category: normalizeCategory(v.category),
    title: title.slice(0, 200),
    message,
    suggestion: v.suggestion != null && v.suggestion !== '' ? clip(v.suggestion) : undefined,
    quote: v.quote != null && v.quote.trim() !== '' ? v.quote : undefined,
    ...(v.side != null && /^(old|left|removed|del(eted)?|-)$/i.test(v.side.trim()) ? { side: 'old' as const } : {}),
  };
}

function clip(text: string): string {
  return text.length > ANSWER_LIMITS.textChars ? `${text.slice(0, ANSWER_LIMITS.textChars - 1)}…` : text;
}

function firstSentence(s: string): string {
  return (
    s
      .trim()
      .split(/(?<=[.!?])\s/)[0]
      ?.slice(0, 120) ?? ''
  );
}

/**
 * The forms a model may have turned a header's path into, most faithful first: as written, the
 * JSON string it copied with its quotes, then trimmed of backticks, a `###` and a status, `./` and
 * Windows separators. Never a/ or b/ stripped: `a/x.js` is a path of its own.
 */
export function pathCandidates(p: string): string[] {
  const out = [p];
  const add = (s: string): void => void (s && !out.includes(s) && out.push(s));
  let s = p.trim();
  s = s.replace(/^`|`$/g, '').replace(/^###\s*/, '');
  s = s.replace(/\s+\((?:added|modified|renamed|copied|deleted)[^)]*\)$/, '');
  if (/^".*"$/s.test(s)) {
    try {
      const unquoted: unknown = JSON.parse(s);
      if (typeof unquoted === 'string') {
        add(unquoted);
        s = unquoted;
      }
    } catch {
      /* not a JSON string: taken as written */
    }
  }
  add(s);
  add(s.trim());
  add(s.trim().replace(/\\/g, '/').replace(/^\.\//, ''));
  return out;
}
