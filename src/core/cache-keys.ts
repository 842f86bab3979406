import { createHash } from 'node:crypto';
import type { Chunk } from './pack/chunker.js';

/** What else a reply depends on besides the diff it answers. */
export interface KeyParts {
  provider: string;
  model: string;
  promptVersion: string;
  rulesConfig: string;
  instructions: string;
}

export interface UnitKey {
  key: string;
  /** Its first new and old lines: cached findings are stored counted from them. */
  baseLine: number;
  baseOldLine: number;
}

/**
 * The cache key of a piece (or whole file) of a diff, hashed as it is read rather than from one
 * string of the whole piece. It holds every segment's file, status, header, overlap and line
 * limit, and every line's kind and text; line numbers only where a line does not follow the one
 * before it (a piece's first line, a hunk's), and then counted from the piece's first lines, so
 * that a line inserted above a piece leaves its key as it was. `rest` is what else the answer
 * depends on (provider, model, prompt version, rules, instructions).
 */
export function unitKey(chunk: Chunk, rest: KeyParts): UnitKey {
  let baseLine = Infinity;
  let baseOldLine = Infinity;
  for (const seg of chunk.segments)
    for (const l of seg.lines) {
      if (l.newLine !== undefined && l.newLine < baseLine) baseLine = l.newLine;
      if (l.oldLine !== undefined && l.oldLine < baseOldLine) baseOldLine = l.oldLine;
    }
  if (baseLine === Infinity) baseLine = 0;
  if (baseOldLine === Infinity) baseOldLine = 0;
  const h = createHash('sha256').update('pullmint-unit-1\0');
  for (const seg of chunk.segments) {
    let out = `\0${seg.file}\0${seg.status}\0${seg.oldPath ?? ''}\0${seg.symlink ? 1 : 0}\0${seg.header}\0${seg.overlap}\0${seg.maxLineTokens}`;
    let nextNew = NaN;
    let nextOld = NaN;
    for (const l of seg.lines) {
      const n = l.newLine;
      const o = l.oldLine;
      // `a`, `d`, `c` with both numbers where they follow on; `A`, `D`, `C` and the numbers where they do not.
      const follows = (n === undefined || n === nextNew) && (o === undefined || o === nextOld);
      const kind = l.kind === 'add' ? 'a' : l.kind === 'del' ? 'd' : 'c';
      out += follows
        ? `\n${kind}${n === undefined ? '' : '+'}${o === undefined ? '' : '-'}${l.text}`
        : `\n${kind.toUpperCase()}${n === undefined ? '' : n - baseLine}/${o === undefined ? '' : o - baseOldLine} ${l.text}`;
      if (n !== undefined) nextNew = n + 1;
      if (o !== undefined) nextOld = o + 1;
    }
    h.update(out);
  }
  for (const part of [rest.provider, rest.model, rest.promptVersion, rest.rulesConfig, rest.instructions]) h.update('\0').update(part);
  return { key: h.digest('hex'), baseLine, baseOldLine };
}
