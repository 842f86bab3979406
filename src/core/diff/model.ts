/** The diff model: what `git diff` says, in a shape the engine can reason about. */

export type LineKind = 'add' | 'del' | 'ctx';

export interface DiffLine {
  kind: LineKind;
  /** Line text without the diff marker, the newline, or a CRLF's carriage return. */
  text: string;
  oldLine?: number;
  newLine?: number;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The function context git prints after the second `@@`. */
  section: string;
  lines: DiffLine[];
}

export type FileStatus = 'added' | 'deleted' | 'modified' | 'renamed' | 'copied';

/** Git attributes of the path at the review's base that change how it is reviewed; absent: unspecified. */
export interface FileAttributes {
  /** `linguist-generated`: true skips the file as generated, false says it is not, whatever its name. */
  generated?: boolean;
  /** `linguist-vendored`: the same for vendored code. */
  vendored?: boolean;
}

export interface FileDiff {
  oldPath: string | null;
  newPath: string | null;
  /** The path to review and report: the new path, or the old one for a deletion. */
  path: string;
  status: FileStatus;
  binary: boolean;
  submodule: boolean;
  /** Only the file mode changed; there is no content to review. */
  modeOnly: boolean;
  oldMode?: string;
  newMode?: string;
  similarity?: number;
  crlf: boolean;
  hunks: Hunk[];
  /** A symbolic link: its lines are `link to <target>`. */
  symlink?: boolean;
  /** Set from the base's `.gitattributes` when any attribute that matters is specified. */
  attributes?: FileAttributes;
  /** Git called the file binary for its attributes (`-diff`, `binary`, a diff driver), but its content is text: diffed with --text. */
  textByContent?: boolean;
}

export function countAdded(file: FileDiff): number {
  let n = 0;
  for (const hunk of file.hunks) for (const line of hunk.lines) if (line.kind === 'add') n++;
  return n;
}

/** Added and removed lines: what a review of the file has to read. */
export function countChanged(file: FileDiff): number {
  let n = 0;
  for (const hunk of file.hunks) for (const line of hunk.lines) if (line.kind !== 'ctx') n++;
  return n;
}

/**
 * Files whose diff text git wrote as ASCII bytes only: their lines' UTF-8 length is their length,
 * which packing then reads without measuring each line. Kept beside the files, not on them, so a
 * file's shape is the same however it was made.
 */
const asciiFiles = new WeakSet<FileDiff>();

export function markAscii(file: FileDiff): void {
  asciiFiles.add(file);
}

export function isAsciiFile(file: FileDiff): boolean {
  return asciiFiles.has(file);
}
