import { isDismissable } from '../core/dismissals/apply.js';
import { addTeamDismissal, isFingerprint, removeTeamDismissal, type Dismissal } from '../core/dismissals/team.js';
import { authorIdent } from '../core/git/repo.js';
import type { Finding } from '../core/types.js';
import type { ReviewSession } from './session.js';

export class DismissError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DismissError';
  }
}

export interface DismissRequest {
  fingerprint: string;
  reason: string;
  /** Write to the committed team file (.pullmint/dismissed.json) rather than this user's own list. */
  team: boolean;
  /** The finding itself, when the caller has it (the editor); else it is looked up in the history. */
  finding?: Pick<Finding, 'id' | 'file' | 'title' | 'rule'>;
  /** Who decided; defaults to git's user.name <user.email>. */
  author?: string;
  now?: Date;
}

/** Dismisses one finding, for the team or for this user alone; returns the entry written. */
export async function dismissFinding(session: ReviewSession, req: DismissRequest): Promise<{ entry: Dismissal; where: string }> {
  const fingerprint = req.fingerprint.trim().toLowerCase();
  if (!isFingerprint(fingerprint))
    throw new DismissError(
      `'${req.fingerprint}' is not a finding id: ids are 16 hex digits, shown as "id …" under each finding and as "id" in --format json.`,
    );
  const reason = req.reason.trim().replace(/\s+/g, ' ');
  if (!reason)
    throw new DismissError('a dismissal needs a reason (--reason "…"): the next reader must know why the finding does not apply.');
  const finding = req.finding ?? (await recordedFinding(session, fingerprint));
  if (!finding)
    throw new DismissError(
      `no recorded review has a finding with id ${fingerprint}. Run \`pullmint review\` first, then copy the id it prints.`,
    );
  if (!isDismissable(finding))
    throw new DismissError(
      `${fingerprint} (${finding.title}) is about the review policy itself: it cannot be dismissed; a person approves the change that makes it.`,
    );
  const entry: Dismissal = {
    fingerprint,
    file: finding.file,
    title: finding.title,
    reason,
    author: req.author ?? (await gitAuthor(session.root)),
    date: (req.now ?? new Date()).toISOString().slice(0, 10),
  };
  if (req.team) {
    await addTeamDismissal(session.root, entry);
    return { entry, where: '.pullmint/dismissed.json (commit it to share it)' };
  }
  await session.localDismissals().add(entry);
  return { entry, where: 'your own list on this machine' };
}

export async function undismissFinding(session: ReviewSession, fingerprint: string, team: boolean): Promise<boolean> {
  const id = fingerprint.trim().toLowerCase();
  return team ? removeTeamDismissal(session.root, id) : session.localDismissals().remove(id);
}

/** The newest recorded review that reported (or dismissed) this finding. */
async function recordedFinding(session: ReviewSession, fingerprint: string): Promise<Finding | undefined> {
  for (const r of await session.history().list()) {
    const f = [...(r.result?.findings ?? []), ...(r.result?.dismissed ?? [])].find((x) => x.id === fingerprint);
    if (f) return f;
  }
  return undefined;
}

async function gitAuthor(root: string): Promise<string> {
  return (await authorIdent(root)) || process.env.USER || 'unknown';
}
