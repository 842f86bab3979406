import { parseArgs } from 'node:util';
import { changeRequestLabel, reviewAndPost } from '../app/changeRequest.js';
import { UsageError } from './args.js';
import { EXIT } from './help.js';
import type { Io } from './io.js';
import { openCliSession } from './session.js';

/** `pullmint post [--pr N | --mr N] [--repo DIR] [--request-changes] [--status] [--max-inline N]` */
export async function postCommand(argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        pr: { type: 'string' },
        mr: { type: 'string' },
        repo: { type: 'string' },
        'request-changes': { type: 'boolean' },
        status: { type: 'boolean' },
        'max-inline': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.pr !== undefined && values.mr !== undefined && values.pr !== values.mr)
    throw new UsageError(`--pr ${values.pr} and --mr ${values.mr} name different change requests: give one`);
  const given = values.mr ?? values.pr;
  const flag = values.mr !== undefined ? '--mr' : '--pr';
  const number = given !== undefined ? Number(given) : undefined;
  if (number !== undefined && !(/^\s*\d+\s*$/.test(given!) && Number.isInteger(number) && number > 0))
    throw new UsageError(`${flag} takes a ${flag === '--mr' ? 'merge' : 'pull'} request number, not '${given}'`);
  const maxInline = values['max-inline'] !== undefined ? Number(values['max-inline']) : 30;
  if (!Number.isInteger(maxInline) || maxInline < 0)
    throw new UsageError(`--max-inline takes a whole number, not '${values['max-inline']}'`);
  const session = await openCliSession(io, values.repo ?? '.');
  const connection = await session.codeHost({ log: (m) => io.stderr.write(`pullmint: ${m}\n`) });
  if (!connection.host) {
    io.stderr.write(`pullmint: ${connection.message}\n`);
    return EXIT.usage;
  }
  const done = await reviewAndPost(session, {
    host: connection.host,
    number,
    post: { maxInline, requestChanges: values['request-changes'] ?? false, commitStatus: values.status ?? false },
    onFound: (t) => void (t.localHeadNote && io.stderr.write(`pullmint: ${t.localHeadNote}\n`)),
    onReviewing: (t) => {
      io.stderr.write(`pullmint: reviewing ${changeRequestLabel(t.pr)} (${t.range.slice(0, 8)}..${t.pr.headSha.slice(0, 8)}) first\n`);
    },
  });
  if (!done) return EXIT.usage;
  const { target, result, outcome } = done;
  if (outcome.inlineError)
    io.stderr.write(`pullmint: warning: inline comments not posted, the summary lists their findings instead: ${outcome.inlineError}\n`);
  const gitlab = target.pr.kind === 'merge-request';
  io.stdout.write(
    `Posted to ${target.pr.htmlUrl}: summary ${gitlab ? 'note' : 'comment'} ${outcome.summaryUpdated ? 'updated' : 'created'}; ${outcome.inlinePosted} inline ${gitlab ? 'discussion' : 'comment'}(s)` +
      `${outcome.alreadyPosted ? `, ${outcome.alreadyPosted} already on the ${gitlab ? 'MR' : 'PR'}` : ''}${outcome.inSummaryOnly ? `, ${outcome.inSummaryOnly} in the summary only` : ''}` +
      `${outcome.status ? `; status pullmint/risk ${gitlab && outcome.status === 'failure' ? 'failed' : outcome.status}` : ''}. Risk ${result.riskScore}/100 → ${result.decision}.\n`,
  );
  return EXIT.ok;
}
