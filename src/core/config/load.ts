import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { fileAtCommit } from '../git/repo.js';
import {
  ConfigSchema,
  DEFAULT_CONFIG,
  getPath,
  PARSED_RARELY,
  setPath,
  SETTINGS,
  type PullmintConfig,
  type SettingLeaf,
} from './schema.js';

export interface ConfigLayer {
  /** Named in warnings: a file path, "environment", "command line", "editor settings". */
  source: string;
  /**
   * Nested values as in the JSON files. `model` is also understood: the model of whichever
   * provider is chosen in the end (`--model`, PULLMINT_MODEL).
   */
  values: Record<string, unknown>;
}

export interface LoadedConfig {
  config: PullmintConfig;
  warnings: string[];
  /** Which layer set each setting that is not at its default ("environment OLLAMA_HOST", ".pullmint.json"). */
  origins: Record<string, string>;
}

const LEAF = new Map(SETTINGS.map((s) => [s.path, s]));
const PSEUDO_KEYS = new Set(['$schema', 'model']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Leaves of a layer with a value, and the keys that name no setting. */
function leavesOf(values: Record<string, unknown>): { set: [SettingLeaf, unknown][]; unknown: string[] } {
  const set: [SettingLeaf, unknown][] = [];
  const unknown: string[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string): void => {
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (value === undefined || (!prefix && PSEUDO_KEYS.has(key))) continue;
      const leaf = LEAF.get(path);
      if (leaf) set.push([leaf, value]);
      else if (isPlainObject(value) && SETTINGS.some((s) => s.path.startsWith(`${path}.`))) walk(value, path);
      else unknown.push(path);
    }
  };
  walk(values, '');
  return { set, unknown };
}

function issueText(error: z.ZodError): string {
  return error.issues.map((i) => i.message).join('; ');
}

/**
 * Validates one layer's value for a setting. Object settings (weights, rules, severity maps) are
 * checked entry by entry, so one bad entry costs that entry only.
 */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function validLeafValue(leaf: SettingLeaf, value: unknown, warn: (m: string) => void): unknown {
  const schema = leaf.schema;
  if (isPlainObject(value) && (schema instanceof z.ZodObject || schema instanceof z.ZodRecord)) {
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Own keys only: "constructor" or "__proto__" must not reach Object's members.
      const entry =
        schema instanceof z.ZodObject
          ? Object.hasOwn(schema.shape, k)
            ? (schema.shape as Record<string, z.ZodType>)[k]
            : undefined
          : UNSAFE_KEYS.has(k)
            ? undefined
            : (schema.valueType as z.ZodType);
      if (!entry) {
        warn(`${leaf.path}.${k}: unknown entry; ignored`);
        continue;
      }
      const r = (entry instanceof z.ZodOptional ? (entry.unwrap() as z.ZodType) : entry).safeParse(v, PARSED_RARELY);
      if (r.success) kept[k] = r.data;
      else warn(`${leaf.path}.${k}: ${issueText(r.error)}; ignored`);
    }
    return kept;
  }
  if (Array.isArray(value) && schema instanceof z.ZodArray) {
    // One bad entry of a list (a pattern, a check) drops that entry, not the whole list.
    const element = schema.element as z.ZodType;
    const kept: unknown[] = [];
    value.forEach((v, i) => {
      const r = element.safeParse(v, PARSED_RARELY);
      if (r.success) kept.push(r.data);
      else warn(`${leaf.path}[${i}]: ${issueText(r.error)}; ignored`);
    });
    return kept;
  }
  const r = schema.safeParse(value, PARSED_RARELY);
  if (r.success) return r.data;
  warn(`${leaf.path}: ${issueText(r.error)}; ignored`);
  return undefined;
}

/**
 * Merges layers in order, later winning, setting by setting. An invalid value is reported and the
 * value below it kept, so one typo never stops a review. `ignore` lists add up; object settings
 * merge entry by entry.
 */
