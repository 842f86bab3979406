/** Secret detectors shared by the rules (to report) and the prompt builder (to redact). */

export interface SecretMatch {
  kind: string;
  start: number;
  end: number;
}

const PATTERNS: { kind: string; re: RegExp }[] = [
  { kind: 'AWS access key id', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  { kind: 'GitHub token', re: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b/g },
  { kind: 'GitHub fine-grained token', re: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g },
  { kind: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g },
  { kind: 'Slack webhook', re: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{20,}/g },
  { kind: 'private key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g },
  { kind: 'Anthropic API key', re: /\bsk-ant-[A-Za-z0-9_-]{20,}\b/g },
  { kind: 'Stripe secret key', re: /\b[sr]k_live_[A-Za-z0-9]{20,}\b/g },
];

/** `password = "…"`, `apiKey: '…'`, `SECRET_TOKEN=…` — a name that says secret, a value that looks random. */
const ASSIGNMENT =
  /\b([A-Za-z0-9_.-]*(?:pass(?:word|wd)?|secret|api[_-]?key|access[_-]?key|token|credential|private[_-]?key|auth)[A-Za-z0-9_.-]*)\b["']?\s*(?::=|=>|[:=])\s*(["'`]?)([^\s"'`;,)]{8,})\2/gi;

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const PLACEHOLDER =
  /^(?:x+|\*+|<.*>|\$\{.*\}|\{\{.*\}\}|changeme|password|secret|example|dummy|test|redacted|process\.env.*|os\.environ.*|env\(.*)$/i;

function looksLikeSecretValue(value: string): boolean {
  if (PLACEHOLDER.test(value)) return false;
  if (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(value) && !/\d/.test(value)) return false; // an identifier, not a literal
  return value.length >= 12 && entropy(value) >= 3.5;
}

/** Cheap screens: a line without any of these cannot match the patterns below. */
const MAY_HOLD_TOKEN = /AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox|hooks\.slack|PRIVATE KEY|sk-ant-|k_live_/;
const MAY_ASSIGN_SECRET = /pass|secret|key|token|credential|auth/i;

const NONE: readonly SecretMatch[] = Object.freeze([]);

export function findSecrets(line: string): readonly SecretMatch[] {
  const tokens = MAY_HOLD_TOKEN.test(line);
  const assigns = MAY_ASSIGN_SECRET.test(line);
  if (!tokens && !assigns) return NONE;
  const out: SecretMatch[] = [];
  for (const { kind, re } of tokens ? PATTERNS : []) {
    re.lastIndex = 0;
    for (let m = re.exec(line); m; m = re.exec(line)) out.push({ kind, start: m.index, end: m.index + m[0].length });
  }
  ASSIGNMENT.lastIndex = 0;
  for (let m = assigns ? ASSIGNMENT.exec(line) : null; m; m = ASSIGNMENT.exec(line)) {
    const value = m[3];
    if (!looksLikeSecretValue(value)) continue;
    const start = m.index + m[0].lastIndexOf(value);
    if (out.some((o) => o.start <= start && o.end >= start + value.length)) continue;
    out.push({ kind: `high-entropy value assigned to '${m[1]}'`, start, end: start + value.length });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Replaces each secret with a marker so it never leaves the machine; the line keeps its shape. */
export function redactSecrets(line: string): { text: string; redacted: number } {
  const matches = findSecrets(line);
  if (matches.length === 0) return { text: line, redacted: 0 };
  let text = '';
  let at = 0;
  for (const m of matches) {
    if (m.start < at) continue;
    text += line.slice(at, m.start) + '[REDACTED]';
    at = m.end;
  }
  return { text: text + line.slice(at), redacted: matches.length };
}
