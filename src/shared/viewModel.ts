/** What the panel shows, computed from its state: pure, so it is tested without a browser. */
import type { Finding, Severity } from '../core/types.js';
import type { PanelState } from './protocol.js';

export const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export interface Filters {
  severities: Severity[];
  category: string;
  showDismissed: boolean;
}

export const DEFAULT_FILTERS: Filters = { severities: [...SEVERITY_ORDER], category: 'all', showDismissed: false };

export interface FileGroup {
  file: string;
  worst: Severity;
  findings: (Finding & { dismissed: boolean })[];
}

/** Findings by file, most severe file first; inside a file by severity, then line. */
export function groupFindings(findings: Finding[], dismissed: string[], filters: Filters): FileGroup[] {
  const hidden = new Set(dismissed);
  const rank = (s: Severity): number => SEVERITY_ORDER.indexOf(s);
  const groups = new Map<string, FileGroup>();
  for (const f of findings) {
    const isDismissed = hidden.has(f.id);
    if (isDismissed && !filters.showDismissed) continue;
    if (!filters.severities.includes(f.severity)) continue;
    if (filters.category !== 'all' && f.category !== filters.category) continue;
    let g = groups.get(f.file);
    if (!g) groups.set(f.file, (g = { file: f.file, worst: f.severity, findings: [] }));
    g.findings.push({ ...f, dismissed: isDismissed });
    if (rank(f.severity) < rank(g.worst)) g.worst = f.severity;
  }
  for (const g of groups.values()) g.findings.sort((a, b) => rank(a.severity) - rank(b.severity) || a.line - b.line);
  return [...groups.values()].sort((a, b) => rank(a.worst) - rank(b.worst) || a.file.localeCompare(b.file));
}

export function categoriesOf(findings: Finding[]): string[] {
  return [...new Set(findings.map((f) => f.category))].sort();
}

/** The gauge is an arc over 240°, from 150° to 390° (clockwise, SVG angles), radius r around (cx, cy). */
export const GAUGE = { cx: 60, cy: 60, r: 48, start: 150, sweep: 240 };

function point(angleDeg: number, r = GAUGE.r): [number, number] {
  const a = (angleDeg * Math.PI) / 180;
  return [round(GAUGE.cx + r * Math.cos(a)), round(GAUGE.cy + r * Math.sin(a))];
}

const round = (n: number): number => Math.round(n * 100) / 100;

export function angleFor(score: number): number {
  return GAUGE.start + (GAUGE.sweep * Math.max(0, Math.min(100, score))) / 100;
}

/** An SVG arc path from score `from` to score `to`. */
export function arcPath(from: number, to: number): string {
  const a0 = angleFor(from);
  const a1 = angleFor(to);
  const [x0, y0] = point(a0);
  const [x1, y1] = point(a1);
  const large = a1 - a0 > 180 ? 1 : 0;
  return `M ${x0} ${y0} A ${GAUGE.r} ${GAUGE.r} 0 ${large} 1 ${x1} ${y1}`;
}

/** A threshold tick across the arc. */
export function tickLine(score: number): { x1: number; y1: number; x2: number; y2: number } {
  const [x1, y1] = point(angleFor(score), GAUGE.r - 9);
  const [x2, y2] = point(angleFor(score), GAUGE.r + 9);
  return { x1, y1, x2, y2 };
}

export type GateState =
  | { kind: 'no-review'; label: string }
  | { kind: 'stale'; label: string }
  | { kind: 'not-configured'; label: string }
  | { kind: 'in-progress'; label: string }
  | { kind: 'allowed'; label: string }
  | { kind: 'override'; label: string };

