import { teamDismissalsInWorktree } from '../core/dismissals/team.js';
import { insights, type OutcomeCounts } from '../core/insights.js';
import { parseFlags } from './args.js';
import { EXIT } from './help.js';
import type { Io } from './io.js';
import { openCliSession } from './session.js';

export const INSIGHTS_HELP = `Usage: pullmint insights [--repo DIR] [--json]

What became of past findings, from this machine's review history: fixed (a later review of the
file no longer reports it), dismissed, or still open; by category, severity, rule and model.
Nothing leaves the machine.
`;

export async function insightsCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('insights', argv, {
    repo: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(INSIGHTS_HELP);
    return EXIT.ok;
  }
  const session = await openCliSession(io, values.repo ?? '.');
  const [records, team, local] = await Promise.all([
    session.history().list(),
    teamDismissalsInWorktree(session.root),
    session.localDismissals().list(),
  ]);
  const result = insights(records, new Set([...team.entries, ...local.entries].map((e) => e.fingerprint)));
  if (values.json) {
    io.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return EXIT.ok;
  }
  if (result.findings === 0) {
    io.stdout.write(`No findings in this repository's history yet (${result.reviews} review(s)). Run \`pullmint review\`.\n`);
    return EXIT.ok;
  }
  io.stdout.write(`${result.findings} finding(s) across ${result.reviews} review(s) on this machine.\n\n`);
  for (const [title, group] of [
    ['Category', result.byCategory],
    ['Severity', result.bySeverity],
    ['Rule', result.byRule],
    ['Model', result.byModel],
  ] as const) {
    io.stdout.write(table(title, group));
    io.stdout.write('\n');
  }
  io.stdout.write(table('All', { all: result.totals }));
  return EXIT.ok;
}

function table(title: string, group: Record<string, OutcomeCounts>): string {
  const rows = Object.entries(group).sort((a, b) => b[1].total - a[1].total);
  const width = Math.max(title.length, ...rows.map(([k]) => k.length));
  const head = `${title.padEnd(width)}  ${'total'.padStart(5)}  ${'fixed'.padStart(5)}  ${'dismissed'.padStart(9)}  ${'open'.padStart(5)}  acted on\n`;
  return (
    head +
    rows
      .map(
        ([k, c]) =>
          `${k.padEnd(width)}  ${String(c.total).padStart(5)}  ${String(c.fixed).padStart(5)}  ${String(c.dismissed).padStart(9)}  ${String(c.open).padStart(5)}  ${actedOn(c)}\n`,
      )
      .join('')
  );
}

/** Fixed or dismissed: somebody looked and decided. Fixed alone is the signal that a finding was right. */
function actedOn(c: OutcomeCounts): string {
  return c.total === 0
    ? '-'
    : `${Math.round(((c.fixed + c.dismissed) / c.total) * 100)}% (${Math.round((c.fixed / c.total) * 100)}% fixed)`;
}
