/** The editor's settings as one typed object, and their translation into engine options. Pure. */
import type { Severity } from '../core/types.js';

export type DiagnosticLevel = 'Error' | 'Warning' | 'Information' | 'Hint';
export type ReviewOnSave = 'off' | 'rules' | 'llm';

export interface EditorSettings {
  provider: 'ollama' | 'anthropic' | 'openai';
  ollama: { host: string; model: string; numCtx: number; keepAlive: string };
  anthropic: { model: string; baseUrl: string };
  openai: { baseUrl: string; model: string; contextTokens: number };
  contextLines: number;
  maxCalls: number;
  maxTokens: number;
  timeoutSeconds: number;
  maxLinesPerFile: number;
  ignore: string[];
  rules: Record<string, boolean>;
  severityOverrides: Record<string, Severity>;
  risk: { weights: Record<Severity, number>; approveThreshold: number; deployThreshold: number; diffSizeComponent: boolean };
  severityMap: Record<Severity, DiagnosticLevel>;
  reviewOnSave: ReviewOnSave;
  instructions: string;
  deploy: { url: string; environment: string };
  githubEnterpriseUrl: string;
  sanityChecks: unknown[];
}

export const DEFAULT_SEVERITY_MAP: Record<Severity, DiagnosticLevel> = {
  critical: 'Error',
  high: 'Error',
  medium: 'Warning',
  low: 'Information',
  info: 'Hint',
};

/** The one place the `pullmint.*` keys are read: the adapter passes `WorkspaceConfiguration.get`. */
export function readSettings(get: <T>(key: string, fallback: T) => T): EditorSettings {
  const levels = new Set(['Error', 'Warning', 'Information', 'Hint']);
  const severityMap = { ...DEFAULT_SEVERITY_MAP };
  for (const [k, v] of Object.entries(get<Record<string, string>>('severityMap', {}))) {
    if (k in severityMap && levels.has(v)) severityMap[k as Severity] = v as DiagnosticLevel;
  }
  const reviewOnSave = get<string>('reviewOnSave', 'rules');
  return {
    provider: get('provider', 'ollama'),
    ollama: {
      host: get('ollama.host', 'http://127.0.0.1:11434'),
      model: get('ollama.model', 'qwen2.5-coder:7b'),
      numCtx: get('ollama.numCtx', 16384),
      keepAlive: get('ollama.keepAlive', '10m'),
    },
    anthropic: { model: get('anthropic.model', 'claude-sonnet-5'), baseUrl: get('anthropic.baseUrl', '') },
    openai: {
      baseUrl: get('openai.baseUrl', ''),
      model: get('openai.model', 'qwen2.5-coder-7b-instruct'),
      contextTokens: get('openai.contextTokens', 32768),
    },
    contextLines: get('contextLines', 3),
    maxCalls: get('maxCalls', 50),
    maxTokens: get('maxTokens', 1_000_000),
    timeoutSeconds: get('timeoutSeconds', 180),
    maxLinesPerFile: get('maxLinesPerFile', 3000),
    ignore: get('ignore', []),
    rules: get('rules', {}),
    severityOverrides: get('severityOverrides', {}),
    risk: {
      weights: { critical: 30, high: 15, medium: 7, low: 3, info: 1, ...get<Partial<Record<Severity, number>>>('risk.weights', {}) },
      approveThreshold: get('risk.approveThreshold', 30),
      deployThreshold: get('risk.deployThreshold', 40),
      diffSizeComponent: get('risk.diffSizeComponent', false),
    },
    severityMap,
    reviewOnSave: reviewOnSave === 'off' || reviewOnSave === 'llm' ? reviewOnSave : 'rules',
    instructions: get('instructions', ''),
    deploy: { url: get('deploy.url', ''), environment: get('deploy.environment', 'production') },
    githubEnterpriseUrl: get('github.enterpriseUrl', ''),
    sanityChecks: get('sanityChecks', []),
  };
}

/**
 * Settings as the top config layer for the engine. The repository's .pullmint.json is read by the
 * engine's loader beneath this layer, with the same deny list as the CLI.
 */
export function toEngineOverrides(s: EditorSettings): Record<string, unknown> {
  return {
    provider: s.provider,
    ollama: { ...s.ollama },
    anthropic: { model: s.anthropic.model, baseUrl: s.anthropic.baseUrl },
    openai: { ...s.openai },
    contextLines: s.contextLines,
    maxCalls: s.maxCalls,
    maxTokens: s.maxTokens,
    timeoutSeconds: s.timeoutSeconds,
    maxLinesPerFile: s.maxLinesPerFile,
    ignore: s.ignore,
    rules: s.rules,
    severityOverrides: s.severityOverrides,
    risk: { ...s.risk, weights: { ...s.risk.weights } },
    ...(s.instructions ? { instructions: s.instructions } : {}),
  };
}
