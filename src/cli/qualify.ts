import { resolve } from 'node:path';
import { ModelUnavailableError, qualifyModel } from '../app/qualify.js';
import type { ConfigLayer } from '../core/config/load.js';
import { PROVIDER_NAMES } from '../core/providers/registry.js';
import { CaseError, loadSuite } from '../core/qualify/cases.js';
import { FALSE_POSITIVE_SEVERITY, THRESHOLDS, type CaseOutcome } from '../core/qualify/score.js';
import type { QualifyReport } from '../core/qualify/store.js';
import { envSecrets } from '../core/secrets.js';
import { ollamaHostFlag, parseFlags, UsageError } from './args.js';
import { EXIT } from './help.js';
import type { Io } from './io.js';

export const QUALIFY_HELP = `Usage: pullmint qualify [--provider ollama|anthropic|openai] [--model NAME] [--ollama-host URL]
                        [--cases DIR]... [--format text|json] [--timeout SECONDS] [--no-store]

Runs the built-in suite of planted defects and clean changes, plus the cases under each --cases DIR,
through the real review pipeline (rules and the chosen model, no cache), and says whether the model
is fit to be a gate. The result is stored per model and shown by 'pullmint setup'.

Verdicts (exit code):
  fit to gate       (0) valid answers >= ${pct(THRESHOLDS.fitToGate.validity)}, recall >= ${pct(THRESHOLDS.fitToGate.recall)}, false positives <= ${pct(THRESHOLDS.fitToGate.falsePositiveRate)},
                        no answer or prompt cut off, every case reviewed completely
  use with a human  (1) valid answers >= ${pct(THRESHOLDS.withHuman.validity)}, recall >= ${pct(THRESHOLDS.withHuman.recall)}, false positives <= ${pct(THRESHOLDS.withHuman.falsePositiveRate)}
  not fit           (1) anything below
Exit code 2: bad input (a flag, a case folder) or a model that cannot be asked at all.
`;

function pct(r: number): string {
  return `${Math.round(r * 100)}%`;
}

const TIMEOUT_MAX = 86_400;

/** `pullmint qualify`: qualifies the configured (or given) model; 0 fit to gate, 1 otherwise, 2 bad input. */
export async function qualifyCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('qualify', argv, {
    provider: { type: 'string' },
    model: { type: 'string' },
    'ollama-host': { type: 'string' },
    cases: { type: 'string', multiple: true },
    format: { type: 'string' },
    timeout: { type: 'string' },
    'no-store': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(QUALIFY_HELP);
    return EXIT.ok;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`qualify: --format must be text or json, not '${format}'`);
  const layer: Record<string, unknown> = {};
  if (values.provider !== undefined) {
    if (!(PROVIDER_NAMES as string[]).includes(values.provider))
      throw new UsageError(`qualify: --provider must be one of ${PROVIDER_NAMES.join(', ')}, not '${values.provider}'`);
    layer.provider = values.provider;
  }
  if (values.model !== undefined) {
    if (values.model.trim() === '') throw new UsageError('qualify: --model needs a model name');
    layer.model = values.model;
  }
  if (values['ollama-host'] !== undefined) layer.ollama = { host: ollamaHostFlag(values['ollama-host']) };
  if (values.timeout !== undefined) {
    const n = Number(values.timeout);
    if (!/^\s*\d+\s*$/.test(values.timeout) || n < 1 || n > TIMEOUT_MAX)
      throw new UsageError(`qualify: --timeout takes a whole number of seconds, 1 to ${TIMEOUT_MAX}, not '${values.timeout}'`);
    layer.timeoutSeconds = n;
  }
  const overrides: ConfigLayer = { source: 'command line', values: layer };

  let cases;
  try {
    cases = await loadSuite((values.cases ?? []).map((d) => resolve(io.cwd, d)));
  } catch (err) {
    if (err instanceof CaseError) throw new UsageError(`qualify: ${err.message}`);
    throw err;
  }
  const progress = io.stderr.isTTY
    ? (p: { done: number; total: number; outcome: CaseOutcome }): void =>
        void io.stderr.write(`\r\x1b[2KQualifying: case ${p.done}/${p.total} (${p.outcome.id})…`)
    : undefined;
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new Error('cancelled'));
  process.once('SIGINT', onSigint);
  let run;
  try {
    run = await qualifyModel({
      env: io.env,
      secrets: envSecrets(io.env),
      overrides,
      cases,
      store: !values['no-store'],
      signal: controller.signal,
      onProgress: progress,
      onWarning: (m) => io.stderr.write(`pullmint: warning: ${m}\n`),
    });
  } catch (err) {
    if (err instanceof ModelUnavailableError) {
      io.stderr.write(`pullmint: the model could not be asked, so it was not qualified: ${err.info.message}\n${err.info.fix}\n`);
      return EXIT.usage;
    }
    if (err instanceof Error && err.message.startsWith('case ')) throw new UsageError(`qualify: ${err.message}`);
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    if (progress) io.stderr.write('\r\x1b[2K');
  }
  const { report, file } = run;
  io.stdout.write(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : qualifyText(report, file));
  return report.verdict === 'fit to gate' ? EXIT.ok : EXIT.gate;
}

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
    what = fps.length ? fps.map((f) => `${f.file}:${f.line} ${f.severity} "${f.title}"`).join(', ') : `${o.modelFindings} finding(s), none ${FALSE_POSITIVE_SEVERITY}+`;
  }
  const flags = [o.validity, o.truncated ? 'cut off' : '', o.complete ? '' : 'incomplete'].filter(Boolean).join(', ');
  const speed = o.tokensPerSecond !== null ? `, ${o.tokensPerSecond} tok/s` : '';
  return `  ${mark}  ${o.id.padEnd(36)} ${o.language.padEnd(11)} ${what}  [${flags}; ${secs(o.latencyMs)}${speed}]${o.error ? `\n          ${o.error}` : ''}\n`;
}

/** The text report: one line per case, the figures, the verdict with its reason. */
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
