// `npm run bench`: pipeline vs `git diff` on generated repositories, each size in a fresh process.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

// The bench runs bundles built like the shipped CLI (esbuild, cjs), not the tsx loader.
const out = join(__dirname, '..', '.bench');
for (const name of ['one', 'rss', 'save']) {
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

const sizes = (process.env.BENCH_SIZES ?? '100,1000,10000,50000').split(',').map(Number);
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
  const result = execFileSync(process.execPath, [join(out, 'one.js'), String(size), size >= 50_000 ? '3' : '5'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  rows.push(JSON.parse(result.trim().split('\n').pop()!));
}
const f = (n: number, d = 1): string => n.toFixed(d);
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
const at = (n: number): Row | undefined => rows.find((r) => r.changedLines === n);
const targets: [string, boolean | undefined][] = [
  ['pipeline ≤ 1.5× git diff at 10k lines', at(10_000) && at(10_000)!.ratio <= 1.5],
  ['tokens ≤ 1.2× raw changed-line tokens at 1k lines (diff data)', at(1000) && at(1000)!.tokenRatioDataOnly <= 1.2],
  ['cached re-review ≤ 100 ms with 0 calls at 10k lines', at(10_000) && at(10_000)!.cachedMs <= 100 && at(10_000)!.cachedCalls === 0],
  ['peak RSS ≤ 250 MB at 50k lines', at(50_000) && at(50_000)!.peakRssMb <= 250],
  ['review on save (rules) < 50 ms per file', save.saveMs < 50],
];
console.log('\nPeak RSS: one review in a fresh process, the way a CLI run sees it.\n');
for (const [name, ok] of targets) console.log(`${ok === undefined ? 'n/a ' : ok ? 'met ' : 'MISS'}  ${name}`);
