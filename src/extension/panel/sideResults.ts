import * as vscode from 'vscode';
import type { CiExplainResult } from '../../core/ci/explain.js';
import type { ReviewResult } from '../../core/types.js';
import type { PanelCiExplanation, PanelPlan } from '../../shared/protocol.js';

/**
 * Results the panel shows beside the review of the code: the last Terraform plan review and the last
 * CI failure explanation of each repository. They stay apart from the review, so that the panel's
 * Post and Deploy never act on a plan or a log.
 */
export class SideResults implements vscode.Disposable {
  private readonly plans = new Map<string, PanelPlan>();
  private readonly ci = new Map<string, PanelCiExplanation>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  setPlan(repo: string, r: ReviewResult): void {
    const plan = r.iac?.plan;
    if (!plan) return;
    this.plans.set(repo, {
      file: plan.file,
      counts: plan.counts,
      riskScore: r.riskScore,
      decision: r.decision,
      findings: r.findings.map((f) => ({ severity: f.severity, title: f.title, file: f.file, line: f.line })),
      at: r.completedAt,
    });
    this.changed.fire();
  }

  setCi(repo: string, r: CiExplainResult): void {
    const s = r.source;
    const e = r.explanation;
    this.ci.set(repo, {
      source: s.kind === 'run' ? `${s.runName ?? 'run'} #${s.runId}` : (s.file ?? 'log file'),
      ...(s.runUrl ? { url: s.runUrl } : {}),
      explained: e !== null,
      rootCause: e?.rootCause ?? (r.modelError ? `No explanation: ${r.modelError.message}` : 'The model gave no explanation.'),
      evidence: e?.evidence ?? [],
      fix: e?.fix ?? [],
      files: e?.files.map((f) => ({ file: f.file, ...(f.line ? { line: f.line } : {}), why: f.why })) ?? [],
      confidence: e?.confidence,
      at: new Date().toISOString(),
    });
    this.changed.fire();
  }

  planOf(repo: string): PanelPlan | undefined {
    return this.plans.get(repo);
  }

  ciOf(repo: string): PanelCiExplanation | undefined {
    return this.ci.get(repo);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
