import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ReviewEvent } from '../core/engine.js';
import { GitError } from '../core/git/run.js';
import { PlanError } from '../core/iac/planError.js';
import { HostError } from '../core/hosts/types.js';
import { toCodeQuality } from '../core/report/codequality.js';
import { toJsonReport } from '../core/report/json.js';
import { toSarif } from '../core/report/sarif.js';
import { toText } from '../core/report/text.js';
import type { ReviewResult } from '../core/types.js';
import { asksForHelp, parseFlags, parseReviewArgs, UsageError, type ReviewArgs } from './args.js';
import { defaultTarget } from './defaultTarget.js';
import { endpointSetting, originOf } from '../core/config/load.js';
import { DismissalFileError } from '../core/dismissals/team.js';
import { LockUnavailableError } from '../core/exclusive.js';
import { passesGate } from '../core/report/verdict.js';
import { EXIT, HELP, VERSION } from './help.js';
import { historyTable } from './historyTable.js';
import { ignoreClosedReader, readAll, routeConsoleToStderr, type Io } from './io.js';
import { openCliSession } from './session.js';

export async function main(argv: string[], io: Io): Promise<number> {
  const restoreConsole = routeConsoleToStderr(io.stderr);
  try {
    return await run(argv, io);
  } finally {
    restoreConsole();
  }
}

