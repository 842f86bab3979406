import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { SEVERITIES, type Severity } from '../types.js';

/**
 * A qualification case: a small change to a small repository, with the one defect planted in it
 * (its file, its new-file line and the least severity that counts as finding it), or `clean: true`
 * for a change that deserves no finding of high severity or above.
 *
 * On disk, `<cases>/<id>/case.json` next to the files:
 *   base/…        the repository before the change (committed first)
 *   head/…        files the change writes (added or modified), committed on top
 *   change.patch  or, instead of head/, a patch git applies to base/
 * `deleted` in case.json lists files the change removes.
 */
export interface QualifyCase {
  id: string;
  description: string;
  language: string;
  /** 'built-in' for the suite kept in the repository, else the folder given with --cases. */
  source: string;
  base: Map<string, string>;
  /** Files the change writes (path → content), in addition to or instead of `patch`. */
  head: Map<string, string>;
  deleted: string[];
  patch?: string;
  expect: ExpectedDefect | null;
}

export interface ExpectedDefect {
  file: string;
  /** New-file line; a finding within ±1 line counts. For a deletion, the line where the removed code stood. */
  line: number;
  minSeverity: Severity;
  /** Text of that line in the new file: lets the loader check the line number, and tests script a model. */
  quote?: string;
}

export class CaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaseError';
  }
}

const RelPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..') && !p.split(/[\\/]/).includes('.git'), {
    message: 'must be a relative path inside the case, without "..", and not under .git',
  });

export const CaseFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().min(1),
    language: z.string().min(1),
    expect: z
      .strictObject({
        file: RelPath,
        line: z.number().int().min(1),
        minSeverity: z.enum(SEVERITIES),
        quote: z.string().min(1).optional(),
      })
      .optional(),
    clean: z.literal(true).optional(),
    deleted: z.array(RelPath).optional(),
    /** The patch file, relative to the case folder; `change.patch` is used when present. */
    patch: RelPath.optional(),
  })
  .refine((c) => (c.expect === undefined) !== (c.clean === undefined), {
    message: 'give either "expect": {file, line, minSeverity} or "clean": true',
  });

/** Files under a folder, as relative paths with forward slashes. */
async function filesUnder(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) out.set(relative(dir, full).split(sep).join('/'), await readFile(full, 'utf8'));
    }
  };
  await walk(dir);
  return out;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ');
}

/** Reads one case folder; a CaseError names the file and what is wrong with it. */
export async function loadCase(dir: string, source: string): Promise<QualifyCase> {
  const id = dir.split(/[\\/]/).filter(Boolean).pop() ?? dir;
  const file = join(dir, 'case.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CaseError(`${file}: ${e.code === 'ENOENT' ? 'missing' : e.code ? e.code : `not valid JSON (${e.message})`}`);
  }
  const parsed = CaseFileSchema.safeParse(raw);
  if (!parsed.success) throw new CaseError(`${file}: ${describeIssues(parsed.error)}`);
  const c = parsed.data;
  const base = await filesUnder(join(dir, 'base'));
  const head = await filesUnder(join(dir, 'head'));
  const patchName = c.patch ?? (existsSync(join(dir, 'change.patch')) ? 'change.patch' : undefined);
  let patch: string | undefined;
  if (patchName) {
    try {
      patch = await readFile(join(dir, patchName), 'utf8');
    } catch (err) {
      throw new CaseError(`${file}: cannot read the patch ${patchName} (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
  }
  const deleted = c.deleted ?? [];
  for (const d of deleted) if (!base.has(d)) throw new CaseError(`${file}: "deleted" names ${d}, which base/ does not hold`);
  if (head.size === 0 && deleted.length === 0 && !patch)
    throw new CaseError(`${file}: the case changes nothing: add files under head/, a change.patch, or "deleted"`);
  if (c.expect) {
    const after = head.get(c.expect.file) ?? (patch ? undefined : base.get(c.expect.file));
    if (!patch && after === undefined) throw new CaseError(`${file}: expect.file ${c.expect.file} is not in the changed repository`);
    if (after !== undefined) {
      const lines = after.split('\n');
      if (c.expect.line > lines.length) throw new CaseError(`${file}: expect.line ${c.expect.line} is past the end of ${c.expect.file}`);
      if (c.expect.quote && !lines[c.expect.line - 1].includes(c.expect.quote))
        throw new CaseError(
          `${file}: line ${c.expect.line} of ${c.expect.file} is "${lines[c.expect.line - 1].trim()}", which does not contain expect.quote "${c.expect.quote}"`,
        );
    }
  }
  return {
    id,
    description: c.description,
    language: c.language,
    source,
    base,
    head,
    deleted,
    ...(patch !== undefined ? { patch } : {}),
    expect: c.expect ?? null,
  };
}

/** Every case under a folder: each subfolder with a case.json, in name order; a folder that is itself a case counts. */
export async function loadCases(dir: string, source: string): Promise<QualifyCase[]> {
  const root = resolve(dir);
  const s = await stat(root).catch(() => null);
  if (!s?.isDirectory()) throw new CaseError(`${root}: no such folder of cases`);
  if (existsSync(join(root, 'case.json'))) return [await loadCase(root, source)];
  const names = (await readdir(root, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const cases: QualifyCase[] = [];
  for (const name of names) if (existsSync(join(root, name, 'case.json'))) cases.push(await loadCase(join(root, name), source));
  if (cases.length === 0) throw new CaseError(`${root}: no case found (each case is a folder with a case.json)`);
  return cases;
}

/**
 * The built-in suite, `qualify/cases/` at the package root: found by walking up from this module,
 * which is `dist/` once bundled and `src/core/qualify/` when run from source.
 */
export function builtInCasesDir(from: string = __dirname): string | null {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'qualify', 'cases');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

/** The built-in suite plus the user's folders; a user case with a built-in id is told apart by its source. */
export async function loadSuite(userDirs: string[] = [], opts: { builtIn?: boolean } = {}): Promise<QualifyCase[]> {
  const cases: QualifyCase[] = [];
  if (opts.builtIn !== false) {
    const dir = builtInCasesDir();
    if (!dir) throw new CaseError('the built-in qualification suite (qualify/cases) is missing from this installation');
    cases.push(...(await loadCases(dir, 'built-in')));
  }
  for (const d of userDirs) cases.push(...(await loadCases(d, resolve(d))));
  return cases;
}
