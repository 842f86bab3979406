import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ReviewEvent } from '../core/engine.js';
import { GitError } from '../core/git/run.js';
import { HostError } from '../core/hosts/types.js';
import { toJsonReport } from '../core/report/json.js';
import { toSarif } from '../core/report/sarif.js';
import { toText } from '../core/report/text.js';
import type { ReviewResult } from '../core/types.js';
import { parseFlags, parseReviewArgs, UsageError, type ReviewArgs } from './args.js';
import { ciCommand } from './ci.js';
import { deployCommand } from './deploy.js';
import { originOf } from '../core/config/load.js';
import { LockUnavailableError } from '../core/exclusive.js';
import { passesGate } from '../core/report/verdict.js';
import { endpointSetting } from '../core/setup.js';
import { EXIT, HELP, VERSION } from './help.js';
import { hookCommand } from './hook.js';
import { ignoreClosedReader, readAll, routeConsoleToStderr, type Io } from './io.js';
import { postCommand } from './post.js';
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
    switch (command) {
      case 'review':
        return await review(rest, io);
      case 'history':
        return await history(rest, io);
      case 'hook':
        return await hookCommand(rest, io);
      case 'post':
        return await postCommand(rest, io);
      case 'deploy':
        return await deployCommand(rest, io);
      case 'ci':
        return await ciCommand(rest, io);
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
  if (err instanceof HostError || err instanceof LockUnavailableError) {
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
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  const args = parseReviewArgs(argv, io.cwd);
  const session = await openCliSession(io, args.repo, args);
  const progress = makeProgress(io);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new Error('cancelled'));
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = await session.review({
      target: args.target,
      signal: controller.signal,
      onEvent: progress.onEvent,
      rulesOnly: args.rulesOnly
        ? { kind: 'other', message: 'rules-only review requested (--rules-only)', fix: 'Drop --rules-only to include the model.' }
        : undefined,
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.done();
  }
  const endpoint = endpointSetting(session.config);
  const endpointOrigin = endpoint ? `${endpoint} set by ${originOf(session, endpoint)}` : undefined;
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
    case 'text': {
      const color = !args.output && Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
      return toText(result, { color, endpointOrigin }, ollamaModel);
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
    io.stdout.write(HELP);
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
  for (const r of records) {
    const score = r.riskScore !== undefined ? `${String(r.riskScore).padStart(3)} ${r.decision}` : '   -';
    const deploy = r.deployments?.length ? `  deploy: ${r.deployments[r.deployments.length - 1].state}` : '';
    io.stdout.write(
      `${r.createdAt}  ${r.status.padEnd(9)} ${score.padEnd(18)} ${r.target.label.padEnd(16)} ${r.provider}${r.model ? ' ' + r.model : ''}${r.rulesOnly ? ' (rules only)' : ''}  ${r.executionId}${deploy}\n`,
    );
  }
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
