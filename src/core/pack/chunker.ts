import { isAsciiFile, type DiffLine, type FileDiff, type FileStatus, type Hunk } from '../diff/model.js';
import { filePriority } from './priority.js';
import { BYTES_PER_TOKEN, clipToTokens, tokensOfBytes, utf8Length } from './tokens.js';

export interface ChunkSegment {
  file: string;
  oldPath: string | null;
  status: FileStatus;
  header: string;
  lines: DiffLine[];
  /** The first `overlap` lines repeat the end of the previous piece: shown as context, not owned. */
  overlap: number;
  /** Estimated tokens a line may take in the prompt; a longer line shows only its start (see `Chunk.clipped`). */
  maxLineTokens: number;
  /** The new-file line a removal with no new-file line beside it is shown at (git's hunk start). */
  near?: number;
  /** The file is a symbolic link. */
  symlink?: boolean;
}

/** A changed line longer than the model's window: the prompt shows only its start, so it is not reviewed. */
export interface ClippedLine {
  file: string;
  /** New-file line of an added line; old-file line of a removed one (`removed`). */
  line: number;
  removed?: boolean;
  /** Its whole length, in characters. */
  chars: number;
}

export interface Chunk {
  index: number;
  segments: ChunkSegment[];
  /** The rendered diff data the model sees (no instructions). */
  text: string;
  tokens: number;
  priority: number;
  /** Owned changed lines that `text` shows only in part; `ownedLines` and `ownedRemovedLines` leave them out. */
  clipped: ClippedLine[];
}

export interface PackOptions {
  /** Tokens the rendered diff data of one chunk may take. */
  budgetTokens: number;
  /** Lines repeated as context when a hunk is split inside. */
  overlapLines: number;
}

const MIN_BUDGET = 64;
/** Room for the note that ends a clipped line; its longest form is about 50 characters. */
const CLIP_NOTE_TOKENS = 20;

/**
 * One line as the model sees it, as in a unified diff: `+text` (added), ` text` (context), `-text`
 * (removed). Numbers are the hunk header's (`@@ -old +new @@`), counted down the hunk, not repeated
 * on every line: a number on each line cost about a quarter more tokens than the code itself. Every
 * data line starts with one of these three characters, so no line of the data can pass for a
 * marker or a header.
 */
export function renderLine(line: DiffLine, owned = true, maxLineTokens = Infinity): string {
  const text = isClipped(line, maxLineTokens) ? clipText(line.text, maxLineTokens) : line.text;
  if (line.kind === 'del') return `-${text}`;
  return `${line.kind === 'add' && owned ? '+' : ' '}${text}`;
}

/** The hunk header of a segment's lines: where its first old and new lines are, then the function git names. */
export function numberedHeader(seg: Pick<ChunkSegment, 'header' | 'lines' | 'near'>): string {
  let oldStart: number | undefined;
  let newStart: number | undefined;
  for (const l of seg.lines) {
    if (oldStart === undefined && l.oldLine !== undefined) oldStart = l.oldLine;
    if (newStart === undefined && l.newLine !== undefined) newStart = l.newLine;
    if (oldStart !== undefined && newStart !== undefined) break;
  }
  const section = seg.header.replace(/^@@ ?/, '');
  return `@@ -${oldStart ?? 0} +${newStart ?? seg.near ?? 0} @@${section ? ` ${section}` : ''}`;
}