async function run(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // A command's help is answered before the command parses or touches anything.
    const page =
      command === 'help'
        ? (await import('./commandHelp.js')).commandHelp(rest[0] ?? '', rest.slice(1))
        : command && asksForHelp(rest)
          ? (await import('./commandHelp.js')).commandHelp(command, rest)
          : undefined;
    if (page) {
      io.stdout.write(page);
      return EXIT.ok;
    }
    switch (command) {
      case 'review':
        return await review(rest, io);
      case 'history':
        return await history(rest, io);
      // Each command's code is read when it runs: a review does not pay for deploys, posts or qualification.
      case 'hook':
        return await (await import('./hook.js')).hookCommand(rest, io);
      case 'post':
        return await (await import('./post.js')).postCommand(rest, io);
      case 'deploy':
        return await (await import('./deploy.js')).deployCommand(rest, io);
      case 'dismiss':
        return await (await import('./dismiss.js')).dismissCommand(rest, io);
      case 'undismiss':
        return await (await import('./dismiss.js')).undismissCommand(rest, io);
      case 'dismissed':
        return await (await import('./dismiss.js')).dismissedCommand(rest, io);
      case 'insights':
        return await (await import('./insights.js')).insightsCommand(rest, io);
      case 'qualify':
        return await (await import('./qualify.js')).qualifyCommand(rest, io);
      case 'setup':
        return await (await import('./setup.js')).setupCommand(rest, io);
      case 'ci':
        return await (await import('./ci.js')).ciCommand(rest, io);
      case '--version':
      case '-v':
      case 'version':
        io.stdout.write(`${VERSION}\n`);
        return EXIT.ok;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(HELP);
        return EXIT.ok;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: Io): number {
  if (err instanceof UsageError) {
    io.stderr.write(`pullmint: ${err.message}\nRun 'pullmint help' for usage.\n`);
    return EXIT.usage;
  }
  if (err instanceof HostError || err instanceof LockUnavailableError || err instanceof DismissalFileError || err instanceof PlanError) {
    io.stderr.write(`pullmint: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof GitError) {
    io.stderr.write(`pullmint: ${err.message}\n${err.hint ? err.hint + '\n' : ''}`);
    return EXIT.usage;
  }
  const e = err as Error;
  io.stderr.write(`pullmint: unexpected error: ${e?.stack ?? String(err)}\n`);
  return EXIT.usage;
}

async function review(argv: string[], io: Io): Promise<number> {
  const args = parseReviewArgs(argv, io.cwd);
  // A plan that cannot be read is said before anything else runs.
  const plan =
    args.terraformPlan !== undefined
      ? await (await import('../core/iac/plan.js')).loadTerraformPlan(args.terraformPlan, io.cwd)
      : undefined;
  const session = await openCliSession(io, args.repo, args);
  if (!args.targetGiven && !plan) {
    const chosen = await defaultTarget(session.root);
    args.target = chosen.target;
    if (chosen.note) io.stderr.write(`pullmint: ${chosen.note}\n`);
  }
  const progress = makeProgress(io);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new Error('cancelled'));
  process.once('SIGINT', onSigint);
  let result;
  try {
    result =
      plan && !args.targetGiven
        ? await session.reviewPlan(plan, io.cwd)
        : await session.review({
            target: args.target,
            signal: controller.signal,
            onEvent: progress.onEvent,
            rulesOnly: args.rulesOnly
              ? // Asked for, so nothing to fix: the text report prints no "Fix:" line for an empty fix.
                { kind: 'other', message: 'skipped as asked (--rules-only); only the built-in rules ran', fix: '' }
              : undefined,
            terraformPlan: plan,
            cwd: io.cwd,
          });
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.done();
  }
  const endpoint = endpointSetting(session.config);
  const origin = endpoint ? originOf(session, endpoint) : 'default';
  // Where an endpoint came from helps only when someone set it and the model was asked for.
  const endpointOrigin = endpoint && origin !== 'default' && !args.rulesOnly ? `${endpoint} set by ${origin}` : undefined;
  const rendered = render(result, args, io, session.config.ollama.model, endpointOrigin);
  if (args.output) {
    const file = resolve(io.cwd, args.output);
    try {
      await writeFile(file, rendered);
    } catch (err) {
      // The review itself is done and recorded: say where it is rather than lose it.
      io.stderr.write(
        `pullmint: could not write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. The review is recorded: pullmint history lists it as ${result.executionId}.\n`,
      );
      return EXIT.usage;
    }
  } else io.stdout.write(rendered);
  if (args.output) io.stderr.write(`pullmint: wrote the ${args.format} report to ${resolve(io.cwd, args.output)}\n`);
  // The text report says why the model did not run; other formats and files need a word on stderr,
  // or exit code 3 comes with no reason.
  if (result.modelError && !args.rulesOnly && (args.format !== 'text' || args.output))
    io.stderr.write(
      `pullmint: the model did not review this change: ${result.modelError.message}${result.modelError.fix ? `. ${result.modelError.fix}` : ''}\n`,
    );
  if (args.gate && !passesGate(result.decision, { allowIncomplete: args.allowIncomplete })) return EXIT.gate;
  // Accepting an incomplete review is accepting that the model may be down.
  if (result.modelError && !args.rulesOnly && !args.allowIncomplete) return EXIT.model;
  return EXIT.ok;
}

function render(result: ReviewResult, args: ReviewArgs, io: Io, ollamaModel: string, endpointOrigin?: string): string {
  switch (args.format) {
    case 'json':
      return JSON.stringify(toJsonReport(result), null, 2) + '\n';
    case 'sarif':
      return JSON.stringify(toSarif(result, VERSION), null, 2) + '\n';
    case 'codequality':
      return JSON.stringify(toCodeQuality(result), null, 2) + '\n';
    case 'text': {
      const color = !args.output && Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
      return toText(result, { color, endpointOrigin, showDismissed: args.showDismissed }, ollamaModel);
    }
  }
}

/** One updating line on stderr when it is a terminal; silence otherwise (CI logs, pipes). */
function makeProgress(io: Io): { onEvent: (e: ReviewEvent) => void; done: () => void } {
  if (!io.stderr.isTTY) return { onEvent: () => undefined, done: () => undefined };
  let shown = false;
  const show = (text: string): void => {
    io.stderr.write(`\r\x1b[2K${text}`);
    shown = true;
  };
  return {
    onEvent: (e) => {
      if (e.type === 'started') show(`Reviewing ${e.files} file(s), ${e.changedLines} changed lines in ${e.chunks} chunk(s)…`);
      else if (e.type === 'progress') show(`Reviewed chunk ${e.done}/${e.total}…`);
    },
    done: () => {
      if (shown) io.stderr.write('\r\x1b[2K');
    },
  };
}

async function history(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('history', argv, {
    repo: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write((await import('./commandHelp.js')).commandHelp('history')!);
    return EXIT.ok;
  }
  const json = values.json ?? false;
  const session = await openCliSession(io, values.repo ?? '.');
  const records = await session.history().list(50);
  if (json) {
    io.stdout.write(JSON.stringify(records, null, 2) + '\n');
    return EXIT.ok;
  }
  if (records.length === 0) {
    io.stdout.write('No reviews recorded for this repository yet. Run `pullmint review`.\n');
    return EXIT.ok;
  }
  io.stdout.write(historyTable(records));
  return EXIT.ok;
}

if (require.main === module) {
  ignoreClosedReader(process.stdout);
  ignoreClosedReader(process.stderr);
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    readStdin: () => readAll(process.stdin),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`pullmint: ${err?.stack ?? err}\n`);
      process.exitCode = 2;
    },
  );
}
