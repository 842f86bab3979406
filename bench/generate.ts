import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WORDS = ['user', 'order', 'total', 'items', 'config', 'result', 'value', 'index', 'count', 'cache', 'request', 'response'];

/** A plausible line of TypeScript, 30–70 characters, deterministic per index. */
function codeLine(i: number): string {
  const a = WORDS[i % WORDS.length];
  const b = WORDS[(i * 7) % WORDS.length];
  switch (i % 5) {
    case 0:
      return `  const ${a}${i} = await load${b[0].toUpperCase()}${b.slice(1)}(${b}, ${i});`;
    case 1:
      return `  if (${a}.length > ${i % 97}) return ${b}.slice(0, ${i % 13});`;
    case 2:
      return `  ${a}Map.set('${b}-${i}', { id: ${i}, ${b}: ${a} ?? null });`;
    case 3:
      return `  // keep ${a} and ${b} in step with the ${WORDS[(i * 3) % WORDS.length]} list`;
    default:
      return `  logger.debug(\`${a} \${${b}} at step ${i}\`);`;
  }
}

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@b',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@b',
  GIT_CONFIG_NOSYSTEM: '1',
};
const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8', maxBuffer: 1 << 30 });

export interface GeneratedRepo {
  dir: string;
  base: string;
  head: string;
  changedLines: number;
  addedText: string;
  /** The text of every removed line: with the added lines, the raw diff's changed lines. */
  removedText: string;
}

/**
 * A repository whose head commit changes `changed` lines over files of ~200 lines: per file a mix
 * of edited blocks and appended code, so hunks have context like real changes.
 */
export function generateRepo(changed: number): GeneratedRepo {
  const dir = mkdtempSync(join(tmpdir(), `pullmint-bench-${changed}-`));
  git(dir, 'init', '-q', '-b', 'main');
  const perFile = 100;
  const files = Math.max(1, Math.ceil(changed / perFile));
  for (let f = 0; f < files; f++) {
    const lines = Array.from({ length: 200 }, (_, i) => codeLine(f * 1000 + i));
    mkdirSync(join(dir, 'src', `m${f % 20}`), { recursive: true });
    writeFileSync(join(dir, 'src', `m${f % 20}`, `file${f}.ts`), `export function f${f}() {\n${lines.join('\n')}\n}\n`);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  const base = git(dir, 'rev-parse', 'HEAD').trim();
  let remaining = changed;
  const added: string[] = [];
  const removed: string[] = [];
  for (let f = 0; f < files && remaining > 0; f++) {
    const lines = Array.from({ length: 200 }, (_, i) => codeLine(f * 1000 + i));
    const n = Math.min(perFile, remaining);
    // Four edited blocks of n/4 lines spread through the file.
    const block = Math.ceil(n / 4);
    let left = n;
    for (let b = 0; b < 4 && left > 0; b++) {
      const at = 10 + b * 45;
      const k = Math.min(block, left);
      for (let j = 0; j < k; j++) {
        const text = codeLine(f * 7919 + b * 101 + j + 500_000) + ' // changed';
        removed.push(lines[at + j]);
        lines[at + j] = text;
        added.push(text);
      }
      left -= k;
    }
    remaining -= n;
    writeFileSync(join(dir, 'src', `m${f % 20}`, `file${f}.ts`), `export function f${f}() {\n${lines.join('\n')}\n}\n`);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'change');
  const head = git(dir, 'rev-parse', 'HEAD').trim();
  return { dir, base, head, changedLines: changed, addedText: added.join('\n'), removedText: removed.join('\n') };
}
