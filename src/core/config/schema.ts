import { z } from 'zod';
import { PROVIDER_NAMES, PROVIDERS } from '../providers/registry.js';
import { RULE_IDS } from '../rules/index.js';
import { SEVERITIES, type Severity } from '../types.js';
import { setting, settingMeta, type SettingMeta } from './setting.js';

const DIAGNOSTIC_LEVELS = ['Error', 'Warning', 'Information', 'Hint'] as const;
export type DiagnosticLevel = (typeof DIAGNOSTIC_LEVELS)[number];

const bySeverity = <T extends z.ZodType>(value: T) =>
  z.object(Object.fromEntries(SEVERITIES.map((s) => [s, value])) as Record<Severity, T>);

const providerSections = Object.fromEntries(PROVIDERS.map((p) => [p.name, p.settings])) as {
  [P in (typeof PROVIDERS)[number] as P['name']]: P['settings'];
};

/**
 * Every setting of Pullmint, with its default, its documentation and where it may come from. The
 * editor's settings (package.json), README's table, the loader and the editor's reader all follow
 * this one schema. A key is `pullmint.<path>` in the editor and `<path>` in the JSON files.
 */
/**
 * A glob with many stars can make the matcher backtrack for minutes on a long path; a repository
 * file is untrusted input, so patterns are bounded.
 */
const IGNORE_GLOB = z
  .string()
  .max(300, 'a pattern of at most 300 characters')
  .refine((p) => (p.match(/\*/g) ?? []).length <= 8, 'a pattern with at most 8 `*`');

export const ConfigSchema = z.object({
  provider: setting(z.enum(PROVIDER_NAMES), {
    default: 'ollama',
    description:
      'Which model reviews your changes. `ollama` keeps code on this machine; `anthropic` sends diff chunks to Anthropic (secrets redacted); `openai` talks to an OpenAI-compatible server (vLLM, LM Studio, llama.cpp) at `#pullmint.openai.baseUrl#`.',
    env: { name: 'PULLMINT_PROVIDER' },
    enumDescriptions: PROVIDERS.map((p) => p.label),
  }),
  ...providerSections,
  contextLines: setting(z.number().int().min(0).max(50), {
    default: 3,
    description: 'Unchanged lines shown to the model around each change.',
    repo: true,
  }),
  maxCalls: setting(z.number().int().min(0), {
    default: 50,
    description: 'Most model calls one review may make. What the limit leaves out is listed, never silently skipped.',
  }),
  maxTokens: setting(z.number().int().min(0), { default: 1_000_000, description: 'Most prompt tokens one review may send.' }),
  outputReserveTokens: setting(z.number().int().min(256), {
    default: 2048,
    description:
      'Tokens of the context window kept free for the answer. When what is left holds fewer than 512 tokens of diff per call, the review says so.',
  }),
  maxLinesPerFile: setting(z.number().int().min(1), {
    default: 3000,
    description: 'Changed lines reviewed per file; the rest of a larger file is reported as not reviewed.',
    repo: true,
  }),
  timeoutSeconds: setting(z.number().min(1), { default: 180, description: 'Limit for one model call, in seconds.' }),
  ignore: setting(z.array(IGNORE_GLOB), {
    default: [],
    description: 'Glob patterns of files not to review. The lists of every layer add up (user, repository, editor).',
    repo: true,
  }),
  rules: setting(
    z.object(Object.fromEntries(RULE_IDS.map((id) => [id, z.boolean()])) as Record<(typeof RULE_IDS)[number], z.ZodBoolean>).partial(),
    {
      default: {},
      description: `Built-in rules on or off, e.g. \`{"debugger-statement": false}\`. Rule ids: ${RULE_IDS.map((id) => `\`${id}\``).join(', ')}.`,
      repo: true,
    },
  ),
  severityOverrides: setting(z.record(z.string(), z.enum(SEVERITIES)), {
    default: {},
    description: 'Category or rule id → severity, e.g. `{"style": "info"}`.',
    repo: true,
  }),
  risk: z.object({
    weights: setting(bySeverity(z.number()), {
      default: { critical: 30, high: 15, medium: 7, low: 3, info: 1 },
      description: 'Points per finding of each severity; the risk score is their sum, capped at 100.',
      repo: true,
    }),
    approveThreshold: setting(z.number(), { default: 30, description: 'Below this score the decision is **auto-approve**.', repo: true }),
    deployThreshold: setting(z.number(), {
      default: 40,
      description:
        'Below this score (and at or above the approve threshold) the decision is **auto-deploy**; at or above it, **manual-review**.',
      repo: true,
    }),
    diffSizeComponent: setting(z.boolean(), {
      default: false,
      description: 'Add `min(changedLines/100, 20)` to the score so that very large changes are never waved through.',
      repo: true,
    }),
    blockOn: setting(z.array(z.enum(SEVERITIES)), {
      default: ['critical'],
      description: 'A finding of any of these severities makes the decision **manual-review**, whatever the score.',
      repo: true,
    }),
  }),
  instructions: setting(z.string(), {
    default: '',
    description: "Extra review instructions for the model (the repository's `.pullmint.json` may set its own).",
    repo: true,
  }),
  cache: setting(z.boolean(), { default: true, description: 'Reuse model answers for unchanged diff chunks (7 days).' }),
  severityMap: setting(bySeverity(z.enum(DIAGNOSTIC_LEVELS)), {
    default: { critical: 'Error', high: 'Error', medium: 'Warning', low: 'Information', info: 'Information' },
    description: 'How finding severities show in the Problems panel.',
    editorOnly: true,
  }),
  reviewOnSave: setting(z.enum(['off', 'rules', 'llm']), {
    default: 'rules',
    description: "Review the saved file's changes on save. `rules` is instant and private; `llm` asks the model too (debounced, cached).",
    editorOnly: true,
    enumDescriptions: ['Do nothing on save', 'Built-in rules only (instant)', 'Rules and the model'],
  }),
  deploy: z.object({
    url: setting(z.string(), {
      default: '',
      description: 'Deploy webhook URL (POST). Only user settings may set it; the token and signing secret live in secret storage.',
      scope: 'machine',
      env: { name: 'PULLMINT_DEPLOY_URL' },
    }),
    environment: setting(z.string(), {
      default: 'production',
      description: 'Environment name sent with a deploy.',
      env: { name: 'PULLMINT_DEPLOY_ENVIRONMENT' },
    }),
  }),
  github: z.object({
    enterpriseUrl: setting(z.string(), {
      default: '',
      description: 'GitHub Enterprise API URL, e.g. `https://github.example.com/api/v3`. Empty for github.com.',
      scope: 'machine',
      env: { name: 'GITHUB_API_URL' },
    }),
  }),
  gitlab: z.object({
    url: setting(z.string(), {
      default: '',
      description:
        'Web URL of a self-managed GitLab instance, e.g. `https://gitlab.example.com`: its remotes are GitLab and its API is `<url>/api/v4`. Empty: gitlab.com only (in GitLab CI, `CI_SERVER_URL` and `CI_API_V4_URL` are used).',
      scope: 'machine',
      env: { name: 'GITLAB_URL' },
    }),
  }),
  sanityChecks: setting(z.array(z.unknown()), {
    default: [],
    description: 'Checks run after a successful deploy: `{name, url, method, expectStatus, expectBodyContains, timeoutMs}`.',
    scope: 'machine',
    env: { name: 'PULLMINT_SANITY_CHECKS', parse: (text) => JSON.parse(text) },
    editorSchema: {
      items: {
        type: 'object',
        required: ['name', 'url'],
        properties: {
          name: { type: 'string' },
          url: { type: 'string' },
          method: { type: 'string' },
          expectStatus: { type: 'number' },
          expectBodyContains: { type: 'string' },
          timeoutMs: { type: 'number' },
        },
      },
    },
  }),
});

