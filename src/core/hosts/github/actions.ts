import { MAX_LOG_CHARS } from '../../ci/log.js';
import type { CiAccess, CiJob, CiRun, RemoteRepo } from '../types.js';
import { explainGitHubError, type GitHubClient } from './client.js';
import { createOnce } from '../createOnce.js';
import { NO_RETRY } from './post.js';
import { fetchPullRequest, resolvePullRequest } from './pr.js';

/** Conclusions that mean the run did not pass for a reason worth explaining. */
const FAILED = new Set(['failure', 'timed_out', 'startup_failure']);

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw explainGitHubError(err, what);
  }
}

interface RunJson {
  id: number;
  name?: string | null;
  html_url: string;
  head_sha: string;
  conclusion: string | null;
  status: string | null;
  created_at: string;
}

function toRun(r: RunJson): CiRun {
  return {
    id: r.id,
    name: r.name ?? `run ${r.id}`,
    url: r.html_url,
    headSha: r.head_sha,
    conclusion: r.conclusion ?? '',
    status: r.status ?? '',
    createdAt: r.created_at,
  };
}

/** GitHub Actions behind the CI part of the code-host interface; issues and PR comments about runs. */
export function gitHubActions(octokit: () => Promise<GitHubClient>, repo: RemoteRepo): CiAccess {
  const { owner, repo: name } = repo;
  return {
    async changeRequestHead(repoDir, number) {
      const client = await octokit();
      const ref = await resolvePullRequest(repoDir, { number, client });
      if (!ref) return undefined;
      const pr = await fetchPullRequest(client, ref);
      return { number: pr.number, headSha: pr.headSha };
    },

    async failedRuns(sha) {
      const client = await octokit();
      const { data } = await call(`list the workflow runs of ${sha.slice(0, 8)}`, () =>
        client.actions.listWorkflowRunsForRepo({ owner, repo: name, head_sha: sha, per_page: 100 }),
      );
      return data.workflow_runs
        .filter((r) => FAILED.has(r.conclusion ?? ''))
        .map(toRun)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
    },

    async run(id) {
      const client = await octokit();
      const { data } = await call(`read workflow run ${id}`, () => client.actions.getWorkflowRun({ owner, repo: name, run_id: id }));
      return toRun(data);
    },

    async failedJobs(runId) {
      const client = await octokit();
      const jobs = await call(`list the jobs of workflow run ${runId}`, () =>
        client.paginate(client.actions.listJobsForWorkflowRun, { owner, repo: name, run_id: runId, filter: 'latest', per_page: 100 }),
      );
      return jobs
        .filter((j) => FAILED.has(j.conclusion ?? ''))
        .map((j): CiJob => ({
          id: j.id,
          name: j.name,
          url: j.html_url ?? '',
          conclusion: j.conclusion ?? '',
          ...(j.steps?.find((s) => FAILED.has(s.conclusion ?? ''))
            ? { failedStep: j.steps.find((s) => FAILED.has(s.conclusion ?? ''))!.name }
            : {}),
        }));
    },

    async jobLog(jobId) {
      const client = await octokit();
      // GitHub answers with a 302 to a short-lived storage URL; fetch follows it and, the origin
      // being another, drops the Authorization header on the way, as the storage expects.
      const { data } = await call(`download the log of job ${jobId}`, () =>
        client.actions.downloadJobLogsForWorkflowRun({ owner, repo: name, job_id: jobId }),
      );
      const text = typeof data === 'string' ? data : new TextDecoder().decode(data as unknown as ArrayBuffer);
      return text.length > MAX_LOG_CHARS ? text.slice(text.length - MAX_LOG_CHARS) : text;
    },

    async upsertIssue(marker, title, body) {
      const client = await octokit();
      const existing = await findIssue(client, owner, name, marker);
      if (existing) {
        const { data } = await call(`update issue #${existing}`, () =>
          client.issues.update({ owner, repo: name, issue_number: existing, title, body }),
        );
        return { number: data.number, url: data.html_url, created: false };
      }
      // Never resent blindly: a dropped answer may follow an issue GitHub did open.
      return call('open an issue', () =>
        createOnce(
          async () => {
            const { data } = await client.issues.create({ owner, repo: name, title, body, ...NO_RETRY });
            return { number: data.number, url: data.html_url, created: true };
          },
          async () => {
            const found = await findIssue(client, owner, name, marker);
            return found ? { number: found, url: `https://${repo.host}/${owner}/${name}/issues/${found}`, created: true } : undefined;
          },
        ),
      );
    },

    async upsertComment(number, marker, body) {
      const client = await octokit();
      const comments = await call(`read the comments of #${number}`, () =>
        client.paginate(client.issues.listComments, { owner, repo: name, issue_number: number, per_page: 100 }),
      );
      const mine = comments.find((c) => (c.body ?? '').includes(marker));
      if (mine) {
        try {
          await client.issues.updateComment({ owner, repo: name, comment_id: mine.id, body });
          return { id: mine.id, created: false };
        } catch (err) {
          // Someone else's comment with our marker is not ours to edit: post our own.
          if ((err as { status?: number }).status !== 403) throw explainGitHubError(err, `update comment ${mine.id}`);
        }
      }
      return call(`comment on #${number}`, () =>
        createOnce(
          async () => {
            const { data } = await client.issues.createComment({ owner, repo: name, issue_number: number, body, ...NO_RETRY });
            return { id: data.id, created: true };
          },
          async () => {
            const again = await client.paginate(client.issues.listComments, { owner, repo: name, issue_number: number, per_page: 100 });
            const found = again.find((c) => (c.body ?? '').includes(marker));
            return found ? { id: found.id, created: true } : undefined;
          },
        ),
      );
    },
  };
}

/**
 * The issue whose body holds `marker`: the search API first, then the latest issues themselves,
 * because search indexes a new issue only after a while and a second ask may come sooner.
 */
async function findIssue(client: GitHubClient, owner: string, repo: string, marker: string): Promise<number | undefined> {
  const token = marker.replace(/^<!--\s*|\s*-->$/g, '');
  try {
    const { data } = await client.search.issuesAndPullRequests({ q: `repo:${owner}/${repo} is:issue in:body "${token}"`, per_page: 10 });
    const hit = data.items.find((i) => !i.pull_request && (i.body ?? '').includes(marker));
    if (hit) return hit.number;
  } catch {
    /* search may be off (Enterprise) or rate limited: the listing below still finds recent issues */
  }
  const { data } = await call('list the latest issues', () =>
    client.issues.listForRepo({ owner, repo, state: 'all', sort: 'created', direction: 'desc', per_page: 100 }),
  );
  return data.find((i) => !i.pull_request && (i.body ?? '').includes(marker))?.number;
}
