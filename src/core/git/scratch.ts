import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runGit } from './run.js';

/** A throwaway repository: two commits, the change between them. */
export interface ScratchRepo {
  dir: string;
  base: string;
  head: string;
  remove: () => Promise<void>;
}

export interface ScratchChange {
  base: Map<string, string>;
  head: Map<string, string>;
  deleted: string[];
  /** A unified diff git applies on top of base (after `head` and `deleted`). */
  patch?: string;
}

/** Fixed identity and no hooks, signing or line-ending conversion: the user's git setup must not change the commits. */
const ENV = {
  GIT_AUTHOR_NAME: 'Pullmint',
  GIT_AUTHOR_EMAIL: 'qualify@pullmint.invalid',
  GIT_COMMITTER_NAME: 'Pullmint',
  GIT_COMMITTER_EMAIL: 'qualify@pullmint.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_COUNT: '3',
  GIT_CONFIG_KEY_0: 'core.hooksPath',
  GIT_CONFIG_VALUE_0: '/dev/null',
  GIT_CONFIG_KEY_1: 'commit.gpgsign',
  GIT_CONFIG_VALUE_1: 'false',
  GIT_CONFIG_KEY_2: 'core.autocrlf',
  GIT_CONFIG_VALUE_2: 'false',
};

async function writeFiles(dir: string, files: Map<string, string>): Promise<void> {
  for (const [path, content] of files) {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  }
}

/**
 * Materialises a change as a real repository in a temporary folder: `base` committed, then the
 * change committed on top. The caller reviews `base..head` and removes the folder.
 */
export async function scratchRepo(change: ScratchChange, prefix = 'pullmint-qualify-'): Promise<ScratchRepo> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const git = (...args: string[]): Promise<string> => runGit(dir, args, ENV);
    await git('init', '-q', '--template=', '-b', 'main');
    await writeFiles(dir, change.base);
    await git('add', '-A');
    await git('commit', '-q', '--no-verify', '--allow-empty', '-m', 'base');
    const base = (await git('rev-parse', 'HEAD')).trim();
    await writeFiles(dir, change.head);
    for (const d of change.deleted) await rm(join(dir, d), { force: true });
    if (change.patch) {
      const patchFile = join(dir, '.git', 'change.patch');
      await writeFile(patchFile, change.patch);
      await git('apply', '--whitespace=nowarn', patchFile);
    }
    await git('add', '-A');
    await git('commit', '-q', '--no-verify', '--allow-empty', '-m', 'change');
    const head = (await git('rev-parse', 'HEAD')).trim();
    return { dir, base, head, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
