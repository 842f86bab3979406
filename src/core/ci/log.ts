/**
 * A CI log cut down to what explains the failure: control codes, timestamps and the runner's own
 * markup removed, the error lines kept with their context, the rest dropped, the size capped.
 */

/** The most of one log read: logs past this are rare, and their end holds the failure. */
export const MAX_LOG_CHARS = 20 * 1024 * 1024;

/** CSI (colours, cursor moves), OSC (titles, links) and the lone two-character escapes. */
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/**
 * A timestamp at the start of a line: GitHub's `2026-11-22T07:08:09.1234567Z `, ISO dates with a
 * space or an offset, Jenkins' `[2026-11-22T07:08:09.123Z]`, and clock times `[07:08:09]`, `07:08:09.123 `.
 */
const TIMESTAMP =
  /^\uFEFF?(?:\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?|\[\d\d:\d\d:\d\d(?:[.,]\d+)?\]|\d\d:\d\d:\d\d[.,]\d+)\s?/;

/** Runner markup that carries nothing: GitHub's group ends, debug lines, command echo markers. */
const DROP = /^(?:##\[endgroup\]|##\[debug\]|::debug::|::endgroup::|::add-mask::|::save-state |::set-output )/;
const GROUP = /^(?:##\[group\]|::group::)(.*)$/;

/** One line of a cleaned log; `n` is its number in the cleaned log, from 1. */
export interface LogLine {
  n: number;
  text: string;
}

/** Removes ANSI codes, leading timestamps and runner markup; a progress bar keeps its last state. */
/** C0 controls but the tab, and DEL. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/g;

export function cleanLog(raw: string): LogLine[] {
  const out: LogLine[] = [];
  for (let line of raw.split(/\r?\n/)) {
    // A carriage return inside a line redraws it (progress bars): what stayed on screen is the last part.
    if (line.includes('\r')) {
      const parts = line.split('\r').filter((p) => p !== '');
      line = parts[parts.length - 1] ?? '';
    }
    // What is left of other control bytes (NUL, BEL, a stray ESC, binary output) is noise to a reader
    // and could be taken for instructions by a terminal: each becomes a visible '�'.
    line = line.replace(ANSI, '').replace(TIMESTAMP, '').replace(CONTROL, '\uFFFD');
    if (DROP.test(line)) continue;
    const group = GROUP.exec(line);
    if (group) line = `▸ ${group[1].trim()}`;
    line = line.replace(/\s+$/, '');
    out.push({ n: out.length + 1, text: line });
  }
  while (out.length > 0 && out[out.length - 1].text === '') out.pop();
  return out;
}

/** How strongly a line says "this is the failure": 0 for none. */
export function failureWeight(text: string): number {
  const t = text.trimStart();
  if (/^##\[error\]|^::error\b/.test(t)) return 5;
  if (/\b(?:AssertionError|AssertError|assertion failed|Assertion failed)\b/i.test(t)) return 5;
  if (/^(?:FAIL|FAILED|FAILURE)\b|\b\d+ (?:failing|failed)\b|^not ok \d+|^\s*(?:✗|✕|×|✘)\s/.test(t)) return 4;
  if (/^\d+\) /.test(t)) return 3; // mocha's numbered failure headings
  if (/\b(?:Error|Exception|Traceback \(most recent call last\)|panic):?(?:\s|$)/.test(t) || /^(?:Error|error)\b/.test(t)) return 3;
  if (/\berror(?:\[E\d+\])?:|\berror TS\d+|\bERR!|\bFATAL\b|\bSegmentation fault\b|\bKilled\b/.test(t)) return 3;
  if (/\b(?:exit(?:ed)? (?:code|status) [1-9]\d*|Process completed with exit code [1-9])/i.test(t)) return 2;
  if (/^(?:Expected|Received|expected|actual|Actual|\+ expected|- actual)\b/.test(t)) return 2;
  return 0;
}

export interface ExcerptOptions {
  /** Characters the excerpt may take at most. */
  maxChars: number;
  /** Lines kept before and after each failure line. */
  before?: number;
  after?: number;
}

export interface LogExcerpt {
  /** The kept lines, with `…` lines where others were dropped. */
  text: string;
  /** Lines in the cleaned log. */
  totalLines: number;
  /** Lines kept. */
  keptLines: number;
  /** Cleaned-log numbers of the lines that matched as failures. */
  failureLines: number[];
  /** Failure windows were dropped to stay under the cap. */
  capped: boolean;
  /** No line looked like a failure: the excerpt is the log's end. */
  tailOnly: boolean;
}

interface Window {
  start: number;
  end: number;
  weight: number;
}

/**
 * The failure lines with context, merged where they overlap, plus the log's last lines (where the
 * exit code is). Over `maxChars`, the strongest windows stay, earlier before later at equal weight:
 * the first failure is usually the cause, the later ones its echoes.
 */
export function extractFailure(lines: LogLine[], opts: ExcerptOptions): LogExcerpt {
  const before = opts.before ?? 6;
  const after = opts.after ?? 20;
  const failureLines: number[] = [];
  const windows: Window[] = [];
  for (let i = 0; i < lines.length; i++) {
    const w = failureWeight(lines[i].text);
    if (w === 0) continue;
    failureLines.push(lines[i].n);
    const start = Math.max(0, i - before);
    const end = Math.min(lines.length - 1, i + after);
    const last = windows[windows.length - 1];
    if (last && start <= last.end + 1) {
      last.end = Math.max(last.end, end);
      last.weight = Math.max(last.weight, w);
    } else windows.push({ start, end, weight: w });
  }
  const tailOnly = windows.length === 0;
  // The end of the log: the step's exit code, or everything there is when nothing matched.
  const tailSize = tailOnly ? 80 : 8;
  if (lines.length > 0) {
    const start = Math.max(0, lines.length - tailSize);
    const last = windows[windows.length - 1];
    if (last && start <= last.end + 1) last.end = lines.length - 1;
    else windows.push({ start, end: lines.length - 1, weight: tailOnly ? 1 : 0.5 });
  }
  const size = (w: Window): number => {
    let n = 0;
    for (let i = w.start; i <= w.end; i++) n += Math.min(lines[i].text.length, MAX_LINE + 30) + 1;
    return n + 40;
  };
  // Strongest first, then earliest; windows are added while they fit.
  const order = windows.map((w, i) => ({ w, i })).sort((a, b) => b.w.weight - a.w.weight || a.i - b.i);
  const chosen = new Set<number>();
  let used = 0;
  let capped = false;
  for (const { w, i } of order) {
    const s = size(w);
    if (used + s <= opts.maxChars) {
      chosen.add(i);
      used += s;
    } else if (chosen.size === 0) {
      // Even the strongest window alone is too long: keep its start, the failure line in view.
      const fit: Window = { ...w };
      while (fit.end > fit.start && size(fit) > opts.maxChars) fit.end--;
      windows[i] = fit;
      chosen.add(i);
      used += size(fit);
      capped = true;
    } else capped = true;
  }
  const out: string[] = [];
  let kept = 0;
  let next = 0;
  windows.forEach((w, i) => {
    if (!chosen.has(i)) return;
    if (w.start > next) out.push(`… (${w.start - next} line(s) omitted)`);
    for (let j = w.start; j <= w.end; j++) {
      out.push(clipLine(lines[j].text));
      kept++;
    }
    next = w.end + 1;
  });
  if (next < lines.length) out.push(`… (${lines.length - next} line(s) omitted)`);
  return { text: out.join('\n'), totalLines: lines.length, keptLines: kept, failureLines, capped, tailOnly };
}

/** Minified bundles and JSON dumps land in logs as single huge lines. */
const MAX_LINE = 600;

function clipLine(text: string): string {
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}… (${text.length - MAX_LINE} more characters)` : text;
}