/** Whether Trigger Deploy is enabled, and what it will ask. */
export function gateState(s: PanelState): GateState {
  if (!s.review) return { kind: 'no-review', label: 'Review first' };
  if (s.stale) return { kind: 'stale', label: 'Re-review first: the code changed' };
  if (!s.deploy.configured) return { kind: 'not-configured', label: 'Set pullmint.deploy.url to deploy' };
  const d = s.deploy.latest;
  if (d && (d.state === 'deploying' || d.state === 'approved')) return { kind: 'in-progress', label: `Deploying to ${d.environment}…` };
  if (s.review.incomplete) return { kind: 'override', label: 'Deploy (override: not fully reviewed)' };
  if (s.review.decision === 'manual-review' && s.review.riskScore < s.deploy.deployThreshold)
    return { kind: 'override', label: 'Deploy (override: needs manual review)' };
  if (s.review.riskScore >= s.deploy.deployThreshold)
    return { kind: 'override', label: `Deploy (override: risk ${s.review.riskScore} ≥ ${s.deploy.deployThreshold})` };
  return { kind: 'allowed', label: 'Trigger Deploy' };
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** "reviewed 1,204 of 1,204 changed lines", or what was skipped and why. */
export function coverageLine(s: PanelState): string {
  const r = s.review;
  if (!r) return '';
  const c = r.coverage;
  if (r.rulesOnly)
    return `Rules only: the model reviewed 0 of ${fmt(c.changedLines)} changed lines${r.modelError ? ` (${r.modelError.message})` : ''}`;
  const parts = [`Reviewed ${fmt(c.reviewedLines)} of ${fmt(c.changedLines)} changed lines`];
  const unreviewed = c.changedLines - c.reviewedLines;
  if (unreviewed > 0 && c.unreviewed.length) parts.push(`${fmt(unreviewed)} not reviewed: ${c.unreviewed[0].reason}`);
  if (c.skippedFiles.length)
    parts.push(`${c.skippedFiles.length} file(s) skipped (${[...new Set(c.skippedFiles.map((f) => f.reason))].join(', ')})`);
  return parts.join('; ');
}

/** The history sparkline: oldest left, scores 0–100 mapped onto a width × height box. */
export function trendPoints(scores: number[], width: number, height: number): string {
  if (scores.length === 0) return '';
  const step = scores.length > 1 ? width / (scores.length - 1) : 0;
  return scores.map((s, i) => `${round(i * step)},${round(height - (Math.max(0, Math.min(100, s)) / 100) * height)}`).join(' ');
}

export function shortSha(s: string): string {
  return /^[0-9a-f]{40}$/.test(s) ? s.slice(0, 8) : s;
}

/** How each decision reads in the panel. */
export const DECISION_LABEL: Record<string, string> = {
  'auto-approve': 'auto-approve',
  'auto-deploy': 'auto-deploy',
  'manual-review': 'manual review',
  incomplete: 'not fully reviewed',
};

/** The colour class of a decision: green, amber or red. Incomplete is amber, never green. */
export function decisionTone(decision: string | undefined): 'good' | 'warn' | 'bad' | 'none' {
  if (decision === 'auto-approve') return 'good';
  if (decision === 'auto-deploy' || decision === 'incomplete') return 'warn';
  if (decision === 'manual-review') return 'bad';
  return 'none';
}

/** Full commit ids in a label cut to 7 characters: "abc1234..def5678". */
export function shortLabel(label: string): string {
  return label.replace(/\b[0-9a-f]{40}(?:[0-9a-f]{24})?\b/g, (sha) => sha.slice(0, 7));
}

const short7 = (sha: string): string => (/^[0-9a-f]{40,64}$/.test(sha) ? sha.slice(0, 7) : sha);
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/**
 * What a review covered, in words: "working tree (on 463f998)", "staged changes (on 463f998)",
 * "abc1234..def5678", "PR #7 (abc1234..def5678)", "origin/main (abc1234..def5678)". Never the
 * internal WORKTREE / INDEX markers.
 */
export function reviewedTarget(t: { kind: string; label: string; base: string; head: string }): string {
  const base = t.base === EMPTY_TREE ? 'the empty tree' : short7(t.base);
  if (t.kind === 'working-tree' || t.kind === 'staged') {
    const what = t.kind === 'staged' ? 'staged changes' : 'working tree';
    return t.base === EMPTY_TREE ? `${what} (no commits yet)` : `${what} (on ${base})`;
  }
  const range = `${t.base === EMPTY_TREE ? 'first commits' : base}..${short7(t.head)}`;
  const label = shortLabel(t.label);
  return label === range || label === `${base}..${short7(t.head)}` ? label : `${label} (${range})`;
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", then a date: "Nov 12" (or "Nov 12, 2025"). */
export function relativeTime(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 45) return 'just now';
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `${h} h ago`;
  const d = new Date(t);
  const today = new Date(now);
  const days = Math.round(
    (Date.UTC(today.getFullYear(), today.getMonth(), today.getDate()) - Date.UTC(d.getFullYear(), d.getMonth(), d.getDate())) / 86_400_000,
  );
  if (days <= 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return d.toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    ...(d.getFullYear() !== today.getFullYear() ? { year: 'numeric' } : {}),
  });
}

