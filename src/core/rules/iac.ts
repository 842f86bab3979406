import type { DiffLine, FileDiff, Hunk } from '../diff/model.js';
import { fingerprint } from '../findings.js';
import { detectIacKind, type IacKind } from '../iac/detect.js';
import type { Category, Finding, Severity } from '../types.js';
import { findSecrets } from './secrets.js';

/**
 * Deterministic checks on infrastructure files (see `src/core/iac/detect.ts` for the kinds). Like
 * the other rules they report on added lines; a few look at the lines around one (the port of an
 * ingress rule, the Resource next to an Action), and `iac-prevent-destroy-removed` at removed ones.
 */
export const IAC_RULE_IDS = [
  'iac-open-ingress',
  'iac-iam-wildcard',
  'iac-public-bucket',
  'iac-encryption-disabled',
  'iac-deletion-protection-off',
  'iac-prevent-destroy-removed',
  'iac-secret-in-config',
  'iac-privileged-container',
  'iac-host-path-mount',
  'iac-pr-target-checkout',
  'iac-write-all-permissions',
] as const;
export type IacRuleId = (typeof IAC_RULE_IDS)[number];

export interface IacRuleDoc {
  severity: Severity;
  category: Category;
  /** Which kinds of file the rule reads; `compose` is a Docker Compose file. */
  kinds: (IacKind | 'compose')[];
  doc: string;
}

const ALL_KINDS: IacRuleDoc['kinds'] = [
  'terraform',
  'cloudformation',
  'cdk',
  'kubernetes',
  'dockerfile',
  'github-actions',
  'gitlab-ci',
  'compose',
];
const CLOUD: IacRuleDoc['kinds'] = ['terraform', 'cloudformation', 'cdk'];

/** One line each: README's rules table is these. */
export const IAC_RULES: Record<IacRuleId, IacRuleDoc> = {
  'iac-open-ingress': {
    severity: 'critical',
    category: 'security',
    kinds: [...CLOUD, 'kubernetes'],
    doc: 'Ingress from 0.0.0.0/0 or ::/0 to SSH, RDP or a database port (or to every port).',
  },
  'iac-iam-wildcard': {
    severity: 'critical',
    category: 'security',
    kinds: CLOUD,
    doc: 'An IAM statement that allows Action "*" on Resource "*".',
  },
  'iac-public-bucket': {
    severity: 'high',
    category: 'security',
    kinds: CLOUD,
    doc: 'A public S3 ACL (public-read, public-read-write, authenticated-read) or a public access block turned off.',
  },
  'iac-encryption-disabled': {
    severity: 'high',
    category: 'security',
    kinds: CLOUD,
    doc: 'Encryption at rest or in transit set to false.',
  },
  'iac-deletion-protection-off': {
    severity: 'high',
    category: 'bug',
    kinds: CLOUD,
    doc: 'deletion_protection / DeletionProtection set to false.',
  },
  'iac-prevent-destroy-removed': {
    severity: 'high',
    category: 'bug',
    kinds: ['terraform'],
    doc: 'A lifecycle `prevent_destroy = true` removed (or set to false).',
  },
  'iac-secret-in-config': {
    severity: 'high',
    category: 'security',
    kinds: ALL_KINDS,
    doc: 'A literal secret in a Terraform provider block or an environment section (env, environment, variables, ENV).',
  },
  'iac-privileged-container': {
    severity: 'high',
    category: 'security',
    kinds: ALL_KINDS,
    doc: 'A container run privileged (privileged: true, --privileged).',
  },
  'iac-host-path-mount': {
    severity: 'medium',
    category: 'security',
    kinds: ['kubernetes', 'terraform', 'cloudformation', 'cdk'],
    doc: "A hostPath volume: the pod reads or writes the node's file system.",
  },
  'iac-pr-target-checkout': {
    severity: 'critical',
    category: 'security',
    kinds: ['github-actions'],
    doc: 'A pull_request_target workflow that checks out the pull request head: untrusted code runs with secrets.',
  },
  'iac-write-all-permissions': {
    severity: 'high',
    category: 'security',
    kinds: ['github-actions'],
    doc: '`permissions: write-all` gives the workflow token every write scope.',
  },
};

