// `npm run bench`: pipeline vs `git diff` on generated repositories, each size in a fresh process;
// first finding and parallel calls against a fake model; real tokens; whole-process cold starts.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

// The bench runs bundles built like the shipped CLI (esbuild, cjs), not the tsx loader.
const out = join(__dirname, '..', '.bench');
for (const name of ['one', 'rss', 'save', 'latency', 'insert', 'tokens']) {
  buildSync({
    entryPoints: [join(__dirname, `${name}.ts`)],
    outfile: join(out, `${name}.js`),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
  });
}

// The shipped CLI too, for whole-process timings.
execFileSync(process.execPath, [join(__dirname, '..', 'esbuild.mjs')], { cwd: join(__dirname, '..'), stdio: 'ignore' });

const sizes = (process.env.BENCH_SIZES ?? '100,1000,10000,50000,200000').split(',').map(Number);
interface Row {
  changedLines: number;
  gitDiffMs: number;
  pipelineMs: number;
  ratio: number;
  chunks: number;
  tokensSent: number;
  tokensDataOnly: number;
  rawChangedLineTokens: number;
  tokenRatio: number;
  tokenRatioDataOnly: number;
  tokenRatioVsAddedOnly: number;
  cachedMs: number;
  cachedCalls: number;
  peakRssMb: number;
  startRssMb: number;
}
const rows: Row[] = [];
for (const size of sizes) {
  const result = execFileSync(process.execPath, [join(out, 'one.js'), String(size), size >= 200_000 ? '1' : size >= 50_000 ? '3' : '7'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  rows.push(JSON.parse(result.trim().split('\n').pop()!));
}
const f = (n: number, d = 1): string => n.toFixed(d);
console.log('Pipeline and git diff: medians of 7 runs (3 at 50k, 1 at 200k) in one process, after a warm-up run (none at 200k).');
console.log('Raw tokens: the text of the raw diff\'s changed lines (+ and -). "data" excludes the fixed instructions, which');
console.log('providers cache (Anthropic prompt caching, Ollama\'s prompt prefix cache). "vs +" compares data with added lines alone.\n');
console.log(
  'changed | git diff ms | pipeline ms | ratio | chunks | tokens sent (data) / raw = ratio (data) [vs +] | cached re-review ms (calls) | peak RSS MB (at start)',
);
for (const r of rows) {
  console.log(
    `${String(r.changedLines).padStart(7)} | ${f(r.gitDiffMs).padStart(11)} | ${f(r.pipelineMs).padStart(11)} | ${f(r.ratio, 2).padStart(5)} | ${String(r.chunks).padStart(6)} | ${r.tokensSent} (${r.tokensDataOnly}) / ${r.rawChangedLineTokens} = ${f(r.tokenRatio, 2)}× (${f(r.tokenRatioDataOnly, 2)}×) [${f(r.tokenRatioVsAddedOnly, 2)}×] | ${f(r.cachedMs)} (${r.cachedCalls}) | ${f(r.peakRssMb)} (${f(r.startRssMb)})`,
  );
}
const save = JSON.parse(execFileSync(process.execPath, [join(out, 'save.js')], { encoding: 'utf8' }).trim()) as {
  gitDiffMs: number;
  saveMs: number;
};
console.log(
  `\nReview on save (rules, one file of a 2,000-file repository): ${f(save.saveMs)} ms; git diff HEAD -- file: ${f(save.gitDiffMs)} ms (${f(save.saveMs / save.gitDiffMs, 2)}×)`,
);
const run = (file: string): any =>
  JSON.parse(
    execFileSync(process.execPath, [join(out, file)], { encoding: 'utf8', maxBuffer: 1 << 26 })
      .trim()
      .split('\n')
      .pop()!,
  );

// First finding, parallel calls, one num_ctx: a loopback Ollama with a fixed latency per call.
const lat = run('latency.js');
console.log(
  `\nFake model, ${lat.latencyMs} ms per call, ${lat.seq.calls} chunks: first finding ${f(lat.seq.first, 0)} ms of ${f(lat.seq.total, 0)} ms (${f(lat.seq.first / lat.seq.total, 2)}×); ` +
    `ollama.parallel 2: ${f(lat.par.total, 0)} ms (${f(lat.par.total / lat.seq.total, 2)}× sequential, ${lat.par.maxInFlight} in flight); distinct num_ctx: ${lat.seq.numCtxValues}, ${lat.par.numCtxValues}`,
);

// A line inserted at the top of a large file.
const ins = run('insert.js');
console.log(`Line inserted at the top of a 20,000-line file: ${ins.resent} of ${ins.pieces} pieces sent again`);

// Real tokens (Qwen3 tokenizer) and the estimate.
const tok = run('tokens.js') as {
  label: string;
  calls: number;
  real: Record<string, number>;
  estimate: Record<string, number>;
}[];
console.log(
  '\nTokens: "carried" is the raw text of every line the prompts carry (added, context, removed, and the enclosing-function line git names in a hunk header); "data" the prompts without the fixed instructions.',
);
console.log('diff | calls | real: sent (data) / carried = overhead (data overhead), changed-only | estimate: the same');
for (const t of tok) {
  const line = (k: Record<string, number>): string =>
    `${k.system + k.user} (${k.user}) / ${k.carried} = ${f((k.system + k.user) / k.carried, 2)}× (${f(k.user / k.carried, 2)}×), changed ${k.changed}`;
  console.log(`${t.label} | ${t.calls} | ${line(t.real)} | ${line(t.estimate)}`);
}
const realDiff = tok[tok.length - 1];

// Whole processes, as a user starts them.
const cli = join(__dirname, '..', 'dist', 'cli.js');
const timeMs = (cmd: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv): number => {
  const xs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    execFileSync(cmd, args, { cwd, env, stdio: 'ignore', maxBuffer: 1 << 30 });
    xs.push(performance.now() - t);
  }
  return [...xs].sort((a, b) => a - b)[3];
};
const nodeMs = timeMs(process.execPath, ['-e', '0']);
const versionMs = timeMs(process.execPath, [cli, '--version']);
const cold = JSON.parse(
  execFileSync(process.execPath, [join(out, 'one.js'), '10000', '0', 'keep'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!,
) as {
  dir: string;
  base: string;
  head: string;
};
const gitMs = timeMs('git', ['diff', '--no-color', '--find-renames', '--unified=3', cold.base, cold.head], cold.dir);
const rulesArgs = [cli, 'review', '--rules-only', '--no-cache', '--format', 'json', '--range', `${cold.base}..${cold.head}`];
// The CLI keeps its compiled code between runs (src/cli/codeCache.ts): the first run writes it, the
// median is of runs that read it. Without it, as right after an install, for comparison.
const rulesMs = timeMs(process.execPath, rulesArgs, cold.dir);
const rulesUncachedMs = timeMs(process.execPath, rulesArgs, cold.dir, { ...process.env, PULLMINT_CODE_CACHE: '0' });
execFileSync('rm', ['-rf', cold.dir]);
console.log(
  `\nWhole processes: node -e 0 ${f(nodeMs)} ms; pullmint --version ${f(versionMs)} ms (${f(versionMs / nodeMs, 2)}×); git diff at 10k ${f(gitMs)} ms; ` +
    `pullmint review --rules-only at 10k ${f(rulesMs)} ms (${f(rulesMs / (nodeMs + gitMs), 2)}× node + git diff; ` +
    `${f(rulesUncachedMs)} ms, ${f(rulesUncachedMs / (nodeMs + gitMs), 2)}×, without the compiled-code cache)`,
);
const services = readFileSync(join(__dirname, '..', 'dist', 'services.js'), 'utf8');
const servicesLean =
  !services.includes('anthropic-version') && !services.includes('octokit-endpoint') && services.includes('lazy-anthropic.js');
console.log(
  `Extension services bundle: ${f(services.length / 1024, 0)} KB; the Anthropic SDK and Octokit load on first use only: ${servicesLean}`,
);

const at = (n: number): Row | undefined => rows.find((r) => r.changedLines === n);
// Each target with what this run measured; n/a when its size was not run (BENCH_SIZES).
const x = (n: number | undefined): string => (n === undefined ? '' : `${f(n, 2)}×`);
const r10 = at(10_000);
const r50 = at(50_000);
const r200 = at(200_000);
const targets: [string, boolean | undefined, string][] = [
  [
    'first finding ≤ 0.3× the review time (fake model, fixed latency)',
    lat.seq.first > 0 && lat.seq.first <= 0.3 * lat.seq.total,
    x(lat.seq.first / lat.seq.total),
  ],
  ['ollama.parallel 2: review ≤ 0.6× sequential', lat.par.total <= 0.6 * lat.seq.total, x(lat.par.total / lat.seq.total)],
  [
    'one num_ctx per review',
    lat.seq.numCtxValues === 1 && lat.par.numCtxValues === 1,
    `${lat.seq.numCtxValues}, ${lat.par.numCtxValues} distinct`,
  ],
  [
    'formatting overhead ≤ 1.15× (real tokens, data ÷ carried lines, real diff)',
    realDiff.real.user / realDiff.real.carried <= 1.15,
    x(realDiff.real.user / realDiff.real.carried),
  ],
  ['pipeline ≤ 1.5× git diff at 10k lines', r10 && r10.ratio <= 1.5, x(r10?.ratio)],
  ['pipeline ≤ 2× git diff at 50k lines', r50 && r50.ratio <= 2, x(r50?.ratio)],
  [
    'cached re-review ≤ 0.5× cold at 200k lines',
    r200 && r200.cachedMs <= 0.5 * r200.pipelineMs,
    x(r200 && r200.cachedMs / r200.pipelineMs),
  ],
  [
    'cached re-review ≤ 100 ms with 0 calls at 10k lines',
    r10 && r10.cachedMs <= 100 && r10.cachedCalls === 0,
    r10 ? `${f(r10.cachedMs)} ms, ${r10.cachedCalls} calls` : '',
  ],
  ['a line inserted at the top of a large file re-sends ≤ 1 piece', ins.resent <= 1 && ins.complete, `${ins.resent} of ${ins.pieces}`],
  [
    'tokens ≤ 1.2× raw changed-line tokens at 1k lines (diff data)',
    at(1000) && at(1000)!.tokenRatioDataOnly <= 1.2,
    x(at(1000)?.tokenRatioDataOnly),
  ],
  ['peak RSS ≤ 250 MB at 50k lines', r50 && r50.peakRssMb <= 250, r50 ? `${f(r50.peakRssMb)} MB` : ''],
  ['review on save (rules) < 50 ms per file', save.saveMs < 50, `${f(save.saveMs)} ms`],
  ['pullmint --version ≤ 1.3× node -e 0', versionMs <= 1.3 * nodeMs, x(versionMs / nodeMs)],
  ['review --rules-only at 10k ≤ 2× (node -e 0 + git diff)', rulesMs <= 2 * (nodeMs + gitMs), x(rulesMs / (nodeMs + gitMs))],
  ["the extension's first review loads no client it does not use", servicesLean, ''],
];
console.log('\nPeak RSS: one review in a fresh process, the way a CLI run sees it (in brackets: the process before the review).');
console.log('A MISS is reported, not failed: the bench always exits 0.\n');
for (const [name, ok, measured] of targets)
  console.log(`${ok === undefined ? 'n/a ' : ok ? 'met ' : 'MISS'}  ${name}${ok === undefined || !measured ? '' : `: ${measured}`}`);
