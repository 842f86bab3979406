import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { applySeverityOverrides } from '../engine.js';
import { fingerprint, sortFindings } from '../findings.js';
import { decide, riskScore, type RiskConfig } from '../risk.js';
import type { Finding, ReviewResult, Severity, TerraformPlanInfo } from '../types.js';
import { planSummaryLine } from './summary.js';
import { changeKind, type ModuleCallTree, type PlanResourceChange, type PlanReview, type TerraformPlan } from './plan.js';

export type { PlanReview };

export const PLAN_RULES = {
  delete: 'terraform-plan-delete',
  replace: 'terraform-plan-replace',
  sensitive: 'terraform-plan-sensitive-update',
} as const;

/**
 * Resource types that hold data or identity that a destroy loses for good: databases, buckets,
 * volumes, file systems, queues and streams, DNS zones, keys and secrets.
 */
const STATEFUL =
  /(?:^|_)(?:db_instance|db_cluster|rds_cluster|rds_cluster_instance|database|databases|sql_database|sql_database_instance|sql_server|mssql_\w+|postgresql_\w+|mysql_\w+|mariadb_\w+|cosmosdb_\w+|dynamodb_table|s3_bucket|storage_bucket|storage_account|storage_container|storage_share|storage_blob|ebs_volume|managed_disk|compute_disk|disk|volume|efs_file_system|file_system|fsx_\w+|filestore_instance|sqs_queue|servicebus_queue|pubsub_topic|pubsub_subscription|kinesis_stream|kinesis_firehose_delivery_stream|msk_cluster|eventhub|route53_zone|dns_zone|dns_managed_zone|kms_key|kms_crypto_key|kms_key_ring|key_vault|key_vault_key|key_vault_secret|secretsmanager_secret|elasticache_cluster|elasticache_replication_group|redis_instance|redis_cache|redshift_cluster|docdb_cluster|neptune_cluster|opensearch_domain|elasticsearch_domain|backup_vault|glacier_vault|ecr_repository|cognito_user_pool|bigquery_dataset|bigquery_table|spanner_instance|spanner_database|bigtable_instance|bigtable_table|persistent_volume|persistent_volume_claim|stateful_set)$/;

export function isStateful(type: string): boolean {
  return STATEFUL.test(type);
}

export interface PlanReviewOptions {
  /** The repository root; findings are anchored to files under it. */
  repoRoot: string;
  /** The plan file as the user named it (absolute, or relative to `cwd`). */
  planPath: string;
  cwd?: string;
  /** The plan's text, to anchor a finding to its resource in the plan when no .tf file has it. */
  planText?: string;
}

export function planCounts(plan: TerraformPlan): TerraformPlanInfo['counts'] {
  const c = { add: 0, change: 0, destroy: 0, replace: 0, noOp: 0 };
  for (const rc of plan.changes) {
    if (rc.mode !== 'managed') continue;
    const k = changeKind(rc.actions);
    if (k === 'create') c.add++;
    else if (k === 'update') c.change++;
    else if (k === 'delete') c.destroy++;
    else if (k === 'replace') {
      c.replace++;
      c.add++;
      c.destroy++;
    } else if (k === 'no-op') c.noOp++;
  }
  return c;
}

// --- sensitive attributes -------------------------------------------------------------------------

type Path = (string | number)[];

function sensitivePaths(tree: unknown, at: Path = [], out: Path[] = [], depth = 0): Path[] {
  if (tree === true) out.push(at);
  else if (tree && typeof tree === 'object' && depth < 32)
    for (const [k, v] of Object.entries(tree)) sensitivePaths(v, [...at, Array.isArray(tree) ? Number(k) : k], out, depth + 1);
  return out;
}

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function pathText(path: Path): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('') || '(the whole object)';
}

