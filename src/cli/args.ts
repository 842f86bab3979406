import { parseArgs } from 'node:util';
import type { ConfigLayer } from '../core/config/load.js';
import type { TargetSpec } from '../core/git/diff.js';
import { normalizeOllamaHost } from '../core/providers/ollama.js';
import { PROVIDER_NAMES, type ProviderName } from '../core/providers/registry.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ReviewArgs {
  target: TargetSpec;
  repo: string;
  provider?: ProviderName;
  rulesOnly: boolean;
  model?: string;
  ollamaHost?: string;
  format: 'text' | 'json' | 'sarif';
  output?: string;
  gate: boolean;
  /** With --gate: let an incomplete review (the model did not read every line) pass. */
  allowIncomplete: boolean;
  noCache: boolean;
  maxCalls?: number;
  timeoutSeconds?: number;
}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} takes a whole number, not '${v}'`);
  return n;
}

/**
 * `--base` takes an optional REF: `--base` alone, `--base origin/dev`, `--base=origin/dev`. parseArgs
 * has no optional values, so the argument after a bare `--base` is taken when it is not a flag.
 */
export function parseReviewArgs(argv: string[], cwd: string): ReviewArgs {
  const args = [...argv];
  let baseRef: string | undefined;
  let baseGiven = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--base') {
      baseGiven = true;
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        baseRef = next;
        args.splice(i + 1, 1);
      }
      args.splice(i, 1);
      i--;
    } else if (args[i].startsWith('--base=')) {
      baseGiven = true;
      baseRef = args[i].slice('--base='.length) || undefined;
      args.splice(i, 1);
      i--;
    }
  }
  let values;
  try {
    ({ values } = parseArgs({
      args,
      allowPositionals: false,
      options: {
        'working-tree': { type: 'boolean' },
        staged: { type: 'boolean' },
        range: { type: 'string' },
        repo: { type: 'string' },
        provider: { type: 'string' },
        'rules-only': { type: 'boolean' },
        model: { type: 'string' },
        'ollama-host': { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        gate: { type: 'boolean' },
        'allow-incomplete': { type: 'boolean' },
        'no-cache': { type: 'boolean' },
        'max-calls': { type: 'string' },
        timeout: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const chosen = [values['working-tree'], values.staged, baseGiven, values.range !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('choose one of --working-tree, --staged, --base [REF], --range A..B');
  let target: TargetSpec = { kind: 'working-tree' };
  if (values.staged) target = { kind: 'staged' };
  else if (baseGiven) target = { kind: 'base', ref: baseRef };
  else if (values.range !== undefined) target = { kind: 'range', range: values.range };
  const provider = values.provider;
  if (provider !== undefined && !(PROVIDER_NAMES as string[]).includes(provider)) {
    throw new UsageError(`--provider must be one of ${PROVIDER_NAMES.join(', ')}, not '${provider}'`);
  }
  const format = values.format ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be text, json or sarif, not '${format}'`);
  const timeout = positiveInt('timeout', values.timeout);
  if (timeout === 0) throw new UsageError('--timeout must be at least 1 second');
  return {
    target,
    repo: values.repo ?? cwd,
    provider: provider as ReviewArgs['provider'],
    rulesOnly: values['rules-only'] ?? false,
    model: values.model,
    ollamaHost: values['ollama-host'],
    format: format as ReviewArgs['format'],
    output: values.output,
    gate: values.gate ?? false,
    allowIncomplete: values['allow-incomplete'] ?? false,
    noCache: values['no-cache'] ?? false,
    maxCalls: positiveInt('max-calls', values['max-calls']),
    timeoutSeconds: timeout,
  };
}

/** Turns flags into the top config layer. */
export function flagsToConfig(a: ReviewArgs): ConfigLayer {
  const o: Record<string, unknown> = {};
  if (a.provider) o.provider = a.provider;
  if (a.ollamaHost) o.ollama = { host: normalizeOllamaHost(a.ollamaHost) };
  if (a.model) o.model = a.model;
  if (a.maxCalls !== undefined) o.maxCalls = a.maxCalls;
  if (a.timeoutSeconds !== undefined) o.timeoutSeconds = a.timeoutSeconds;
  if (a.noCache) o.cache = false;
  return { source: 'command line', values: o };
}
