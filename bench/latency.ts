// First finding, parallel calls and num_ctx, against a loopback Ollama whose model takes a fixed
// time per call (test/fakes/ollama.ts), through the real `ollama` client and provider.
import { rmSync } from 'node:fs';
import { DEFAULT_CONFIG } from '../src/core/config/schema.js';
import { runReview } from '../src/core/engine.js';
import { OllamaProvider } from '../src/core/providers/ollama.js';
import { FakeOllama } from '../test/fakes/ollama.js';
import { generateRepo } from './generate.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 400);

async function once(dir: string, range: string, parallel: number) {
  // Serves every request at once, as Ollama does up to OLLAMA_NUM_PARALLEL.
  const server = new FakeOllama({
    contextLength: 32768,
    latencyMs: LATENCY_MS,
    partMs: 1,
    // About one changed line in sixty.
    triggers: [{ contains: '= await loadUser(', severity: 'low', category: 'maintainability', title: 'Load', message: 'A load changed.' }],
  });
  await server.start();
  const provider = new OllamaProvider({
    host: server.url,
    model: 'qwen2.5-coder:7b',
    maxNumCtx: 16384,
    outputReserve: 2048,
    keepAlive: '5m',
    temperature: 0.1,
    parallel,
  });
  const t0 = performance.now();
  let first = -1;
  const r = await runReview({
    repoDir: dir,
    target: { kind: 'range', range },
    config: { ...structuredClone(DEFAULT_CONFIG), maxCalls: 1000, cache: false },
    provider,
    onEvent: (e) => {
      if (first < 0 && e.type === 'findings' && e.source === 'llm' && e.findings.length > 0) first = performance.now() - t0;
    },
  });
  const total = performance.now() - t0;
  const numCtx = new Set(server.chatRequests.map((q) => (q.json as { options: { num_ctx: number } }).options.num_ctx));
  await server.stop();
  return {
    total,
    first,
    calls: r.stats.llmCalls,
    complete: r.coverage.complete,
    numCtxValues: numCtx.size,
    maxInFlight: server.maxInFlight,
  };
}

async function main(): Promise<void> {
  // About 10 chunks at a 16k window: 20 files of 100 changed lines each.
  const repo = generateRepo(Number(process.env.BENCH_LATENCY_LINES ?? 2000));
  const range = `${repo.base}..${repo.head}`;
  const seq = await once(repo.dir, range, 1);
  const par = await once(repo.dir, range, 2);
  rmSync(repo.dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ latencyMs: LATENCY_MS, seq, par }) + '\n');
}

void main();
