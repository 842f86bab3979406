import { redactSecrets } from '../rules/secrets.js';

/**
 * Log text with every secret replaced by [REDACTED], through the reviews' own detector: what the
 * excerpt sent to a model that is not local, and what is written to the code host, pass through here.
 */
export function redactLog(text: string): { text: string; redacted: number } {
  let redacted = 0;
  const out = text
    .split('\n')
    .map((line) => {
      const r = redactSecrets(line);
      redacted += r.redacted;
      return r.text;
    })
    .join('\n');
  return { text: out, redacted };
}
