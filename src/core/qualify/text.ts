import { FALSE_POSITIVE_SEVERITY, type CaseOutcome } from './score.js';
import type { QualifyReport } from './store.js';

const pct = (r: number): string => `${Math.round(r * 100)}%`;

const secs = (ms: number): string =>
  ms < 1000 ? `${Math.round(ms)} ms` : ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;

function caseLine(o: CaseOutcome): string {
  let mark: string;
  let what: string;
  if (o.kind === 'defect') {
    mark = o.found ? 'found ' : 'missed';
    what = o.found
      ? `${o.match!.file}:${o.match!.line} ${o.match!.severity}`
      : o.match
        ? `nearest: ${o.match.file}:${o.match.line} ${o.match.severity} (wanted ${o.expected!.file}:${o.expected!.line} ${o.expected!.minSeverity}+)`
        : `wanted ${o.expected!.file}:${o.expected!.line} ${o.expected!.minSeverity}+`;
  } else {
    const fps = o.falsePositives ?? [];
    mark = fps.length ? 'noisy ' : 'clean ';
    what = fps.length
      ? fps.map((f) => `${f.file}:${f.line} ${f.severity} "${f.title}"`).join(', ')
      : `${o.modelFindings} finding(s), none ${FALSE_POSITIVE_SEVERITY}+`;
  }
  const flags = [o.validity, o.truncated ? 'cut off' : '', o.complete ? '' : 'incomplete'].filter(Boolean).join(', ');
  const speed = o.tokensPerSecond !== null ? `, ${o.tokensPerSecond} tok/s` : '';
  return `  ${mark}  ${o.id.padEnd(36)} ${o.language.padEnd(11)} ${what}  [${flags}; ${secs(o.latencyMs)}${speed}]${o.error ? `\n          ${o.error}` : ''}\n`;
}

/** The text report (`pullmint qualify`, the editor's log): one line per case, the figures, the verdict with its reason. */
export function qualifyText(r: QualifyReport, file?: string): string {
  const m = r.metrics;
  const out: string[] = [];
  out.push(
    `Qualification of ${r.provider} ${r.model}: ${m.cases} case(s) (${m.recall.planted} planted defects, ${m.falsePositives.clean} clean changes; ${r.suite.builtIn} built-in, ${r.suite.user} yours)\n\n`,
  );
  for (const o of r.cases) out.push(caseLine(o));
  out.push('\n');
  out.push(
    `Answers:         ${m.answers}: ${m.validity.valid} valid as is, ${m.validity.repaired} after repair, ${m.validity.unusable} unusable (valid ${pct(m.validity.rate)})\n`,
  );
  out.push(`Recall:          ${m.recall.found} of ${m.recall.planted} planted defects (${pct(m.recall.rate)})\n`);
  out.push(
    `False positives: ${m.falsePositives.flagged} of ${m.falsePositives.clean} clean changes flagged ${FALSE_POSITIVE_SEVERITY} or above (${pct(m.falsePositives.rate)})\n`,
  );
  out.push(`Truncation:      ${m.truncated} case(s) cut off; ${m.incomplete} case(s) not reviewed completely\n`);
  out.push(
    `Speed:           ${m.tokensPerSecond !== null ? `${m.tokensPerSecond} tokens/s` : 'no answer'}; latency median ${secs(m.latencyMs.median)}, max ${secs(m.latencyMs.max)}\n`,
  );
  out.push(`\nVerdict: ${r.verdict} — ${r.reason}\n`);
  if (file) out.push(`Stored: ${file}\n`);
  return out.join('');
}
