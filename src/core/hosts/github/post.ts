import type { FileDiff } from '../../diff/model.js';
import { incompleteNote, passesGate } from '../../report/verdict.js';
import { severityCounts } from '../../risk.js';
import { SEVERITIES, type Finding, type ReviewResult } from '../../types.js';
import { explainGitHubError, type GitHubClient } from './client.js';
import type { ChangeRequest as PullRequestInfo, PostOptions, PostOutcome } from '../types.js';
import { DEFAULT_POST_OPTIONS } from '../types.js';
import { blobUrl } from './remote.js';

export const SUMMARY_MARKER = '<!-- pullmint:summary -->';
const FINDING_MARKER = /<!-- pullmint:finding:([0-9a-f]{8,64}) -->/;

/** Lines GitHub accepts a comment on (RIGHT side): every new-file line inside a hunk, per file. */
export function commentableLines(files: FileDiff[]): Map<string, { start: number; end: number }[]> {
  const out = new Map<string, { start: number; end: number }[]>();
  for (const f of files) {
    if (f.status === 'deleted' || f.binary) continue;
    const ranges = f.hunks.filter((h) => h.newLines > 0).map((h) => ({ start: h.newStart, end: h.newStart + h.newLines - 1 }));
    if (ranges.length) out.set(f.path, ranges);
  }
  return out;
}

/** A finding can be anchored when its first and last lines lie in one hunk of the PR's diff. */
export function anchorable(f: Finding, lines: Map<string, { start: number; end: number }[]>): boolean {
  const end = f.endLine ?? f.line;
  return (lines.get(f.file) ?? []).some((r) => f.line >= r.start && end <= r.end);
}

