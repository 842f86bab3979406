/**
 * A tokenizer-free estimate: code averages close to 4 characters a token for the BPE vocabularies
 * of the models we talk to. Budgets keep a margin for the difference.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
