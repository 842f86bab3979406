import { resolve } from 'node:path';
import { ReviewCache, defaultCacheDir } from '../core/cache.js';
import { loadConfig } from '../core/config.js';
import { EMPTY_TREE, repoRoot } from '../core/diff/sources.js';
import { runReview } from '../core/engine.js';
import { severityRank } from '../core/findings.js';
import { defaultStateDir } from '../core/history.js';
import { installHook, newBranchBase, parsePushLines, uninstallHook } from '../core/hooks.js';
import { createProvider } from '../core/providers/index.js';
import type { Decision, Finding, ReviewResult } from '../core/types.js';
import { UsageError } from './args.js';
import { EXIT } from './help.js';
import type { Io } from './io.js';

const DECISION_RANK: Record<Decision, number> = { 'auto-approve': 0, 'auto-deploy': 1, 'manual-review': 2 };

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export async function hookCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const repo = await repoRoot(resolve(io.cwd, flag(rest, '--repo') ?? '.'));
  switch (sub) {
    case 'install': {
      const cli = resolve(process.argv[1] ?? 'dist/cli.js');
      const r = await installHook(repo, { node: process.execPath, cli });
      io.stdout.write(
        `${r.updated ? 'Updated' : 'Installed'} the pre-push hook at ${r.path}${r.chained ? ' (your existing hook runs first and can still block the push)' : ''}.\n`,
      );
      io.stdout.write('Bypass once with `git push --no-verify` or `PULLMINT_SKIP=1 git push`.\n');
      return EXIT.ok;
    }
    case 'uninstall': {
      const r = await uninstallHook(repo);
      io.stdout.write(
        r.removed
          ? `Removed the pre-push hook${r.restored ? ' and restored your previous one' : ''} (${r.path}).\n`
          : `No Pullmint pre-push hook at ${r.path}.\n`,
      );
      return EXIT.ok;
    }
    case 'run':
      return hookRun(repo, rest, io);
    default:
      throw new UsageError("hook takes 'install', 'uninstall' or 'run'");
  }
}

/** Reads git's pre-push stdin, reviews exactly the commits being pushed, and blocks on manual-review. */
async function hookRun(repo: string, argv: string[], io: Io): Promise<number> {
  if (io.env.PULLMINT_SKIP === '1') return EXIT.ok;
  const remote = argv.find((a) => !a.startsWith('-')) ?? 'origin';
  const strict = argv.includes('--strict') || io.env.PULLMINT_STRICT === '1';
  const updates = parsePushLines(await io.readStdin());
  const loaded = await loadConfig({ repoRoot: repo, env: io.env });
  const provider = createProvider(loaded.config, {
    anthropicApiKey: io.env.ANTHROPIC_API_KEY,
    openaiApiKey: io.env.PULLMINT_OPENAI_API_KEY,
  });
  const say = (s: string): boolean => io.stderr.write(`${s}\n`);
  const results: ReviewResult[] = [];
  for (const u of updates) {
    if (u.kind === 'delete') continue;
    const from = u.kind === 'update' ? u.from : ((await newBranchBase(repo, remote, u.to)) ?? EMPTY_TREE);
    const range = `${from}..${u.to}`;
    try {
      results.push(
        await runReview({
          repoDir: repo,
          target: { kind: 'range', range },
          config: loaded.config,
          provider,
          cache: new ReviewCache(defaultCacheDir(io.env)),
          stateDir: defaultStateDir(io.env),
        }),
      );
    } catch (err) {
      // The remote's sha may be unknown here (someone else pushed): review against the fork point instead.
      const base = await newBranchBase(repo, remote, u.to);
      if (u.kind !== 'update' || !base) throw err;
      results.push(
        await runReview({
          repoDir: repo,
          target: { kind: 'range', range: `${base}..${u.to}` },
          config: loaded.config,
          provider,
          cache: new ReviewCache(defaultCacheDir(io.env)),
          stateDir: defaultStateDir(io.env),
        }),
      );
    }
  }
  if (results.length === 0) return EXIT.ok;
  const worst = results.reduce((a, b) =>
    DECISION_RANK[b.decision] > DECISION_RANK[a.decision] || (b.decision === a.decision && b.riskScore > a.riskScore) ? b : a,
  );
  const findings: Finding[] = results.flatMap((r) => r.findings).sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  const modelFailed = results.find((r) => r.modelError);
  say(
    `pullmint: risk ${worst.riskScore}/100 → ${worst.decision}${worst.rulesOnly ? ' (rules only)' : ''} for ${results.map((r) => r.target.label).join(', ')}`,
  );
  for (const f of findings.slice(0, 5)) say(`  ${f.severity.toUpperCase().padEnd(8)} ${f.file}:${f.line}  ${f.title}`);
  if (findings.length > 5) say(`  … and ${findings.length - 5} more (pullmint review --range <sha>..<sha>)`);
  if (modelFailed?.modelError)
    say(`pullmint: warning: the model review did not run (${modelFailed.modelError.message}); only the rules checked this push.`);
  if (worst.decision === 'manual-review') {
    say('pullmint: push blocked: this change needs a manual review.');
    say('  Fix the findings, or bypass once with `git push --no-verify` or `PULLMINT_SKIP=1 git push`.');
    return EXIT.gate;
  }
  if (modelFailed && strict) {
    say('pullmint: push blocked: strict mode needs the model review (PULLMINT_STRICT=1 / --strict).');
    return EXIT.model;
  }
  return EXIT.ok;
}
