import { DEFAULT_CONFIG } from '../src/core/config.js';
import { runReview } from '../src/core/engine.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'save-'));
  const g = (...a: string[]) => execFileSync('git', a, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@a', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@a' } });
  g('init', '-q');
  for (let i = 0; i < 200; i++) writeFileSync(join(dir, `f${i}.js`), `exports.v = ${i};\n`);
  g('add', '-A'); g('commit', '-qm', 'x');
  writeFileSync(join(dir, 'f7.js'), 'exports.v = 7;\ndebugger;\n');
  for (const [label, paths] of [['on save (one file)', ['f7.js']], ['whole working tree', undefined]] as const) {
    const times: number[] = [];
    for (let i = 0; i < 12; i++) {
      const t = performance.now();
      await runReview({ repoDir: dir, target: { kind: 'working-tree' }, config: structuredClone(DEFAULT_CONFIG), provider: null, paths: paths ? [...paths] : undefined });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(label.padEnd(20), 'median', times[6].toFixed(1), 'ms');
  }
}
void main();