export type PullmintConfig = z.output<typeof ConfigSchema>;

export interface SettingLeaf {
  /** Dotted path: `ollama.host`; the editor's key is `pullmint.ollama.host`. */
  path: string;
  schema: z.ZodType;
  meta: SettingMeta;
}

function collectLeaves(schema: z.ZodObject, prefix: string, out: SettingLeaf[]): SettingLeaf[] {
  for (const [key, child] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    const path = prefix ? `${prefix}.${key}` : key;
    const meta = settingMeta(child);
    if (meta) out.push({ path, schema: child, meta });
    else if (child instanceof z.ZodObject) collectLeaves(child, path, out);
    else throw new Error(`config schema: ${path} is neither a setting nor a group`);
  }
  return out;
}

/** Every setting, in schema order. */
export const SETTINGS: readonly SettingLeaf[] = collectLeaves(ConfigSchema, '', []);

export function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    cur = (typeof next === 'object' && next !== null && !Array.isArray(next) ? next : (cur[part] = {})) as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

/**
 * For a schema a process parses once or twice (settings): zod would otherwise build and compile a
 * fast path for each object schema on its first parse, which costs a short command more than the
 * parse itself.
 */
export const PARSED_RARELY = { jitless: true } as const;

function buildDefaults(): PullmintConfig {
  const out: Record<string, unknown> = {};
  for (const leaf of SETTINGS) setPath(out, leaf.path, structuredClone(leaf.meta.default));
  return ConfigSchema.parse(out, PARSED_RARELY);
}

/** Every default, from the schema. */
export const DEFAULT_CONFIG: PullmintConfig = buildDefaults();

/**
 * `contributes.configuration.properties` for package.json, generated from the schema
 * (`npm run sync-settings` writes it; a unit test keeps package.json equal to it).
 */
export function editorContribution(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const { path, schema, meta } of SETTINGS) {
    const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    // zod writes the safe-integer bound for every int; the editor needs only real bounds.
    if (json.maximum === Number.MAX_SAFE_INTEGER) delete json.maximum;
    out[`pullmint.${path}`] = {
      ...json,
      ...meta.editorSchema,
      default: meta.default,
      markdownDescription: meta.description,
      scope: meta.scope ?? 'resource',
      ...(meta.enumDescriptions ? { enumDescriptions: meta.enumDescriptions } : {}),
    };
  }
  return out;
}

/** Settings an untrusted workspace must not take from its own settings: where code and credentials go. */
export function restrictedSettings(): string[] {
  return SETTINGS.filter((s) => s.meta.scope === 'machine').map((s) => `pullmint.${s.path}`);
}
