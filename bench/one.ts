// One benchmark size in its own process, so that peak RSS belongs to that size alone.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReviewCache } from '../src/core/cache.js';
import { DEFAULT_CONFIG } from '../src/core/config/schema.js';
import { runReview } from '../src/core/engine.js';
import { estimateTokens } from '../src/core/pack/tokens.js';
import { generateRepo } from './generate.js';
import { ZeroLatencyProvider } from './zero-provider.js';

const size = Number(process.argv[2]);
const runs = Number(process.argv[3] ?? 5);
const repo = generateRepo(size);
const range = { kind: 'range' as const, range: `${repo.base}..${repo.head}` };
const config = { ...structuredClone(DEFAULT_CONFIG), maxCalls: 100_000, maxTokens: 1e12, cache: true };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  if (process.argv[4] === 'keep') {
    // Only the repository, for the whole-process timings.
    process.stdout.write(JSON.stringify({ dir: repo.dir, base: repo.base, head: repo.head }) + '\n');
    return;
  }
  const gitTimes: number[] = [];
  const pipeTimes: number[] = [];
  let tokensSent = 0;
  let dataTokens = 0;
  let calls = 0;
  // The first run compiles the pipeline's code (JIT); it is not counted. Cold processes have their own targets.
  const warmups = size < 200_000 ? 1 : 0;
  for (let i = 0; i < warmups + runs; i++) {
    let t = performance.now();
    execFileSync(
      'git',
      ['-c', 'core.quotePath=false', 'diff', '--no-color', '--find-renames', '--find-copies', '--unified=3', repo.base, repo.head],
      { cwd: repo.dir, maxBuffer: 1 << 30 },
    );
    if (i >= warmups) gitTimes.push(performance.now() - t);
    const provider = new ZeroLatencyProvider();
    t = performance.now();
    const r = await runReview({ repoDir: repo.dir, target: range, config: { ...config, cache: false }, provider });
    if (i >= warmups) pipeTimes.push(performance.now() - t);
    // Every changed line, added or removed, is reviewed.
    const changed = size + (repo.removedText === '' ? 0 : repo.removedText.split('\n').length);
    if (r.coverage.reviewedLines !== changed) throw new Error(`coverage ${r.coverage.reviewedLines} of ${changed}`);
    tokensSent = provider.systemTokens + provider.userTokens;
    dataTokens = provider.userTokens;
    calls = r.stats.llmCalls;
  }
  // Cached re-review: prime, then time the second run.
  const cacheDir = mkdtempSync(join(tmpdir(), 'pullmint-bench-cache-'));
  const cache = new ReviewCache(cacheDir);
  await runReview({ repoDir: repo.dir, target: range, config, provider: new ZeroLatencyProvider(), cache });
  const cachedTimes: number[] = [];
  let cachedCalls = -1;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const again = await runReview({ repoDir: repo.dir, target: range, config, provider: new ZeroLatencyProvider(), cache });
    cachedTimes.push(performance.now() - t);
    cachedCalls = Math.max(cachedCalls, again.stats.llmCalls);
  }
  const rss = JSON.parse(
    execFileSync(process.execPath, [join(__dirname, 'rss.js'), repo.dir, repo.base, repo.head], { encoding: 'utf8' }).trim(),
  );
  const rawTokens = estimateTokens(repo.addedText) + estimateTokens(repo.removedText);
  const addedOnlyTokens = estimateTokens(repo.addedText);
  const out = {
    changedLines: size,
    gitDiffMs: median(gitTimes),
    pipelineMs: median(pipeTimes),
    ratio: median(pipeTimes) / median(gitTimes),
    chunks: calls,
    tokensSent,
    tokensDataOnly: dataTokens,
    rawChangedLineTokens: rawTokens,
    tokenRatio: tokensSent / rawTokens,
    tokenRatioDataOnly: dataTokens / rawTokens,
    tokenRatioVsAddedOnly: dataTokens / addedOnlyTokens,
    cachedMs: median(cachedTimes),
    cachedCalls,
    peakRssMb: rss.peakMb,
    startRssMb: rss.startMb,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  rmSync(repo.dir, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
}

void main();
