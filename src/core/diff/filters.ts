import { globList } from '../glob.js';
import type { SkippedFile } from '../types.js';
import { countChanged, type FileDiff } from './model.js';

const LOCKFILES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'bun.lock',
  'go.sum',
  'Cargo.lock',
  'poetry.lock',
  'uv.lock',
  'Pipfile.lock',
  'composer.lock',
  'Gemfile.lock',
  'pubspec.lock',
  'mix.lock',
  'flake.lock',
  'Podfile.lock',
  'packages.lock.json',
  'gradle.lockfile',
]);

const MINIFIED = globList(['**/*.min.js', '**/*.min.css', '**/*.min.mjs', '**/*.map', '**/*.bundle.js'], { dot: true });
const VENDORED = globList(['**/node_modules/**', '**/vendor/**', '**/third_party/**', '**/third-party/**', '**/bower_components/**'], {
  dot: true,
});
const GENERATED_NAMES = globList(
  [
    '**/*.pb.go',
    '**/*_pb2.py',
    '**/*_pb2_grpc.py',
    '**/*.pb.ts',
    '**/*.g.dart',
    '**/*.generated.*',
    '**/*_generated.*',
    '**/generated/**',
    '**/__generated__/**',
    '**/*.snap',
  ],
  { dot: true },
);
/**
 * The conventional markers, honoured only as a file's header: a comment line of its own among the
 * first lines, `@generated` (and nothing before it but the comment's opening), or Go's exact
 * `// Code generated … DO NOT EDIT.`. Prose that merely mentions the words does not count.
 */
const GENERATED_HEADERS = [/^\s*(?:\/\/|#|\/\*+|\*|--|<!--|;+)\s*@generated\b/, /^\/\/ Code generated .* DO NOT EDIT\.$/];
const HEADER_LINES = 5;

/** A line this long counts toward minified content. */
const LONG_LINE = 500;

export interface FilterOptions {
  ignoreGlobs: string[];
  /** A file with more changed (added and removed) lines than this is reviewed up to the limit and reported as clipped. */
  maxLinesPerFile: number;
}

export interface FilterResult {
  files: FileDiff[];
  skipped: SkippedFile[];
  /** Files reviewed only in part: path → the first new-file line not reviewed, and how many lines. */
  clipped: { file: string; fromLine: number; lines: number }[];
}

function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** Why a file is not reviewed, or null when it is. */
export function skipReason(file: FileDiff, userIgnore: (p: string) => boolean): string | null {
  const path = file.path;
  if (file.submodule) return 'submodule';
  if (file.binary) return 'binary';
  if (file.modeOnly) return 'mode change only';
  const attrs = file.attributes ?? {};
  if (LOCKFILES.has(baseName(path))) return 'lockfile';
  if (attrs.generated === true) return 'generated (linguist-generated attribute)';
  if (attrs.vendored === true) return 'vendored (linguist-vendored attribute)';
  if (MINIFIED(path)) return 'minified or source map';
  if (attrs.vendored !== false && VENDORED(path)) return 'vendored';
  if (attrs.generated !== false && GENERATED_NAMES(path)) return 'generated';
  if (userIgnore(path)) return 'ignored by configuration';
  if (attrs.generated !== false && hasGeneratedHeader(file)) return 'generated (header marker)';
  if (looksMinified(file)) return 'minified (long dense lines)';
  return null;
}

/**
 * A generator's header among the file's first lines. In a file the change only modifies, a marker
 * the change itself adds does not count: a change cannot declare itself generated.
 */
export function hasGeneratedHeader(file: FileDiff): boolean {
  const first = file.hunks[0];
  if (!first || first.newStart > HEADER_LINES) return false;
  for (const line of first.lines) {
    if (line.newLine === undefined) continue;
    if (line.newLine > HEADER_LINES) break;
    if (line.kind === 'add' && file.status !== 'added') continue;
    if (GENERATED_HEADERS.some((re) => re.test(line.text))) return true;
  }
  return false;
}

/**
 * Minified content, by shape: several long lines of dense code (few spaces) that hold most of the
 * added text and are a good share of its lines. One long line never makes a file minified: a 1 MB
 * comment appended to a file is clipped and listed as unreviewed, and the rest of the file reviewed.
 */
export function looksMinified(file: FileDiff): boolean {
  // Most files have no long line at all: one look at each line's length settles them.
  let longLines = 0;
  let longBytes = 0;
  for (const hunk of file.hunks)
    for (const line of hunk.lines)
      if (line.kind === 'add' && line.text.length >= LONG_LINE && isDense(line.text)) {
        longLines++;
        longBytes += line.text.length;
      }
  if (longLines < 2) return false;
  let lines = 0;
  let bytes = 0;
  for (const hunk of file.hunks)
    for (const line of hunk.lines) {
      if (line.kind !== 'add' || !NOT_BLANK.test(line.text)) continue;
      lines++;
      bytes += line.text.length;
    }
  return longLines * 5 >= lines && longBytes * 10 >= bytes * 8;
}

const NOT_BLANK = /\S/;

/** Code with little whitespace, not a comment: what a minifier writes. */
function isDense(text: string): boolean {
  const t = text.trimStart();
  if (/^(?:\/\/|#|\/\*|\*|<!--|--)/.test(t)) return false;
  let spaces = 0;
  const n = Math.min(t.length, 4000);
  for (let i = 0; i < n; i++) if (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9) spaces++;
  return spaces * 10 < n;
}

export type FileVerdict =
  | { kind: 'skip'; skipped: SkippedFile }
  | { kind: 'nothing' }
  | { kind: 'review'; file: FileDiff; clipped?: FilterResult['clipped'][number] };

/** The per-file decision, usable while the diff is still streaming in. */
export function fileFilter(opts: FilterOptions): (file: FileDiff) => FileVerdict {
  const userIgnore = opts.ignoreGlobs.length > 0 ? globList(opts.ignoreGlobs, { dot: true }, 'now') : () => false;
  return (file) => {
    const reason = skipReason(file, userIgnore);
    if (reason) return { kind: 'skip', skipped: { file: file.path, reason } };
    if (countChanged(file) === 0) return { kind: 'nothing' }; // a pure rename, a mode change
    const clip = clipFile(file, opts.maxLinesPerFile);
    return clip
      ? { kind: 'review', file: clip.file, clipped: { file: file.path, fromLine: clip.fromLine, lines: clip.lines } }
      : { kind: 'review', file };
  };
}

function clipFile(file: FileDiff, max: number): { file: FileDiff; fromLine: number; lines: number } | null {
  const total = countChanged(file);
  if (total <= max) return null;
  let seen = 0;
  let fromLine = 0;
  const hunks = [];
  for (const hunk of file.hunks) {
    if (seen >= max) break;
    const lines = [];
    for (const line of hunk.lines) {
      if (line.kind !== 'ctx') {
        if (seen >= max) {
          // The first line not reviewed, or for a removed one the new-file line where it was.
          fromLine = line.newLine ?? Math.max(1, lines.filter((l) => l.newLine !== undefined).pop()?.newLine ?? hunk.newStart);
          break;
        }
        seen++;
      }
      lines.push(line);
    }
    hunks.push({ ...hunk, lines });
  }
  if (fromLine === 0) {
    // The limit fell exactly at a hunk boundary: the first unreviewed line opens the next hunk.
    const next = file.hunks[hunks.length];
    fromLine = Math.max(1, next?.lines.find((l) => l.kind !== 'ctx')?.newLine ?? next?.newStart ?? 1);
  }
  return { file: { ...file, hunks }, fromLine, lines: total - max };
}
