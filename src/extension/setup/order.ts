import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import * as path from 'node:path';
import type { SetupCheck } from '../../core/types.js';

/** Failing rows first (required before optional), then the passing ones, each group in its order. */
export function orderChecks(checks: SetupCheck[]): SetupCheck[] {
  const rank = (c: SetupCheck): number => (c.ok ? 2 : c.optional ? 1 : 0);
  return checks
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map((x) => x.c);
}

/** Where the ollama program is on PATH, if anywhere (looked up on disk, nothing is run). */
export async function findOnPath(name: string, envPath = process.env.PATH ?? ''): Promise<string | undefined> {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of envPath.split(path.delimiter).filter(Boolean))
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (
        await access(candidate, constants.X_OK).then(
          () => true,
          () => false,
        )
      )
        return candidate;
    }
  return undefined;
}
