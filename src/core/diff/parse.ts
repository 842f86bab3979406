import { markAscii, type DiffLine, type FileDiff, type FileStatus, type Hunk } from './model.js';

export interface ParsedDiff {
  files: FileDiff[];
  /** Things the parser could not make sense of; it keeps going rather than throwing. */
  warnings: string[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;
const SUBMODULE_MODE = '160000';
const SYMLINK_MODE = '120000';

/**
 * Parses `git diff` output (unified format, a/ b/ prefixes) as it streams in: each file is handed
 * to `onFile` as soon as the next file header (or the end) shows it is complete, so per-file work
 * overlaps git's own. Tolerates broken input: a malformed hunk ends that file's hunks with a
 * warning instead of failing the whole review.
 */
export class DiffParser {
  private readonly files: FileDiff[] = [];
  private readonly warnings: string[] = [];
  private file: MutableFile | null = null;
  private hunk: Hunk | null = null;
  private oldLeft = 0;
  private newLeft = 0;
  private oldNo = 0;
  private newNo = 0;
  private partial = '';
  /** Whether the bytes behind the lines being read, and behind the open file so far, were all ASCII. */
  private partialAscii = true;
  private chunkAscii = false;
  private fileAscii = false;

  constructor(private readonly onFile?: (file: FileDiff) => void) {}

  /** `ascii`: the caller saw that the bytes this text was decoded from are all ASCII (none at or above 0x80). */
  push(chunk: string, ascii = false): void {
    this.chunkAscii = ascii && this.partialAscii;
    this.partialAscii = ascii;
    const text = this.partial + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      // A line inside a hunk is cut from the text once, without its marker; others whole.
      if (!this.hunkLine(text, start, nl)) this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.partial = text.slice(start);
  }

  end(): ParsedDiff {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
    this.finishFile();
    return { files: this.files, warnings: this.warnings };
  }

  private finishFile(): void {
    const { file, hunk } = this;
    if (hunk && (this.oldLeft > 0 || this.newLeft > 0) && file) {
      this.warnings.push(`${file.path || '?'}: hunk at +${hunk.newStart} ends early (diff truncated?)`);
    }
    this.hunk = null;
    if (file) {
      const done = finalize(file);
      if (this.fileAscii) markAscii(done);
      this.files.push(done);
      this.onFile?.(done);
    }
    this.file = null;
  }

  /** A line of an open hunk, read in place; false when it is anything else (then `line` reads it). */
  private hunkLine(text: string, start: number, end: number): boolean {
    const hunk = this.hunk;
    const file = this.file;
    if (!hunk || !file || (this.oldLeft <= 0 && this.newLeft <= 0) || end === start) return false;
    const marker = text.charCodeAt(start);
    const cr = text.charCodeAt(end - 1) === 13;
    let line: DiffLine;
    // Every line has the same four fields, in the same order: one shape for the code that reads them.
    // '+', '-', ' '
    if (marker === 43 && this.newLeft > 0) {
      line = { kind: 'add', text: text.slice(start + 1, cr ? end - 1 : end), oldLine: undefined, newLine: this.newNo++ };
      this.newLeft--;
    } else if (marker === 45 && this.oldLeft > 0) {
      line = { kind: 'del', text: text.slice(start + 1, cr ? end - 1 : end), oldLine: this.oldNo++, newLine: undefined };
      this.oldLeft--;
    } else if (marker === 32 && this.oldLeft > 0 && this.newLeft > 0) {
      line = { kind: 'ctx', text: text.slice(start + 1, cr ? end - 1 : end), oldLine: this.oldNo++, newLine: this.newNo++ };
      this.oldLeft--;
      this.newLeft--;
    } else return false;
    if (cr) file.crlf = true;
    this.fileAscii &&= this.chunkAscii;
    hunk.lines.push(line);
    return true;
  }

  private line(raw: string): void {
    if (raw.startsWith('diff --git ')) {
      this.finishFile();
      this.file = startFile(raw.slice('diff --git '.length));
      this.fileAscii = this.chunkAscii;
      return;
    }
    this.fileAscii &&= this.chunkAscii;
    const file = this.file;
    if (!file) {
      if (raw.trim() !== '' && this.files.length === 0 && this.warnings.length === 0)
        this.warnings.push('diff text before the first file header was ignored');
      return;
    }
    const hunk = this.hunk;
    if (hunk && (this.oldLeft > 0 || this.newLeft > 0)) {
      const marker = raw[0];
      const cr = raw.charCodeAt(raw.length - 1) === 13;
      const body = raw.slice(1, cr ? -1 : undefined);
      if (cr) file.crlf = true;
      let line: DiffLine | null = null;
      if (marker === '+' && this.newLeft > 0) {
        line = { kind: 'add', text: body, oldLine: undefined, newLine: this.newNo++ };
        this.newLeft--;
      } else if (marker === '-' && this.oldLeft > 0) {
        line = { kind: 'del', text: body, oldLine: this.oldNo++, newLine: undefined };
        this.oldLeft--;
      } else if ((marker === ' ' || raw === '') && this.oldLeft > 0 && this.newLeft > 0) {
        line = { kind: 'ctx', text: body, oldLine: this.oldNo++, newLine: this.newNo++ };
        this.oldLeft--;
        this.newLeft--;
      } else if (marker === '\\') {
        return;
      }
      if (line) {
        hunk.lines.push(line);
        return;
      }
      this.warnings.push(`${file.path || '?'}: malformed line in hunk at +${hunk.newStart}; rest of the file's diff skipped`);
      this.hunk = null;
      this.oldLeft = this.newLeft = 0;
      file.broken = true;
      return;
    }
    if (raw.startsWith('\\')) return; // "\ No newline at end of file"
    const header = HUNK_HEADER.exec(raw);
    if (header) {
      if (file.broken) return;
      const h: Hunk = {
        oldStart: Number(header[1]),
        oldLines: header[2] === undefined ? 1 : Number(header[2]),
        newStart: Number(header[3]),
        newLines: header[4] === undefined ? 1 : Number(header[4]),
        section: header[5] ?? '',
        lines: [],
      };
      this.hunk = h;
      this.oldLeft = h.oldLines;
      this.newLeft = h.newLines;
      this.oldNo = h.oldStart;
      this.newNo = h.newStart;
      file.hunks.push(h);
      return;
    }
    if (hunk) {
      // A line after a completed hunk that is not a header: git never prints one.
      if (raw.startsWith('+') || raw.startsWith('-') || raw.startsWith(' ')) {
        this.warnings.push(`${file.path || '?'}: hunk at +${hunk.newStart} has more lines than its header says`);
        file.broken = true;
        this.hunk = null;
      }
      return;
    }
    readExtendedHeader(file, raw);
  }
}

interface MutableFile extends FileDiff {
  broken: boolean;
  statusHint: FileStatus | null;
}

function startFile(rest: string): MutableFile {
  const [a, b] = splitGitHeaderPaths(rest);
  const path = b ?? a ?? '';
  return {
    oldPath: a,
    newPath: b,
    path,
    status: 'modified',
    statusHint: null,
    binary: false,
    submodule: false,
    modeOnly: false,
    crlf: false,
    hunks: [],
    broken: false,
  };
}

function readExtendedHeader(file: MutableFile, raw: string): void {
  const take = (prefix: string): string | null => (raw.startsWith(prefix) ? raw.slice(prefix.length) : null);
  let v: string | null;
  if ((v = take('old mode '))) file.oldMode = v.trim();
  else if ((v = take('new mode '))) file.newMode = v.trim();
  else if ((v = take('new file mode '))) {
    file.newMode = v.trim();
    file.statusHint = 'added';
  } else if ((v = take('deleted file mode '))) {
    file.oldMode = v.trim();
    file.statusHint = 'deleted';
  } else if ((v = take('rename from '))) {
    file.oldPath = unquotePath(v);
    file.statusHint = 'renamed';
  } else if ((v = take('rename to '))) file.newPath = unquotePath(v);
  else if ((v = take('copy from '))) {
    file.oldPath = unquotePath(v);
    file.statusHint = 'copied';
  } else if ((v = take('copy to '))) file.newPath = unquotePath(v);
  else if ((v = take('similarity index '))) file.similarity = parseInt(v, 10);
  else if ((v = take('index '))) {
    const mode = v.split(' ')[1];
    if (mode === SUBMODULE_MODE) file.submodule = true;
    else if (mode && !file.newMode) file.newMode = mode;
  } else if ((v = take('--- '))) file.oldPath = v === '/dev/null' ? null : unquotePath(stripTab(v), 'a/');
  else if ((v = take('+++ '))) file.newPath = v === '/dev/null' ? null : unquotePath(stripTab(v), 'b/');
  else if (raw.startsWith('Binary files ') || raw === 'GIT binary patch') file.binary = true;
  if (file.oldMode === SUBMODULE_MODE || file.newMode === SUBMODULE_MODE) file.submodule = true;
}

function finalize(file: MutableFile): FileDiff {
  const { broken: _broken, statusHint, ...rest } = file;
  let status: FileStatus = statusHint ?? 'modified';
  if (rest.newPath === null) status = 'deleted';
  else if (rest.oldPath === null) status = 'added';
  const path = (status === 'deleted' ? rest.oldPath : rest.newPath) ?? rest.path;
  const modeOnly =
    !rest.binary &&
    !rest.submodule &&
    rest.hunks.length === 0 &&
    status === 'modified' &&
    rest.oldMode !== undefined &&
    rest.newMode !== undefined &&
    rest.oldMode !== rest.newMode;
  // Submodules show up as "Subproject commit" hunks: there is no source to review in them.
  let hunks = rest.submodule ? [] : rest.hunks;
  // A symbolic link's "content" is its target: shown as what it is, not as a one-line file.
  const symlink = status === 'deleted' ? rest.oldMode === SYMLINK_MODE : rest.newMode === SYMLINK_MODE;
  if (symlink) hunks = hunks.map((h) => ({ ...h, lines: h.lines.map((l) => ({ ...l, text: `link to ${l.text}` })) }));
  return { ...rest, hunks, path, status, modeOnly, ...(symlink ? { symlink } : {}) };
}

/**
 * `diff --git a/x b/y`: unambiguous when quoted; with spaces in unquoted names the two halves are
 * equal for anything but a rename, and renames carry `rename from/to` lines that override this.
 */
function splitGitHeaderPaths(rest: string): [string | null, string | null] {
  if (rest.startsWith('"')) {
    const end = findClosingQuote(rest, 0);
    const tail = rest.slice(end + 2);
    return [unquotePath(rest.slice(0, end + 1), 'a/'), unquotePath(tail, 'b/')];
  }
  const quoted = rest.indexOf(' "b/');
  if (quoted >= 0) return [stripPrefix(rest.slice(0, quoted), 'a/'), unquotePath(rest.slice(quoted + 1), 'b/')];
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ' && rest.slice(2, half) === rest.slice(half + 3)) {
    return [rest.slice(2, half), rest.slice(half + 3)];
  }
  const sep = rest.indexOf(' b/');
  if (sep < 0) return [null, null];
  return [stripPrefix(rest.slice(0, sep), 'a/'), rest.slice(sep + 3)];
}

function findClosingQuote(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return s.length - 1;
}

const ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };

/** Undoes git's C-style quoting of paths, including octal-escaped UTF-8 bytes. */
export function unquote(s: string): string {
  if (!(s.length >= 2 && s.startsWith('"') && s.endsWith('"'))) return s;
  return Buffer.from(quotedBytes(s.slice(1, -1))).toString('utf8');
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A path from a diff header, its `a/` or `b/` prefix removed. A name that is not UTF-8 stays in
 * git's quoted form (`"caf\351.js"`), as git prints it: never decoded into U+FFFD.
 */
export function unquotePath(s: string, prefix = ''): string {
  if (!(s.length >= 2 && s.startsWith('"') && s.endsWith('"'))) return stripPrefix(s, prefix);
  const body = stripPrefix(s.slice(1, -1), prefix);
  try {
    return STRICT_UTF8.decode(Uint8Array.from(quotedBytes(body)));
  } catch {
    return `"${body}"`;
  }
}

function quotedBytes(body: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[++i];
    if (next >= '0' && next <= '7') {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else {
      bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
    }
  }
  return bytes;
}

function stripPrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

/** git appends a tab to ---/+++ names that contain a space. */
function stripTab(s: string): string {
  return s.endsWith('\t') ? s.slice(0, -1) : s;
}
