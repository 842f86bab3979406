// A line inserted at the top of a large file: how many of its pieces a cached re-review sends again.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReviewCache } from '../src/core/cache.js';
import { DEFAULT_CONFIG } from '../src/core/config/schema.js';
import { runReview } from '../src/core/engine.js';
import { ZeroLatencyProvider } from './zero-provider.js';

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], { cwd: dir, encoding: 'utf8' });

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pullmint-bench-insert-'));
  git(dir, 'init', '-q', '-b', 'main');
  const base = Array.from({ length: 20_000 }, (_, i) => `  const value${i} = compute(${i}, "base line") + offset; // step ${i}`);
  writeFileSync(join(dir, 'big.ts'), base.join('\n') + '\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  // Edited blocks spread through the file, like a large refactor.
  const edited = base.map((l, i) => (i % 50 < 10 ? `${l} // edited` : l));
  writeFileSync(join(dir, 'big.ts'), edited.join('\n') + '\n');
  const cacheDir = mkdtempSync(join(tmpdir(), 'pullmint-bench-insert-cache-'));
  const cache = new ReviewCache(cacheDir);
  const config = { ...structuredClone(DEFAULT_CONFIG), maxCalls: 100_000, maxTokens: 1e12, cache: true, maxLinesPerFile: 1e6 };
  const review = () => runReview({ repoDir: dir, target: { kind: 'working-tree' }, config, provider: new ZeroLatencyProvider(), cache });
  const first = await review();
  writeFileSync(join(dir, 'big.ts'), ['// one line inserted at the top', ...edited].join('\n') + '\n');
  const again = await review();
  rmSync(dir, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
  process.stdout.write(
    JSON.stringify({ pieces: first.stats.llmCalls, resent: again.stats.llmCalls, complete: again.coverage.complete }) + '\n',
  );
}

void main();
