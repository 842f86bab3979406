import type { TerraformPlanInfo } from '../types.js';

/** "Terraform plan: 3 to add, 2 to change, 3 to destroy (2 replaced)." — the same words on every surface. */
export function planSummaryLine(counts: TerraformPlanInfo['counts']): string {
  return `Terraform plan: ${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy${counts.replace ? ` (${counts.replace} replaced)` : ''}.`;
}