function inlineBody(f: Finding): string {
  const parts = [`**${f.severity.toUpperCase()} · ${f.title}**${f.rule ? ` \`${f.rule}\`` : ''}`, '', f.message];
  if (f.suggestion !== undefined) parts.push('', '```suggestion', f.suggestion, '```');
  parts.push('', `<!-- pullmint:finding:${f.id} -->`);
  return parts.join('\n');
}

/** The summary comment: score, decision, severity table, findings with links, coverage, who reviewed. */
export function summaryBody(r: ReviewResult, pr: PullRequestInfo, summaryOnly: Finding[], inlineCount: number): string {
  const counts = severityCounts(r.findings);
  const icon = { 'manual-review': '🔴', incomplete: '🟠', 'auto-deploy': '🟡', 'auto-approve': '🟢' }[r.decision] ?? '⚪';
  const note = incompleteNote(r);
  const lines = [
    SUMMARY_MARKER,
    `## ${icon} Pullmint: risk ${r.riskScore}/100 → \`${r.decision}\`${r.rulesOnly ? ' (rules only)' : ''}`,
    '',
    ...(note ? [`> [!WARNING]`, `> **${note}.** This is not an approval: the lines the model did not read are listed below.`, ''] : []),
    '| critical | high | medium | low | info |',
    '|---:|---:|---:|---:|---:|',
    `| ${SEVERITIES.map((s) => counts[s]).join(' | ')} |`,
    '',
  ];
  if (r.summary && !r.rulesOnly) lines.push(r.summary.replace(/<!--/g, '&lt;!--'), '');
  if (inlineCount > 0) lines.push(`${inlineCount} finding(s) are posted as inline comments on the diff.`, '');
  if (summaryOnly.length > 0) {
    lines.push('### Findings', '');
    for (const f of summaryOnly) {
      lines.push(
        `- **${f.severity}** [\`${f.file}:${f.line}\`](${blobUrl(pr.base, pr.headSha, f.file, f.line)}) ${f.title}${f.rule ? ` (\`${f.rule}\`)` : ''} — ${f.message.split('\n')[0]}`,
      );
    }
    lines.push('');
  }
  const cov = r.coverage;
  lines.push(
    `**Coverage:** reviewed ${cov.reviewedLines.toLocaleString('en-US')} of ${cov.changedLines.toLocaleString('en-US')} changed lines${r.rulesOnly ? ' by the model (the built-in rules checked every reviewable file)' : ''}.`,
  );
  if (cov.skippedFiles.length)
    lines.push(
      `Skipped: ${cov.skippedFiles
        .slice(0, 20)
        .map((s) => `\`${s.file}\` (${s.reason})`)
        .join(', ')}${cov.skippedFiles.length > 20 ? ', …' : ''}.`,
    );
  if (cov.unreviewed.length && !r.rulesOnly)
    lines.push(
      `Not reviewed by the model: ${cov.unreviewed
        .slice(0, 10)
        .map((u) => `\`${u.file}:${u.startLine}${u.endLine === -1 ? '-end' : u.endLine !== u.startLine ? '-' + u.endLine : ''}\``)
        .join(', ')}${cov.unreviewed.length > 10 ? ', …' : ''} (${cov.unreviewed[0].reason}).`,
    );
  lines.push(
    '',
    `<sub>${r.rulesOnly ? 'built-in rules' : `${r.provider} \`${r.model}\``} · head \`${pr.headSha.slice(0, 8)}\` · execution \`${r.executionId}\`</sub>`,
  );
  return lines.join('\n');
}

/**
 * Posts a review to the PR: one summary comment (edited on re-post, never duplicated), inline
 * comments in one review for findings inside the diff (validated here, so GitHub has nothing to
 * reject), each once per PR, and optionally the commit status. Writes are serial.
 */
export async function postReview(
  client: GitHubClient,
  pr: PullRequestInfo,
  result: ReviewResult,
  prDiff: FileDiff[],
  options: PostOptions = DEFAULT_POST_OPTIONS,
): Promise<PostOutcome> {
  const { owner, repo } = pr.base;
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw explainGitHubError(err, what);
    }
  };
  const me = await call('read the signed-in user', async () => (await client.users.getAuthenticated()).data.login);
  const existingReviewComments = await call('list review comments', () =>
    client.paginate(client.pulls.listReviewComments, { owner, repo, pull_number: pr.number, per_page: 100 }),
  );
  const posted = new Set(existingReviewComments.map((c) => FINDING_MARKER.exec(c.body ?? '')?.[1]).filter((x): x is string => Boolean(x)));

  const lines = commentableLines(prDiff);
  const fresh = result.findings.filter((f) => !posted.has(f.id));
  const inDiff = fresh.filter((f) => anchorable(f, lines));
  const inline = inDiff.slice(0, options.maxInline);
  const inlineIds = new Set(inline.map((f) => f.id));
  const summaryOnly = result.findings.filter((f) => !inlineIds.has(f.id) && !posted.has(f.id));

  const body = summaryBody(result, pr, summaryOnly, inline.length + result.findings.filter((f) => posted.has(f.id)).length);
  const comments = await call('list PR comments', () =>
    client.paginate(client.issues.listComments, { owner, repo, issue_number: pr.number, per_page: 100 }),
  );
  const mine = comments.find((c) => c.user?.login === me && (c.body ?? '').includes(SUMMARY_MARKER));
  let summaryCommentId: number;
  if (mine) {
    await call('update the summary comment', () => client.issues.updateComment({ owner, repo, comment_id: mine.id, body }));
    summaryCommentId = mine.id;
  } else {
    summaryCommentId = await call(
      'post the summary comment',
      async () => (await client.issues.createComment({ owner, repo, issue_number: pr.number, body })).data.id,
    );
  }

  let reviewEvent: PostOutcome['reviewEvent'];
  if (inline.length > 0) {
    reviewEvent = options.requestChanges && result.decision === 'manual-review' && pr.author !== me ? 'REQUEST_CHANGES' : 'COMMENT';
    await call('post the inline review', () =>
      client.pulls.createReview({
        owner,
        repo,
        pull_number: pr.number,
        commit_id: pr.headSha,
        event: reviewEvent!,
        body: `Pullmint: ${inline.length} finding(s) on the diff. Risk ${result.riskScore}/100 → ${result.decision}.`,
        comments: inline.map((f) => ({
          path: f.file,
          line: f.endLine ?? f.line,
          side: 'RIGHT' as const,
          ...(f.endLine && f.endLine !== f.line ? { start_line: f.line, start_side: 'RIGHT' as const } : {}),
          body: inlineBody(f),
        })),
      }),
    );
  }
  const note = incompleteNote(result);
  let status: PostOutcome['status'];
  if (options.commitStatus) {
    // Never success for a review the model did not finish: pending keeps a required check from passing.
    status =
      result.decision === 'incomplete'
        ? 'pending'
        : passesGate(result.decision) && result.riskScore < options.deployThreshold
          ? 'success'
          : 'failure';
    await call('set the commit status', () =>
      client.repos.createCommitStatus({
        owner,
        repo,
        sha: pr.headSha,
        state: status!,
        context: 'pullmint/risk',
        description: (note ?? `Risk ${result.riskScore}/100 → ${result.decision}`).slice(0, 140),
      }),
    );
  }
  return {
    summaryCommentId,
    summaryUpdated: Boolean(mine),
    inlinePosted: inline.length,
    alreadyPosted: result.findings.length - fresh.length,
    inSummaryOnly: summaryOnly.length,
    reviewEvent,
    status,
  };
}