/** A path as the prompt shows it: a JSON string, so no name (newlines, quotes, spaces) can start a line of its own. */
export function quotePath(path: string): string {
  // JSON leaves U+2028 and U+2029 as they are; some readers take them for line breaks.
  return JSON.stringify(path).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

function isClipped(line: DiffLine, maxLineTokens: number): boolean {
  const maxBytes = maxLineTokens * BYTES_PER_TOKEN;
  // A UTF-16 unit takes one to three bytes: most lines are decided without counting.
  if (line.text.length * 3 <= maxBytes) return false;
  if (line.text.length > maxBytes) return true;
  return utf8Length(line.text) > maxBytes;
}

/** The start of the line, and a note the model can read that the rest is missing. */
function clipText(text: string, maxLineTokens: number): string {
  return `${clipToTokens(text, maxLineTokens - CLIP_NOTE_TOKENS)} [... line clipped: ${text.length} characters in all]`;
}

/** Bytes of renderLine's output plus its newline, without building the string; a clipped line counts its limit. */
function lineBytes(line: DiffLine, maxLineTokens: number, ascii = false): number {
  const prefix = 1;
  const maxBytes = maxLineTokens * BYTES_PER_TOKEN;
  const text = line.text.length > maxBytes ? maxBytes : Math.min(ascii ? line.text.length : utf8Length(line.text), maxBytes);
  return prefix + text + 1;
}

function segmentHead(seg: Pick<ChunkSegment, 'file' | 'status' | 'oldPath' | 'symlink'>): string {
  // A file's segments come one after another: its header is written once, not once per hunk and use.
  const last = lastHead;
  if (last && last.file === seg.file && last.status === seg.status && last.oldPath === seg.oldPath && last.symlink === !!seg.symlink)
    return last.text;
  const link = seg.symlink ? ', symbolic link' : '';
  const text =
    seg.status === 'renamed' || seg.status === 'copied'
      ? `### ${quotePath(seg.file)} (${seg.status} from ${quotePath(seg.oldPath ?? '')}${link})`
      : `### ${quotePath(seg.file)} (${seg.status}${link})`;
  lastHead = { file: seg.file, status: seg.status, oldPath: seg.oldPath, symlink: !!seg.symlink, text, bytes: utf8Length(text) };
  return text;
}

let lastHead: { file: string; status: FileStatus; oldPath: string | null; symlink: boolean; text: string; bytes: number } | null = null;

/** UTF-8 bytes of `segmentHead(seg)`. */
function segmentHeadBytes(seg: Pick<ChunkSegment, 'file' | 'status' | 'oldPath' | 'symlink'>): number {
  segmentHead(seg);
  return lastHead!.bytes;
}

/** A segment's hunk, with the file header only when it opens the file's run in the chunk. */
export function renderSegment(seg: ChunkSegment, withFileHeader = true, clipped: ClippedLine[] = []): string {
  let out = withFileHeader ? `${segmentHead(seg)}\n${numberedHeader(seg)}\n` : `${numberedHeader(seg)}\n`;
  const { lines, overlap, maxLineTokens } = seg;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const owned = i >= overlap;
    if (!isClipped(l, maxLineTokens)) {
      // renderLine's output, written here for the lines that need no clipping: most of them.
      out += (l.kind === 'del' ? '-' : l.kind === 'add' && owned ? '+' : ' ') + l.text + '\n';
      continue;
    }
    if (owned && l.kind === 'add' && l.newLine !== undefined) clipped.push({ file: seg.file, line: l.newLine, chars: l.text.length });
    if (owned && l.kind === 'del' && l.oldLine !== undefined)
      clipped.push({ file: seg.file, line: l.oldLine, chars: l.text.length, removed: true });
    out += renderLine(l, owned, maxLineTokens) + '\n';
  }
  return out;
}

/** The function git names for a hunk; `numberedHeader` adds where the lines are. */
function hunkHeader(h: Hunk): string {
  return h.section ? `@@ ${h.section}` : '@@';
}

/** The headers a piece of this segment repeats, and a little slack for the line's own prefix. */
function reserveBytes(seg: Pick<ChunkSegment, 'file' | 'status' | 'oldPath' | 'header' | 'symlink'>): number {
  return segmentHeadBytes(seg) + 1 + utf8Length(seg.header) + 1 + 40;
}

/** The longest line that still fits a chunk with its headers: longer ones are clipped, not sent whole. */
function lineLimit(budget: number, seg: Pick<ChunkSegment, 'file' | 'status' | 'oldPath' | 'header' | 'symlink'>): number {
  return Math.max(CLIP_NOTE_TOKENS + 8, budget - tokensOfBytes(reserveBytes(seg)));
}

/** Counted with the file header: the estimate errs on the side of fitting. */
function segmentBytes(seg: ChunkSegment, ascii = false): number {
  let n = segmentHeadBytes(seg) + 1 + utf8Length(seg.header) + 1 + 24;
  for (const l of seg.lines) n += lineBytes(l, seg.maxLineTokens, ascii);
  return n;
}

const ASCII = /^[\x00-\x7f]*$/;
const asciiPaths = (seg: ChunkSegment): boolean => ASCII.test(seg.file) && (seg.oldPath === null || ASCII.test(seg.oldPath));

/** `ascii`: every line's text is ASCII; with ASCII paths too, the text's length is its size in bytes. */
function makeChunk(segments: ChunkSegment[], priority: number, ascii = false): Chunk {
  const clipped: ClippedLine[] = [];
  const text = segments.map((seg, i) => renderSegment(seg, i === 0 || segments[i - 1].file !== seg.file, clipped)).join('');
  // A path git wrote quoted, in ASCII, may name other characters once unquoted.
  const bytes = ascii && segments.every(asciiPaths) ? text.length : utf8Length(text);
  return { index: 0, segments, text, tokens: tokensOfBytes(bytes), priority, clipped };
}

