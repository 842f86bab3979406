import { redactLog } from './redact.js';
import { describeSource, type CiExplainResult } from './explain.js';

/** The stable `pullmint ci explain --format json` contract (schemaVersion 1): fields are added, never renamed or removed. */
export function toCiJson(r: CiExplainResult): Record<string, unknown> {
  const e = r.explanation;
  return {
    schemaVersion: 1,
    kind: 'ci-explanation',
    source: r.source,
    status: e ? 'explained' : 'excerpt-only',
    explanation: e
      ? {
          rootCause: e.rootCause,
          evidence: e.evidence,
          fix: e.fix,
          files: e.files.map((f) => ({ file: f.file, line: f.line ?? null, why: f.why })),
          confidence: e.confidence,
        }
      : null,
    jobs: r.jobs.map((j) => ({
      name: j.name,
      id: j.id ?? null,
      url: j.url ?? null,
      failedStep: j.failedStep ?? null,
      totalLines: j.totalLines,
      keptLines: j.keptLines,
      failureLines: j.failureLines,
    })),
    excerpt: r.excerpt,
    provider: r.provider,
    model: r.model,
    redactions: r.redactions,
    stats: r.stats,
    warnings: r.warnings,
    ...(r.modelError ? { modelError: r.modelError } : {}),
  };
}

const EXCERPT_IN_TEXT = 60;

/** What the terminal shows: the explanation, or the reason there is none and the failure lines. */
export function toCiText(r: CiExplainResult, opts: { color?: boolean } = {}): string {
  const bold = (s: string): string => (opts.color ? `\x1b[1m${s}\x1b[22m` : s);
  const out: string[] = [];
  out.push(bold(`CI failure: ${describeSource(r.source)}`) + (r.source.runUrl ? `\n${r.source.runUrl}` : ''));
  for (const j of r.jobs)
    out.push(`  job ${j.name}${j.failedStep ? ` (step: ${j.failedStep})` : ''}: ${j.keptLines} of ${j.totalLines} log lines sent`);
  out.push('');
  const e = r.explanation;
  if (e) {
    out.push(bold('Root cause') + ` (confidence ${e.confidence}):`, `  ${e.rootCause}`, '');
    if (e.evidence.length) out.push(bold('Evidence:'), ...e.evidence.map((l) => `  > ${l}`), '');
    if (e.fix.length) out.push(bold('Fix:'), ...e.fix.map((s, i) => `  ${i + 1}. ${s}`), '');
    if (e.files.length)
      out.push(bold('Files:'), ...e.files.map((f) => `  ${f.file}${f.line ? `:${f.line}` : ''}${f.why ? ` — ${f.why}` : ''}`), '');
  } else {
    if (r.modelError) out.push(`No explanation: ${r.modelError.message}. ${r.modelError.fix}`, '');
    const lines = r.excerpt.split('\n');
    out.push(bold('Failure lines from the log:'), ...lines.slice(0, EXCERPT_IN_TEXT).map((l) => `  ${l}`));
    if (lines.length > EXCERPT_IN_TEXT) out.push(`  … ${lines.length - EXCERPT_IN_TEXT} more line(s): --format json has the whole excerpt`);
    out.push('');
  }
  for (const w of r.warnings) out.push(`warning: ${w}`);
  out.push(`${r.provider}${r.model ? ` ${r.model}` : ''}, ${(r.stats.durationMs / 1000).toFixed(1)} s`);
  return out.join('\n') + '\n';
}

/** The marker that finds an issue or comment about one run again. */
export function ciRunMarker(runId: number): string {
  return `<!-- pullmint:ci-run:${runId} -->`;
}

/** Markdown for an issue or a PR comment: the analysis, a link to the run, the marker. */
export function toCiMarkdown(r: CiExplainResult, marker: string): string {
  const e = r.explanation;
  const out: string[] = [marker, `## Pullmint: why ${describeSource(r.source)} failed`, ''];
  if (r.source.runUrl) out.push(`Run: ${r.source.runUrl}`, '');
  if (r.jobs.length) out.push(`Failed job(s): ${r.jobs.map((j) => (j.url ? `[${j.name}](${j.url})` : j.name)).join(', ')}`, '');
  const fence = (lines: string[]): string[] => {
    const body = lines.join('\n');
    const ticks = '`'.repeat(Math.max(3, ...(body.match(/`+/g) ?? []).map((t) => t.length + 1)));
    return [ticks, body, ticks];
  };
  if (e) {
    out.push(`### Root cause (confidence ${e.confidence})`, '', e.rootCause, '');
    if (e.evidence.length) out.push('### Evidence', '', ...fence(e.evidence), '');
    if (e.fix.length) out.push('### Fix', '', ...e.fix.map((s, i) => `${i + 1}. ${s}`), '');
    if (e.files.length)
      out.push('### Files', '', ...e.files.map((f) => `- \`${f.file}${f.line ? `:${f.line}` : ''}\`${f.why ? ` — ${f.why}` : ''}`), '');
  } else {
    out.push(`The model gave no explanation${r.modelError ? `: ${r.modelError.message}` : ''}. The failure lines:`, '');
    out.push(...fence(r.excerpt.split('\n').slice(0, 80)), '');
  }
  out.push(`<sub>Explained by Pullmint with ${r.provider}${r.model ? ` ${r.model}` : ''}. Updated in place when explained again.</sub>`);
  // Secrets redacted whatever the model: the code host is not this machine.
  const body = redactLog(out.join('\n')).text;
  // GitHub refuses bodies over 65,536 characters.
  return body.length > 60_000 ? `${body.slice(0, 60_000)}\n\n… (cut)` : body;
}

/** One problem per file the explanation names: where the editor shows it, with the fix as its message. */
export interface CiFileProblem {
  file: string;
  /** 1-based; 1 when the log gives no line. */
  line: number;
  message: string;
}

export function ciFileProblems(r: CiExplainResult): CiFileProblem[] {
  const e = r.explanation;
  if (!e) return [];
  const fix = e.fix.length ? ` Fix: ${e.fix.map((s, i) => (e.fix.length > 1 ? `${i + 1}. ${s}` : s)).join(' ')}` : '';
  return e.files.map((f) => ({
    file: f.file,
    line: f.line ?? 1,
    message: `CI failure: ${f.why || e.rootCause}.${fix}`.replace(/\.\./g, '.'),
  }));
}
