// Peak RSS of one review in a fresh process, as a CLI run would see it.
import { DEFAULT_CONFIG } from '../src/core/config/schema.js';
import { runReview } from '../src/core/engine.js';
import type { Completion, CompletionRequest, ReviewProvider } from '../src/core/providers/types.js';

/** Zero latency and, unlike the timing provider, keeps no prompts: memory is the pipeline's own. */
const provider: ReviewProvider = {
  name: 'ollama',
  model: 'zero-latency',
  isCloud: false,
  concurrency: 1,
  prepare: async () => ({ contextTokens: 16384 - 2048, warnings: [] }),
  complete: async (req: CompletionRequest): Promise<Completion> => ({
    text: '{"summary":"","findings":[]}',
    promptTokens: req.promptTokens,
    completionTokens: 8,
    warnings: [],
  }),
};

async function main(): Promise<void> {
  const [dir, base, head] = process.argv.slice(2);
  const startMb = process.memoryUsage().rss / 1048576;
  const config = { ...structuredClone(DEFAULT_CONFIG), maxCalls: 1_000_000, maxTokens: 1e12, cache: false };
  const r = await runReview({ repoDir: dir, target: { kind: 'range', range: `${base}..${head}` }, config, provider });
  process.stdout.write(
    JSON.stringify({ startMb, peakMb: process.resourceUsage().maxRSS / 1024, reviewedLines: r.coverage.reviewedLines }) + '\n',
  );
}

void main();