export interface ThresholdBand {
  decision: 'auto-approve' | 'auto-deploy' | 'manual-review';
  label: string;
  range: string;
}

/** The score bands the thresholds make, labelled: "auto-approve 0–29", "auto-deploy 30–39", "manual review 40–100". */
export function thresholdBands(approve: number, deploy: number): ThresholdBand[] {
  const bands: ThresholdBand[] = [];
  const span = (from: number, to: number): string => (from === to ? `${from}` : `${from}–${to}`);
  const a = Math.max(0, Math.min(approve, 101));
  const d = Math.max(a, Math.min(deploy, 101));
  if (a > 0) bands.push({ decision: 'auto-approve', label: 'auto-approve', range: span(0, Math.ceil(a) - 1) });
  if (d > a) bands.push({ decision: 'auto-deploy', label: 'auto-deploy', range: span(Math.ceil(a), Math.ceil(d) - 1) });
  if (d <= 100) bands.push({ decision: 'manual-review', label: 'manual review', range: span(Math.ceil(d), 100) });
  return bands;
}

export interface HistoryItem {
  executionId: string;
  when: string;
  at: string;
  target: string;
  score: string;
  decision: string;
  tone: 'good' | 'warn' | 'bad' | 'none';
  deploy?: string;
}

/** The history rows as the panel shows them: relative time, short target, score and decision word. */
export function historyItems(rows: PanelState['history'], now: number, limit = 20): HistoryItem[] {
  return rows.slice(0, limit).map((r) => {
    const finished = r.riskScore !== undefined && r.decision !== undefined;
    return {
      executionId: r.executionId,
      when: relativeTime(r.createdAt, now),
      at: r.createdAt,
      target: shortLabel(r.target),
      score: finished ? String(r.riskScore) : '–',
      decision: finished ? (DECISION_LABEL[r.decision!] ?? r.decision!) : r.status,
      tone: finished ? decisionTone(r.decision) : 'none',
      deploy: r.deployState,
    };
  });
}

/** "Terraform plan: 3 to add, 2 to change, 4 to destroy (2 replaced)" for a review that carried a plan; '' otherwise. */
export function planLine(s: PanelState): string {
  const c = s.review?.iac?.plan?.counts;
  if (!c) return '';
  return `Terraform plan: ${c.add} to add, ${c.change} to change, ${c.destroy} to destroy${c.replace ? ` (${c.replace} replaced)` : ''}`;
}

/** "3 to add, 2 to change, 4 to destroy (2 replaced)". */
export function planCountsText(c: { add: number; change: number; destroy: number; replace: number }): string {
  return `${c.add} to add, ${c.change} to change, ${c.destroy} to destroy${c.replace ? ` (${c.replace} replaced)` : ''}`;
}
