import type { DiffLine, FileDiff, FileStatus, Hunk } from '../diff/model.js';
import { filePriority } from './priority.js';
import { estimateTokens } from './tokens.js';

export interface ChunkLine extends DiffLine {
  /** This chunk is the one that reviews this added line. Overlap lines are shown, not owned. */
  owned: boolean;
}

export interface ChunkSegment {
  file: string;
  oldPath: string | null;
  status: FileStatus;
  header: string;
  lines: ChunkLine[];
}

export interface Chunk {
  index: number;
  segments: ChunkSegment[];
  /** The rendered diff data the model sees (no instructions). */
  text: string;
  tokens: number;
  priority: number;
}

export interface PackOptions {
  /** Tokens the rendered diff data of one chunk may take. */
  budgetTokens: number;
  /** Lines repeated as context when a hunk is split inside. */
  overlapLines: number;
}

/** One line as the model sees it: `12+ text` (added), `12  text` (context), `-  text` (removed). */
export function renderLine(line: DiffLine): string {
  if (line.kind === 'del') return `-  ${line.text}`;
  return `${line.newLine}${line.kind === 'add' ? '+' : ' '} ${line.text}`;
}

function renderOverlap(line: DiffLine): string {
  return line.kind === 'del' ? `-  ${line.text}` : `${line.newLine}  ${line.text}`;
}

export function renderSegment(seg: ChunkSegment): string {
  const head =
    seg.status === 'renamed' || seg.status === 'copied'
      ? `### ${seg.file} (${seg.status} from ${seg.oldPath})`
      : `### ${seg.file} (${seg.status})`;
  const body = seg.lines.map((l) => (l.kind === 'add' && !l.owned ? renderOverlap(l) : renderLine(l))).join('\n');
  return `${head}\n${seg.header}\n${body}\n`;
}

function hunkHeader(h: Hunk, lines: DiffLine[]): string {
  const firstNew = lines.find((l) => l.newLine !== undefined)?.newLine ?? h.newStart;
  return `@@ new line ${firstNew} @@${h.section ? ' ' + h.section : ''}`;
}

/**
 * Packs files into chunks that fit the budget: whole files together when they fit, a large file
 * split at hunk boundaries, a large hunk split at line boundaries with overlap. Every added line is
 * owned by exactly one chunk. High-risk files come first so that a limit cuts the least risky ones.
 */
export function packChunks(files: FileDiff[], opts: PackOptions): Chunk[] {
  const budget = Math.max(64, opts.budgetTokens);
  const ordered = [...files].sort((a, b) => filePriority(b.path) - filePriority(a.path) || a.path.localeCompare(b.path));
  const chunks: Chunk[] = [];
  let current: { segments: ChunkSegment[]; tokens: number; priority: number } | null = null;

  const flush = (): void => {
    if (current && current.segments.length > 0) {
      const text = current.segments.map(renderSegment).join('\n');
      chunks.push({ index: chunks.length, segments: current.segments, text, tokens: estimateTokens(text), priority: current.priority });
    }
    current = null;
  };
  const place = (seg: ChunkSegment, priority: number): void => {
    const tokens = estimateTokens(renderSegment(seg)) + 1;
    if (current && current.tokens + tokens > budget) flush();
    if (!current) current = { segments: [], tokens: 0, priority };
    current.segments.push(seg);
    current.tokens += tokens;
    current.priority = Math.max(current.priority, priority);
  };

  for (const file of ordered) {
    const priority = filePriority(file.path);
    const base = { file: file.path, oldPath: file.oldPath, status: file.status };
    for (const hunk of file.hunks) {
      if (!hunk.lines.some((l) => l.kind === 'add')) continue;
      const whole: ChunkSegment = { ...base, header: hunkHeader(hunk, hunk.lines), lines: hunk.lines.map((l) => ({ ...l, owned: l.kind === 'add' })) };
      if (estimateTokens(renderSegment(whole)) + 1 <= budget) {
        place(whole, priority);
        continue;
      }
      for (const seg of splitHunk(base, hunk, budget, opts.overlapLines)) place(seg, priority);
    }
  }
  flush();
  return chunks;
}

/** Splits one hunk at line boundaries; each piece repeats the last `overlap` lines of the previous one. */
function splitHunk(base: Omit<ChunkSegment, 'header' | 'lines'>, hunk: Hunk, budget: number, overlap: number): ChunkSegment[] {
  const pieces: ChunkSegment[] = [];
  const headerReserve = estimateTokens(`### ${base.file} (${base.status} from ${base.oldPath ?? ''})\n@@ new line 0000000 @@ ${hunk.section}\n`) + 2;
  let start = 0;
  while (start < hunk.lines.length) {
    const lead = pieces.length === 0 ? 0 : Math.min(overlap, start);
    const lines: ChunkLine[] = hunk.lines.slice(start - lead, start).map((l) => ({ ...l, owned: false }));
    let tokens = headerReserve + lines.reduce((n, l) => n + estimateTokens(renderOverlap(l)) + 1, 0);
    let end = start;
    while (end < hunk.lines.length) {
      const line = hunk.lines[end];
      const cost = estimateTokens(renderLine(line)) + 1;
      // A single line longer than the budget still goes alone; the provider clips it and says so.
      if (tokens + cost > budget && end > start) break;
      lines.push({ ...line, owned: line.kind === 'add' });
      tokens += cost;
      end++;
    }
    pieces.push({ ...base, header: hunkHeader(hunk, lines), lines });
    start = end;
  }
  return pieces;
}

/** The new-file lines a chunk reviews, per file. */
export function ownedLines(chunk: Chunk): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const seg of chunk.segments) {
    for (const l of seg.lines) {
      if (!l.owned || l.newLine === undefined) continue;
      const list = out.get(seg.file) ?? [];
      list.push(l.newLine);
      out.set(seg.file, list);
    }
  }
  return out;
}

/** Contiguous ranges of line numbers: [3,4,5,9] → [[3,5],[9,9]]. */
export function toRanges(lines: number[]): [number, number][] {
  const sorted = [...lines].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const n of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && n === last[1] + 1) last[1] = n;
    else if (!last || n > last[1]) ranges.push([n, n]);
  }
  return ranges;
}
