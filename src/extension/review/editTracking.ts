/**
 * Keeps findings on their lines while the document changes under them. Pure: the adapter turns
 * VS Code's content changes into `LineEdit`s (0-based lines) and finding lines are 1-based.
 */

export interface LineEdit {
  /** First line the edit touches (0-based). */
  startLine: number;
  /** Last line the edit touches (0-based, inclusive). */
  endLine: number;
  /** How many line breaks the inserted text holds. */
  insertedLineBreaks: number;
}

export interface TrackedLocation {
  line: number;
  endLine?: number;
  quote?: string;
}

export type TrackResult<T> = { kept: T[]; removed: T[] };

/**
 * Shifts locations below an edit by the lines it added or removed. A location whose line the edit
 * touched is kept only if its quoted text is still there (checked by `lineText`), else removed:
 * never left pointing at a line that now says something else.
 */
export function trackEdit<T extends TrackedLocation>(
  items: T[],
  edit: LineEdit,
  lineText: (zeroBased: number) => string | undefined,
): TrackResult<T> {
  const delta = edit.insertedLineBreaks - (edit.endLine - edit.startLine);
  const kept: T[] = [];
  const removed: T[] = [];
  for (const item of items) {
    const zero = item.line - 1;
    if (zero < edit.startLine) {
      kept.push(item);
      continue;
    }
    if (zero > edit.endLine) {
      kept.push({ ...item, line: item.line + delta, ...(item.endLine !== undefined ? { endLine: item.endLine + delta } : {}) });
      continue;
    }
    // The edit touched the finding's own line: find the quoted text nearby in the new document.
    const found = item.quote !== undefined ? relocate(item.quote, edit, lineText) : null;
    if (found === null) {
      removed.push(item);
      continue;
    }
    const span = item.endLine !== undefined ? item.endLine - item.line : undefined;
    kept.push({ ...item, line: found + 1, ...(span !== undefined ? { endLine: found + 1 + span } : {}) });
  }
  return { kept, removed };
}

function relocate(quote: string, edit: LineEdit, lineText: (zeroBased: number) => string | undefined): number | null {
  const want = quote.trim();
  if (!want) return null;
  const last = edit.startLine + edit.insertedLineBreaks;
  for (let l = edit.startLine; l <= last; l++) if (lineText(l)?.trim() === want) return l;
  return null;
}