/** Greedy packing of segments in order; a segment larger than the budget is split at line boundaries. */
/** `ascii`: every line's text is ASCII, so its length is its size in bytes. */
function packSegments(segments: readonly ChunkSegment[], budget: number, overlapLines: number, priority: number, ascii = false): Chunk[] {
  const chunks: Chunk[] = [];
  let current: ChunkSegment[] = [];
  let bytes = 0;
  const flush = (): void => {
    if (current.length > 0) chunks.push(makeChunk(current, priority, ascii));
    current = [];
    bytes = 0;
  };
  const place = (seg: ChunkSegment, n = segmentBytes(seg, ascii) + 1): void => {
    if (current.length > 0 && tokensOfBytes(bytes + n) > budget) flush();
    current.push(seg);
    bytes += n;
    // Past seven eighths of the budget, a piece ends where the content says: a line inserted above
    // then changes one piece, not the place of every later cut (and so every later cache entry).
    if (tokensOfBytes(bytes) * 8 >= budget * 7 && contentCut(seg.lines, 2)) flush();
  };
  for (const seg of segments) {
    const n = segmentBytes(seg, ascii) + 1;
    if (tokensOfBytes(n) <= budget) place(seg, n);
    else for (const piece of splitLines(seg, budget, overlapLines, ascii)) place(piece);
  }
  flush();
  return chunks;
}

/**
 * The chunks of one file: whole when it fits, else split at hunk boundaries, and a hunk larger
 * than the budget split at line boundaries with overlap. Every added line is owned exactly once.
 */
export function packFile(file: FileDiff, opts: PackOptions): Chunk[] {
  const budget = Math.max(MIN_BUDGET, opts.budgetTokens);
  const segments: ChunkSegment[] = [];
  for (const hunk of file.hunks) {
    if (!hunk.lines.some(isChange)) continue;
    const header = hunkHeader(hunk);
    const near = Math.max(1, hunk.newStart);
    // Written out, not spread from a shared base: this runs for every hunk of every file.
    const seg: ChunkSegment = {
      file: file.path,
      oldPath: file.oldPath,
      status: file.status,
      header,
      lines: hunk.lines,
      overlap: 0,
      maxLineTokens: 0,
      near,
    };
    if (file.symlink) seg.symlink = true;
    seg.maxLineTokens = lineLimit(budget, seg);
    segments.push(seg);
  }
  return packSegments(segments, budget, opts.overlapLines, filePriority(file.path), isAsciiFile(file));
}

/** FNV-1a over the lines' text: a cut after these lines when it is 0 modulo `every`. */
function contentCut(lines: DiffLine[], every: number): boolean {
  let h = 0x811c9dc5;
  for (const l of lines) {
    const t = l.text;
    for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 10, 0x01000193);
  }
  return (h >>> 0) % every === 0;
}

/**
 * Pieces of a segment that each fit the budget. The owned lines (from `seg.overlap` on) are split
 * at line boundaries; each piece repeats up to `overlap` lines before it as context, and drops that
 * context rather than overflow. Lines were clipped to fit, so every piece fits.
 */
function splitLines(seg: ChunkSegment, budget: number, overlap: number, ascii = false): ChunkSegment[] {
  const pieces: ChunkSegment[] = [];
  const { lines } = seg;
  const reserve = reserveBytes(seg);
  const cost = (l: DiffLine): number => lineBytes(l, seg.maxLineTokens, ascii);
  let start = seg.overlap;
  while (start < lines.length) {
    let lead = pieces.length === 0 ? seg.overlap : Math.min(overlap, start);
    let bytes = reserve;
    for (let i = start - lead; i < start; i++) bytes += cost(lines[i]);
    while (lead > 0 && tokensOfBytes(bytes + cost(lines[start])) > budget) bytes -= cost(lines[start - lead--]);
    let end = start;
    while (end < lines.length) {
      const c = cost(lines[end]);
      if (end > start && tokensOfBytes(bytes + c) > budget) break;
      bytes += c;
      end++;
      // Cuts chosen by content past seven eighths of the budget, as in packSegments.
      if (tokensOfBytes(bytes) * 8 >= budget * 7 && end < lines.length && contentCut([lines[end - 1]], 8)) break;
    }
    // A piece that owns no changed line (only context) would cost a call for nothing to review.
    if (lines.slice(start, end).some(isChange)) pieces.push({ ...seg, lines: lines.slice(start - lead, end), overlap: lead });
    start = end;
  }
  return pieces;
}

