import { severityCounts } from '../risk.js';
import { incompleteNote } from './verdict.js';
import { SEVERITIES, type ReviewResult, type Severity } from '../types.js';

export interface TextStyle {
  color: boolean;
  /** Where the provider's endpoint came from, said when the model failed: "ollama.host set by environment OLLAMA_HOST". */
  endpointOrigin?: string;
}

const COLORS: Record<Severity | 'dim' | 'bold' | 'ok' | 'warn', string> = {
  critical: '\x1b[1;31m',
  high: '\x1b[31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
  info: '\x1b[2m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  ok: '\x1b[32m',
  warn: '\x1b[33m',
};

function shortSha(s: string): string {
  return /^[0-9a-f]{40}$/.test(s) ? s.slice(0, 8) : s;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** How to get the model review working, for people who have never set it up. */
export function enableLlmHelp(model: string): string[] {
  return [
    'To enable the LLM review (code stays on this machine):',
    '  1. Install Ollama: https://ollama.com/download  (Linux: curl -fsSL https://ollama.com/install.sh | sh)',
    '  2. Start it:       ollama serve',
    `  3. Pull a model:   ollama pull ${model}`,
    '  then run the review again. Ollama elsewhere? Set OLLAMA_HOST=http://HOST:11434 or pass --ollama-host.',
    'Or use Anthropic Claude (the diff is sent to Anthropic, secrets redacted):',
    '  export ANTHROPIC_API_KEY=sk-ant-...  and  pullmint review --provider anthropic',
  ];
}

export function toText(r: ReviewResult, style: TextStyle, ollamaModel: string): string {
  const c = (k: keyof typeof COLORS, s: string): string => (style.color ? `${COLORS[k]}${s}\x1b[0m` : s);
  const out: string[] = [];
  const target =
    r.target.kind === 'working-tree' || r.target.kind === 'staged'
      ? `${r.target.label} vs ${shortSha(r.target.base)}`
      : `${r.target.label} (${shortSha(r.target.base)}..${shortSha(r.target.head)})`;
  const who = r.rulesOnly ? 'built-in rules only' : `${r.provider} ${r.model} + built-in rules`;
  out.push(c('bold', `Pullmint review of ${target}`) + c('dim', `  [${who}]`));
  const note = incompleteNote(r);
  // Said first, not only in the footer: a short score must not read as approval of unread code.
  if (note) out.push(c('warn', `${note}. This is not an approval${r.rulesOnly ? '' : '; the lines are listed under Coverage'}.`));
  out.push('');
  if (r.coverage.changedLines === 0 && r.coverage.skippedFiles.length === 0)
    out.push(c('dim', `  Nothing to review: ${r.target.label} has no changes.`));
  else if (r.findings.length === 0) out.push(c('ok', '  No findings.'));
  for (const f of r.findings) {
    const where = `${f.file}:${f.line}${f.endLine ? '-' + f.endLine : ''}`;
    const tag = f.origin === 'rule' ? c('dim', ` [rule ${f.rule}]`) : '';
    out.push(`  ${c(f.severity, f.severity.toUpperCase().padEnd(8))} ${where}  ${f.title}${tag}`);
    for (const line of f.message.split('\n')) out.push(`           ${c('dim', line)}`);
    if (f.suggestion) out.push(`           ${c('dim', 'suggestion: ' + f.suggestion.split('\n')[0])}`);
  }
  out.push('');
  if (r.summary && !r.rulesOnly) {
    out.push(c('bold', 'Summary'));
    out.push(...r.summary.split('\n').map((l) => `  ${l}`));
    out.push('');
  }
  const counts = severityCounts(r.findings);
  const countText =
    SEVERITIES.filter((s) => counts[s] > 0)
      .map((s) => `${counts[s]} ${s}`)
      .join(', ') || 'none';
  const decisionColor = r.decision === 'manual-review' ? 'high' : r.decision === 'incomplete' ? 'warn' : 'ok';
  out.push(`Risk score ${c('bold', String(r.riskScore))}/100 → ${c(decisionColor, r.decision)}${note ? c('warn', `  (${note})`) : ''}`);
  out.push(`Findings: ${countText}`);
  const cov = r.coverage;
  out.push(
    `Coverage: ${r.rulesOnly ? 'the model' : 'model'} reviewed ${fmt(cov.reviewedLines)} of ${fmt(cov.changedLines)} changed lines; rules checked every reviewable file`,
  );
  const unreviewed = r.rulesOnly ? [] : cov.unreviewed;
  if (unreviewed.length > 0) {
    out.push(c('warn', '  Not reviewed by the model:'));
    for (const u of unreviewed.slice(0, 20))
      out.push(
        `    ${u.file}:${u.startLine}${u.endLine === -1 ? '-end' : u.endLine !== u.startLine ? '-' + u.endLine : ''}${u.removed ? ' (removed lines, old numbering)' : ''} — ${u.reason}`,
      );
    if (unreviewed.length > 20) out.push(`    … and ${unreviewed.length - 20} more ranges (see --format json)`);
  }
  if (cov.skippedFiles.length > 0) {
    out.push(`Skipped ${cov.skippedFiles.length} file(s):`);
    for (const s of cov.skippedFiles.slice(0, 15)) out.push(`    ${s.file} (${s.reason})`);
    if (cov.skippedFiles.length > 15) out.push(`    … and ${cov.skippedFiles.length - 15} more`);
  }
  const st = r.stats;
  out.push(
    c(
      'dim',
      `${st.filesReviewed} file(s), ${st.chunks} chunk(s), ${st.llmCalls} model call(s), ${st.cacheHits} cached, ${fmt(st.promptTokens)}+${fmt(st.completionTokens)} tokens${st.costUsd !== undefined ? `, ~$${st.costUsd.toFixed(4)}` : ''}, ${fmt(st.durationMs)} ms · ${r.executionId}`,
    ),
  );
  if (r.warnings.length > 0) {
    out.push('');
    out.push(c('warn', `Warnings (${r.warnings.length}):`));
    for (const w of r.warnings.slice(0, 20)) out.push(`  - ${w}`);
    if (r.warnings.length > 20) out.push(`  … and ${r.warnings.length - 20} more`);
  }
  if (r.modelError) {
    out.push('');
    out.push(c('warn', `The LLM review did not run: ${r.modelError.message}`));
    if (style.endpointOrigin) out.push(c('dim', `  (${style.endpointOrigin})`));
    if (r.modelError.kind === 'unreachable' && r.provider === 'ollama') out.push(...enableLlmHelp(ollamaModel));
    else out.push(`Fix: ${r.modelError.fix}`);
  }
  return out.join('\n') + '\n';
}
