import { promptLines } from './reviewer.js';
import type { QualifyCase } from '../../src/core/qualify/cases.js';

/**
 * A scripted "model" for qualification: it reads the diff in the prompt the way a model would and,
 * when it shows the planted line of a case (its file header and the numbered line with the case's
 * quote), reports exactly that defect at the case's least severity. Clean changes get no finding.
 */
export function plantedAnswer(prompt: string, cases: QualifyCase[]): string {
  const findings: Record<string, unknown>[] = [];
  const lines = promptLines(prompt);
  for (const c of cases) {
    const e = c.expect;
    if (!e?.quote) continue;
    for (const l of lines) {
      if (l.kind === 'removed' || l.file !== e.file || l.line !== e.line || !l.text.includes(e.quote)) continue;
      findings.push({
        file: l.file,
        line: e.line,
        severity: e.minSeverity,
        category: 'security',
        title: `Planted: ${c.id}`,
        message: c.description,
        quote: l.text,
      });
    }
  }
  return JSON.stringify({ summary: findings.length ? 'Found the planted defect.' : 'Nothing to report.', findings });
}