interface Hit {
  rule: IacRuleId;
  title: string;
  message: string;
  /** Index in the hunk's lines of the line reported. */
  at: number;
}

/** Lines either side that a windowed rule reads. */
const WINDOW = 8;

const COMPOSE = /(?:^|\/)(?:docker-)?compose(?:\.[\w-]+)?\.ya?ml$/i;

// --- network ---------------------------------------------------------------------------------
const OPEN_CIDR = /(?:^|[\s"'=:[,(])(?:0\.0\.0\.0\/0|::\/0)(?=$|[\s"',\])])/;
const FROM_PORT = /\b(?:from_port|FromPort|fromPort)["']?\s*[:=]\s*["']?(-?\d+)/g;
const TO_PORT = /\b(?:to_port|ToPort|toPort)["']?\s*[:=]\s*["']?(-?\d+)/g;
const ONE_PORT =
  /\b(?:port|destination_port_range|DestinationPortRange|destinationPortRange|ports)["']?\s*[:=]\s*\[?\s*["']?(\d+|\*)(?:\s*-\s*(\d+))?/gi;
const ALL_PROTOCOLS = /\b(?:protocol|IpProtocol|ip_protocol)["']?\s*[:=]\s*["']?(?:-1|all)["']?(?=$|[\s,}])/i;
const DIRECTION = /\b(?:ingress|egress|Ingress|Egress|inbound|outbound|Inbound|Outbound|SecurityGroupIngress|SecurityGroupEgress)\b/;
const SENSITIVE_PORTS: [number, string][] = [
  [22, 'SSH'],
  [3389, 'RDP'],
  [3306, 'MySQL'],
  [5432, 'PostgreSQL'],
  [1433, 'SQL Server'],
  [1521, 'Oracle'],
  [27017, 'MongoDB'],
  [6379, 'Redis'],
  [9200, 'Elasticsearch'],
  [5439, 'Redshift'],
  [11211, 'Memcached'],
  [9042, 'Cassandra'],
];

// --- IAM ------------------------------------------------------------------------------------------
const ACTION_STAR = /(?<![A-Za-z])[Aa]ctions?["']?\s*[:=]\s*(?:\[\s*)?(?:-\s*)?["']?\*["']?(?=\s*(?:$|[,\]}#]|\/\/))/m;
const RESOURCE_STAR = /(?<![A-Za-z])[Rr]esources?["']?\s*[:=]\s*(?:\[\s*)?(?:-\s*)?["']?\*["']?(?=\s*(?:$|[,\]}#]|\/\/))/m;
/** The line of an Action or Resource key: `Action:` (a YAML list follows), `actions = ["*"]`, `"Resource": "*"`. */
const IAM_KEY = /(?<![A-Za-z])(?:[Aa]ctions?|[Rr]esources?)["']?\s*[:=]/;
const DENY = /[Ee]ffect["']?\s*[:=]\s*["']?Deny\b/;

// --- storage and data ----------------------------------------------------------------------------
const PUBLIC_ACL = [
  /\bacl["']?\s*[:=]\s*["'](?:public-read|public-read-write|authenticated-read)["']/i,
  /\bAccessControl["']?\s*:\s*["']?(?:PublicRead|PublicReadWrite|AuthenticatedRead)\b/,
  /\baccessControl\s*:\s*(?:s3\.)?BucketAccessControl\.(?:PUBLIC_READ|PUBLIC_READ_WRITE|AUTHENTICATED_READ)\b/,
  /\bpublicReadAccess\s*:\s*true\b/,
];
const PUBLIC_BLOCK_OFF =
  /\b(?:block_public_acls|block_public_policy|ignore_public_acls|restrict_public_buckets|BlockPublicAcls|BlockPublicPolicy|IgnorePublicAcls|RestrictPublicBuckets|blockPublicAcls|blockPublicPolicy|ignorePublicAcls|restrictPublicBuckets)["']?\s*[:=]\s*["']?false\b/;
const ENCRYPTION_OFF = /\b([A-Za-z_]*(?:[Ee]ncrypted|[Ee]ncryption|SSEEnabled|sse_enabled)[A-Za-z_]*)["']?\s*[:=]\s*["']?false\b/;
const DELETION_PROTECTION_OFF =
  /\b(deletion_protection(?:_enabled)?|DeletionProtection(?:Enabled)?|deletionProtection)["']?\s*[:=]\s*["']?false\b/;
const PREVENT_DESTROY_ON = /\bprevent_destroy\s*=\s*true\b/;
const PREVENT_DESTROY_OFF = /\bprevent_destroy\s*=\s*false\b/;

// --- containers ------------------------------------------------------------------------------------
const PRIVILEGED = /\bprivileged["']?\s*[:=]\s*["']?true\b|(?:^|\s)--privileged(?:\s|=true|$)/i;
const HOST_PATH = /^\s*(?:-\s*)?["']?hostPath["']?\s*:|\bhost_path\s*[{=]/;

// --- workflows -------------------------------------------------------------------------------------
const PR_TARGET = /\bpull_request_target\b/;
const PR_HEAD =
  /github\.event\.pull_request\.head\.(?:sha|ref|repo\.full_name)|github\.head_ref\b|refs\/pull\/[^\s'"]*\/(?:head|merge)|\bpull\/\$\{\{\s*github\.event\.(?:number|pull_request\.number)/;
const WRITE_ALL = /^\s*permissions\s*:\s*["']?write-all\b/;

// --- secrets in configuration -----------------------------------------------------------------------
const SECRET_NAME = /pass(?:word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth[_-]?key/i;
const ENV_KEY =
  /^\s*(?:-\s*)?["']?(?:env|environment|Environment|Variables|variables|environment_variables|EnvironmentVariables|app_settings)["']?\s*(?:[:=]|\{)/;
const PROVIDER_BLOCK = /^\s*provider\s+"[^"]+"\s*\{/;
const TOP_LEVEL_BLOCK = /^(?:resource|data|module|variable|output|locals|terraform)\b/;
const PROVIDER_SECRET =
  /^\s*(access_key|secret_key|token|password|client_secret|api_key|api_token|private_key|client_certificate_password)\s*=\s*"([^"]*)"/;
const YAML_PAIR = /^\s*(?:-\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*:\s*(.+?)\s*$/;
const HCL_PAIR = /^\s*["']?([A-Za-z_][\w.-]*)["']?\s*=\s*(.+?)\s*,?\s*$/;
const LIST_PAIR = /^\s*-\s+["']?([A-Za-z_]\w*)=(.*?)["']?\s*$/;
const DOCKER_ENV = /^\s*(?:ENV|ARG)\s+([A-Za-z_]\w*)(?:=|\s+)(.+?)\s*$/i;
const K8S_NAME = /^\s*-?\s*name\s*:\s*["']?([A-Za-z_][\w.-]*)["']?\s*$/;
const REFERENCE =
  /^(?:\$|\{\{|!(?:Ref|Sub|GetAtt|ImportValue|FindInMap|Join|Select|If)\b|(?:var|local|data|module|each|count|aws_[\w]+|random_[\w]+)\.|\{\{resolve:|arn:|valueFrom|secretKeyRef|\{$|\[$|\|$|>$)/;
const PLACEHOLDER = /^(?:|x+|\*+|<.*>|\.\.\.|null|none|~|true|false|yes|no|\d+(?:\.\d+)?|changeme|replace[_-]?me|todo)$/i;

function literalSecretValue(raw: string): boolean {
  const value = raw
    .trim()
    .replace(/\s+#.*$/, '')
    .replace(/^["'`]|["'`]$/g, '');
  if (PLACEHOLDER.test(value) || REFERENCE.test(value)) return false;
  if (value.includes('${')) return false;
  // A path names where the secret is kept (`DB_PASSWORD_FILE=/run/secrets/db`), not the secret.
  if (/^(?:\/|\.\.?\/|~\/)[\w./-]*$/.test(value)) return false;
  return value.length >= 4;
}

function indentOf(text: string): number {
  return text.length - text.trimStart().length;
}

/** Lines of a hunk as the new file has them (removed lines dropped), with their index in `hunk.lines`. */
function newSide(hunk: Hunk): { line: DiffLine; at: number }[] {
  const out: { line: DiffLine; at: number }[] = [];
  hunk.lines.forEach((line, at) => {
    if (line.kind !== 'del') out.push({ line, at });
  });
  return out;
}

/**
 * The block a line belongs to, as indices into `side`: the neighbours indented at least as deep
 * (HCL's `ingress { … }` body, a YAML mapping), up to and including the list item `- ` that opens it.
 */
function blockAround(side: { line: DiffLine }[], i: number): [number, number] {
  const ind = indentOf(side[i].line.text);
  const item = (t: string): boolean => /^\s*-\s/.test(t) && indentOf(t) + 2 === ind;
  let start = i;
  if (!item(side[i].line.text))
    for (let k = i - 1; k >= 0 && i - k <= WINDOW * 2; k--) {
      const t = side[k].line.text;
      if (t.trim() === '') continue;
      if (item(t)) {
        start = k;
        break;
      }
      if (indentOf(t) < ind) break;
      start = k;
    }
  let end = i;
  for (let k = i + 1; k < side.length && k - i <= WINDOW * 2; k++) {
    const t = side[k].line.text;
    if (t.trim() === '') continue;
    if (indentOf(t) < ind || item(t)) break;
    end = k;
  }
  return [start, end];
}

function blockText(side: { line: DiffLine }[], i: number): string {
  const [start, end] = blockAround(side, i);
  return side
    .slice(start, end + 1)
    .map((x) => x.line.text)
    .join('\n');
}

function ranges(text: string): { from: number; to: number }[] {
  const froms = [...text.matchAll(FROM_PORT)].map((m) => Number(m[1]));
  const tos = [...text.matchAll(TO_PORT)].map((m) => Number(m[1]));
  const out: { from: number; to: number }[] = [];
  for (let k = 0; k < Math.max(froms.length, tos.length); k++) {
    const from = froms[k] ?? tos[k];
    const to = tos[k] ?? froms[k];
    out.push({ from: from <= 0 && to <= 0 ? 0 : from, to: from <= 0 && to <= 0 ? 65535 : to });
  }
  for (const m of text.matchAll(ONE_PORT)) {
    if (m[1] === '*') out.push({ from: 0, to: 65535 });
    else out.push({ from: Number(m[1]), to: m[2] ? Number(m[2]) : Number(m[1]) });
  }
  if (ALL_PROTOCOLS.test(text) && out.length === 0) out.push({ from: 0, to: 65535 });
  return out;
}

/** The exposed sensitive ports of an ingress whose CIDR is at `i`, in words; null when it is egress or none is exposed. */
function exposedPorts(side: { line: DiffLine }[], i: number): string | null {
  for (let k = i; k >= Math.max(0, i - WINDOW * 2); k--) {
    const m = DIRECTION.exec(side[k].line.text);
    if (m) {
      if (/egress|outbound/i.test(m[0])) return null;
      break;
    }
  }
  const text = blockText(side, i);
  const exposed = new Set<string>();
  for (const r of ranges(text)) {
    if (r.from === 0 && r.to >= 65535) return 'every port';
    for (const [port, name] of SENSITIVE_PORTS) if (port >= r.from && port <= r.to) exposed.add(`${name} (${port})`);
  }
  return exposed.size > 0 ? [...exposed].join(', ') : null;
}

function inProvider(hunk: Hunk, side: { line: DiffLine }[], i: number): boolean {
  for (let k = i - 1; k >= 0; k--) {
    const t = side[k].line.text;
    if (PROVIDER_BLOCK.test(t)) return true;
    if (TOP_LEVEL_BLOCK.test(t) || /^\}/.test(t)) return false;
  }
  return /^provider\s+"/.test(hunk.section.trim());
}

/** Whether the line at `i` sits (up to three levels down) under an env/environment/variables key. */
function inEnvironment(hunk: Hunk, side: { line: DiffLine }[], i: number): boolean {
  let indent = indentOf(side[i].line.text);
  let levels = 0;
  for (let k = i - 1; k >= 0 && levels < 3 && indent > 0; k--) {
    const t = side[k].line.text;
    if (t.trim() === '' || /^\s*#/.test(t)) continue;
    const ind = indentOf(t);
    if (ind < indent) {
      if (ENV_KEY.test(t)) return true;
      indent = ind;
      levels++;
    }
  }
  // The hunk starts inside the section: git names the enclosing line after the `@@`.
  return levels === 0 && indent > 0 && ENV_KEY.test(hunk.section);
}

function secretInConfig(kind: IacKind | 'compose', hunk: Hunk, side: { line: DiffLine }[], i: number): string | null {
  const text = side[i].line.text;
  if (findSecrets(text).length > 0) return null; // `hardcoded-secret` reports it already
  if (kind === 'dockerfile') {
    const m = DOCKER_ENV.exec(text);
    if (m && SECRET_NAME.test(m[1]) && literalSecretValue(m[2])) return m[1];
    return null;
  }
  if (kind === 'terraform') {
    const p = PROVIDER_SECRET.exec(text);
    if (p && literalSecretValue(p[2]) && inProvider(hunk, side, i)) return `${p[1]} in a provider block`;
  }
  const m = LIST_PAIR.exec(text) ?? (kind === 'terraform' ? HCL_PAIR.exec(text) : YAML_PAIR.exec(text));
  if (!m) return null;
  let name = m[1];
  // Kubernetes: `- name: DB_PASSWORD` then `value: hunter2`.
  if (name === 'value' && i > 0) {
    const prev = K8S_NAME.exec(side[i - 1].line.text);
    if (!prev) return null;
    name = prev[1];
  }
  if (!SECRET_NAME.test(name) || !literalSecretValue(m[2])) return null;
  return inEnvironment(hunk, side, i) ? name : null;
}

function applies(rule: IacRuleId, kind: IacKind | 'compose'): boolean {
  return IAC_RULES[rule].kinds.includes(kind);
}

function hunkHits(kind: IacKind | 'compose', hunk: Hunk, visible: string, headAdded: boolean, on: (id: IacRuleId) => boolean): Hit[] {
  const hits: Hit[] = [];
  const side = newSide(hunk);
  const last = new Map<IacRuleId, number>();
  const use = (rule: IacRuleId): boolean => on(rule) && applies(rule, kind);
  // A windowed rule reports one block once, on its first added line.
  const once = (rule: IacRuleId, i: number): boolean => {
    const prev = last.get(rule);
    if (prev !== undefined && i - prev <= WINDOW) return false;
    last.set(rule, i);
    return true;
  };
  side.forEach(({ line, at }, i) => {
    if (line.kind !== 'add') return;
    const text = line.text;
    const add = (rule: IacRuleId, title: string, message: string): void => void hits.push({ rule, title, message, at });
    if (use('iac-open-ingress')) {
      const cidrHere = text.includes('/0') && OPEN_CIDR.test(text);
      let cidrAt = cidrHere ? i : -1;
      // A port line added next to an open CIDR that was already there.
      if (!cidrHere && (text.includes('ort') || text.includes('rotocol')) && /port|protocol/i.test(text)) {
        const [start, end] = blockAround(side, i);
        for (let k = start; k <= end && cidrAt < 0; k++) if (OPEN_CIDR.test(side[k].line.text) && side[k].line.kind !== 'add') cidrAt = k;
      }
      const ports = cidrAt >= 0 ? exposedPorts(side, cidrAt) : null;
      if (ports && once('iac-open-ingress', i))
        add(
          'iac-open-ingress',
          `Ingress open to the internet on ${ports}`,
          `This rule lets any address (0.0.0.0/0 or ::/0) reach ${ports}. Restrict the source to known ranges, a VPN or a bastion's security group, or reach the host through a session manager.`,
        );
    }
    if (use('iac-iam-wildcard') && IAM_KEY.test(text) && indentOf(text) > 0) {
      const w = blockText(side, i);
      if (ACTION_STAR.test(w) && RESOURCE_STAR.test(w) && !DENY.test(w) && once('iac-iam-wildcard', i))
        add(
          'iac-iam-wildcard',
          'IAM statement allows every action on every resource',
          'An IAM statement with Action "*" and Resource "*" grants full administrator rights. Name the actions and the resource ARNs the principal needs.',
        );
    }
    if (use('iac-public-bucket') && (text.includes('cl') || text.includes('ublic') || text.includes('ccessControl'))) {
      if (PUBLIC_ACL.some((re) => re.test(text)))
        add(
          'iac-public-bucket',
          'Bucket made public by its ACL',
          'This ACL lets anyone on the internet read (or write) the bucket. Keep it private and serve public files through a CDN with an origin access control.',
        );
      else if (PUBLIC_BLOCK_OFF.test(text))
        add(
          'iac-public-bucket',
          'S3 public access block turned off',
          'Turning a public access block setting off lets ACLs or bucket policies make the data public. Leave all four settings true unless the bucket must be public, and say why.',
        );
    }
    if (use('iac-encryption-disabled') && text.includes('false')) {
      const m = ENCRYPTION_OFF.exec(text);
      if (m && !/^\s*#|^\s*\/\//.test(text))
        add(
          'iac-encryption-disabled',
          `Encryption turned off (${m[1]})`,
          `\`${m[1]}\` is set to false, so the data is stored or sent unencrypted. Keep encryption on (a KMS key where the data is sensitive).`,
        );
    }
    if (use('iac-deletion-protection-off') && text.includes('eletion')) {
      const m = DELETION_PROTECTION_OFF.exec(text);
      if (m)
        add(
          'iac-deletion-protection-off',
          'Deletion protection turned off',
          `\`${m[1]}\` is false: the resource can now be deleted by an apply or a console click, with its data. Keep it on for stateful resources.`,
        );
    }
    if (use('iac-prevent-destroy-removed') && PREVENT_DESTROY_OFF.test(text))
      add(
        'iac-prevent-destroy-removed',
        'prevent_destroy turned off',
        'With `prevent_destroy = false` Terraform will destroy or replace this resource when a plan asks it to. Keep the guard on stateful resources; remove it only in the change that is meant to destroy them.',
      );
    if (use('iac-secret-in-config') && (SECRET_NAME.test(text) || (i > 0 && SECRET_NAME.test(side[i - 1].line.text)))) {
      const name = secretInConfig(kind, hunk, side, i);
      if (name)
        add(
          'iac-secret-in-config',
          `Secret written into configuration: ${name}`,
          `A literal value for \`${name}\` is committed in ${kind === 'terraform' && name.includes('provider') ? 'a provider block' : 'an environment section'}: anyone who can read the repository or the deployed configuration can use it. Read it from a secret store (a secrets manager, a CI secret, a Kubernetes Secret with secretKeyRef, a sensitive variable) instead, and rotate it.`,
        );
    }
    if (use('iac-privileged-container') && text.includes('rivileged') && PRIVILEGED.test(text) && !/^\s*#/.test(text))
      add(
        'iac-privileged-container',
        'Privileged container',
        "A privileged container has every capability and the host's devices: escaping it is escaping to the node. Grant the specific capabilities it needs instead.",
      );
    if (use('iac-host-path-mount') && (text.includes('ostPath') || text.includes('ost_path')) && HOST_PATH.test(text))
      add(
        'iac-host-path-mount',
        'hostPath volume mounted',
        "A hostPath volume exposes the node's file system to the pod (and a writable one lets it change the node). Use a persistentVolumeClaim, a configMap or an emptyDir.",
      );
    if (use('iac-write-all-permissions') && WRITE_ALL.test(text))
      add(
        'iac-write-all-permissions',
        'Workflow token with write-all permissions',
        '`permissions: write-all` gives the GITHUB_TOKEN every write scope, so any step (or compromised action) can push code, change releases or approve. List only the scopes the jobs need, e.g. `contents: read`.',
      );
    if (use('iac-pr-target-checkout') && PR_TARGET.test(visible)) {
      // On the checkout of the head; on the trigger only when the checkout was already there.
      if (PR_HEAD.test(text) || (PR_TARGET.test(text) && PR_HEAD.test(visible) && !headAdded))
        add(
          'iac-pr-target-checkout',
          "pull_request_target workflow runs the pull request's code",
          "A `pull_request_target` workflow runs with the base repository's secrets and a write token; checking out and running the pull request head lets anyone who opens a PR run code with them. Use `pull_request` for untrusted code, or check out the head only in a job without secrets that runs nothing from it.",
        );
    }
  });
  return hits;
}

/** Where a removed line is reported: the first line after it that the new file has, else the one before, else the hunk's start. */
function anchorOfRemoved(hunk: Hunk, at: number): number {
  for (let k = at + 1; k < hunk.lines.length; k++) if (hunk.lines[k].newLine !== undefined) return hunk.lines[k].newLine!;
  for (let k = at - 1; k >= 0; k--) if (hunk.lines[k].newLine !== undefined) return hunk.lines[k].newLine!;
  return Math.max(1, hunk.newStart);
}

/** Asked by the engine and again by the rules for every file: known once per file. */
const kindOfFile = new WeakMap<FileDiff, IacKind | 'compose' | null>();

/** The IaC kind the rules read a file as: its detected kind, or `compose` for a Docker Compose file. */
export function iacRuleKind(file: FileDiff): IacKind | 'compose' | null {
  let kind = kindOfFile.get(file);
  if (kind !== undefined) return kind;
  // What the new file shows: every line but the removed ones.
  const visible = {
    some: (test: (line: string) => boolean): boolean => file.hunks.some((h) => h.lines.some((l) => l.kind !== 'del' && test(l.text))),
    join: (): string =>
      file.hunks
        .flatMap((h) => h.lines)
        .filter((l) => l.kind !== 'del')
        .map((l) => l.text)
        .join('\n'),
  };
  kind = detectIacKind(file.path, visible) ?? (COMPOSE.test(file.path) ? 'compose' : null);
  kindOfFile.set(file, kind);
  return kind;
}

export function runIacRules(file: FileDiff, on: (id: IacRuleId) => boolean): Finding[] {
  const kind = iacRuleKind(file);
  if (!kind) return [];
  const findings: Finding[] = [];
  const visible = file.hunks
    .flatMap((h) => h.lines)
    .filter((l) => l.kind !== 'del')
    .map((l) => l.text)
    .join('\n');
  const headAdded = file.hunks.some((h) => h.lines.some((l) => l.kind === 'add' && PR_HEAD.test(l.text)));
  const make = (rule: IacRuleId, title: string, message: string, line: number, quote: string | undefined): Finding => ({
    id: fingerprint(file.path, title, quote, line),
    file: file.path,
    line,
    severity: IAC_RULES[rule].severity,
    category: IAC_RULES[rule].category,
    title,
    message,
    quote,
    origin: 'rule',
    rule,
  });
  for (const hunk of file.hunks) {
    for (const hit of hunkHits(kind, hunk, visible, headAdded, on)) {
      const line = hunk.lines[hit.at];
      findings.push(make(hit.rule, hit.title, hit.message, line.newLine!, line.text));
    }
  }
  if (on('iac-prevent-destroy-removed') && applies('iac-prevent-destroy-removed', kind) && !PREVENT_DESTROY_ON.test(visible)) {
    for (const hunk of file.hunks)
      hunk.lines.forEach((l, at) => {
        if (l.kind !== 'del' || !PREVENT_DESTROY_ON.test(l.text)) return;
        const gone = file.status === 'deleted';
        findings.push(
          make(
            'iac-prevent-destroy-removed',
            'prevent_destroy removed',
            `${gone ? 'This file, and with it' : 'This change removes'} a \`prevent_destroy = true\` guard${gone ? ', is deleted' : ''}: Terraform will now destroy or replace the resource when a plan asks it to, with its data. Keep the guard on stateful resources; remove it only in the change that is meant to destroy them.`,
            gone ? 1 : anchorOfRemoved(hunk, at),
            undefined,
          ),
        );
      });
  }
  return findings;
}
