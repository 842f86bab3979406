import { parseArgs } from 'node:util';
import { reviewAndPost } from '../app/changeRequest.js';
import { UsageError } from './args.js';
import { EXIT } from './help.js';
import type { Io } from './io.js';
import { openCliSession } from './session.js';

/** `pullmint post [--pr N] [--repo DIR] [--request-changes] [--status] [--max-inline N]` */
export async function postCommand(argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        pr: { type: 'string' },
        repo: { type: 'string' },
        'request-changes': { type: 'boolean' },
        status: { type: 'boolean' },
        'max-inline': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const number = values.pr !== undefined ? Number(values.pr) : undefined;
  if (number !== undefined && !(Number.isInteger(number) && number > 0))
    throw new UsageError(`--pr takes a pull request number, not '${values.pr}'`);
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
      io.stderr.write(`pullmint: reviewing PR #${t.pr.number} (${t.range.slice(0, 8)}..${t.pr.headSha.slice(0, 8)}) first\n`);
    },
  });
  if (!done) return EXIT.usage;
  const { target, result, outcome } = done;
  if (outcome.inlineError)
    io.stderr.write(`pullmint: warning: inline comments not posted, the summary lists their findings instead: ${outcome.inlineError}\n`);
  io.stdout.write(
    `Posted to ${target.pr.htmlUrl}: summary comment ${outcome.summaryUpdated ? 'updated' : 'created'}; ${outcome.inlinePosted} inline comment(s)` +
      `${outcome.alreadyPosted ? `, ${outcome.alreadyPosted} already on the PR` : ''}${outcome.inSummaryOnly ? `, ${outcome.inSummaryOnly} in the summary only` : ''}` +
      `${outcome.status ? `; status pullmint/risk ${outcome.status}` : ''}. Risk ${result.riskScore}/100 → ${result.decision}.\n`,
  );
  return EXIT.ok;
}
