import { createOnce } from '../createOnce.js';
import type { DiffLine, FileDiff } from '../../diff/model.js';
import { commitStatusFor, incompleteNote } from '../../report/verdict.js';
import type { Finding, ReviewResult } from '../../types.js';
import { SUMMARY_MARKER, summaryBody } from '../github/post.js';
import type { ChangeRequest, PostOptions, PostOutcome } from '../types.js';
import { DEFAULT_POST_OPTIONS } from '../types.js';
import { explainGitLabError, GitLabResponseError, type GitLabClient } from './client.js';
import { projectApiPath } from './mr.js';
import { gitlabBlobUrl } from './remote.js';

export { SUMMARY_MARKER };
const FINDING_MARKER = /<!-- pullmint:finding:([0-9a-f]{8,64}) -->/;
/** Inline discussions one post creates, whatever --max-inline asks: each is one request to GitLab. */
export const MAX_INLINE = 50;
/** The status name (GitLab's `name`, GitHub's `context`). */
export const STATUS_NAME = 'pullmint/risk';

/** A text position of GitLab's Discussions API, without the diff_refs. */
export interface LinePosition {
  old_path: string;
  new_path: string;
  old_line?: number;
  new_line?: number;
}

/** The new-file lines of the MR's diff (added and context), by file. */
export type DiffLineIndex = Map<string, { file: FileDiff; byNew: Map<number, DiffLine> }>;

export function indexDiffLines(files: FileDiff[]): DiffLineIndex {
  const out: DiffLineIndex = new Map();
  for (const file of files) {
    if (file.binary || file.submodule) continue;
    const byNew = new Map<number, DiffLine>();
    for (const h of file.hunks) for (const l of h.lines) if (l.newLine !== undefined && l.kind !== 'del') byNew.set(l.newLine, l);
    out.set(file.path, { file, byNew });
  }
  return out;
}

/**
 * Where GitLab takes a comment on a line of a file's diff: `new_line` for an added line, `old_line`
 * for a removed one, both for an unchanged context line, and both paths always (the same one for
 * an added or a deleted file).
 */
export function positionOf(file: FileDiff, l: DiffLine): LinePosition {
  const paths = { old_path: file.oldPath ?? file.path, new_path: file.newPath ?? file.path };
  if (l.kind === 'add') return { ...paths, new_line: l.newLine! };
  if (l.kind === 'del') return { ...paths, old_line: l.oldLine! };
  return { ...paths, old_line: l.oldLine!, new_line: l.newLine! };
}

/** The position of a finding's line (a new-file line); null when it is not in the diff, which GitLab would refuse. */
export function positionFor(index: DiffLineIndex, path: string, newLine: number): LinePosition | null {
  const entry = index.get(path);
  const l = entry?.byNew.get(newLine);
  return entry && l ? positionOf(entry.file, l) : null;
}

function inlineBody(f: Finding): string {
  const range = f.endLine && f.endLine !== f.line ? ` (lines ${f.line}–${f.endLine})` : '';
  const parts = [`**${f.severity.toUpperCase()} · ${f.title}**${f.rule ? ` \`${f.rule}\`` : ''}${range}`, '', f.message];
  if (f.suggestion !== undefined) {
    // GitLab's suggestion replaces the commented line and the N lines below it.
    const below = f.endLine && f.endLine > f.line ? f.endLine - f.line : 0;
    parts.push('', `\`\`\`suggestion:-0+${below}`, f.suggestion, '```');
  }
  parts.push('', `<!-- pullmint:finding:${f.id} -->`);
  return parts.join('\n');
}

interface Note {
  id: number;
  body?: string;
  author?: { username?: string } | null;
  system?: boolean;
  type?: string | null;
}
interface Discussion {
  id: string;
  individual_note?: boolean;
  notes?: Note[];
}

const fingerprint = (body: string | undefined | null): string | undefined => FINDING_MARKER.exec(body ?? '')?.[1];

/** GitLab refuses to set a status to the state it already has; that status is set. */
const alreadyInState = (err: unknown): boolean =>
  err instanceof GitLabResponseError && err.status === 400 && /cannot transition status/i.test(err.detail);

export interface GitLabPostContext {
  /** The project's web URL, for links in the summary. */
  projectUrl: string;
}

/**
 * Posts a review onto a merge request: one discussion per finding on a line of the MR's diff (the
 * position checked here against the local diff of base_sha..head_sha, so GitLab has nothing to
 * refuse), each once per MR; then one summary note (edited on re-post) that says what went inline;
 * then optionally the commit status. Creations are never resent blindly, and Pullmint's own
 * duplicates (an answer lost after GitLab created the note, another poster) are removed afterwards.
 */