/** Sensitive attributes whose value the change alters (or leaves unknown until apply). Values are never read out. */
export function changedSensitive(rc: PlanResourceChange): string[] {
  const paths = [...sensitivePaths(rc.beforeSensitive), ...sensitivePaths(rc.afterSensitive)];
  const seen = new Set<string>();
  const changed: string[] = [];
  for (const p of paths) {
    const name = pathText(p);
    if (seen.has(name)) continue;
    seen.add(name);
    const unknown = valueAt(rc.afterUnknown, p) === true;
    if (unknown || JSON.stringify(valueAt(rc.before, p) ?? null) !== JSON.stringify(valueAt(rc.after, p) ?? null)) changed.push(name);
  }
  return changed;
}

// --- anchoring --------------------------------------------------------------------------------------

interface Anchor {
  file: string;
  line: number;
  quote?: string;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.terraform', 'dist', 'out', 'vendor']);
const MAX_WALK_FILES = 20_000;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isLocalSource(source: string): boolean {
  return source.startsWith('./') || source.startsWith('../') || source === '.' || source === '..';
}

/** `module.app["eu"].module.db` → ['app', 'db']. */
export function moduleNames(moduleAddress: string | undefined): string[] {
  if (!moduleAddress) return [];
  return [...moduleAddress.matchAll(/module\.([A-Za-z0-9_-]+)(?:\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\])?/g)].map((m) => m[1]);
}

class TfFiles {
  private readonly dirs = new Map<string, Promise<{ path: string; lines: string[] }[]>>();
  private walked: Promise<string[]> | undefined;

  constructor(private readonly root: string) {}

  inDir(dir: string): Promise<{ path: string; lines: string[] }[]> {
    let p = this.dirs.get(dir);
    if (!p) {
      p = readdir(dir, { withFileTypes: true })
        .then((entries) =>
          Promise.all(
            entries
              .filter((e) => e.isFile() && e.name.endsWith('.tf'))
              .sort((a, b) => a.name.localeCompare(b.name))
              .map(async (e) => ({ path: join(dir, e.name), lines: (await readFile(join(dir, e.name), 'utf8')).split(/\r?\n/) })),
          ),
        )
        .catch(() => []);
      this.dirs.set(dir, p);
    }
    return p;
  }

  /** Every folder under the repository that holds .tf files. */
  allDirs(): Promise<string[]> {
    this.walked ??= (async () => {
      const found = new Set<string>();
      let seen = 0;
      const walk = async (dir: string, depth: number): Promise<void> => {
        if (depth > 12 || seen > MAX_WALK_FILES) return;
        const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const e of entries) {
          seen++;
          if (e.isDirectory() && !SKIP_DIRS.has(e.name)) await walk(join(dir, e.name), depth + 1);
          else if (e.isFile() && e.name.endsWith('.tf')) found.add(dir);
        }
      };
      await walk(this.root, 0);
      return [...found].sort();
    })();
    return this.walked;
  }

  async find(dir: string, re: RegExp): Promise<Anchor | null> {
    for (const f of await this.inDir(dir)) {
      const i = f.lines.findIndex((l) => re.test(l));
      if (i >= 0) return { file: f.path, line: i + 1, quote: f.lines[i] };
    }
    return null;
  }

  /** The `source` of `module "name"` in a folder's .tf files, and where the block starts. */
  async moduleCall(dir: string, name: string): Promise<{ source?: string; at: Anchor } | null> {
    const start = new RegExp(`^\\s*module\\s+"${escapeRe(name)}"\\s*\\{`);
    for (const f of await this.inDir(dir)) {
      const i = f.lines.findIndex((l) => start.test(l));
      if (i < 0) continue;
      let source: string | undefined;
      for (let k = i + 1; k < f.lines.length && !/^\}/.test(f.lines[k]); k++) {
        const m = /^\s*source\s*=\s*"([^"]*)"/.exec(f.lines[k]);
        if (m) {
          source = m[1];
          break;
        }
      }
      return { source, at: { file: f.path, line: i + 1, quote: f.lines[i] } };
    }
    return null;
  }
}

/**
 * The resource block of a change in the configuration: from the root module's folder, through each
 * module call to a local source (the plan's configuration section, else the `module` blocks). A
 * module from a registry or git is anchored to its `module` block instead.
 */
