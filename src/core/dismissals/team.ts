import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileAtCommit } from '../git/repo.js';
import { writeFileAtomic } from '../store/atomic.js';

import { TEAM_DISMISSALS_FILE } from '../rules/configChange.js';

/** Committed beside the code, so the editor, the pre-push hook, `post` and the Action read the same list. */
export { TEAM_DISMISSALS_FILE };

export interface Dismissal {
  fingerprint: string;
  file: string;
  title: string;
  reason: string;
  author: string;
  /** YYYY-MM-DD: a day is enough to tell old decisions from new, and keeps the file stable. */
  date: string;
}

export interface DismissalList {
  entries: Dismissal[];
  /** Why the file (or an entry) was not used, for the user to fix; the rest still counts. */
  problems: string[];
}

const FINGERPRINT = /^[0-9a-f]{16}$/;
const FIELDS = ['fingerprint', 'file', 'title', 'reason', 'author', 'date'] as const;
/** A reason is a sentence, not a document; a bound keeps one hand-edited entry from bloating every review. */
const MAX_TEXT = 1000;

export function isFingerprint(s: string): boolean {
  return FINGERPRINT.test(s);
}

/**
 * Reads the file's text. An entry that is not whole (a missing field, a malformed fingerprint) is
 * dropped and named, so one bad hand edit never discards everybody else's decisions — and never
 * dismisses more than it says.
 */
export function parseDismissals(text: string, source = TEAM_DISMISSALS_FILE): DismissalList {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { entries: [], problems: [`${source} is not valid JSON (${(err as Error).message}); no team dismissals applied.`] };
  }
  const list = (raw as { dismissed?: unknown } | null)?.dismissed;
  if (!Array.isArray(list)) return { entries: [], problems: [`${source} has no "dismissed" list; no team dismissals applied.`] };
  const entries: Dismissal[] = [];
  const problems: string[] = [];
  list.forEach((item: unknown, i) => {
    const e = item as Record<string, unknown> | null;
    const bad = FIELDS.find(
      (k) => typeof e?.[k] !== 'string' || (e[k] as string).length > MAX_TEXT || /[\u0000-\u001F\u007F]/.test(e[k] as string),
    );
    if (!e || bad)
      return void problems.push(
        `${source}: entry ${i + 1} ignored (field "${bad ?? 'fingerprint'}" missing, too long or holding control characters).`,
      );
    if (!isFingerprint(e.fingerprint as string))
      return void problems.push(`${source}: entry ${i + 1} ignored ("${String(e.fingerprint)}" is not a 16-hex-digit fingerprint).`);
    entries.push(Object.fromEntries(FIELDS.map((k) => [k, e[k] as string])) as unknown as Dismissal);
  });
  return { entries, problems };
}

/**
 * Sorted by fingerprint, one field per line, a trailing newline: two people dismissing different
 * findings touch different lines, so their commits merge without a conflict.
 */
export function formatDismissals(entries: Dismissal[]): string {
  const byId = new Map(entries.map((e) => [e.fingerprint, e]));
  const sorted = [...byId.values()].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  const ordered = sorted.map((e) => Object.fromEntries(FIELDS.map((k) => [k, e[k]])));
  return JSON.stringify({ version: 1, dismissed: ordered }, null, 2) + '\n';
}

/** The list as committed at `commit`: what a review of commits after it honours. */
export async function teamDismissalsAt(root: string, commit: string, read?: Promise<string | null>): Promise<DismissalList> {
  const text = await (read ?? fileAtCommit(root, commit, TEAM_DISMISSALS_FILE));
  return text === null ? { entries: [], problems: [] } : parseDismissals(text, `${TEAM_DISMISSALS_FILE} at ${commit.slice(0, 7)}`);
}

/** The list in the working tree: what the developer's own uncommitted reviews honour. */
export async function teamDismissalsInWorktree(root: string): Promise<DismissalList> {
  return readList(join(root, TEAM_DISMISSALS_FILE), TEAM_DISMISSALS_FILE);
}

/** A missing file is an empty list; one that cannot be read is named, and the review goes on without it. */
export async function readList(path: string, source: string): Promise<DismissalList> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { entries: [], problems: [] };
    return { entries: [], problems: [`${source} could not be read (${code ?? (err as Error).message}); its dismissals were not applied.`] };
  }
  return parseDismissals(text, source);
}

/**
 * Adds or replaces one entry in the working tree's file and rewrites it whole. A file that does not
 * parse is refused rather than overwritten: it may hold a merge conflict somebody must resolve.
 */
export async function addTeamDismissal(root: string, entry: Dismissal): Promise<void> {
  const current = await readForUpdate(root);
  await writeFileAtomic(
    join(root, TEAM_DISMISSALS_FILE),
    formatDismissals([...current.filter((e) => e.fingerprint !== entry.fingerprint), entry]),
  );
}

/** Removes one entry; returns false when it was not there. */
export async function removeTeamDismissal(root: string, fingerprint: string): Promise<boolean> {
  const current = await readForUpdate(root);
  const rest = current.filter((e) => e.fingerprint !== fingerprint);
  if (rest.length === current.length) return false;
  await writeFileAtomic(join(root, TEAM_DISMISSALS_FILE), formatDismissals(rest));
  return true;
}

async function readForUpdate(root: string): Promise<Dismissal[]> {
  const text = await readFile(join(root, TEAM_DISMISSALS_FILE), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (text === null) return [];
  const parsed = parseDismissals(text);
  if (parsed.problems.length > 0)
    throw new DismissalFileError(`${parsed.problems[0]} Fix the file (a merge conflict?) before changing it; nothing was written.`);
  return parsed.entries;
}

export class DismissalFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DismissalFileError';
  }
}
