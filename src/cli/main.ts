import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ReviewCache, defaultCacheDir } from '../core/cache.js';
import { loadConfig, normalizeOllamaHost } from '../core/config.js';
import { GitError, repoRoot } from '../core/diff/sources.js';
import { runReview, type ReviewEvent } from '../core/engine.js';
import { HistoryStore, defaultStateDir } from '../core/history.js';
import { createProvider } from '../core/providers/index.js';
import { toJsonReport } from '../core/report/json.js';
import { toSarif } from '../core/report/sarif.js';
import { toText } from '../core/report/text.js';
import { flagsToConfig, parseReviewArgs, UsageError, type ReviewArgs } from './args.js';
import { EXIT, HELP, VERSION } from './help.js';
import { hookCommand } from './hook.js';
import { postCommand } from './post.js';
import { deployCommand } from './deploy.js';
import { readAll, type Io } from './io.js';

export async function main(argv: string[], io: Io): Promise<number> {
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
  const root = await repoRoot(resolve(io.cwd, args.repo));
  const overrides = flagsToConfig(args);
  if (args.ollamaHost) overrides.ollama = { host: normalizeOllamaHost(args.ollamaHost) };
  const loaded = await loadConfig({ repoRoot: root, env: io.env, overrides });
  const config = loaded.config;
  if (args.model) (config[config.provider] as { model: string }).model = args.model;
  for (const w of loaded.warnings) io.stderr.write(`pullmint: warning: ${w}\n`);

  const provider = args.rulesOnly
    ? null
    : createProvider(config, { anthropicApiKey: io.env.ANTHROPIC_API_KEY, openaiApiKey: io.env.PULLMINT_OPENAI_API_KEY });
  const progress = makeProgress(io);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new Error('cancelled'));
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = await runReview({
      repoDir: root,
      target: args.target,
      config,
      provider,
      cache: new ReviewCache(defaultCacheDir(io.env)),
      stateDir: defaultStateDir(io.env),
      signal: controller.signal,
      onEvent: progress.onEvent,
      rulesOnlyReason: args.rulesOnly
        ? { kind: 'other', message: 'rules-only review requested (--rules-only)', fix: 'Drop --rules-only to include the model.' }
        : undefined,
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.done();
  }
  const rendered = render(result, args, io, config.ollama.model);
  if (args.output) await writeFile(resolve(io.cwd, args.output), rendered);
  else io.stdout.write(rendered);
  if (args.gate && result.decision === 'manual-review') return EXIT.gate;
  if (result.modelError && !args.rulesOnly) return EXIT.model;
  return EXIT.ok;
}

function render(result: Awaited<ReturnType<typeof runReview>>, args: ReviewArgs, io: Io, ollamaModel: string): string {
  switch (args.format) {
    case 'json':
      return JSON.stringify(toJsonReport(result), null, 2) + '\n';
    case 'sarif':
      return JSON.stringify(toSarif(result, VERSION), null, 2) + '\n';
    case 'text': {
      const color = !args.output && Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
      return toText(result, { color }, ollamaModel);
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
  const json = argv.includes('--json');
  const repoIdx = argv.indexOf('--repo');
  const root = await repoRoot(resolve(io.cwd, repoIdx >= 0 ? (argv[repoIdx + 1] ?? '.') : '.'));
  const records = await new HistoryStore(defaultStateDir(io.env), root).list(50);
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
