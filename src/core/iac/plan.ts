import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Finding, TerraformPlanInfo } from '../types.js';
import { PlanError } from './planError.js';

/**
 * Reads the JSON that `terraform show -json PLANFILE` prints (Terraform's "JSON Output Format",
 * format_version 1.x): what each resource change will do. Unknown fields are ignored, as the format
 * asks; a major version other than 1 is refused.
 */

export type PlanAction = 'no-op' | 'create' | 'read' | 'update' | 'delete' | 'forget' | (string & {});

export interface PlanResourceChange {
  address: string;
  /** `module.db` or `module.app["eu"].module.db`; absent for the root module. */
  moduleAddress?: string;
  mode: string;
  type: string;
  name: string;
  index?: string | number;
  /** Set when the change is to a deposed object left by create_before_destroy. */
  deposed?: string;
  actions: PlanAction[];
  before: unknown;
  after: unknown;
  afterUnknown: unknown;
  beforeSensitive: unknown;
  afterSensitive: unknown;
  /** Attribute paths that force the replacement. */
  replacePaths?: unknown[][];
  actionReason?: string;
}

export interface TerraformPlan {
  formatVersion: string;
  terraformVersion?: string;
  changes: PlanResourceChange[];
  /** The configuration section as Terraform wrote it (module calls and their sources). */
  configuration?: ModuleCallTree;
}

export interface ModuleCallTree {
  moduleCalls: Record<string, { source?: string; module?: ModuleCallTree }>;
}

const jsonValue = z.unknown();
const ResourceChange = z.object({
  address: z.string(),
  module_address: z.string().optional(),
  mode: z.string().optional(),
  type: z.string(),
  name: z.string(),
  index: z.union([z.string(), z.number()]).optional(),
  deposed: z.string().optional(),
  action_reason: z.string().optional(),
  change: z.object({
    actions: z.array(z.string()).min(1),
    before: jsonValue.optional(),
    after: jsonValue.optional(),
    after_unknown: jsonValue.optional(),
    before_sensitive: jsonValue.optional(),
    after_sensitive: jsonValue.optional(),
    replace_paths: z.array(z.array(z.unknown())).optional(),
  }),
});

type ModuleConfig = { module_calls?: Record<string, { source?: unknown; module?: ModuleConfig }> };

function moduleTree(m: ModuleConfig | undefined, depth = 0): ModuleCallTree {
  const moduleCalls: ModuleCallTree['moduleCalls'] = {};
  if (!m || typeof m !== 'object' || depth > 32) return { moduleCalls };
  for (const [name, call] of Object.entries(m.module_calls ?? {})) {
    if (!call || typeof call !== 'object') continue;
    moduleCalls[name] = {
      source: typeof call.source === 'string' ? call.source : undefined,
      module: call.module ? moduleTree(call.module, depth + 1) : undefined,
    };
  }
  return { moduleCalls };
}

const HOW = 'Make it with `terraform plan -out plan.out && terraform show -json plan.out > plan.json`.';

/** Parses a plan; `source` names the file in messages. Throws PlanError with what is wrong and how to make a plan JSON. */
export function parseTerraformPlan(text: string, source: string): TerraformPlan {
  if (text.startsWith('PK')) throw new PlanError(`${source} is a binary plan file, not its JSON. ${HOW}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new PlanError(`${source} is not valid JSON (${(err as Error).message}). ${HOW}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new PlanError(`${source} is not a Terraform plan: it is not a JSON object. ${HOW}`);
  const o = doc as Record<string, unknown>;
  if (typeof o.format_version !== 'string')
    throw new PlanError(`${source} is not a Terraform plan in JSON: it has no "format_version". ${HOW}`);
  const major = o.format_version.split('.')[0];
  if (major !== '1' && major !== '0')
    throw new PlanError(`${source} has format_version ${o.format_version}; this version of Pullmint reads format 1.x plans.`);
  const isPlan = 'resource_changes' in o || 'planned_values' in o || 'output_changes' in o;
  if (!isPlan) {
    if ('values' in o) throw new PlanError(`${source} is a Terraform state in JSON, not a plan: it has no planned changes. ${HOW}`);
    throw new PlanError(`${source} is not a Terraform plan: it has no "resource_changes" or "planned_values". ${HOW}`);
  }
  const raw = o.resource_changes ?? [];
  if (!Array.isArray(raw)) throw new PlanError(`${source}: "resource_changes" is not a list. ${HOW}`);
  const changes: PlanResourceChange[] = raw.map((rc, i) => {
    const parsed = ResourceChange.safeParse(rc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PlanError(
        `${source}: resource_changes[${i}] is not a resource change (${issue.path.join('.') || 'entry'}: ${issue.message}).`,
      );
    }
    const r = parsed.data;
    return {
      address: printable(r.address),
      moduleAddress: r.module_address === undefined ? undefined : printable(r.module_address),
      mode: r.mode ?? 'managed',
      type: printable(r.type),
      name: printable(r.name),
      index: r.index,
      deposed: r.deposed,
      actions: r.change.actions,
      before: r.change.before ?? null,
      after: r.change.after ?? null,
      afterUnknown: r.change.after_unknown ?? null,
      beforeSensitive: r.change.before_sensitive ?? null,
      afterSensitive: r.change.after_sensitive ?? null,
      replacePaths: r.change.replace_paths,
      actionReason: r.action_reason,
    };
  });
  const config = o.configuration as { root_module?: ModuleConfig } | undefined;
  return {
    formatVersion: o.format_version,
    terraformVersion: typeof o.terraform_version === 'string' ? o.terraform_version : undefined,
    changes,
    configuration: config && typeof config === 'object' ? moduleTree(config.root_module) : undefined,
  };
}

export type ChangeKind = 'create' | 'update' | 'delete' | 'replace' | 'no-op' | 'read' | 'other';

/** What a change's actions amount to: `["delete","create"]` and `["create","delete"]` are replaces. */
export function changeKind(actions: readonly string[]): ChangeKind {
  const a = actions.join(',');
  if (a === 'delete,create' || a === 'create,delete') return 'replace';
  if (a === 'create' || a === 'update' || a === 'delete' || a === 'no-op' || a === 'read') return a;
  return 'other';
}

export interface LoadedPlan {
  /** As the user named it. */
  path: string;
  text: string;
  plan: TerraformPlan;
}

/** Reads and parses a plan JSON file; every failure is a PlanError that says what to do. */
export async function loadTerraformPlan(path: string, cwd: string): Promise<LoadedPlan> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PlanError(
      code === 'ENOENT'
        ? `no such file: ${path}. ${HOW}`
        : code === 'EISDIR'
          ? `${path} is a folder, not a plan JSON file.`
          : `cannot read ${path}: ${code ?? (err as Error).message}`,
    );
  }
  return { path, text, plan: parseTerraformPlan(text, path) };
}

/** What a plan review adds to a result: its findings, its counts and the line that says them. */
export interface PlanReview {
  info: TerraformPlanInfo;
  findings: Finding[];
  /** "Terraform plan: 3 to add, 2 to change, 3 to destroy (2 replaced)." */
  summary: string;
}

/**
 * Terraform never puts control characters in an address; a plan that does was edited by hand, and
 * the text must not reach a terminal, a report or a prompt as it is (a newline forging a report line,
 * an escape sequence recolouring it).
 */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001F\u007F]/g, '\uFFFD');
}