async function locate(files: TfFiles, roots: string[], rc: PlanResourceChange, config: ModuleCallTree | undefined): Promise<Anchor | null> {
  const block = new RegExp(`^\\s*resource\\s+"${escapeRe(rc.type)}"\\s+"${escapeRe(rc.name)}"\\s*\\{`);
  const names = moduleNames(rc.moduleAddress);
  for (const root of roots) {
    let dir = root;
    let tree = config;
    let callSite: Anchor | null = null;
    let resolved = true;
    for (const name of names) {
      const call = tree?.moduleCalls[name];
      const written = await files.moduleCall(dir, name);
      const source = call?.source ?? written?.source;
      if (!source || !isLocalSource(source)) {
        callSite = written?.at ?? null;
        resolved = false;
        break;
      }
      dir = resolve(dir, source);
      tree = call?.module;
    }
    if (resolved) {
      const found = await files.find(dir, block);
      if (found) return found;
    } else if (callSite) return callSite;
  }
  // Not where the configuration says: a folder under the repository that alone declares it.
  const hits: Anchor[] = [];
  for (const dir of await files.allDirs()) {
    const found = await files.find(dir, block);
    if (found) hits.push(found);
    if (hits.length > 1) break;
  }
  return hits.length === 1 ? hits[0] : null;
}

function repoPath(repoRoot: string, file: string): string | null {
  const rel = relative(repoRoot, file);
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel.split(sep).join('/');
}

function planLineOf(planText: string | undefined, address: string): number {
  if (!planText) return 1;
  return addressLines(planText).get(address) ?? 1;
}

let linesOf: { text: string; lines: Map<string, number> } | undefined;

/**
 * The line of each address's first mention in the plan, found in one pass: looking each one up
 * from the start would take time in the square of the plan's size.
 */
function addressLines(planText: string): Map<string, number> {
  if (linesOf?.text === planText) return linesOf.lines;
  const lines = new Map<string, number>();
  const re = /"address"\s*:\s*("(?:[^"\\]|\\.)*")/g;
  let line = 1;
  let at = 0;
  for (let m = re.exec(planText); m; m = re.exec(planText)) {
    for (; at < m.index; at++) if (planText.charCodeAt(at) === 10) line++;
    let address: unknown;
    try {
      address = JSON.parse(m[1]);
    } catch {
      continue;
    }
    if (typeof address === 'string' && !lines.has(address)) lines.set(address, line);
  }
  linesOf = { text: planText, lines };
  return lines;
}

// --- the review -------------------------------------------------------------------------------------

