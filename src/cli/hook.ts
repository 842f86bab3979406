import { resolve } from 'node:path';
import { reviewPush } from '../app/prePush.js';
import { EMPTY_TREE, repoRoot } from '../core/git/repo.js';
import type { ReviewResult } from '../core/types.js';
import { installHook, uninstallHook } from '../core/hooks.js';
import { incompleteNote, verdictText } from '../core/report/verdict.js';
import { parseFlags, UsageError } from './args.js';
import { commandHelp } from './commandHelp.js';
import { EXIT } from './help.js';
import type { Io } from './io.js';
import { openCliSession } from './session.js';

export async function hookCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'install' && sub !== 'uninstall' && sub !== 'run') throw new UsageError("hook takes 'install', 'uninstall' or 'run'");
  // Flags are checked before anything is written: `hook install --bogus` must not install a hook.
  // git calls the hook as `hook run REMOTE URL`.
  const { values, positionals } = parseFlags(
    `hook ${sub}`,
    rest,
    {
      repo: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...(sub === 'run' ? { strict: { type: 'boolean' as const } } : {}),
    },
    sub === 'run' ? 2 : 0,
  );
  if (values.help) {
    io.stdout.write(commandHelp('hook', [sub])!);
    return EXIT.ok;
  }
  const repo = await repoRoot(resolve(io.cwd, (values.repo as string | undefined) ?? '.'));
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
      return hookRun(repo, { remote: positionals[0] ?? 'origin', strict: values.strict === true }, io);
  }
}

/** Reads git's pre-push stdin, reviews exactly the commits being pushed, and blocks on manual-review. */
async function hookRun(repo: string, flags: { remote: string; strict: boolean }, io: Io): Promise<number> {
  if (io.env.PULLMINT_SKIP === '1') return EXIT.ok;
  const { remote } = flags;
  const strict = flags.strict || io.env.PULLMINT_STRICT === '1';
  const stdin = await io.readStdin();
  const session = await openCliSession(io, repo);
  const say = (s: string): boolean =>
    io.stderr.write(`${s}
`);
  const { results, worst, findings, incomplete, block } = await reviewPush(session, { remote, stdin, strict });
  if (!worst) return EXIT.ok;
  const targets = results.map((r) => r.target.label).join(', ');
  // An incomplete review prints no score on its own line: "risk 0/100" would read as approval.
  if (worst.decision === 'incomplete') say(`pullmint: ${incompleteNote(incomplete ?? worst)} for ${targets}`);
  else say(`pullmint: ${verdictText(worst)} for ${targets}`);
  for (const f of findings.slice(0, 5)) say(`  ${f.severity.toUpperCase().padEnd(8)} ${f.file}:${f.line}  ${f.title}`);
  if (findings.length > 5) say(`  … and ${findings.length - 5} more: ${reviewCommands(results).join(' ; ')}`);
  const reason = incomplete?.modelError?.message ?? incomplete?.coverage.unreviewed[0]?.reason;
  if (incomplete && !block)
    say(
      `pullmint: ${incomplete.rulesOnly ? 'NOT REVIEWED' : 'NOT FULLY REVIEWED'} by the model${reason ? ` (${reason})` : ''} — push allowed. Set PULLMINT_STRICT=1 to block instead.`,
    );
  if (block === 'manual-review') {
    say('pullmint: push blocked: this change needs a manual review.');
    say(`  See the whole review: ${reviewCommands(results.filter((r) => r.decision === 'manual-review')).join(' ; ')}`);
    say('  Fix the findings, or bypass once with `git push --no-verify` or `PULLMINT_SKIP=1 git push`.');
    return EXIT.gate;
  }
  if (block === 'strict') {
    say('pullmint: push blocked: strict mode needs the model review (PULLMINT_STRICT=1 / --strict).');
    return EXIT.model;
  }
  return EXIT.ok;
}

/** The command that shows a pushed range's review again (cached, so instant): the commits as git names them. */
export function reviewCommands(results: ReviewResult[]): string[] {
  const sha = (s: string): string => (s === EMPTY_TREE ? s : s.slice(0, 12));
  return [...new Set(results.map((r) => `pullmint review --range ${sha(r.target.base)}..${sha(r.target.head)}`))];
}
