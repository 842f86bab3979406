import type { Chunk } from '../pack/chunker.js';
import { fingerprint } from '../findings.js';
import type { Finding } from '../types.js';
import type { ParsedFinding } from './parse.js';

interface FileView {
  /** Added lines shown in the chunk: new line → text. */
  changed: Map<number, string>;
  /** Every new-file line shown (added and context). */
  shown: Map<number, string>;
}

export function chunkView(chunk: Chunk): Map<string, FileView> {
  const views = new Map<string, FileView>();
  for (const seg of chunk.segments) {
    let v = views.get(seg.file);
    if (!v) views.set(seg.file, (v = { changed: new Map(), shown: new Map() }));
    for (const l of seg.lines) {
      if (l.newLine === undefined) continue;
      v.shown.set(l.newLine, l.text);
      if (l.kind === 'add') v.changed.set(l.newLine, l.text);
    }
  }
  return views;
}

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The changed line whose text is the quote; nearest to the claimed line when several match. */
function lineOfQuote(view: FileView, quote: string, near: number): number | null {
  const want = squash(stripRenderPrefix(quote));
  if (!want) return null;
  let best: number | null = null;
  for (const [n, text] of view.changed) {
    if (squash(text) !== want) continue;
    if (best === null || Math.abs(n - near) < Math.abs(best - near)) best = n;
  }
  return best;
}

/** Models sometimes quote the line as rendered, `12+ text`: drop that prefix. */
function stripRenderPrefix(q: string): string {
  return q.replace(/^\s*\d+[+ ] /, '');
}

/** The chunk file a finding's path refers to, allowing for paths the model shortened. */
export function resolveFile(views: Map<string, unknown>, file: string): string | null {
  if (views.has(file)) return file;
  const matches = [...views.keys()].filter((k) => k.endsWith('/' + file) || file.endsWith('/' + k));
  return matches.length === 1 ? matches[0] : null;
}

/**
 * Places the model's findings on lines the chunk showed: by quote first (the model's line numbers
 * drift; its quotes rarely do), then by line when it lies in a shown hunk. Anything else is dropped
 * with a warning rather than shown on a wrong line.
 */
export function anchorFindings(chunk: Chunk, parsed: ParsedFinding[]): { findings: Finding[]; warnings: string[] } {
  const views = chunkView(chunk);
  const findings: Finding[] = [];
  const warnings: string[] = [];
  for (const p of parsed) {
    const file = resolveFile(views, p.file);
    if (!file) {
      warnings.push(`dropped finding "${p.title}": ${p.file} is not part of the reviewed chunk`);
      continue;
    }
    const view = views.get(file)!;
    let line: number | null = p.quote ? lineOfQuote(view, p.quote, p.line) : null;
    if (line === null && view.shown.has(p.line)) line = p.line;
    if (line === null) {
      warnings.push(`dropped finding "${p.title}": ${file}:${p.line} is outside the changed hunks`);
      continue;
    }
    const span = p.endLine !== undefined ? p.endLine - p.line : 0;
    const endLine = span > 0 && view.shown.has(line + span) ? line + span : undefined;
    const quote = view.shown.get(line);
    findings.push({
      id: fingerprint(file, p.title, quote, line),
      file,
      line,
      endLine,
      severity: p.severity,
      category: p.category,
      title: p.title,
      message: p.message,
      suggestion: p.suggestion,
      quote,
      origin: 'llm',
    });
  }
  return { findings, warnings };
}
