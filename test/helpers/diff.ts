/** Whole-diff conveniences over the engine's streaming primitives, so tests can feed a fixture in one call. */
import { fileFilter, type FilterOptions, type FilterResult } from '../../src/core/diff/filters.js';
import type { DiffLine, FileDiff } from '../../src/core/diff/model.js';
import { DiffParser, type ParsedDiff } from '../../src/core/diff/parse.js';
import { mergeChunks, packFile, riskOrder, type Chunk, type PackOptions } from '../../src/core/pack/chunker.js';

export function parseUnifiedDiff(text: string): ParsedDiff {
  const parser = new DiffParser();
  parser.push(text);
  return parser.end();
}

export function addedLines(file: FileDiff): DiffLine[] {
  return file.hunks.flatMap((h) => h.lines.filter((l) => l.kind === 'add'));
}

/** The same split the engine makes file by file: reviewed, skipped with a reason, clipped. */
export function filterFiles(files: FileDiff[], opts: FilterOptions): FilterResult {
  const decide = fileFilter(opts);
  const result: FilterResult = { files: [], skipped: [], clipped: [] };
  for (const file of files) {
    const v = decide(file);
    if (v.kind === 'skip') result.skipped.push(v.skipped);
    else if (v.kind === 'review') {
      result.files.push(v.file);
      if (v.clipped) result.clipped.push(v.clipped);
    }
  }
  return result;
}

/** The same packing the model phase does: riskiest files first, small pieces merged up to the budget. */
export function packChunks(files: FileDiff[], opts: PackOptions): Chunk[] {
  return mergeChunks(
    riskOrder(files).flatMap((f) => packFile(f, opts)),
    opts.budgetTokens,
  );
}

/** A file the change adds whole, as the diff parser gives it: every line added, numbered from 1. */
export function addedFile(path: string, lines: string[]): FileDiff {
  return {
    oldPath: null,
    newPath: path,
    path,
    status: 'added',
    binary: false,
    submodule: false,
    modeOnly: false,
    crlf: false,
    hunks: [
      {
        oldStart: 0,
        oldLines: 0,
        newStart: 1,
        newLines: lines.length,
        section: '',
        lines: lines.map((text, i) => ({ kind: 'add', text, newLine: i + 1 })),
      },
    ],
  };
}
