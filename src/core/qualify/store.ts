import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { reasonOf, writeFileAtomic } from '../store/atomic.js';
import type { CaseOutcome, QualifyMetrics, Verdict } from './score.js';

/** One qualification run of one model: what `pullmint qualify --format json` prints and what is stored. */
export interface QualifyReport {
  schemaVersion: 1;
  provider: string;
  model: string;
  /** Sends code off this machine. */
  remote: boolean;
  qualifiedAt: string;
  pullmintVersion: string;
  suite: { builtIn: number; user: number };
  verdict: Verdict;
  reason: string;
  metrics: QualifyMetrics;
  cases: CaseOutcome[];
  warnings: string[];
}

const VERDICTS = ['fit to gate', 'use with a human', 'not fit'] as const;

/** What a stored result must hold to be shown; loose, so that fields added later survive. */
const StoredSchema = z.looseObject({
  schemaVersion: z.literal(1),
  provider: z.string().min(1),
  model: z.string(),
  qualifiedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date'),
  verdict: z.enum(VERDICTS),
  reason: z.string(),
  metrics: z.looseObject({
    validity: z.looseObject({ rate: z.number() }),
    recall: z.looseObject({ rate: z.number(), found: z.number(), planted: z.number() }),
    falsePositives: z.looseObject({ rate: z.number(), flagged: z.number(), clean: z.number() }),
  }),
  cases: z.array(z.looseObject({ id: z.string() })),
});

function qualifyDir(stateDir: string): string {
  return join(stateDir, 'qualify');
}

/** One file per provider and model: a name safe on every file system, whatever the model is called. */
export function qualificationFile(stateDir: string, provider: string, model: string): string {
  const readable = `${provider}-${model}`.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(`${provider}\0${model}`).digest('hex').slice(0, 12);
  return join(qualifyDir(stateDir), `${readable}-${hash}.json`);
}

/** Stores a run as the model's latest result, replacing the file whole (temporary file and rename). */
export async function saveQualification(stateDir: string, report: QualifyReport): Promise<string> {
  const file = qualificationFile(stateDir, report.provider, report.model);
  await writeFileAtomic(file, JSON.stringify(report, null, 2) + '\n');
  return file;
}

/** The model's latest result; null when it was never qualified. An unreadable file is null too, with a warning. */
export async function readQualification(
  stateDir: string,
  provider: string,
  model: string,
  onWarning?: (message: string) => void,
): Promise<QualifyReport | null> {
  const file = qualificationFile(stateDir, provider, model);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onWarning?.(`cannot read ${file}: ${reasonOf(err)}`);
    return null;
  }
  return validStored(text, file, onWarning);
}

function validStored(text: string, file: string, onWarning?: (message: string) => void): QualifyReport | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    onWarning?.(`${file} is not valid JSON; run pullmint qualify again`);
    return null;
  }
  const r = StoredSchema.safeParse(raw);
  if (!r.success) {
    onWarning?.(`${file} is not a qualification result (${r.error.issues[0]?.message}); run pullmint qualify again`);
    return null;
  }
  return r.data as unknown as QualifyReport;
}

/** Every stored result, the latest first. */
export async function listQualifications(stateDir: string, onWarning?: (message: string) => void): Promise<QualifyReport[]> {
  const dir = qualifyDir(stateDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: QualifyReport[] = [];
  for (const name of names) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const text = await readFile(join(dir, name), 'utf8').catch(() => null);
    const r = text === null ? null : validStored(text, join(dir, name), onWarning);
    if (r) out.push(r);
  }
  return out.sort((a, b) => b.qualifiedAt.localeCompare(a.qualifiedAt));
}

/** One line for Check Setup and `pullmint setup`. */
export function qualificationLine(r: QualifyReport): string {
  const m = r.metrics;
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  return (
    `${r.verdict} (qualified ${r.qualifiedAt.slice(0, 10)}: valid answers ${pct(m.validity.rate)}, ` +
    `recall ${m.recall.found}/${m.recall.planted}, false positives ${m.falsePositives.flagged}/${m.falsePositives.clean})`
  );
}
