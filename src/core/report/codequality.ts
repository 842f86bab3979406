import { createHash } from 'node:crypto';
import type { Category, Finding, ReviewResult, Severity } from '../types.js';

/**
 * GitLab's Code Quality report (`artifacts:reports:codequality`): a JSON array of Code Climate
 * issues, of which GitLab reads `description`, `check_name`, `fingerprint`, `severity`,
 * `location.path` and `location.lines.begin`. Its findings show in the merge request widget.
 */
export interface CodeQualityIssue {
  type: 'issue';
  description: string;
  check_name: string;
  fingerprint: string;
  severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  categories: string[];
  location: { path: string; lines: { begin: number; end?: number } };
  content?: { body: string };
}

const SEVERITY: Record<Severity, CodeQualityIssue['severity']> = {
  critical: 'blocker',
  high: 'critical',
  medium: 'major',
  low: 'minor',
  info: 'info',
};

/** Code Climate's categories, the nearest to each of Pullmint's. */
const CATEGORY: Record<Category, string> = {
  security: 'Security',
  bug: 'Bug Risk',
  performance: 'Performance',
  correctness: 'Bug Risk',
  maintainability: 'Complexity',
  style: 'Style',
  testing: 'Bug Risk',
  documentation: 'Clarity',
  other: 'Clarity',
};

const checkName = (f: Finding): string => (f.rule ? `pullmint/${f.rule}` : `pullmint/llm/${f.category}`);
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * The findings, and each range the model did not read (an `info` issue, so that an incomplete
 * review never looks clean in the widget). Fingerprints are stable across runs: a finding's own id,
 * which follows its line's text, so GitLab tells new findings from resolved ones.
 */
export function toCodeQuality(r: ReviewResult): CodeQualityIssue[] {
  const issues: CodeQualityIssue[] = r.findings.map((f) => ({
    type: 'issue',
    description: oneLine(`${f.title}: ${f.message}`).slice(0, 1000),
    check_name: checkName(f),
    fingerprint: md5(`pullmint:finding:${f.id}`),
    severity: SEVERITY[f.severity],
    categories: [CATEGORY[f.category] ?? 'Clarity'],
    location: { path: f.file, lines: { begin: f.line, ...(f.endLine && f.endLine > f.line ? { end: f.endLine } : {}) } },
    content: {
      body: f.suggestion !== undefined ? `${f.message}\n\nSuggested:\n\n    ${f.suggestion.split('\n').join('\n    ')}` : f.message,
    },
  }));
  if (!r.rulesOnly)
    for (const u of r.coverage.unreviewed) {
      issues.push({
        type: 'issue',
        description: `Not reviewed by the model (${u.reason}): lines ${u.startLine}${u.endLine === -1 ? ' to the end' : u.endLine !== u.startLine ? `–${u.endLine}` : ''}.`,
        check_name: 'pullmint/unreviewed',
        fingerprint: md5(`pullmint:unreviewed:${u.file}:${u.startLine}:${u.endLine}`),
        severity: 'info',
        categories: ['Clarity'],
        location: { path: u.file, lines: { begin: Math.max(1, u.startLine) } },
      });
    }
  return issues;
}
