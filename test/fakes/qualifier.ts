import type { QualifyCase } from '../../src/core/qualify/cases.js';

/**
 * A scripted "model" for qualification: it reads the diff in the prompt the way a model would and,
 * when it shows the planted line of a case (its file header and the numbered line with the case's
 * quote), reports exactly that defect at the case's least severity. Clean changes get no finding.
 */
export function plantedAnswer(prompt: string, cases: QualifyCase[]): string {
  const findings: Record<string, unknown>[] = [];
  const lines = prompt.split('\n');
  for (const c of cases) {
    const e = c.expect;
    if (!e?.quote) continue;
    let file = '';
    for (const line of lines) {
      const header = /^### (.+?) \((?:added|modified|renamed|copied)/.exec(line);
      if (header) {
        file = header[1];
        continue;
      }
      const data = /^(\d+)[+ ] (.*)$/.exec(line);
      if (!data || file !== e.file || Number(data[1]) !== e.line || !data[2].includes(e.quote)) continue;
      findings.push({
        file,
        line: e.line,
        severity: e.minSeverity,
        category: 'security',
        title: `Planted: ${c.id}`,
        message: c.description,
        quote: data[2],
      });
    }
  }
  return JSON.stringify({ summary: findings.length ? 'Found the planted defect.' : 'Nothing to report.', findings });
}
