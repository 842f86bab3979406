import { createHash } from 'node:crypto';
import { SEVERITIES, type Finding, type Severity } from './types.js';

export function normalizeTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[`'"]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * A finding's identity across re-reviews and line shifts: where it is (file), what it says
 * (title), and the text it is about (quote) — not its line number.
 */
export function fingerprint(file: string, title: string, quote: string | undefined, line: number): string {
  const anchor = quote !== undefined ? quote.trim() : `#${line}`;
  return createHash('sha256')
    .update(`${file}\0${normalizeTitle(title)}\0${anchor}`)
    .digest('hex')
    .slice(0, 16);
}

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/** Most severe first, then by file and line: the order people read a review in. */
export function sortFindings<T extends Finding>(findings: T[]): T[] {
  return [...findings].sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity) || a.file.localeCompare(b.file) || a.line - b.line,
  );
}

/** Same file, line and normalized title → one finding, keeping the more severe and the longer text. */
export function mergeDuplicates(findings: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.file}\0${f.line}\0${normalizeTitle(f.title)}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, f);
      continue;
    }
    const keep = severityRank(f.severity) < severityRank(prev.severity) ? f : prev;
    const other = keep === f ? prev : f;
    byKey.set(key, {
      ...keep,
      message: keep.message.length >= other.message.length ? keep.message : other.message,
      suggestion: keep.suggestion ?? other.suggestion,
      // A rule's verdict is deterministic; when rule and model agree, say it came from the rule.
      origin: keep.origin === 'rule' || other.origin === 'rule' ? 'rule' : 'llm',
      rule: keep.rule ?? other.rule,
    });
  }
  return [...byKey.values()];
}
