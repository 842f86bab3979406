import { estimateTokens } from '../src/core/pack/tokens.js';
import type { Completion, CompletionRequest, ReviewProvider } from '../src/core/providers/types.js';

/** A provider that answers instantly with no findings: measures the pipeline around the model. */
export class ZeroLatencyProvider implements ReviewProvider {
  readonly name = 'ollama' as const;
  readonly model = 'zero-latency';
  readonly isCloud = false;
  readonly concurrency = 1;
  /** Counted as prompts arrive; keeping the strings would add the bench's memory to the pipeline's. */
  systemTokens = 0;
  userTokens = 0;

  constructor(private readonly contextTokens = 16384 - 2048) {}

  async prepare(): Promise<{ contextTokens: number; warnings: string[] }> {
    return { contextTokens: this.contextTokens, warnings: [] };
  }

  async complete(req: CompletionRequest): Promise<Completion> {
    this.systemTokens += estimateTokens(req.system);
    this.userTokens += estimateTokens(req.user);
    return { text: '{"summary":"","findings":[]}', promptTokens: req.promptTokens, completionTokens: 8, warnings: [] };
  }
}
