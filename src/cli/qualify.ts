import { resolve } from 'node:path';
import { ModelUnavailableError, qualifyModel } from '../app/qualify.js';
import type { ConfigLayer } from '../core/config/load.js';
import { PROVIDER_NAMES } from '../core/providers/registry.js';
import { CaseError, loadSuite } from '../core/qualify/cases.js';
import { THRESHOLDS, type CaseOutcome } from '../core/qualify/score.js';
import { qualifyText } from '../core/qualify/text.js';
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
    if (err instanceof CaseError) throw new UsageError(`qualify: ${err.message}`);
    if (controller.signal.aborted) {
      io.stderr.write('pullmint: qualification cancelled; nothing was stored\n');
      return EXIT.usage;
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    if (progress) io.stderr.write('\r\x1b[2K');
  }
  const { report, file } = run;
  io.stdout.write(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : qualifyText(report, file));
  return report.verdict === 'fit to gate' ? EXIT.ok : EXIT.gate;
}
