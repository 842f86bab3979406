// Review on save, rules mode: one saved file in a 2,000-file repository, against `git diff HEAD -- file`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../src/core/config/schema.js';
import { runReview } from '../src/core/engine.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pullmint-bench-save-'));
  const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
  const git = (...a: string[]): string => execFileSync('git', a, { cwd: dir, env, encoding: 'utf8' });
  git('init', '-q');
  for (let i = 0; i < 2000; i++) {
    mkdirSync(join(dir, `pkg${i % 40}`), { recursive: true });
    writeFileSync(
      join(dir, `pkg${i % 40}`, `m${i}.ts`),
      Array.from({ length: 60 }, (_, j) => `export const v${j} = ${i * j};`).join('\n') + '\n',
    );
  }
  git('add', '-A');
  git('commit', '-qm', 'base');
  const file = 'pkg7/m7.ts';
  writeFileSync(
    join(dir, file),
    Array.from({ length: 60 }, (_, j) => (j === 30 ? 'debugger;' : `export const v${j} = ${j};`)).join('\n') + '\n',
  );
  const gitTimes: number[] = [];
  const saveTimes: number[] = [];
  for (let i = 0; i < 15; i++) {
    let t = performance.now();
    git('diff', 'HEAD', '--', file);
    gitTimes.push(performance.now() - t);
    t = performance.now();
    const r = await runReview({
      repoDir: dir,
      target: { kind: 'working-tree' },
      config: structuredClone(DEFAULT_CONFIG),
      provider: null,
      paths: [file],
    });
    saveTimes.push(performance.now() - t);
    if (r.findings.length !== 1) throw new Error('expected the debugger finding');
  }
  process.stdout.write(JSON.stringify({ gitDiffMs: median(gitTimes), saveMs: median(saveTimes) }) + '\n');
  rmSync(dir, { recursive: true, force: true });
}

void main();
