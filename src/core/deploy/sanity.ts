import { z } from 'zod';

export const SanityCheckSchema = z.object({
  name: z.string().min(1),
  url: z.string().url(),
  method: z.string().default('GET'),
  expectStatus: z.number().int().default(200),
  expectBodyContains: z.string().optional(),
  timeoutMs: z.number().int().positive().default(5000),
});
export type SanityCheck = z.infer<typeof SanityCheckSchema>;

export interface SanityResult {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  durationMs: number;
  error?: string;
}

/** Reads checks from settings or PULLMINT_SANITY_CHECKS; invalid entries become warnings, not crashes. */
export function parseSanityChecks(value: unknown): { checks: SanityCheck[]; warnings: string[] } {
  const list = typeof value === 'string' ? safeJson(value) : value;
  if (list === undefined || list === null || list === '') return { checks: [], warnings: [] };
  if (!Array.isArray(list)) return { checks: [], warnings: ['sanity checks must be a JSON array'] };
  const checks: SanityCheck[] = [];
  const warnings: string[] = [];
  list.forEach((item, i) => {
    const r = SanityCheckSchema.safeParse(item);
    if (r.success) checks.push(r.data);
    else warnings.push(`sanity check #${i + 1} ignored: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
  });
  return { checks, warnings };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return 'not json';
  }
}

async function runOnce(check: SanityCheck): Promise<{ ok: boolean; error?: string }> {
  try {
    const res = await fetch(check.url, { method: check.method, signal: AbortSignal.timeout(check.timeoutMs) });
    const text = await res.text();
    if (res.status !== check.expectStatus) return { ok: false, error: `HTTP ${res.status}, expected ${check.expectStatus}` };
    if (check.expectBodyContains && !text.includes(check.expectBodyContains))
      return { ok: false, error: `body does not contain "${check.expectBodyContains}"` };
    return { ok: true };
  } catch (err) {
    const e = err as Error;
    return { ok: false, error: e.name === 'TimeoutError' ? `no answer within ${check.timeoutMs} ms` : e.message };
  }
}

/**
 * Runs each check, retrying a failing one until it passes or the wait-until-healthy window closes
 * (a fresh deploy may need a moment). A check whose URL is not http(s) is skipped with the reason.
 */
export async function runSanityChecks(
  checks: SanityCheck[],
  opts: { waitUntilHealthyMs: number; pollMs?: number; sleep?: (ms: number) => Promise<void>; now?: () => number },
): Promise<SanityResult[]> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.waitUntilHealthyMs;
  const results: SanityResult[] = [];
  for (const check of checks) {
    const started = Date.now();
    if (!/^https?:\/\//.test(check.url)) {
      results.push({ name: check.name, status: 'skip', durationMs: 0, error: 'only http and https URLs are checked' });
      continue;
    }
    let r = await runOnce(check);
    while (!r.ok && now() < deadline) {
      await sleep(opts.pollMs ?? 1000);
      r = await runOnce(check);
    }
    results.push({
      name: check.name,
      status: r.ok ? 'pass' : 'fail',
      durationMs: Date.now() - started,
      ...(r.error && !r.ok ? { error: r.error } : {}),
    });
  }
  return results;
}