/**
 * Re-packs a chunk into pieces that fit a smaller budget, for when the provider turns out to count
 * more tokens than estimated. Lines are clipped again to the new window; ownership is unchanged.
 */
export function splitChunk(chunk: Chunk, budgetTokens: number, overlapLines: number): Chunk[] {
  const budget = Math.max(MIN_BUDGET, budgetTokens);
  const segments = chunk.segments.map((s) => ({ ...s, maxLineTokens: Math.min(s.maxLineTokens, lineLimit(budget, s)) }));
  return packSegments(segments, budget, overlapLines, chunk.priority);
}

/** Greedily packs consecutive chunks together while they fit the budget; nothing is re-rendered. */
export function mergeChunks(chunks: Chunk[], budgetTokens: number): Chunk[] {
  const budget = Math.max(MIN_BUDGET, budgetTokens);
  const out: Chunk[] = [];
  let group: Chunk[] = [];
  let tokens = 0;
  const flush = (): void => {
    if (group.length === 1) out.push({ ...group[0], index: out.length });
    else if (group.length > 1) {
      out.push({
        index: out.length,
        segments: group.flatMap((c) => c.segments),
        text: group.map((c) => c.text).join(''),
        // The sum of the parts' counts: at most a token per part above a count of the whole, never below.
        tokens: group.reduce((n, c) => n + c.tokens, 0),
        priority: Math.max(...group.map((c) => c.priority)),
        clipped: group.flatMap((c) => c.clipped),
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

/**
 * A file's pieces with a small first one: the riskiest file opens the review with a short call, so
 * the first findings arrive after a fraction of a full chunk's time. The rest of the first piece is
 * packed again at the full budget; every added line stays owned once. Unchanged when the first
 * piece is already small.
 */
export function smallFirst(pieces: Chunk[], smallTokens: number, budgetTokens: number, overlapLines: number): Chunk[] {
  if (pieces.length === 0 || pieces[0].tokens <= smallTokens) return pieces;
  const split = splitChunk(pieces[0], smallTokens, overlapLines);
  if (split.length <= 1) return pieces;
  const rest = mergeChunks(split.slice(1), budgetTokens).map((c) => ({ ...c, priority: pieces[0].priority }));
  return [split[0], ...rest, ...pieces.slice(1)];
}

/** High-risk files first, so that a limit cuts the least risky ones. */
export function riskOrder(files: FileDiff[]): FileDiff[] {
  // Each path is matched against the globs once, not on every comparison.
  return files
    .map((file) => ({ file, priority: filePriority(file.path) }))
    .sort((a, b) => b.priority - a.priority || a.file.path.localeCompare(b.file.path))
    .map((x) => x.file);
}

const isChange = (l: DiffLine): boolean => l.kind !== 'ctx';

/** The new-file lines a chunk reviews, per file: its owned added lines, less the clipped ones. */
export function ownedLines(chunk: Chunk): Map<string, number[]> {
  return owned(chunk, 'add');
}

/** The old-file lines of removed lines a chunk reviews, per file, less the clipped ones. */
export function ownedRemovedLines(chunk: Chunk): Map<string, number[]> {
  return owned(chunk, 'del');
}

/** How many changed lines (added and removed) a chunk reviews: those `ownedLines` and `ownedRemovedLines` list, counted. */
export function countOwned(chunk: Chunk): number {
  let n = 0;
  for (const seg of chunk.segments)
    for (let i = seg.overlap; i < seg.lines.length; i++) {
      const l = seg.lines[i];
      if ((l.kind === 'add' && l.newLine !== undefined) || (l.kind === 'del' && l.oldLine !== undefined)) n++;
    }
  // A clipped line is owned but shown only in part: not reviewed. Each is listed once.
  return n - chunk.clipped.length;
}

function owned(chunk: Chunk, kind: 'add' | 'del'): Map<string, number[]> {
  const removed = kind === 'del';
  const clipped =
    chunk.clipped.length > 0 ? new Set(chunk.clipped.filter((c) => !c.removed === !removed).map((c) => `${c.line}\0${c.file}`)) : null;
  const out = new Map<string, number[]>();
  for (const seg of chunk.segments) {
    let list = out.get(seg.file);
    for (let i = seg.overlap; i < seg.lines.length; i++) {
      const l = seg.lines[i];
      const n = removed ? l.oldLine : l.newLine;
      if (l.kind !== kind || n === undefined) continue;
      if (clipped?.has(`${n}\0${seg.file}`)) continue;
      if (!list) out.set(seg.file, (list = []));
      list.push(n);
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
