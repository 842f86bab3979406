import type { Finding, ReviewResult, Severity } from '../types.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};
/** GitHub code scanning ranks security results by this CVSS-like number. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '7.5', medium: '5.0', low: '3.0', info: '1.0' };

function ruleIdOf(f: Finding): string {
  return f.rule ? `pullmint/${f.rule}` : `pullmint/llm/${f.category}`;
}

function encodeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. */
export function toSarif(r: ReviewResult, toolVersion: string): Record<string, unknown> {
  const rules = new Map<string, { id: string; name: string; f: Finding }>();
  for (const f of r.findings) {
    const id = ruleIdOf(f);
    if (!rules.has(id)) rules.set(id, { id, name: f.rule ?? `llm-${f.category}`, f });
  }
  const ruleList = [...rules.values()];
  const index = new Map(ruleList.map((x, i) => [x.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Pullmint',
            version: toolVersion,
            informationUri: 'https://github.com/pullmint/pullmint',
            rules: ruleList.map(({ id, name, f }) => ({
              id,
              name,
              shortDescription: { text: f.rule ? f.title : `Model review: ${f.category}` },
              fullDescription: { text: f.rule ? f.message : `Findings of category "${f.category}" from the model review.` },
              defaultConfiguration: { level: LEVEL[f.severity] },
              properties: {
                tags: [f.category, f.origin === 'rule' ? 'deterministic' : 'llm'],
                ...(f.category === 'security' ? { 'security-severity': SECURITY_SEVERITY[f.severity] } : {}),
              },
            })),
          },
        },
        automationDetails: { id: `pullmint/${r.target.kind}/${r.executionId}` },
        originalUriBaseIds: { '%SRCROOT%': { uri: 'file://' + encodeUri(r.repo.replace(/\\/g, '/')).replace(/^(?!\/)/, '/') + '/' } },
        results: r.findings.map((f) => ({
          ruleId: ruleIdOf(f),
          ruleIndex: index.get(ruleIdOf(f)),
          level: LEVEL[f.severity],
          message: { text: `${f.title}\n\n${f.message}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeUri(f.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: f.line, ...(f.endLine ? { endLine: f.endLine } : {}) },
              },
            },
          ],
          partialFingerprints: { 'pullmintFinding/v1': f.id },
          properties: { severity: f.severity, origin: f.origin, category: f.category },
        })),
        properties: { riskScore: r.riskScore, decision: r.decision, rulesOnly: r.rulesOnly },
      },
    ],
  };
}
