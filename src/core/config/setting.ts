import type { z } from 'zod';

/** VS Code's setting scopes; `machine` settings come from user settings only and are restricted in untrusted workspaces. */
export type SettingScope = 'application' | 'machine' | 'window' | 'resource';

export interface SettingMeta<T = unknown> {
  default: T;
  /** Markdown, shown in the editor's settings UI and in README's table. */
  description: string;
  /** Defaults to `resource`, so that each folder of a multi-root workspace may differ. */
  scope?: SettingScope;
  /** A repository's `.pullmint.json` may set it (review policy, never where code or credentials go). */
  repo?: boolean;
  /** The environment variable that sets it, and how its text becomes a value. */
  env?: { name: string; parse?: (text: string) => unknown };
  /** Read by the editor only (how findings show); the CLI and the Action ignore it. */
  editorOnly?: boolean;
  enumDescriptions?: string[];
  /** JSON schema the editor shows where the value schema cannot say it (the shape of a sanity check). */
  editorSchema?: Record<string, unknown>;
}

const metaOf = new WeakMap<z.ZodType, SettingMeta>();

/** Marks a schema as one setting: a leaf of the configuration with its default and documentation. */
export function setting<T extends z.ZodType>(schema: T, meta: SettingMeta<z.output<T>>): T {
  metaOf.set(schema, meta as SettingMeta);
  return schema;
}

export function settingMeta(schema: z.ZodType): SettingMeta | undefined {
  return metaOf.get(schema);
}
