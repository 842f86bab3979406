import type { Finding, ReviewResult } from '../types.js';

/** The stable `--format json` contract (schemaVersion 1): fields are added, never renamed or removed. */
export function toJsonReport(r: ReviewResult): Record<string, unknown> {
  return {
    schemaVersion: 1,
    executionId: r.executionId,
    target: { kind: r.target.kind, base: r.target.base, head: r.target.head, label: r.target.label },
    provider: r.provider,
    model: r.model,
    rulesOnly: r.rulesOnly,
    summary: r.summary,
    riskScore: r.riskScore,
    decision: r.decision,
    findings: r.findings.map(findingJson),
    dismissed: (r.dismissed ?? []).map((f) => ({ ...findingJson(f), dismissal: f.dismissal })),
    coverage: {
      changedLines: r.coverage.changedLines,
      reviewedLines: r.coverage.reviewedLines,
      skippedFiles: r.coverage.skippedFiles,
      unreviewed: r.coverage.unreviewed,
      complete: r.coverage.complete,
    },
    stats: r.stats,
    warnings: r.warnings,
    ...(r.modelError ? { modelError: r.modelError } : {}),
    ...(r.iac ? { iac: r.iac } : {}),
  };
}

function findingJson(f: Finding): Record<string, unknown> {
  return {
    id: f.id,
    file: f.file,
    line: f.line,
    endLine: f.endLine ?? null,
    severity: f.severity,
    category: f.category,
    title: f.title,
    message: f.message,
    suggestion: f.suggestion ?? null,
    origin: f.origin,
    rule: f.rule ?? null,
    // A finding on a removed line: where it stood in the old file (`line` is the nearest new line).
    ...(f.oldLine !== undefined ? { oldLine: f.oldLine } : {}),
  };
}
