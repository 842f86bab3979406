import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import { DismissalFileError, formatDismissals, readList, type Dismissal, type DismissalList } from './team.js';

/**
 * "Dismiss for me" from the command line: kept in the state folder, per repository, never committed.
 * It applies to this user's reviews of uncommitted work only; reviews of commits (a range, a PR, a
 * push) honour the team's committed list alone.
 */
export class LocalDismissals {
  private readonly file: string;

  constructor(stateDir: string, repo: string) {
    const id = createHash('sha256').update(repo).digest('hex').slice(0, 16);
    this.file = join(stateDir, 'dismissed', `${id}.json`);
  }

  list(): Promise<DismissalList> {
    return readList(this.file, this.file);
  }

  async add(entry: Dismissal): Promise<void> {
    const { entries } = await this.forUpdate();
    await writeFileAtomic(this.file, formatDismissals([...entries.filter((e) => e.fingerprint !== entry.fingerprint), entry]));
  }

  async remove(fingerprint: string): Promise<boolean> {
    const { entries } = await this.forUpdate();
    const rest = entries.filter((e) => e.fingerprint !== fingerprint);
    if (rest.length === entries.length) return false;
    await writeFileAtomic(this.file, formatDismissals(rest));
    return true;
  }

  /** Refuses to rewrite a file it could not read whole: rewriting would lose the entries it skipped. */
  private async forUpdate(): Promise<DismissalList> {
    const list = await this.list();
    if (list.problems.length > 0) throw new DismissalFileError(`${list.problems[0]} Nothing was written.`);
    return list;
  }
}