export function mergeConfig(layers: ConfigLayer[]): LoadedConfig {
  const warnings: string[] = [];
  const merged = structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>;
  const setBy = new Map<string, number>();
  const origins: Record<string, string> = {};
  let model: { value: string; layer: number } | undefined;
  layers.forEach((layer, index) => {
    const warn = (m: string): void => void warnings.push(`${layer.source}: ${m}`);
    const { set, unknown } = leavesOf(layer.values);
    for (const path of unknown) warn(`unknown setting "${path}"`);
    for (const [leaf, raw] of set) {
      const value = validLeafValue(leaf, raw, warn);
      if (value === undefined) continue;
      const current = getPath(merged, leaf.path);
      if (Array.isArray(current) && leaf.path === 'ignore') setPath(merged, leaf.path, [...current, ...(value as unknown[])]);
      else if (isPlainObject(current) && isPlainObject(value)) setPath(merged, leaf.path, { ...current, ...value });
      else setPath(merged, leaf.path, value);
      setBy.set(leaf.path, index);
      origins[leaf.path] = layer.source === 'environment' && leaf.meta.env ? `environment ${leaf.meta.env.name}` : layer.source;
    }
    const m = layer.values.model;
    if (typeof m === 'string' && m) model = { value: m, layer: index };
    else if (m !== undefined) warn('model: expected a model name; ignored');
  });
  const config = ConfigSchema.parse(merged, PARSED_RARELY);
  // A bare model name belongs to the provider chosen in the end, unless a later layer named that provider's model itself.
  if (model && model.layer >= (setBy.get(`${config.provider}.model`) ?? -1)) config[config.provider].model = model.value;
  return { config, warnings, origins };
}

/** The chosen provider's endpoint setting: its machine-scoped URL (ollama.host, anthropic.baseUrl, …). */
export function endpointSetting(config: PullmintConfig): string | undefined {
  return SETTINGS.find((s) => s.path.startsWith(`${config.provider}.`) && s.meta.scope === 'machine')?.path;
}

/** Where a setting's value came from, for messages: the layer that set it, or the default. */
export function originOf(loaded: Pick<LoadedConfig, 'origins'>, path: string): string {
  return loaded.origins[path] ?? 'default';
}

/** Keeps only what a repository file may set; says what it dropped. */
export function restrictRepoLayer(
  values: Record<string, unknown>,
  source: string,
): { values: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const allowedUnder = (path: string): boolean => SETTINGS.some((s) => s.meta.repo && (s.path === path || s.path.startsWith(`${path}.`)));
  const keep = (obj: Record<string, unknown>, prefix: string): Record<string, unknown> => {
    const kept: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (!prefix && key === '$schema') continue;
      const leaf = LEAF.get(path);
      if (leaf?.meta.repo) kept[key] = value;
      else if (!leaf && isPlainObject(value) && allowedUnder(path)) kept[key] = keep(value, path);
      else if (leaf || SETTINGS.some((s) => s.path.startsWith(`${path}.`)) || PSEUDO_KEYS.has(key) || !prefix)
        warnings.push(`${source}: "${path}" is ignored — a repository may not set it (set it in your user settings instead)`);
    }
    return kept;
  };
  return { values: keep(values, ''), warnings };
}

async function readJson(path: string): Promise<{ values: Record<string, unknown> | null; warning?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { values: null };
  }
  return parseJsonObject(text, path);
}

function parseJsonObject(text: string | null, path: string): { values: Record<string, unknown> | null; warning?: string } {
  if (text === null) return { values: null };
  try {
    const v = JSON.parse(text);
    if (!isPlainObject(v)) return { values: null, warning: `${path}: expected a JSON object; ignored` };
    return { values: v };
  } catch (err) {
    // JSON.parse quotes the text around the error: a file's control bytes (an escape sequence, a NUL)
    // must not reach a terminal or a CI log as they are.
    const why = (err as Error).message.replace(/[\u0000-\u001F\u007F-\u009F]/g, '\uFFFD');
    return { values: null, warning: `${path}: not valid JSON (${why}); ignored` };
  }
}

