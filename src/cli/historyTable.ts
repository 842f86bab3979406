import type { ExecutionRecord } from '../core/store/records.js';
import { targetLabel } from '../core/report/targetLabel.js';

/** A local date and time, minute precision: `2026-11-22 09:07`. The process's TZ decides the zone. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

const COLUMNS = ['WHEN', 'ID', 'TARGET', 'RISK', 'DECISION', 'BY', 'DEPLOY'] as const;

/** One row per record: the values under COLUMNS. */
export function historyRow(r: ExecutionRecord): string[] {
  const done = r.status === 'completed';
  const by = r.rulesOnly ? 'rules only' : [r.provider, r.model].filter(Boolean).join(' ');
  const last = r.deployments?.at(-1);
  const deploy = last
    ? `${last.state === 'deployed' && last.checksFailing ? 'deployed, checks failing' : last.state} (${last.environment})`
    : '';
  return [
    localTime(r.createdAt),
    r.executionId.slice(0, 8),
    targetLabel(r.target),
    done && r.riskScore !== undefined ? String(r.riskScore) : '-',
    // The decision as every other CLI output and --gate name it; a review that did not finish, its status.
    done && r.decision ? r.decision : r.status,
    by,
    deploy,
  ];
}

/** A table with a header; columns as wide as their widest cell, the last one unpadded. */
export function historyTable(records: ExecutionRecord[]): string {
  const rows = [COLUMNS.map(String), ...records.map(historyRow)];
  const used = COLUMNS.map((_, i) => i).filter((i) => i < 6 || rows.slice(1).some((row) => row[i]));
  const widths = used.map((i) => Math.max(...rows.map((row) => row[i].length)));
  return (
    rows
      .map((row) =>
        used
          .map((i, k) => (k === used.length - 1 ? row[i] : row[i].padEnd(widths[k])))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
