import type { DiffLine, FileDiff, FileStatus, Hunk } from '../diff/model.js';
import { filePriority } from './priority.js';

export interface ChunkSegment {
  file: string;
  oldPath: string | null;
  status: FileStatus;
  header: string;
  lines: DiffLine[];
  /** The first `overlap` lines repeat the end of the previous piece: shown as context, not owned. */
  overlap: number;
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
export function renderLine(line: DiffLine, owned = true): string {
  if (line.kind === 'del') return `-  ${line.text}`;
  return `${line.newLine}${line.kind === 'add' && owned ? '+' : ' '} ${line.text}`;
}

const digits = (n: number | undefined): number =>
  n === undefined ? 1 : n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : String(n).length;

/** Length of renderLine's output plus its newline, without building the string. */
function lineChars(line: DiffLine): number {
  return (line.kind === 'del' ? 3 : digits(line.newLine) + 2) + line.text.length + 1;
}

/** Same estimate as estimateTokens (4 characters a token), from a character count. */
const tokensOf = (chars: number): number => Math.ceil(chars / 4);

function segmentHead(seg: Pick<ChunkSegment, 'file' | 'status' | 'oldPath'>): string {
  return seg.status === 'renamed' || seg.status === 'copied'
    ? `### ${seg.file} (${seg.status} from ${seg.oldPath})`
    : `### ${seg.file} (${seg.status})`;
}

/** A segment's hunk, with the file header only when it opens the file's run in the chunk. */
export function renderSegment(seg: ChunkSegment, withFileHeader = true): string {
  const out = withFileHeader ? [segmentHead(seg), seg.header] : [seg.header];
  seg.lines.forEach((l, i) => out.push(renderLine(l, i >= seg.overlap)));
  return out.join('\n') + '\n';
}

function renderSegments(segments: ChunkSegment[]): string {
  return segments.map((seg, i) => renderSegment(seg, i === 0 || segments[i - 1].file !== seg.file)).join('');
}

/** Lines carry their own numbers, so the hunk header only separates hunks and names the function. */
function hunkHeader(h: Hunk): string {
  return h.section ? `@@ ${h.section}` : '@@';
}

/** Counted with the file header: the estimate errs on the side of fitting. */
function segmentChars(seg: ChunkSegment): number {
  let n = segmentHead(seg).length + 1 + seg.header.length + 1;
  for (const l of seg.lines) n += lineChars(l);
  return n;
}

function makeChunk(segments: ChunkSegment[], priority: number): Chunk {
  const text = renderSegments(segments);
  return { index: 0, segments, text, tokens: tokensOf(text.length), priority };
}

/**
 * The chunks of one file: whole when it fits, else split at hunk boundaries, and a hunk larger
 * than the budget split at line boundaries with overlap. Every added line is owned exactly once.
 */
export function packFile(file: FileDiff, opts: PackOptions): Chunk[] {
  const budget = Math.max(64, opts.budgetTokens);
  const priority = filePriority(file.path);
  const base = { file: file.path, oldPath: file.oldPath, status: file.status };
  const chunks: Chunk[] = [];
  let current: ChunkSegment[] = [];
  let chars = 0;
  const flush = (): void => {
    if (current.length > 0) chunks.push(makeChunk(current, priority));
    current = [];
    chars = 0;
  };
  const place = (seg: ChunkSegment): void => {
    const n = segmentChars(seg) + 1;
    if (current.length > 0 && tokensOf(chars + n) > budget) flush();
    current.push(seg);
    chars += n;
  };
  for (const hunk of file.hunks) {
    if (!hunk.lines.some((l) => l.kind === 'add')) continue;
    const whole: ChunkSegment = { ...base, header: hunkHeader(hunk), lines: hunk.lines, overlap: 0 };
    if (tokensOf(segmentChars(whole) + 1) <= budget) place(whole);
    else for (const seg of splitHunk(base, hunk, budget, opts.overlapLines)) place(seg);
  }
  flush();
  return chunks;
}

function splitHunk(base: Pick<ChunkSegment, 'file' | 'status' | 'oldPath'>, hunk: Hunk, budget: number, overlap: number): ChunkSegment[] {
  const pieces: ChunkSegment[] = [];
  const reserve = segmentHead(base).length + 1 + hunkHeader(hunk).length + 8;
  let start = 0;
  while (start < hunk.lines.length) {
    const lead = pieces.length === 0 ? 0 : Math.min(overlap, start);
    let chars = reserve;
    for (let i = start - lead; i < start; i++) chars += lineChars(hunk.lines[i]);
    let end = start;
    while (end < hunk.lines.length) {
      const cost = lineChars(hunk.lines[end]);
      // A single line longer than the budget still goes alone rather than being lost.
      if (tokensOf(chars + cost) > budget && end > start) break;
      chars += cost;
      end++;
    }
    const lines = hunk.lines.slice(start - lead, end);
    pieces.push({ ...base, header: hunkHeader(hunk), lines, overlap: lead });
    start = end;
  }
  return pieces;
}

/** Greedily packs consecutive chunks together while they fit the budget; nothing is re-rendered. */
export function mergeChunks(chunks: Chunk[], budgetTokens: number): Chunk[] {
  const budget = Math.max(64, budgetTokens);
  const out: Chunk[] = [];
  let group: Chunk[] = [];
  let tokens = 0;
  const flush = (): void => {
    if (group.length === 1) out.push({ ...group[0], index: out.length });
    else if (group.length > 1) {
      const text = group.map((c) => c.text).join('');
      out.push({
        index: out.length,
        segments: group.flatMap((c) => c.segments),
        text,
        tokens: tokensOf(text.length),
        priority: Math.max(...group.map((c) => c.priority)),
      });
    }
    group = [];
    tokens = 0;
  };
  for (const c of chunks) {
    if (group.length > 0 && tokens + c.tokens + 1 > budget) flush();
    group.push(c);
    tokens += c.tokens + 1;
  }
  flush();
  return out;
}

/** High-risk files first, so that a limit cuts the least risky ones. */
export function riskOrder(files: FileDiff[]): FileDiff[] {
  return [...files].sort((a, b) => filePriority(b.path) - filePriority(a.path) || a.path.localeCompare(b.path));
}

/** The new-file lines a chunk reviews, per file. */
export function ownedLines(chunk: Chunk): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const seg of chunk.segments) {
    let list = out.get(seg.file);
    for (let i = seg.overlap; i < seg.lines.length; i++) {
      const l = seg.lines[i];
      if (l.kind !== 'add' || l.newLine === undefined) continue;
      if (!list) out.set(seg.file, (list = []));
      list.push(l.newLine);
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