export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'pullmint', 'config.json');
}

/** The environment's part: each setting that names a variable, plus PULLMINT_MODEL. */
export function envLayer(env: NodeJS.ProcessEnv): { layer: ConfigLayer; warnings: string[] } {
  const values: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const { path, meta } of SETTINGS) {
    const text = meta.env && env[meta.env.name];
    if (!meta.env || !text) continue;
    try {
      setPath(values, path, meta.env.parse ? meta.env.parse(text) : text);
    } catch (err) {
      warnings.push(`environment: ${meta.env.name}: ${(err as Error).message}; ignored`);
    }
  }
  if (env.PULLMINT_MODEL) values.model = env.PULLMINT_MODEL;
  return { layer: { source: 'environment', values }, warnings };
}

/** The values a user set in the editor, as reported by `WorkspaceConfiguration.inspect`. */
export interface InspectedSetting {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * The editor's layer: only values the user actually set, never the editor's defaults (those would
 * hide the repository file and the environment). Machine-scoped settings — where code and
 * credentials go — count from user settings only, as the editor itself applies them.
 */
export function editorLayer(inspect: (key: string) => InspectedSetting | undefined): ConfigLayer {
  const values: Record<string, unknown> = {};
  for (const { path, meta } of SETTINGS) {
    const i = inspect(path);
    if (!i) continue;
    const value = meta.scope === 'machine' ? i.globalValue : (i.workspaceFolderValue ?? i.workspaceValue ?? i.globalValue);
    if (value !== undefined) setPath(values, path, value);
  }
  return { source: 'editor settings', values };
}

export interface LoadOptions {
  repoRoot: string;
  env?: NodeJS.ProcessEnv;
  /** The top layer: command-line flags, Action inputs, or the editor settings the user set. */
  overrides?: ConfigLayer;
  userConfigFile?: string;
  /**
   * Read `.pullmint.json` as committed at this commit instead of from the working copy: a review of
   * commits takes its settings from their base, so the commits cannot configure their own review.
   */
  repoConfigAt?: string;
  /** That file's text, when the caller has already asked git for it (null: no such file). */
  repoConfigText?: Promise<string | null>;
}

/** defaults → user config → repository .pullmint.json (restricted) → environment → flags / editor settings. */
export async function loadConfig(opts: LoadOptions): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const warnings: string[] = [];
  const layers: ConfigLayer[] = [];
  const userPath = opts.userConfigFile ?? userConfigPath(env);
  const repoSource = opts.repoConfigAt ? `.pullmint.json at ${opts.repoConfigAt.slice(0, 8)}` : '.pullmint.json';
  const [user, repo] = await Promise.all([
    readJson(userPath),
    opts.repoConfigAt
      ? (opts.repoConfigText ?? fileAtCommit(opts.repoRoot, opts.repoConfigAt, '.pullmint.json')).then((text) =>
          parseJsonObject(text, repoSource),
        )
      : readJson(join(opts.repoRoot, '.pullmint.json')),
  ]);
  if (user.warning) warnings.push(user.warning);
  if (user.values) layers.push({ source: userPath, values: user.values });
  if (repo.warning) warnings.push(repo.warning);
  if (repo.values) {
    const restricted = restrictRepoLayer(repo.values, repoSource);
    warnings.push(...restricted.warnings);
    layers.push({ source: repoSource, values: restricted.values });
  }
  const fromEnv = envLayer(env);
  warnings.push(...fromEnv.warnings);
  layers.push(fromEnv.layer);
  if (opts.overrides) layers.push(opts.overrides);
  const merged = mergeConfig(layers);
  return { config: merged.config, warnings: [...warnings, ...merged.warnings], origins: merged.origins };
}
