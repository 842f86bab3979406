import { dismissFinding, DismissError, undismissFinding } from '../app/dismiss.js';
import { teamDismissalsInWorktree } from '../core/dismissals/team.js';
import { parseFlags, UsageError } from './args.js';
import { EXIT } from './help.js';
import type { Io } from './io.js';
import { openCliSession } from './session.js';

export const DISMISS_HELP = `Usage: pullmint dismiss ID --reason TEXT [--team] [--repo DIR]

Dismisses the finding with this id (shown as "id …" under each finding, "id" in --format json).
  --team     write it to .pullmint/dismissed.json, for everybody once committed; reviews of
             commits read that file from their base, so a change cannot dismiss its own findings
  (default)  remember it for your own reviews of uncommitted work on this machine
Undo with: pullmint undismiss ID [--team]
`;

export const DISMISSED_HELP = `Usage: pullmint dismissed [--repo DIR] [--json]

Lists the team's dismissals (.pullmint/dismissed.json in the working tree) and your own.
`;

export const UNDISMISS_HELP = `Usage: pullmint undismiss ID [--team] [--repo DIR]

Brings a dismissed finding back: from .pullmint/dismissed.json with --team, else from your own list.
`;

export async function dismissCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(
    'dismiss',
    argv,
    { reason: { type: 'string' }, team: { type: 'boolean' }, repo: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    1,
  );
  if (values.help) return help(io, DISMISS_HELP);
  if (!positionals[0]) throw new UsageError('dismiss: which finding? Give its id: pullmint dismiss ID --reason "…"');
  if (values.reason === undefined) throw new UsageError('dismiss: --reason "…" is required: say why the finding does not apply');
  const session = await openCliSession(io, values.repo ?? '.');
  try {
    const { entry, where } = await dismissFinding(session, {
      fingerprint: positionals[0],
      reason: values.reason,
      team: values.team ?? false,
    });
    io.stdout.write(`Dismissed ${entry.fingerprint} (${entry.file}: ${entry.title}) in ${where}.\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof DismissError) throw new UsageError(`dismiss: ${err.message}`);
    throw err;
  }
}

export async function undismissCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(
    'undismiss',
    argv,
    { team: { type: 'boolean' }, repo: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    1,
  );
  if (values.help) return help(io, UNDISMISS_HELP);
  if (!positionals[0]) throw new UsageError('undismiss: which finding? Give its id: pullmint undismiss ID [--team]');
  const session = await openCliSession(io, values.repo ?? '.');
  const team = values.team ?? false;
  if (!(await undismissFinding(session, positionals[0], team))) {
    io.stderr.write(
      `pullmint: ${positionals[0]} is not in ${team ? '.pullmint/dismissed.json' : 'your own dismissals'}; nothing changed.\n`,
    );
    return EXIT.usage;
  }
  io.stdout.write(`${positionals[0]} is no longer dismissed${team ? ' for the team (commit .pullmint/dismissed.json)' : ''}.\n`);
  return EXIT.ok;
}

export async function dismissedCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('dismissed', argv, {
    repo: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return help(io, DISMISSED_HELP);
  const session = await openCliSession(io, values.repo ?? '.');
  const [team, local] = await Promise.all([teamDismissalsInWorktree(session.root), session.localDismissals().list()]);
  for (const p of [...team.problems, ...local.problems]) io.stderr.write(`pullmint: warning: ${p}\n`);
  if (values.json) {
    io.stdout.write(JSON.stringify({ schemaVersion: 1, team: team.entries, local: local.entries }, null, 2) + '\n');
    return EXIT.ok;
  }
  if (team.entries.length + local.entries.length === 0) {
    io.stdout.write('No dismissed findings. Dismiss one with: pullmint dismiss ID --reason "…" [--team]\n');
    return EXIT.ok;
  }
  for (const [label, list] of [
    ['Team (.pullmint/dismissed.json)', team.entries],
    ['Yours (this machine)', local.entries],
  ] as const) {
    if (list.length === 0) continue;
    io.stdout.write(`${label}:\n`);
    for (const e of list) io.stdout.write(`  ${e.fingerprint}  ${e.file}: ${e.title}\n      ${e.date} ${e.author}: ${e.reason}\n`);
  }
  return EXIT.ok;
}

function help(io: Io, text: string): number {
  io.stdout.write(text);
  return EXIT.ok;
}
