import { createOnce } from '../createOnce.js';
import { planSummaryLine } from '../../iac/summary.js';
import type { FileDiff } from '../../diff/model.js';
import { commitStatusFor, incompleteNote } from '../../report/verdict.js';
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

/** Lines GitHub accepts a comment on the LEFT side: every old-file line inside a hunk, deleted files included. */
export function commentableOldLines(files: FileDiff[]): Map<string, { start: number; end: number }[]> {
  const out = new Map<string, { start: number; end: number }[]>();
  for (const f of files) {
    if (f.binary) continue;
    const ranges = f.hunks.filter((h) => h.oldLines > 0).map((h) => ({ start: h.oldStart, end: h.oldStart + h.oldLines - 1 }));
    if (ranges.length) out.set(f.path, ranges);
  }
  return out;
}

/**
 * A finding can be anchored when its first and last lines lie in one hunk of the PR's diff; one
 * about a removed line (`oldLine`) when that line lies in a hunk's old side.
 */
export function anchorable(
  f: Finding,
  lines: Map<string, { start: number; end: number }[]>,
  oldLines: Map<string, { start: number; end: number }[]> = new Map(),
): boolean {
  if (f.oldLine !== undefined) return (oldLines.get(f.file) ?? []).some((r) => f.oldLine! >= r.start && f.oldLine! <= r.end);
  const end = f.endLine ?? f.line;
  return (lines.get(f.file) ?? []).some((r) => f.line >= r.start && end <= r.end);
}

/** Where an inline comment goes: a removed line on the LEFT side, anything else on the RIGHT. */
export function commentPosition(f: Finding): { line: number; side: 'LEFT' | 'RIGHT'; start_line?: number; start_side?: 'RIGHT' } {
  if (f.oldLine !== undefined) return { line: f.oldLine, side: 'LEFT' };
  return {
    line: f.endLine ?? f.line,
    side: 'RIGHT',
    ...(f.endLine && f.endLine !== f.line ? { start_line: f.line, start_side: 'RIGHT' as const } : {}),
  };
}

