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
  // A key written on one line (a JSON service-account key, `\n`-escaped) is taken up to its END marker or its quote.
  {
    kind: 'private key',
    re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:(?:(?!-----END)[^"'`])*-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|(?:\\[nr]|[A-Za-z0-9+/=])*)/g,
  },
  { kind: 'Anthropic API key', re: /\bsk-ant-[A-Za-z0-9_-]{20,}\b/g },
  { kind: 'Stripe secret key', re: /\b[sr]k_live_[A-Za-z0-9]{20,}\b/g },
  { kind: 'OpenAI API key', re: /\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}\b/g },
  { kind: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { kind: 'GitLab token', re: /\bgl(?:pat|dt|rt|ptt|ft|soat|cbt|imt)-[A-Za-z0-9_-]{20,}\b/g },
  { kind: 'JSON Web Token', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: 'bearer token', re: /(?<=\bBearer\s+)(?!eyJ)[A-Za-z0-9._~+/-]{24,}=*/g },
];

/** Words that make a name secret-like. */
const SECRET_WORD = String.raw`(?:pass(?:word|wd|phrase)?|pwd|secret|api[_-]?key|access[_-]?key|token|credential|private[_-]?key|auth|jwt|signing[_-]?key|hmac|salt|session[_-]?key|bearer)`;

/** `password = "…"`, `apiKey: '…'`, `SECRET_TOKEN=…` — a name that says secret, a value that looks random. */
const ASSIGNMENT = new RegExp(
  String.raw`\b([A-Za-z0-9_.-]*${SECRET_WORD}[A-Za-z0-9_.-]*)\b["']?\s*(?::=|=>|[:=])\s*(["'\`]?)([^\s"'\`;,)]{8,})\2`,
  'gi',
);
/** A name that says secret anywhere on the line: `process.env.JWT || "…"`, `getenv("API_TOKEN", "…")`. */
const SECRET_NAME = new RegExp(String.raw`(?:^|[^A-Za-z])${SECRET_WORD}`, 'i');
/** A quoted literal that may be a key: base64 or hex alphabet, 16 characters or more. */
const LITERAL = /(["'`])([A-Za-z0-9+/=_.~-]{16,})\1/g;
/** `scheme://user:password@host`: the password, unless it is a placeholder or a variable. */
const URL_CREDENTIAL = /\b[a-z][a-z0-9+.-]*:\/\/([^\s:/@'"`]*):([^\s@/'"`]+)@[^\s/'"`]+/gi;

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

/** An unquoted value with these is code (a call, an index, an optional chain), not a literal. */
const CODE_CHARS = /[()[\]{}?!<>|&]/;
/**
 * `req.headers.authorization`, `e.usage.input_tokens`, `a.b=a.c=…`: a member access (or a chain of
 * assignments), read from somewhere else. Segments are short, so a JWT's long parts are not taken for one.
 */
const MEMBER_ACCESS = /^[A-Za-z_$][\w$]{0,23}(?:\??\.[A-Za-z_$][\w$]{0,23})+(?:=|$)/;
/** `a-this.b`, `s.input+s.cacheRead`: arithmetic over members, unquoted. */
const ARITHMETIC = /[\w$]\.[A-Za-z_$][\w$]*\s*[-+*/%]|[-+*/%]\s*[A-Za-z_$][\w$]*\./;
/** How close before a literal a secret-like name must be for the literal to count as its value. */
const NAME_REACH = 40;

function looksLikeSecretValue(value: string, quoted: boolean): boolean {
  if (PLACEHOLDER.test(value)) return false;
  // Unquoted, a value is code in most languages; only in .env, YAML or properties files is it a literal.
  if (!quoted && (CODE_CHARS.test(value) || MEMBER_ACCESS.test(value) || ARITHMETIC.test(value))) return false;
  if (/^[a-z]+(?:[-_:][a-z]+)+$/i.test(value)) return false; // words: grant-type:jwt-bearer
  if (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(value) && !/\d/.test(value)) return false; // an identifier, not a literal
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value)) return false; // an environment variable's name
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false; // a URL: its password, if any, is found as one
  if (/^\.{0,2}\/|\.[a-z]{2,5}$/i.test(value)) return false; // a path, a regular expression, a file name
  return value.length >= 12 && entropy(value) >= 3.5;
}

/**
 * A literal that is a key rather than a word, a name or a path: long, random, of letters and
 * digits mixed. Stricter than an assigned value, since only a name elsewhere on the line says secret.
 */
function looksLikeKeyLiteral(value: string): boolean {
  if (value.length < 16 || PLACEHOLDER.test(value)) return false;
  if (/^[A-Z0-9_]+$/.test(value)) return false; // an environment variable's name
  if (/^[a-z0-9]+(?:[-_.][a-z0-9]+)+$/.test(value) && !/\d{3}/.test(value)) return false; // a-kebab-or.dotted-name
  if (/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d{4}-\d{2}-\d{2}$/.test(value)) return false; // a dated version: oauth-2025-04-20
  if (/^\.{0,2}\/|\/\/|\.[a-z]{1,4}$/.test(value)) return false; // a path, a URL, a file name
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  return entropy(value) >= 3.5;
}

const URL_PLACEHOLDER =
  /^(?:[$%{<*:]|x+$|\*+$|\.\.\.$|pass(?:word|wd)?$|pwd$|secret$|changeme$|example$|user$|test$|dummy$|redacted$|\d{1,5}$)/i;

/** Cheap screens: a line without any of these cannot match the patterns below. */
const MAY_HOLD_TOKEN =
  /AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox|hooks\.slack|PRIVATE KEY|sk-ant-|k_live_|sk-(?:proj|svcacct|admin)-|AIza|gl[a-z]{1,4}-|eyJ|Bearer/;
const MAY_ASSIGN_SECRET = /pass|pwd|secret|key|token|credential|auth|jwt|hmac|salt|bearer/i;

const NONE: readonly SecretMatch[] = Object.freeze([]);

export function findSecrets(line: string): readonly SecretMatch[] {
  const tokens = MAY_HOLD_TOKEN.test(line);
  const assigns = MAY_ASSIGN_SECRET.test(line);
  const url = line.includes('://') && line.includes('@');
  if (!tokens && !assigns && !url) return NONE;
  const out: SecretMatch[] = [];
  for (const { kind, re } of tokens ? PATTERNS : []) {
    re.lastIndex = 0;
    for (let m = re.exec(line); m; m = re.exec(line)) out.push({ kind, start: m.index, end: m.index + m[0].length });
  }
  ASSIGNMENT.lastIndex = 0;
  for (let m = assigns ? ASSIGNMENT.exec(line) : null; m; m = ASSIGNMENT.exec(line)) {
    const value = m[3];
    if (!looksLikeSecretValue(value, m[2] !== '')) continue;
    const start = m.index + m[0].lastIndexOf(value);
    if (out.some((o) => o.start <= start && o.end >= start + value.length)) continue;
    out.push({ kind: `high-entropy value assigned to '${m[1]}'`, start, end: start + value.length });
  }
  const covered = (start: number, end: number): boolean => out.some((o) => o.start < end && o.end > start);
  if (url) {
    URL_CREDENTIAL.lastIndex = 0;
    for (let m = URL_CREDENTIAL.exec(line); m; m = URL_CREDENTIAL.exec(line)) {
      const password = m[2];
      if (URL_PLACEHOLDER.test(password)) continue;
      const start = m.index + m[0].indexOf(':' + password + '@', m[0].indexOf('://') + 3) + 1;
      if (!covered(start, start + password.length)) out.push({ kind: 'password in a URL', start, end: start + password.length });
    }
  }
  if (assigns && SECRET_NAME.test(line)) {
    LITERAL.lastIndex = 0;
    for (let m = LITERAL.exec(line); m; m = LITERAL.exec(line)) {
      const value = m[2];
      const start = m.index + 1;
      if (!looksLikeKeyLiteral(value) || covered(start, start + value.length)) continue;
      // The name must be just before the literal: on a long (minified) line a name far away says nothing.
      const named = SECRET_NAME.exec(line.slice(Math.max(0, m.index - NAME_REACH), m.index));
      if (!named) continue;
      out.push({ kind: `high-entropy literal beside '${named[0].replace(/^[^A-Za-z]/, '')}'`, start, end: start + value.length });
    }
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

const KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
const KEY_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
/** A rendered data line's marker: `12+ `, `12  `, `-7 `. */
const DATA_PREFIX = /^[+ -]/;
/** A line of a key's body, possibly inside a string literal: base64 only, long, random. */
const KEY_BODY = /^[\s"'`]*([A-Za-z0-9+/]{40,}={0,2})(?:\\n)?[\s"'`,+;]*$/;

function looksLikeKeyBody(text: string): boolean {
  const m = KEY_BODY.exec(text);
  return m !== null && entropy(m[1]) >= 4.5;
}

/**
 * Redacts a prompt's diff data (`### …` headers, `@@` lines, numbered data lines) before it goes
 * to an endpoint off this machine. Besides the one-line secrets of `redactSecrets`, a private key
 * goes whole: every line from its BEGIN marker to its END marker, and any line that looks like a
 * piece of a key's body, which covers a key split across chunks or shown without its BEGIN line.
 */
export function redactData(data: string): { text: string; redacted: number } {
  let redacted = 0;
  let inKey = false;
  const out: string[] = [];
  for (const line of data.split('\n')) out.push(redactLine(line));
  return { text: out.join('\n'), redacted };

  function redactLine(line: string): string {
    const prefix = DATA_PREFIX.exec(line)?.[0];
    if (prefix === undefined) {
      if (line.startsWith('### ')) inKey = false;
      return line;
    }
    const body = line.slice(prefix.length);
    if (!inKey && KEY_END.test(body) && !KEY_BEGIN.test(body)) {
      // The end of a key whose start is in another chunk: the body lines above it go too, short last line included.
      for (let i = out.length - 1; i >= 0; i--) {
        const p = DATA_PREFIX.exec(out[i])?.[0];
        if (p === undefined || !/^[\s"'`]*[A-Za-z0-9+/=]+(?:\\n)?[\s"'`,+;]*$/.test(out[i].slice(p.length))) break;
        out[i] = `${p}[REDACTED]`;
      }
      redacted++;
    }
    if (inKey) {
      const end = KEY_END.exec(body);
      if (!end) return `${prefix}[REDACTED]`;
      inKey = false;
      return `${prefix}[REDACTED]${body.slice(end.index)}`;
    }
    if (looksLikeKeyBody(body)) {
      redacted++;
      return `${prefix}[REDACTED]`;
    }
    const begin = KEY_BEGIN.exec(body);
    if (begin && !KEY_END.test(body.slice(begin.index))) inKey = true;
    const r = redactSecrets(body);
    redacted += r.redacted;
    return prefix + r.text;
  }
}
