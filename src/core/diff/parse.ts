import type { DiffLine, FileDiff, FileStatus, Hunk } from './model.js';

export interface ParsedDiff {
  files: FileDiff[];
  /** Things the parser could not make sense of; it keeps going rather than throwing. */
  warnings: string[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;
const SUBMODULE_MODE = '160000';

/**
 * Parses `git diff` output (unified format, a/ b/ prefixes). Tolerates broken input: a malformed
 * hunk ends that file's hunks with a warning instead of failing the whole review.
 */
export function parseUnifiedDiff(text: string): ParsedDiff {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const files: FileDiff[] = [];
  const warnings: string[] = [];
  let file: MutableFile | null = null;
  let hunk: Hunk | null = null;
  let oldLeft = 0;
  let newLeft = 0;
  let oldNo = 0;
  let newNo = 0;

  const finish = (): void => {
    if (hunk && (oldLeft > 0 || newLeft > 0) && file) {
      warnings.push(`${file.path || '?'}: hunk at +${hunk.newStart} ends early (diff truncated?)`);
    }
    hunk = null;
    if (file) files.push(finalize(file));
    file = null;
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.startsWith('diff --git ')) {
      finish();
      file = startFile(raw.slice('diff --git '.length));
      continue;
    }
    if (!file) {
      if (raw.trim() !== '' && files.length === 0 && warnings.length === 0) {
        warnings.push('diff text before the first file header was ignored');
      }
      continue;
    }
    if (hunk && (oldLeft > 0 || newLeft > 0)) {
      const marker = raw[0];
      const { text: body, cr } = stripCr(raw.slice(1));
      if (cr) file.crlf = true;
      let line: DiffLine | null = null;
      if (marker === '+' && newLeft > 0) {
        line = { kind: 'add', text: body, newLine: newNo++ };
        newLeft--;
      } else if (marker === '-' && oldLeft > 0) {
        line = { kind: 'del', text: body, oldLine: oldNo++ };
        oldLeft--;
      } else if ((marker === ' ' || raw === '') && oldLeft > 0 && newLeft > 0) {
        line = { kind: 'ctx', text: body, oldLine: oldNo++, newLine: newNo++ };
        oldLeft--;
        newLeft--;
      } else if (marker === '\\') {
        continue;
      }
      if (line) {
        (hunk as Hunk).lines.push(line);
        continue;
      }
      warnings.push(`${file.path || '?'}: malformed line in hunk at +${(hunk as Hunk).newStart}; rest of the file's diff skipped`);
      hunk = null;
      oldLeft = newLeft = 0;
      file.broken = true;
      continue;
    }
    if (raw.startsWith('\\')) continue; // "\ No newline at end of file"
    const header = HUNK_HEADER.exec(raw);
    if (header) {
      if (file.broken) continue;
      hunk = {
        oldStart: Number(header[1]),
        oldLines: header[2] === undefined ? 1 : Number(header[2]),
        newStart: Number(header[3]),
        newLines: header[4] === undefined ? 1 : Number(header[4]),
        section: header[5] ?? '',
        lines: [],
      };
      oldLeft = hunk.oldLines;
      newLeft = hunk.newLines;
      oldNo = hunk.oldStart;
      newNo = hunk.newStart;
      file.hunks.push(hunk);
      continue;
    }
    if (hunk) {
      // A line after a completed hunk that is not a header: git never prints one.
      if (raw.startsWith('+') || raw.startsWith('-') || raw.startsWith(' ')) {
        warnings.push(`${file.path || '?'}: hunk at +${(hunk as Hunk).newStart} has more lines than its header says`);
        file.broken = true;
        hunk = null;
      }
      continue;
    }
    readExtendedHeader(file, raw);
  }
  finish();
  return { files, warnings };
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
    file.oldPath = unquote(v);
    file.statusHint = 'renamed';
  } else if ((v = take('rename to '))) file.newPath = unquote(v);
  else if ((v = take('copy from '))) {
    file.oldPath = unquote(v);
    file.statusHint = 'copied';
  } else if ((v = take('copy to '))) file.newPath = unquote(v);
  else if ((v = take('similarity index '))) file.similarity = parseInt(v, 10);
  else if ((v = take('index '))) {
    const mode = v.split(' ')[1];
    if (mode === SUBMODULE_MODE) file.submodule = true;
    else if (mode && !file.newMode) file.newMode = mode;
  } else if ((v = take('--- '))) file.oldPath = v === '/dev/null' ? null : stripPrefix(unquote(stripTab(v)), 'a/');
  else if ((v = take('+++ '))) file.newPath = v === '/dev/null' ? null : stripPrefix(unquote(stripTab(v)), 'b/');
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
    !rest.binary && !rest.submodule && rest.hunks.length === 0 && status === 'modified' &&
    rest.oldMode !== undefined && rest.newMode !== undefined && rest.oldMode !== rest.newMode;
  // Submodules show up as "Subproject commit" hunks: there is no source to review in them.
  const hunks = rest.submodule ? [] : rest.hunks;
  return { ...rest, hunks, path, status, modeOnly };
}

/**
 * `diff --git a/x b/y`: unambiguous when quoted; with spaces in unquoted names the two halves are
 * equal for anything but a rename, and renames carry `rename from/to` lines that override this.
 */
function splitGitHeaderPaths(rest: string): [string | null, string | null] {
  if (rest.startsWith('"')) {
    const end = findClosingQuote(rest, 0);
    const a = unquote(rest.slice(0, end + 1));
    const tail = rest.slice(end + 2);
    return [stripPrefix(a, 'a/'), stripPrefix(unquote(tail), 'b/')];
  }
  const quoted = rest.indexOf(' "b/');
  if (quoted >= 0) return [stripPrefix(rest.slice(0, quoted), 'a/'), stripPrefix(unquote(rest.slice(quoted + 1)), 'b/')];
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
  const bytes: number[] = [];
  const body = s.slice(1, -1);
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
  return Buffer.from(bytes).toString('utf8');
}

function stripPrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

/** git appends a tab to ---/+++ names that contain a space. */
function stripTab(s: string): string {
  return s.endsWith('\t') ? s.slice(0, -1) : s;
}

function stripCr(s: string): { text: string; cr: boolean } {
  return s.endsWith('\r') ? { text: s.slice(0, -1), cr: true } : { text: s, cr: false };
}
