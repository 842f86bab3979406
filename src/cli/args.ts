import { parseArgs, type ParseArgsConfig } from 'node:util';
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
  /** Whether a target flag was given; without one, a clean tree's review takes the last commit. */
  targetGiven: boolean;
  repo: string;
  provider?: ProviderName;
  rulesOnly: boolean;
  model?: string;
  ollamaHost?: string;
  format: 'text' | 'json' | 'sarif' | 'codequality';
  output?: string;
  gate: boolean;
  /** With --gate: let an incomplete review (the model did not read every line) pass. */
  allowIncomplete: boolean;
  noCache: boolean;
  maxCalls?: number;
  timeoutSeconds?: number;
  /** List dismissed findings in the text report. */
  showDismissed: boolean;
  /** `--terraform-plan FILE`: the JSON of `terraform show -json`; alone, or with the diff when a target is given. */
  terraformPlan?: string;
}

/**
 * Whole-number flags and their bounds. Past these a value is a typo: no review makes a million
 * calls, a timeout past a day is a mistake, and AbortSignal.timeout overflows at 24.8 days.
 */
const NUMBER_FLAGS: Record<string, { min: number; max: number; unit: string }> = {
  'max-calls': { min: 0, max: 1_000_000, unit: 'calls' },
  timeout: { min: 1, max: 86_400, unit: 'seconds' },
};

function wholeNumber(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const { min, max, unit } = NUMBER_FLAGS[name];
  const range = `${min} to ${max} ${unit}`;
  if (!/^\s*-?\d+\s*$/.test(v)) throw new UsageError(`--${name} takes a whole number, ${range}, not '${v}'`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`--${name} is out of range: ${v.trim()} (it takes ${range})`);
  return n;
}

/**
 * parseArgs reads `--max-calls -1` as a flag with no value followed by an unknown flag `-1`; a
 * negative number given that way gets the same message as `--max-calls=-1`.
 */
function negativeNumbers(args: string[]): void {
  for (let i = 0; i < args.length - 1; i++) {
    const name = args[i].replace(/^--/, '');
    if (args[i].startsWith('--') && name in NUMBER_FLAGS && /^-\d/.test(args[i + 1])) wholeNumber(name, args[i + 1]);
  }
}

/** Strict parsing for a subcommand: an unknown flag or a stray word is a usage error, never ignored. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: string[],
  options: O,
  maxPositionals = 0,
): { values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values']; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message.replace(/\. To specify a positional argument.*$/s, '')}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`${command}: unexpected argument '${parsed.positionals[maxPositionals]}'`);
  }
  return parsed;
}

/**
 * `--ollama-host` as OLLAMA_HOST takes it (`host:port`, `0.0.0.0:11434` or a URL), but only over
 * http or https: anything else would become `http://ftp://…` and fail later as "not reachable".
 */
export function ollamaHostFlag(value: string): string {
  const bad = (why: string): UsageError =>
    new UsageError(`--ollama-host must be an http:// or https:// URL or HOST:PORT, not '${value}' (${why})`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value.trim());
  if (scheme && !/^https?$/i.test(scheme[1])) throw bad(`${scheme[1]}:// is not supported`);
  let url: URL;
  try {
    url = new URL(normalizeOllamaHost(value));
  } catch {
    throw bad('not a valid URL');
  }
  if (!url.hostname) throw bad('no host name');
  if (url.username || url.password) throw bad('a user name or password does not belong in the URL');
  if (url.search || url.hash) throw bad('a query or fragment does not belong in the URL');
  return normalizeOllamaHost(value);
}

/** `review`'s flags (`--base` is read before these, for its optional value); `review --help` lists each. */
export const REVIEW_OPTIONS = {
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
  'show-dismissed': { type: 'boolean' },
  'terraform-plan': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

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
  negativeNumbers(args);
  let values;
  try {
    ({ values } = parseArgs({
      args,
      allowPositionals: false,
      options: REVIEW_OPTIONS,
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
  if (!['text', 'json', 'sarif', 'codequality'].includes(format))
    throw new UsageError(`--format must be text, json, sarif or codequality, not '${format}'`);
  const timeout = wholeNumber('timeout', values.timeout);
  const maxCalls = wholeNumber('max-calls', values['max-calls']);
  if (values['terraform-plan'] === '')
    throw new UsageError('--terraform-plan takes the path of a plan JSON file (terraform show -json plan.out > plan.json)');
  const ollamaHost = values['ollama-host'] !== undefined ? ollamaHostFlag(values['ollama-host']) : undefined;
  return {
    target,
    targetGiven: chosen > 0,
    repo: values.repo ?? cwd,
    provider: provider as ReviewArgs['provider'],
    rulesOnly: values['rules-only'] ?? false,
    model: values.model,
    ollamaHost,
    format: format as ReviewArgs['format'],
    output: values.output,
    gate: values.gate ?? false,
    allowIncomplete: values['allow-incomplete'] ?? false,
    noCache: values['no-cache'] ?? false,
    maxCalls,
    timeoutSeconds: timeout,
    showDismissed: values['show-dismissed'] ?? false,
    ...(values['terraform-plan'] !== undefined ? { terraformPlan: values['terraform-plan'] } : {}),
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

/** Whether the arguments ask for help: `--help` or `-h` anywhere before a `--`. */
export function asksForHelp(args: string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}
