/** Dismissed findings, remembered per repository by fingerprint so a re-review does not bring them back. */

export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

const KEY = 'pullmint.dismissed';

export class Dismissals {
  constructor(private readonly store: KeyValueStore) {}

  private all(): Record<string, string[]> {
    return this.store.get<Record<string, string[]>>(KEY) ?? {};
  }

  list(repo: string): string[] {
    return this.all()[repo] ?? [];
  }

  async dismiss(repo: string, fingerprint: string): Promise<void> {
    const all = this.all();
    const list = new Set(all[repo] ?? []);
    list.add(fingerprint);
    await this.store.update(KEY, { ...all, [repo]: [...list] });
  }

  /** Takes one dismissal back (Undo). */
  async restore(repo: string, fingerprint: string): Promise<void> {
    const all = this.all();
    const list = (all[repo] ?? []).filter((id) => id !== fingerprint);
    await this.store.update(KEY, { ...all, [repo]: list });
  }

  async clear(repo: string): Promise<number> {
    const all = this.all();
    const n = (all[repo] ?? []).length;
    const rest = { ...all };
    delete rest[repo];
    await this.store.update(KEY, rest);
    return n;
  }
}
