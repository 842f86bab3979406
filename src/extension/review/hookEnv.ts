import { getPath, SETTINGS } from '../../core/config/schema.js';
import type { ConfigLayer } from '../../core/config/load.js';

/**
 * A push from the editor runs git from the extension host, and git runs the pre-push hook with
 * the host's environment: the provider settings the user made in the editor (never a secret:
 * keys stay in secret storage) are put into that environment in the variables the CLI reads, so
 * the hook reviews with the editor's provider, model and endpoint. A setting the user clears gives
 * the variable back its value from before.
 */
const PROVIDERS = ['ollama', 'anthropic', 'openai'];

/** Each provider setting that has a variable: `provider` → PULLMINT_PROVIDER, `ollama.host` → OLLAMA_HOST. */
const VARIABLES: { path: string; name: string }[] = SETTINGS.filter(
  (s) => s.meta.env && (s.path === 'provider' || PROVIDERS.some((p) => s.path.startsWith(`${p}.`))),
).map((s) => ({ path: s.path, name: s.meta.env!.name }));

/** The variables for the editor's own settings; undefined: the editor leaves it to the environment. */
export function hookVariables(editor: ConfigLayer, effectiveProvider: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const v of VARIABLES) {
    const value = getPath(editor.values, v.path);
    out[v.name] = value === undefined || value === null || value === '' ? undefined : String(value);
  }
  const model = getPath(editor.values, `${effectiveProvider}.model`);
  out.PULLMINT_MODEL = typeof model === 'string' && model ? model : undefined;
  return out;
}

export class HookEnvironment {
  private readonly original = new Map<string, string | undefined>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** Sets or restores each variable; returns the names it set from the editor. */
  apply(vars: Record<string, string | undefined>): string[] {
    const set: string[] = [];
    for (const [name, value] of Object.entries(vars)) {
      if (!this.original.has(name)) this.original.set(name, this.env[name]);
      const next = value ?? this.original.get(name);
      if (next === undefined) delete this.env[name];
      else this.env[name] = next;
      if (value !== undefined) set.push(name);
    }
    return set;
  }

  /** Runs `fn` with a variable set for its duration (Push Anyway: PULLMINT_SKIP=1 for that push). */
  async withVariable<T>(name: string, value: string, fn: () => Promise<T>): Promise<T> {
    const before = this.env[name];
    this.env[name] = value;
    try {
      return await fn();
    } finally {
      if (before === undefined) delete this.env[name];
      else this.env[name] = before;
    }
  }
}
