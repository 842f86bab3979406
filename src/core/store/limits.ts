/*
 * Bounds on what one stored entry may hold. A model can answer with megabytes (a loop, a pasted
 * file); storing that whole makes every later read of the cache or history slow, so the excess is
 * cut on the way in and the cut is reported.
 */

export const LIMITS = {
  summaryChars: 8_000,
  titleChars: 300,
  messageChars: 4_000,
  suggestionChars: 4_000,
  quoteChars: 1_000,
  findingsPerCacheEntry: 100,
  findingsPerRecord: 2_000,
  warningsPerRecord: 200,
  warningChars: 1_000,
};

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [cut ${text.length - max} characters]`;
}

interface TextFields {
  title: string;
  message: string;
  suggestion?: string;
  quote?: string;
}

/** The finding with each text field bounded; the same object when nothing needed cutting. */
export function clipFinding<T extends TextFields>(f: T): T {
  const over =
    f.title.length > LIMITS.titleChars ||
    f.message.length > LIMITS.messageChars ||
    (f.suggestion?.length ?? 0) > LIMITS.suggestionChars ||
    (f.quote?.length ?? 0) > LIMITS.quoteChars;
  if (!over) return f;
  return {
    ...f,
    title: clip(f.title, LIMITS.titleChars),
    message: clip(f.message, LIMITS.messageChars),
    ...(f.suggestion !== undefined ? { suggestion: clip(f.suggestion, LIMITS.suggestionChars) } : {}),
    // A quote that no longer matches its line is worse than none: anchoring would trust it.
    ...(f.quote !== undefined && f.quote.length > LIMITS.quoteChars ? { quote: undefined } : {}),
  };
}
