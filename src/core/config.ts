import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_ANTHROPIC_MODEL } from './providers/anthropic.js';
import { DEFAULT_OLLAMA_HOST, DEFAULT_OLLAMA_MODEL } from './providers/ollama.js';
import { DEFAULT_RISK } from './risk.js';
import { RULE_IDS } from './rules/index.js';
import { SEVERITIES } from './types.js';

const severity = z.enum(SEVERITIES);
const weights = z.object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number(), info: z.number() });

export const ConfigSchema = z.object({
  provider: z.enum(['ollama', 'anthropic', 'openai']),
  ollama: z.object({ host: z.string(), model: z.string(), numCtx: z.number().int().min(1024), keepAlive: z.string() }),
  anthropic: z.object({ model: z.string(), baseUrl: z.string(), maxOutputTokens: z.number().int().min(256) }),
  openai: z.object({ baseUrl: z.string(), model: z.string(), contextTokens: z.number().int().min(1024) }),
  contextLines: z.number().int().min(0).max(50),
  maxCalls: z.number().int().min(0),
  maxTokens: z.number().int().min(0),
  outputReserveTokens: z.number().int().min(256),
  maxLinesPerFile: z.number().int().min(1),
  timeoutSeconds: z.number().min(1),
  ignore: z.array(z.string()),
  rules: z.partialRecord(z.enum(RULE_IDS), z.boolean()),
  /** Category or rule id → severity, applied to every finding. */
  severityOverrides: z.record(z.string(), severity),
  risk: z.object({ weights, approveThreshold: z.number(), deployThreshold: z.number(), diffSizeComponent: z.boolean() }),
  instructions: z.string(),
  cache: z.boolean(),
});
export type PullmintConfig = z.infer<typeof ConfigSchema>;

export const DEFAULT_CONFIG: PullmintConfig = {
  provider: 'ollama',
  ollama: { host: DEFAULT_OLLAMA_HOST, model: DEFAULT_OLLAMA_MODEL, numCtx: 16384, keepAlive: '10m' },
  anthropic: { model: DEFAULT_ANTHROPIC_MODEL, baseUrl: '', maxOutputTokens: 8192 },
  openai: { baseUrl: '', model: 'qwen2.5-coder-7b-instruct', contextTokens: 32768 },
  contextLines: 3,
  maxCalls: 50,
  maxTokens: 1_000_000,
  outputReserveTokens: 2048,
  maxLinesPerFile: 3000,
  timeoutSeconds: 180,
  ignore: [],
  rules: {},
  severityOverrides: {},
  risk: { ...DEFAULT_RISK, weights: { ...DEFAULT_RISK.weights } },
  instructions: '',
  cache: true,
};

/**
 * What a repository's .pullmint.json may set. Everything else — provider, hosts, base URLs, tokens,
 * webhooks — would let a cloned repository redirect your code or credentials, so it is ignored.
 */
export const REPO_ALLOWED_KEYS = [
  'instructions',
  'ignore',
  'rules',
  'severityOverrides',
  'risk',
  'contextLines',
  'maxLinesPerFile',
] as const;

export type PartialConfig = {
  [K in keyof PullmintConfig]?: PullmintConfig[K] extends object
    ? PullmintConfig[K] extends unknown[]
      ? PullmintConfig[K]
      : Partial<PullmintConfig[K]>
    : PullmintConfig[K];
};

export interface ConfigLayer {
  source: string;
  values: Record<string, unknown>;
}

export interface LoadedConfig {
  config: PullmintConfig;
  warnings: string[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    if (k === 'ignore' && Array.isArray(v) && Array.isArray(out[k])) out[k] = [...(out[k] as unknown[]), ...v];
    else if (isPlainObject(v) && isPlainObject(out[k])) out[k] = deepMerge(out[k] as Record<string, unknown>, v);
    else out[k] = v;
  }
  return out;
}

/** Keeps only what a repository file may set; says what it dropped. */
export function restrictRepoLayer(
  values: Record<string, unknown>,
  source: string,
): { values: Record<string, unknown>; warnings: string[] } {
  const kept: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    if ((REPO_ALLOWED_KEYS as readonly string[]).includes(k)) kept[k] = v;
    else if (k !== '$schema')
      warnings.push(`${source}: "${k}" is ignored — a repository may not set it (set it in your user settings instead)`);
  }
  return { values: kept, warnings };
}