function inlineBody(f: Finding): string {
  const parts = [`**${f.severity.toUpperCase()} · ${f.title}**${f.rule ? ` \`${f.rule}\`` : ''}`, '', f.message];
  if (f.suggestion !== undefined) parts.push('', '```suggestion', f.suggestion, '```');
  parts.push('', `<!-- pullmint:finding:${f.id} -->`);
  return parts.join('\n');
}

/** GitHub refuses comments over 65,536 characters; this leaves room for the marker and the footer. */
export const MAX_SUMMARY_CHARS = 60_000;
/** Findings listed one per line in the summary; the rest are counted and left to SARIF and the panel. */
export const MAX_SUMMARY_FINDINGS = 50;
/** Inline comments in one review, whatever --max-inline asks: a review is one request to GitHub. */
export const MAX_INLINE = 50;
const MODEL_SUMMARY_CHARS = 4_000;
const FINDING_LINE_CHARS = 400;

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export interface SummaryNotes {
  /** Why the inline review is not on the PR, when GitHub refused it. */
  inlineError?: string;
  /** The web link of a finding's line; GitHub's blob URL when absent. */
  link?: (file: string, line: number) => string;
}

/** The summary comment: score, decision, severity table, findings with links, coverage, who reviewed. */
export function summaryBody(
  r: ReviewResult,
  pr: PullRequestInfo,
  summaryOnly: Finding[],
  inlineCount: number,
  notes: SummaryNotes = {},
): string {
  const counts = severityCounts(r.findings);
  const note = incompleteNote(r);
  // An older record may say auto-approve for a review the model never read: the note decides the colour.
  const icon = r.decision === 'manual-review' ? '🔴' : note ? '🟠' : r.decision === 'auto-deploy' ? '🟡' : '🟢';
  const lines = [
    SUMMARY_MARKER,
    `## ${icon} Pullmint: risk ${r.riskScore}/100 → \`${r.decision}\`${r.rulesOnly ? ' (rules only)' : ''}`,
    '',
    ...(note ? [`> [!WARNING]`, `> **${note}.** This is not an approval: the lines the model did not read are listed below.`, ''] : []),
    '| critical | high | medium | low | info |',
    '|---:|---:|---:|---:|---:|',
    `| ${SEVERITIES.map((s) => counts[s]).join(' | ')} |`,
    '',
    ...(r.iac?.plan ? [`**${planSummaryLine(r.iac.plan.counts)}** (\`${r.iac.plan.file}\`)`, ''] : []),
  ];
  if (r.summary && !r.rulesOnly) lines.push(clip(r.summary.replace(/<!--/g, '&lt;!--'), MODEL_SUMMARY_CHARS), '');
  if (inlineCount > 0) lines.push(`${inlineCount} finding(s) are posted as inline comments on the diff.`, '');
  if (notes.inlineError)
    lines.push(`Inline comments could not be posted (${clip(notes.inlineError, 300)}): the findings are listed here instead.`, '');
  const footer: string[] = [];
  const cov = r.coverage;
  footer.push(
    `**Coverage:** reviewed ${cov.reviewedLines.toLocaleString('en-US')} of ${cov.changedLines.toLocaleString('en-US')} changed lines${r.rulesOnly ? ' by the model (the built-in rules checked every reviewable file)' : ''}.`,
  );
  if (cov.skippedFiles.length)
    footer.push(
      `Skipped: ${cov.skippedFiles
        .slice(0, 20)
        .map((s) => `\`${s.file}\` (${s.reason})`)
        .join(', ')}${cov.skippedFiles.length > 20 ? ', …' : ''}.`,
    );
  if (cov.unreviewed.length && !r.rulesOnly)
    footer.push(
      `Not reviewed by the model: ${cov.unreviewed
        .slice(0, 10)
        .map((u) => `\`${u.file}:${u.startLine}${u.endLine === -1 ? '-end' : u.endLine !== u.startLine ? '-' + u.endLine : ''}\``)
        .join(', ')}${cov.unreviewed.length > 10 ? ', …' : ''} (${cov.unreviewed[0].reason}).`,
    );
  footer.push(
    '',
    `<sub>${r.rulesOnly ? 'built-in rules' : `${r.provider} \`${r.model}\``} · head \`${pr.headSha.slice(0, 8)}\` · execution \`${r.executionId}\`</sub>`,
  );
  if (summaryOnly.length > 0) {
    // Most severe first, so that what the cap leaves out is the least of it.
    const ordered = [...summaryOnly].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
    const items = ordered.map((f) =>
      clip(
        `- **${f.severity}** [\`${f.file}:${f.line}\`](${notes.link ? notes.link(f.file, f.line) : blobUrl(pr.base, pr.headSha, f.file, f.line)}) ${f.title}${f.rule ? ` (\`${f.rule}\`)` : ''} — ${f.message.split('\n')[0]}`,
        FINDING_LINE_CHARS,
      ),
    );
    const budget = MAX_SUMMARY_CHARS - [...lines, ...footer].join('\n').length - 300;
    let shown = 0;
    let used = 0;
    while (shown < items.length && shown < MAX_SUMMARY_FINDINGS && used + items[shown].length + 1 <= budget)
      used += items[shown++].length + 1;
    lines.push('### Findings', '', ...items.slice(0, shown));
    if (shown < items.length)
      lines.push(
        `- … and ${items.length - shown} more finding(s), not listed here: see the SARIF report (\`pullmint review --format sarif\`) or the Pullmint panel.`,
      );
    lines.push('');
  }
  return clip([...lines, ...footer].join('\n'), MAX_SUMMARY_CHARS);
}

/**
 * GitHub writes that create something are never resent by Octokit's retry plugin: a dropped
 * connection or a 502 may come after GitHub carried the request out, and a blind retry duplicates it.
 */
export const NO_RETRY = { request: { retries: 0 } };

const fingerprint = (body: string | undefined | null): string | undefined => FINDING_MARKER.exec(body ?? '')?.[1];

/**
 * Posts a review to the PR: inline comments in one review for findings inside the diff (validated
 * here, so GitHub has nothing to reject), each once per PR; then one summary comment (edited on
 * re-post) that says what actually went inline; then optionally the commit status. Writes are
 * serial, creations are never retried blindly, and duplicates Pullmint wrote (a retry that had
 * succeeded, another poster on another machine) are removed afterwards.
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
  const listReviewComments = (): Promise<{ id: number; body?: string; user?: { login: string } | null }[]> =>
    call('list review comments', () =>
      client.paginate(client.pulls.listReviewComments, { owner, repo, pull_number: pr.number, per_page: 100 }),
    );
  const listIssueComments = (): Promise<{ id: number; body?: string; user?: { login: string } | null }[]> =>
    call('list PR comments', () => client.paginate(client.issues.listComments, { owner, repo, issue_number: pr.number, per_page: 100 }));
  const markedOnPr = async (): Promise<Set<string>> =>
    new Set((await listReviewComments()).map((c) => fingerprint(c.body)).filter((x): x is string => Boolean(x)));

  const posted = await markedOnPr();
  const lines = commentableLines(prDiff);
  const oldLines = commentableOldLines(prDiff);
  const fresh = result.findings.filter((f) => !posted.has(f.id));
  const inDiff = fresh.filter((f) => anchorable(f, lines, oldLines));
  const inline = inDiff.slice(0, Math.min(options.maxInline, MAX_INLINE));

  let reviewEvent: PostOutcome['reviewEvent'];
  let inlineError: string | undefined;
  if (inline.length > 0) {
    reviewEvent = options.requestChanges && result.decision === 'manual-review' && pr.author !== me ? 'REQUEST_CHANGES' : 'COMMENT';
    const wanted = inline.map((f) => f.id);
    try {
      await call('post the inline review', () =>
        createOnce(
          async () => {
            await client.pulls.createReview({
              owner,
              repo,
              pull_number: pr.number,
              commit_id: pr.headSha,
              event: reviewEvent!,
              body: `Pullmint: ${inline.length} finding(s) on the diff. Risk ${result.riskScore}/100 → ${result.decision}.`,
              comments: inline.map((f) => ({
                path: f.file,
                ...commentPosition(f),
                body: inlineBody(f),
              })),
              ...NO_RETRY,
            });
            return true;
          },
          // A review is all or nothing: its comments on the PR mean it went through.
          async () => ((await markedOnPr()).has(wanted[0]) ? true : undefined),
        ),
      );
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status !== 422) throw err;
      // GitHub refused the review (the PR moved on, a line left the diff): the summary carries the findings.
      inlineError = (err as Error).message;
      reviewEvent = undefined;
    }
  }

  // What is on the PR now, not what was meant to be: the summary must not claim more.
  const reviewComments = await listReviewComments();
  const onPr = new Set(reviewComments.map((c) => fingerprint(c.body)).filter((x): x is string => Boolean(x)));
  await removeDuplicates(
    reviewComments.filter((c) => c.user?.login === me && fingerprint(c.body)),
    (c) => fingerprint(c.body)!,
    (id) => call('delete a duplicate inline comment', () => client.pulls.deleteReviewComment({ owner, repo, comment_id: id })),
  );
  const inlinePosted = inline.filter((f) => onPr.has(f.id) && !posted.has(f.id)).length;
  const summaryOnly = result.findings.filter((f) => !onPr.has(f.id));
  const inlineCount = result.findings.length - summaryOnly.length;
  const body = summaryBody(result, pr, summaryOnly, inlineCount, { inlineError });

  const summaries = async (): Promise<{ id: number; body?: string; user?: { login: string } | null }[]> =>
    (await listIssueComments()).filter((c) => c.user?.login === me && (c.body ?? '').includes(SUMMARY_MARKER)).sort((a, b) => a.id - b.id);
  const before = await summaries();
  let summaryCommentId: number;
  if (before.length > 0) {
    summaryCommentId = before[0].id;
    await call('update the summary comment', () => client.issues.updateComment({ owner, repo, comment_id: summaryCommentId, body }));
  } else {
    summaryCommentId = await call('post the summary comment', () =>
      createOnce(
        async () => (await client.issues.createComment({ owner, repo, issue_number: pr.number, body, ...NO_RETRY })).data.id,
        async () => (await summaries())[0]?.id,
      ),
    );
  }
  // The oldest of Pullmint's summaries stays, so that two posters converge on the same one.
  const after = await summaries();
  if (after.length > 0 && after[0].id !== summaryCommentId) {
    summaryCommentId = after[0].id;
    await call('update the summary comment', () => client.issues.updateComment({ owner, repo, comment_id: summaryCommentId, body }));
  }
  await removeDuplicates(
    after,
    () => SUMMARY_MARKER,
    (id) => call('delete a duplicate summary comment', () => client.issues.deleteComment({ owner, repo, comment_id: id })),
  );

  const note = incompleteNote(result);
  let status: PostOutcome['status'];
  if (options.commitStatus) {
    status = commitStatusFor(result, options.deployThreshold);
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
    summaryUpdated: before.length > 0,
    inlinePosted,
    alreadyPosted: result.findings.length - fresh.length,
    inSummaryOnly: summaryOnly.length,
    reviewEvent,
    status,
    ...(inlineError ? { inlineError } : {}),
  };
}

/** Deletes all but the oldest of each key's comments; the caller passes only Pullmint's own. */
async function removeDuplicates<C extends { id: number }>(
  comments: C[],
  key: (c: C) => string,
  remove: (id: number) => Promise<unknown>,
): Promise<void> {
  const seen = new Set<string>();
  for (const c of [...comments].sort((a, b) => a.id - b.id)) {
    const k = key(c);
    if (!seen.has(k)) {
      seen.add(k);
      continue;
    }
    // Another poster may have removed it first.
    await remove(c.id).catch((err: { status?: number }) => {
      if (err.status !== 404) throw err;
    });
  }
}
