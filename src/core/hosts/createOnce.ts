/**
 * An answer that does not say whether the code host carried the request out: a dropped connection,
 * a timeout, a 5xx. Both clients put the HTTP status on the error as `status`.
 */
export function ambiguous(err: unknown): boolean {
  const status = (err as { status?: number }).status;
  return status === undefined || status >= 500 || status === 408;
}

/**
 * Creates something once: on an ambiguous failure, looks for it on the code host before trying
 * again, and takes what is there as done. Creates are never resent blindly.
 */
export async function createOnce<T>(create: () => Promise<T>, existing: () => Promise<T | undefined>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (err) {
      if (!ambiguous(err)) throw err;
      const found = await existing().catch(() => undefined);
      if (found !== undefined) return found;
      if (attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}