/**
 * Merges layers in order (later wins) and validates the result. An invalid value is reported and
 * replaced by the value from the layers below it, so one typo never stops a review.
 */
export function mergeConfig(layers: ConfigLayer[]): LoadedConfig {
  const warnings: string[] = [];
  let merged: Record<string, unknown> = structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>;
  for (const layer of layers) {
    const candidate = deepMerge(merged, layer.values);
    const check = ConfigSchema.safeParse(candidate);
    if (check.success) {
      merged = candidate;
      continue;
    }
    // Keep the valid keys of this layer, drop the invalid ones.
    const bad = new Set(check.error.issues.map((i) => String(i.path[0])));
    for (const issue of check.error.issues) warnings.push(`${layer.source}: ${issue.path.join('.')}: ${issue.message}; ignored`);
    const good = Object.fromEntries(Object.entries(layer.values).filter(([k]) => !bad.has(k)));
    merged = deepMerge(merged, good);
  }
  const unknown = (layer: ConfigLayer): string[] => Object.keys(layer.values).filter((k) => !(k in DEFAULT_CONFIG) && k !== '$schema');
  for (const layer of layers) for (const k of unknown(layer)) warnings.push(`${layer.source}: unknown setting "${k}"`);
  return { config: ConfigSchema.parse(merged), warnings };
}

async function readJson(path: string): Promise<{ values: Record<string, unknown> | null; warning?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { values: null };
  }
  try {
    const v = JSON.parse(text);
    if (!isPlainObject(v)) return { values: null, warning: `${path}: expected a JSON object; ignored` };
    return { values: v };
  } catch (err) {
    return { values: null, warning: `${path}: not valid JSON (${(err as Error).message}); ignored` };
  }
}

export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'pullmint', 'config.json');
}

/** The environment's part: hosts and keys a user sets in their shell. */
export function envLayer(env: NodeJS.ProcessEnv): ConfigLayer {
  const values: Record<string, unknown> = {};
  if (env.PULLMINT_PROVIDER) values.provider = env.PULLMINT_PROVIDER;
  if (env.OLLAMA_HOST) values.ollama = { host: normalizeOllamaHost(env.OLLAMA_HOST) };
  if (env.PULLMINT_MODEL) {
    const provider = (values.provider as string | undefined) ?? 'ollama';
    values[provider] = { ...(values[provider] as object | undefined), model: env.PULLMINT_MODEL };
  }
  if (env.ANTHROPIC_BASE_URL) values.anthropic = { ...(values.anthropic as object | undefined), baseUrl: env.ANTHROPIC_BASE_URL };
  return { source: 'environment', values };
}

/** OLLAMA_HOST may be `0.0.0.0:11434`, `host:port` or a URL, as the Ollama CLI accepts. */
export function normalizeOllamaHost(host: string): string {
  let h = host.trim();
  if (!/^https?:\/\//.test(h)) h = `http://${h}`;
  h = h.replace('://0.0.0.0', '://127.0.0.1');
  if (!/:\d+(\/|$)/.test(h.replace(/^https?:\/\//, ''))) h = h.replace(/\/*$/, '') + ':11434';
  return h.replace(/\/+$/, '');
}

export interface LoadOptions {
  repoRoot: string;
  env?: NodeJS.ProcessEnv;
  /** Values from the command line (or the editor's settings), the top layer. */
  overrides?: Record<string, unknown>;
  userConfigFile?: string;
}

/** defaults → user config → repo .pullmint.json (restricted) → environment → flags. */
export async function loadConfig(opts: LoadOptions): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const warnings: string[] = [];
  const layers: ConfigLayer[] = [];
  const userPath = opts.userConfigFile ?? userConfigPath(env);
  const user = await readJson(userPath);
  if (user.warning) warnings.push(user.warning);
  if (user.values) layers.push({ source: userPath, values: user.values });
  const repoPath = join(opts.repoRoot, '.pullmint.json');
  const repo = await readJson(repoPath);
  if (repo.warning) warnings.push(repo.warning);
  if (repo.values) {
    const restricted = restrictRepoLayer(repo.values, '.pullmint.json');
    warnings.push(...restricted.warnings);
    layers.push({ source: '.pullmint.json', values: restricted.values });
  }
  layers.push(envLayer(env));
  if (opts.overrides) layers.push({ source: 'command line', values: opts.overrides });
  const merged = mergeConfig(layers);
  return { config: merged.config, warnings: [...warnings, ...merged.warnings] };
}