function replaceReason(rc: PlanResourceChange): string {
  const paths = (rc.replacePaths ?? []).map((p) => pathText(p as Path)).filter(Boolean);
  const why =
    rc.actionReason === 'replace_because_tainted'
      ? 'the object is tainted'
      : rc.actionReason === 'replace_by_request'
        ? 'the plan was asked to replace it (-replace)'
        : paths.length
          ? `a change to ${paths.map((p) => `\`${p}\``).join(', ')} cannot be made in place`
          : 'a change cannot be made in place';
  return why;
}

/** Findings and counts of a plan: every delete and replace, and every change to a sensitive attribute. */
export async function reviewTerraformPlan(plan: TerraformPlan, opts: PlanReviewOptions): Promise<PlanReview> {
  const cwd = opts.cwd ?? process.cwd();
  const planAbs = resolve(cwd, opts.planPath);
  const planFile = repoPath(opts.repoRoot, planAbs) ?? opts.planPath;
  const roots = [...new Set([dirname(planAbs), opts.repoRoot])];
  const files = new TfFiles(opts.repoRoot);
  const findings: Finding[] = [];
  for (const rc of plan.changes) {
    if (rc.mode !== 'managed') continue;
    const kind = changeKind(rc.actions);
    const sensitive = kind === 'update' || kind === 'replace' ? changedSensitive(rc) : [];
    if (kind !== 'delete' && kind !== 'replace' && sensitive.length === 0) continue;
    const found = await locate(files, roots, rc, plan.configuration);
    const inRepo = found ? repoPath(opts.repoRoot, found.file) : null;
    const anchor: Anchor = found && inRepo ? { ...found, file: inRepo } : { file: planFile, line: planLineOf(opts.planText, rc.address) };
    const where = anchor.file === planFile ? ` (its block was not found in the configuration; anchored to the plan)` : '';
    const push = (rule: string, severity: Severity, title: string, message: string): void =>
      void findings.push({
        id: fingerprint(anchor.file, `${title} ${rc.address}`, anchor.quote, anchor.line),
        file: anchor.file,
        line: anchor.line,
        severity,
        category: rule === PLAN_RULES.sensitive ? 'security' : 'bug',
        title,
        message,
        quote: anchor.quote,
        origin: 'rule',
        rule,
      });
    const stateful = isStateful(rc.type);
    const deposed = rc.deposed ? ` (deposed object ${rc.deposed})` : '';
    if (kind === 'delete')
      push(
        PLAN_RULES.delete,
        stateful ? 'critical' : 'high',
        `Terraform will destroy ${rc.address}${deposed}`,
        `The plan deletes ${rc.address} (${rc.type})${where}.${stateful ? ' It holds data: destroying it loses that data for good unless a snapshot or backup is restored.' : ''} Make sure the deletion is intended; to keep the object, restore its block, or move it with a \`moved\` block or \`terraform state mv\`.`,
      );
    else if (kind === 'replace') {
      const order = rc.actions[0] === 'delete' ? 'destroyed first, then created' : 'created first, then the old one destroyed';
      push(
        PLAN_RULES.replace,
        stateful ? 'critical' : 'high',
        `Terraform will replace ${rc.address}`,
        `The plan replaces ${rc.address} (${rc.type}): it is ${order}, because ${replaceReason(rc)}${where}.${stateful ? ' It holds data: the new object starts empty.' : ' Anything that refers to it by ID or address changes, and it is unavailable in between.'} Change the argument back, or accept the replacement knowingly.`,
      );
    }
    if (sensitive.length > 0)
      push(
        PLAN_RULES.sensitive,
        'medium',
        `Sensitive attribute changes on ${rc.address}`,
        `The plan changes the sensitive attribute(s) ${sensitive.map((s) => `\`${s}\``).join(', ')} of ${rc.address}${where}. The values are not shown; check that the change (a rotated password, a new key) is intended and that whatever uses the old value is updated too.`,
      );
  }
  const counts = planCounts(plan);
  const info: TerraformPlanInfo = {
    file: planFile,
    formatVersion: plan.formatVersion,
    ...(plan.terraformVersion ? { terraformVersion: plan.terraformVersion } : {}),
    counts,
  };
  return { info, findings, summary: planSummaryLine(counts) };
}

/** A review of a plan on its own: no diff, no model; complete when every resource change was read. */
export function planOnlyResult(opts: {
  repoRoot: string;
  review: PlanReview;
  risk: RiskConfig;
  severityOverrides: Record<string, Severity>;
  startedAt: Date;
  warnings?: string[];
}): ReviewResult {
  const findings = sortFindings(applySeverityOverrides(opts.review.findings, opts.severityOverrides));
  const score = riskScore(findings, 0, opts.risk);
  const completedAt = new Date();
  return {
    schemaVersion: 1,
    executionId: randomUUID(),
    repo: opts.repoRoot,
    target: { kind: 'terraform-plan', base: '', head: '', label: `terraform plan ${opts.review.info.file}` },
    provider: 'rules',
    model: '',
    summary: opts.review.summary,
    riskScore: score,
    decision: decide(score, opts.risk, { findings, complete: true }),
    rulesOnly: true,
    findings,
    coverage: { changedLines: 0, reviewedLines: 0, skippedFiles: [], unreviewed: [], complete: true },
    stats: {
      filesReviewed: 0,
      chunks: 0,
      llmCalls: 0,
      cacheHits: 0,
      promptTokens: 0,
      completionTokens: 0,
      durationMs: completedAt.getTime() - opts.startedAt.getTime(),
    },
    warnings: opts.warnings ?? [],
    iac: { files: [], plan: opts.review.info },
    startedAt: opts.startedAt.toISOString(),
    completedAt: completedAt.toISOString(),
  };
}
