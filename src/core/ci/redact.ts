import { redactData } from '../rules/secrets.js';

/**
 * The context-line marker of the prompt's data format, which the review redaction reads. The test
 * "CI logs: redaction" fails if the format moves on without this.
 */
const AS_DATA = ' ';

/**
 * Log text with every secret replaced by [REDACTED], through the reviews' own detector, private keys
 * whole (a key printed by a failing step spans many lines): what the excerpt sent to a model that is
 * not local, and what is written to the code host, pass through here.
 */
export function redactLog(text: string): { text: string; redacted: number } {
  const r = redactData(
    text
      .split('\n')
      .map((line) => AS_DATA + line)
      .join('\n'),
  );
  return {
    text: r.text
      .split('\n')
      .map((line) => line.slice(AS_DATA.length))
      .join('\n'),
    redacted: r.redacted,
  };
}
