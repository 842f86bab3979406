import type { Chunk } from '../pack/chunker.js';
import { fingerprint } from '../findings.js';
import type { Finding } from '../types.js';
import { pathCandidates, type ParsedFinding } from './parse.js';

interface FileView {
  /** Added lines shown in the chunk: new line → text. */
  changed: Map<number, string>;
  /** Every new-file line shown (added and context). */
  shown: Map<number, string>;
  /** Removed lines shown: old line → text, and the new-file line nearest to where it was. */
  removed: Map<number, { text: string; near: number }>;
}

export function chunkView(chunk: Chunk): Map<string, FileView> {
  const views = new Map<string, FileView>();
  for (const seg of chunk.segments) {
    let v = views.get(seg.file);
    if (!v) views.set(seg.file, (v = { changed: new Map(), shown: new Map(), removed: new Map() }));
    // A removed line sits just before the next new-file line; at a hunk's end, just after the last one.
    let pending: { old: number; text: string }[] = [];
    let last: number | undefined;
    for (const l of seg.lines) {
      if (l.kind === 'del') {
        if (l.oldLine !== undefined) pending.push({ old: l.oldLine, text: l.text });
        continue;
      }
      if (l.newLine === undefined) continue;
      for (const p of pending) v.removed.set(p.old, { text: p.text, near: l.newLine });
      pending = [];
      last = l.newLine;
      v.shown.set(l.newLine, l.text);
      if (l.kind === 'add') v.changed.set(l.newLine, l.text);
    }
    // No new-file line in the piece (a deleted file, a removal shown without context): line 1 at least.
    for (const p of pending) v.removed.set(p.old, { text: p.text, near: Math.max(1, last ?? seg.near ?? 1) });
  }
  return views;
}

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The line whose text is the quote; nearest to the claimed line when several match. */
function lineOfQuote(lines: Iterable<[number, string]>, quote: string, near: number): number | null {
  const list = [...lines];
  // The quote as written first; then without a diff marker (`+text`, `-text`) copied from the prompt.
  for (const form of [stripRenderPrefix(quote), quote.replace(/^\s*[+-]/, '')]) {
    const want = squash(form);
    if (!want) continue;
    let best: number | null = null;
    for (const [n, text] of list) {
      if (squash(text) !== want) continue;
      if (best === null || Math.abs(n - near) < Math.abs(best - near)) best = n;
    }
    if (best !== null) return best;
  }
  return null;
}

function* removedTexts(view: FileView): Generator<[number, string]> {
  for (const [n, r] of view.removed) yield [n, r.text];
}

/** Models sometimes quote the line with a number and marker, `12+ text` or `-7 text`: drop that prefix. */
function stripRenderPrefix(q: string): string {
  return q.replace(/^\s*(?:\d+[+ ]|-\d+) /, '');
}

/**
 * The chunk file a finding's path refers to: the model's string exactly first, then the forms of it
 * `pathCandidates` lists, then a unique chunk path the model shortened (`x.js` for `src/x.js`).
 * Never the other way round: `a/x.js` is not `x.js`.
 */
export function resolveFile(views: Map<string, unknown>, file: string): string | null {
  const candidates = pathCandidates(file);
  for (const c of candidates) if (views.has(c)) return c;
  const short = candidates[candidates.length - 1];
  if (!short) return null;
  const matches = [...views.keys()].filter((k) => k.endsWith('/' + short));
  return matches.length === 1 ? matches[0] : null;
}

/**
 * Places the model's findings on lines the chunk showed: by quote first (the model's line numbers
 * drift; its quotes rarely do), then by line when it lies in a shown hunk. A finding about a
 * removed line keeps that line (`oldLine`, GitHub's LEFT side) and is shown at the nearest new-file
 * line. Anything else is dropped with a warning rather than shown on a wrong line.
 */
export function anchorFindings(chunk: Chunk, parsed: ParsedFinding[]): { findings: Finding[]; warnings: string[] } {
  const views = chunkView(chunk);
  const findings: Finding[] = [];
  const warnings: string[] = [];
  for (const p of parsed) {
    const file = resolveFile(views, p.file);
    if (!file) {
      warnings.push(`dropped finding "${p.title}": ${JSON.stringify(p.file)} is not part of the reviewed chunk`);
      continue;
    }
    const view = views.get(file)!;
    const base = {
      severity: p.severity,
      category: p.category,
      title: p.title,
      message: p.message,
      origin: 'llm' as const,
    };
    const onRemoved = (old: number): void => {
      const r = view.removed.get(old)!;
      findings.push({ ...base, id: fingerprint(file, p.title, r.text, r.near), file, line: r.near, oldLine: old, quote: r.text });
    };
    let old: number | null = null;
    if (p.side === 'old') {
      old = p.quote ? lineOfQuote(removedTexts(view), p.quote, p.line) : null;
      if (old === null && view.removed.has(p.line)) old = p.line;
      if (old !== null) {
        onRemoved(old);
        continue;
      }
    }
    let line: number | null = p.quote ? lineOfQuote(view.changed, p.quote, p.line) : null;
    if (line === null && p.quote && p.side !== 'old') {
      // The quote is a removed line's text: the model spoke of the removal without saying so.
      old = lineOfQuote(removedTexts(view), p.quote, p.line);
      if (old !== null) {
        onRemoved(old);
        continue;
      }
    }
    if (line === null && view.shown.has(p.line)) line = p.line;
    if (line === null) {
      warnings.push(`dropped finding "${p.title}": ${file}:${p.line} is outside the changed hunks`);
      continue;
    }
    const span = p.endLine !== undefined ? p.endLine - p.line : 0;
    const endLine = span > 0 && view.shown.has(line + span) ? line + span : undefined;
    const quote = view.shown.get(line);
    findings.push({
      ...base,
      id: fingerprint(file, p.title, quote, line),
      file,
      line,
      endLine,
      suggestion: p.suggestion,
      quote,
    });
  }
  return { findings, warnings };
}
