import { resolve } from 'node:path';
import { explainCi, openCiIssue, type CiTarget } from '../app/ciExplain.js';
import { toCiJson, toCiText } from '../core/ci/report.js';
import { ollamaHostFlag, parseFlags, UsageError, type ReviewArgs } from './args.js';
import { EXIT, VERSION } from './help.js';
import type { Io } from './io.js';
import { openCliSession } from './session.js';
import { PROVIDER_NAMES } from '../core/providers/registry.js';

export const CI_HELP = `Usage: pullmint ci explain [--pr N | --run ID | --log FILE] [--repo DIR] [--format text|json]
                           [--open-issue] [--provider ollama|anthropic|openai] [--model NAME] [--ollama-host URL]

Why did CI fail? Finds the failed jobs, cuts their logs to the failure, and asks the model.

  (none)        the latest failed GitHub Actions run of this branch's pull request, else of HEAD
  --pr N        the latest failed run of pull request N's head commit
  --run ID      the workflow run ID (the number in .../actions/runs/ID)
  --log FILE    any log file (Jenkins, a local test run): no code host, no token
  --open-issue  open one GitHub issue for the run with the explanation, or update the one opened before
  --format      text (default) or json (schemaVersion 1, see README)

The failed jobs' logs are downloaded, cleaned (ANSI codes, timestamps, runner markup), cut to the
error lines with their context, and sent to the configured model; secrets are redacted first when
the model is not on this machine.

Exit codes: 0 explained (or nothing failed), 2 usage, configuration or GitHub error, 3 the model
could not explain it (the failure lines are printed instead).
`;

/** `pullmint ci explain …` */
export async function ciCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    io.stdout.write(CI_HELP);
    return EXIT.ok;
  }
  if (sub !== 'explain') throw new UsageError(`ci: unknown command '${sub}' (try: pullmint ci explain)`);
  const { values } = parseFlags('ci explain', rest, {
    pr: { type: 'string' },
    run: { type: 'string' },
    log: { type: 'string' },
    repo: { type: 'string' },
    format: { type: 'string' },
    'open-issue': { type: 'boolean' },
    provider: { type: 'string' },
    model: { type: 'string' },
    'ollama-host': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(CI_HELP);
    return EXIT.ok;
  }
  const chosen = [values.pr, values.run, values.log].filter((v) => v !== undefined).length;
  if (chosen > 1) throw new UsageError('ci explain: choose one of --pr N, --run ID, --log FILE');
  const positive = (flag: string, v: string): number => {
    if (!/^\s*\d+\s*$/.test(v) || Number(v) <= 0) throw new UsageError(`ci explain: ${flag} takes a positive whole number, not '${v}'`);
    return Number(v);
  };
  let target: CiTarget;
  if (values.log !== undefined) {
    if (values.log === '') throw new UsageError('ci explain: --log takes a file');
    target = { kind: 'log', file: resolve(io.cwd, values.log) };
  } else if (values.run !== undefined) target = { kind: 'run', id: positive('--run', values.run) };
  else target = { kind: 'head', ...(values.pr !== undefined ? { number: positive('--pr', values.pr) } : {}) };
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`ci explain: --format must be text or json, not '${format}'`);
  const openIssue = values['open-issue'] ?? false;
  if (openIssue && target.kind === 'log') throw new UsageError('ci explain: --open-issue needs a run (--run ID or --pr N), not --log');
  if (values.provider !== undefined && !(PROVIDER_NAMES as string[]).includes(values.provider))
    throw new UsageError(`ci explain: --provider must be one of ${PROVIDER_NAMES.join(', ')}, not '${values.provider}'`);

  const flags: ReviewArgs = {
    target: { kind: 'working-tree' },
    repo: values.repo ?? '.',
    provider: values.provider as ReviewArgs['provider'],
    model: values.model,
    ollamaHost: values['ollama-host'] !== undefined ? ollamaHostFlag(values['ollama-host']) : undefined,
    rulesOnly: false,
    targetGiven: false,
    showDismissed: false,
    format: 'text',
    gate: false,
    allowIncomplete: false,
    noCache: false,
  };
  const session = await openCliSession(io, flags.repo, flags);
  const log = (m: string): void => void io.stderr.write(`pullmint: ${m}\n`);
  let host;
  if (target.kind !== 'log') {
    const connection = await session.codeHost({ userAgent: `pullmint/${VERSION}`, log });
    if (!connection.host) {
      log(`${connection.message}${connection.problem === 'no-remote' ? ' To explain a log file without GitHub: --log FILE.' : ''}`);
      return EXIT.usage;
    }
    host = connection.host;
  }
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new Error('cancelled'));
  process.once('SIGINT', onSigint);
  let outcome;
  try {
    outcome = await explainCi(session, {
      target,
      host,
      signal: controller.signal,
      onStep: io.stderr.isTTY ? (m) => log(`${m}…`) : undefined,
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  if (!outcome.result) {
    log(outcome.noFailure ?? 'nothing failed');
    if (format === 'json')
      io.stdout.write(
        JSON.stringify({ schemaVersion: 1, kind: 'ci-explanation', status: 'no-failure', message: outcome.noFailure }, null, 2) + '\n',
      );
    return EXIT.ok;
  }
  const result = outcome.result;
  io.stdout.write(
    format === 'json'
      ? JSON.stringify(toCiJson(result), null, 2) + '\n'
      : toCiText(result, { color: Boolean(io.stdout.isTTY) && !io.env.NO_COLOR }),
  );
  if (!result.explanation) {
    if (openIssue) log('no issue opened: the model gave no explanation to put in it');
    return EXIT.model;
  }
  if (openIssue && host) {
    const issue = await openCiIssue(session, host, result);
    log(`issue #${issue.number} ${issue.created ? 'opened' : 'updated'}: ${issue.url}`);
  }
  return EXIT.ok;
}