export async function postToMergeRequest(
  client: GitLabClient,
  mr: ChangeRequest,
  result: ReviewResult,
  mrDiff: FileDiff[],
  ctx: GitLabPostContext,
  options: PostOptions = DEFAULT_POST_OPTIONS,
): Promise<PostOutcome> {
  const project = projectApiPath(mr.base);
  const mrPath = `${project}/merge_requests/${mr.number}`;
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw explainGitLabError(err, what);
    }
  };
  const me = await call('read the token’s user', async () => (await client.get<{ username: string }>('/user')).username);
  const listDiscussions = (): Promise<Discussion[]> =>
    call(`list the discussions of merge request !${mr.number}`, () => client.all<Discussion>(`${mrPath}/discussions`));
  const listNotes = (): Promise<Note[]> =>
    call(`list the notes of merge request !${mr.number}`, () =>
      client.all<Note>(`${mrPath}/notes`, { sort: 'asc', order_by: 'created_at' }),
    );
  const firstNote = (d: Discussion): Note | undefined => d.notes?.[0];
  const markedOnMr = async (): Promise<Map<string, Discussion>> => {
    const out = new Map<string, Discussion>();
    for (const d of await listDiscussions()) {
      const fp = fingerprint(firstNote(d)?.body);
      if (fp && !out.has(fp)) out.set(fp, d);
    }
    return out;
  };

  const posted = new Set((await markedOnMr()).keys());
  const index = indexDiffLines(mrDiff);
  const fresh = result.findings.filter((f) => !posted.has(f.id));
  const placed = fresh.map((f) => ({ f, position: positionFor(index, f.file, f.line) })).filter((x) => x.position);
  const inline = placed.slice(0, Math.min(options.maxInline, MAX_INLINE));
  const refs = { base_sha: mr.baseSha, start_sha: mr.startSha ?? mr.baseSha, head_sha: mr.headSha };

  let inlineError: string | undefined;
  for (const { f, position } of inline) {
    try {
      await createOnce(
        async () => {
          await client.call('POST', `${mrPath}/discussions`, {
            body: { body: inlineBody(f), position: { position_type: 'text', ...refs, ...position } },
            retry: false,
          });
          return true;
        },
        async () => ((await markedOnMr()).has(f.id) ? true : undefined),
      );
    } catch (err) {
      const status = (err as { status?: number }).status;
      // GitLab refused the position (the MR moved on since it was read): the summary lists the rest.
      if (status !== 400 && status !== 422) throw explainGitLabError(err, `start a discussion on ${f.file}:${f.line}`);
      inlineError = `${f.file}:${f.line}: ${(err as GitLabResponseError).detail ?? (err as Error).message}`;
      break;
    }
  }

  // What is on the MR now, not what was meant to be: the summary must not claim more.
  const discussions = await listDiscussions();
  const mine = discussions.filter((d) => firstNote(d)?.author?.username === me && fingerprint(firstNote(d)?.body));
  await removeDuplicates(
    mine.map((d) => ({ id: firstNote(d)!.id, discussion: d.id, key: fingerprint(firstNote(d)!.body)! })),
    (n) => call('delete a duplicate discussion', () => client.call('DELETE', `${mrPath}/discussions/${n.discussion}/notes/${n.id}`)),
  );
  const onMr = new Set(discussions.map((d) => fingerprint(firstNote(d)?.body)).filter((x): x is string => Boolean(x)));
  const inlinePosted = inline.filter(({ f }) => onMr.has(f.id) && !posted.has(f.id)).length;
  const summaryOnly = result.findings.filter((f) => !onMr.has(f.id));
  const inlineCount = result.findings.length - summaryOnly.length;
  const body = summaryBody(result, mr, summaryOnly, inlineCount, {
    inlineError,
    link: (file, line) => gitlabBlobUrl(ctx.projectUrl, mr.headSha, file, line),
  });

  const summaries = async (): Promise<Note[]> =>
    (await listNotes())
      .filter((n) => !n.system && n.type !== 'DiffNote' && n.author?.username === me && (n.body ?? '').includes(SUMMARY_MARKER))
      .sort((a, b) => a.id - b.id);
  const update = (id: number): Promise<unknown> =>
    call('update the summary note', () => client.call('PUT', `${mrPath}/notes/${id}`, { body: { body } }));
  const before = await summaries();
  let summaryCommentId: number;
  if (before.length > 0) {
    summaryCommentId = before[0].id;
    await update(summaryCommentId);
  } else {
    summaryCommentId = await call('post the summary note', () =>
      createOnce(
        async () => (await client.call<Note>('POST', `${mrPath}/notes`, { body: { body }, retry: false })).data.id,
        async () => (await summaries())[0]?.id,
      ),
    );
  }
  // The oldest of Pullmint's summaries stays, so that two posters converge on the same one.
  const after = await summaries();
  if (after.length > 0 && after[0].id !== summaryCommentId) {
    summaryCommentId = after[0].id;
    await update(summaryCommentId);
  }
  await removeDuplicates(
    after.map((n) => ({ id: n.id, key: SUMMARY_MARKER })),
    (n) => call('delete a duplicate summary note', () => client.call('DELETE', `${mrPath}/notes/${n.id}`)),
  );

  const note = incompleteNote(result);
  let status: PostOutcome['status'];
  if (options.commitStatus) {
    status = commitStatusFor(result, options.deployThreshold);
    const state = status === 'failure' ? 'failed' : status;
    await call('set the commit status', async () => {
      try {
        await client.call('POST', `${project}/statuses/${mr.headSha}`, {
          body: {
            state,
            name: STATUS_NAME,
            description: (note ?? `Risk ${result.riskScore}/100 → ${result.decision}`).slice(0, 140),
            target_url: mr.htmlUrl,
          },
        });
      } catch (err) {
        if (!alreadyInState(err)) throw err;
      }
    });
  }
  return {
    summaryCommentId,
    summaryUpdated: before.length > 0,
    inlinePosted,
    alreadyPosted: result.findings.length - fresh.length,
    inSummaryOnly: summaryOnly.length,
    status,
    ...(inlineError ? { inlineError } : {}),
  };
}

/** Deletes all but the oldest of each key's notes; the caller passes only Pullmint's own. */
async function removeDuplicates<N extends { id: number; key: string }>(notes: N[], remove: (n: N) => Promise<unknown>): Promise<void> {
  const seen = new Set<string>();
  for (const n of [...notes].sort((a, b) => a.id - b.id)) {
    if (!seen.has(n.key)) {
      seen.add(n.key);
      continue;
    }
    // Another poster may have removed it first.
    await remove(n).catch((err: { status?: number }) => {
      if (err.status !== 404) throw err;
    });
  }
}
