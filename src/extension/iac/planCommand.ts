import * as vscode from 'vscode';
import { loadTerraformPlan } from '../../core/iac/plan.js';
import { PlanError } from '../../core/iac/planError.js';
import { planSummaryLine } from '../../core/iac/summary.js';
import { toText } from '../../core/report/text.js';
import { verdictText } from '../../core/report/verdict.js';
import type { ReviewResult } from '../../core/types.js';
import { pickRepository } from '../repos.js';
import type { DiagnosticsPresenter } from '../review/diagnostics.js';
import type { SettingsService } from '../settings.js';

export interface PlanCommandDeps {
  settings: SettingsService;
  presenter: DiagnosticsPresenter;
  log: vscode.LogOutputChannel;
}

/**
 * "Review Terraform Plan…": pick the JSON of `terraform show -json`, review its deletes, replaces and
 * sensitive updates, show them as diagnostics on the resource blocks and the counts in a message.
 */
export async function reviewTerraformPlanCommand(d: PlanCommandDeps): Promise<ReviewResult | undefined> {
  const repo = await pickRepository();
  if (!repo) return undefined;
  const picked = await vscode.window.showOpenDialog({
    title: 'Review Terraform Plan',
    openLabel: 'Review plan',
    canSelectMany: false,
    defaultUri: vscode.Uri.file(repo),
    filters: { 'Terraform plan JSON (terraform show -json)': ['json'], 'All files': ['*'] },
  });
  const file = picked?.[0];
  if (!file) return undefined;
  let plan;
  try {
    plan = await loadTerraformPlan(file.fsPath, repo);
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    d.log.warn(err.message);
    void vscode.window.showErrorMessage(`Pullmint: ${err.message}`);
    return undefined;
  }
  const session = await d.settings.open(repo);
  const result = await session.reviewPlan(plan, repo);
  d.presenter.add(repo, result.findings);
  d.log.info(toText(result, { color: false }, session.config.ollama.model));
  const counts = result.iac?.plan ? planSummaryLine(result.iac.plan.counts) : '';
  const message = `Pullmint: ${counts} ${result.findings.length} finding(s), ${verdictText(result)}.`;
  const show = result.decision === 'manual-review' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(message);
  return result;
}
