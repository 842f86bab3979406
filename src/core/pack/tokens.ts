/**
 * A tokenizer-free estimate that errs high. Real tokenizers count code at about 3 characters a token
 * (Qwen's at 2.8–3.4), more for non-Latin text, so the estimate is UTF-8 bytes ÷ 3: three characters
 * a token for ASCII, one a token for CJK, where byte-level tokenizers spend a token or more a character.
 * Replies that count more than this calibrate it upwards (`TokenGauge`).
 */
export const BYTES_PER_TOKEN = 3;

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function tokensOfBytes(bytes: number): number {
  return Math.ceil(bytes / BYTES_PER_TOKEN);
}

export function estimateTokens(text: string): number {
  return tokensOfBytes(utf8Length(text));
}

/** The longest start of `text` whose estimate is at most `tokens`, never ending inside a character. */
export function clipToTokens(text: string, tokens: number): string {
  const maxBytes = Math.max(0, Math.floor(tokens)) * BYTES_PER_TOKEN;
  // A UTF-16 unit is at least one byte, so no more than maxBytes units can fit.
  let head = text.slice(0, maxBytes);
  if (utf8Length(head) > maxBytes) {
    // The decoder turns a character cut in half into U+FFFD, which is dropped.
    head = new TextDecoder().decode(Buffer.from(head, 'utf8').subarray(0, maxBytes)).replace(/\uFFFD$/, '');
  }
  const last = head.charCodeAt(head.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? head.slice(0, -1) : head;
}

/** One token a byte is beyond any tokenizer's average: a larger ratio is a miscount, not a tokenizer. */
const MAX_RATIO = BYTES_PER_TOKEN;

/**
 * The estimate, calibrated by the provider's own counts during one review. It only ever grows: a
 * reply that counted more tokens than estimated raises the ratio for every later chunk, a reply that
 * counted fewer changes nothing, since undercounting is what makes a window cut a prompt.
 */
export class TokenGauge {
  private ratio = 1;

  /**
   * @param minSample Prompts estimated below this teach nothing: the chat template and, for Claude,
   * the tool definition add a fixed count that would read as a dense tokenizer on a small prompt.
   */
  constructor(private readonly minSample = 256) {}

  /** Provider tokens per estimated token: 1 until a reply counts more than the estimate. */
  get factor(): number {
    return this.ratio;
  }

  /** An estimate in the provider's tokens, as far as the replies so far tell. */
  tokens(estimate: number): number {
    return Math.ceil(estimate * this.ratio);
  }

  /** Learns from a provider's count of a prompt estimated at `estimate`; true when the ratio grew. */
  observe(estimate: number, counted: number): boolean {
    if (estimate < this.minSample || !(counted > 0)) return false;
    return this.raise(counted / estimate);
  }

  /**
   * A cut prompt tells only that it was longer than the window (`windowTokens`): it is taken as a
   * third longer, so that the next chunk of the same size is packed smaller rather than cut again.
   */
  observeCut(estimate: number, windowTokens: number): boolean {
    if (!(estimate > 0) || !(windowTokens > 0)) return false;
    return this.raise((windowTokens * 4) / 3 / estimate);
  }

  private raise(ratio: number): boolean {
    const r = Math.min(MAX_RATIO, ratio);
    if (!(r > this.ratio)) return false;
    this.ratio = r;
    return true;
  }
}
