import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { changeRequestLabel, postResult } from '../app/changeRequest.js';
import { commentCiExplanation, explainCi } from '../app/ciExplain.js';
import { toCiMarkdown, ciRunMarker } from '../core/ci/report.js';
import { ReviewSession } from '../app/session.js';
import { incompleteNote, passesGate, verdictText } from '../core/report/verdict.js';
import { VERSION } from '../core/version.js';
import { fetchFrom, hasObject, mergeBase } from '../core/git/repo.js';
import type { ChangeRequest, ChangeRequestTarget } from '../core/hosts/types.js';
import { toSarif } from '../core/report/sarif.js';
import { GitHubHost } from '../core/hosts/github/host.js';
import { normalizeOllamaHost } from '../core/providers/ollama.js';
import { envSecrets } from '../core/secrets.js';

/** `with:` inputs arrive as INPUT_<NAME> (upper case, hyphens kept), as the Actions runner sets them. */
export function input(env: NodeJS.ProcessEnv, name: string, fallback = ''): string {
  return (env[`INPUT_${name.toUpperCase()}`] ?? fallback).trim() || fallback;
}

interface PullRequestEvent {
  number: number;
  pull_request: {
    number: number;
    title: string;
    state: string;
    user: { login: string };
    html_url: string;
    head: { sha: string; ref: string };
    base: { sha: string; ref: string };
  };
  repository: { full_name: string; name: string; owner: { login: string } };
}

const annotate = (level: 'notice' | 'warning' | 'error', message: string): void =>
  void process.stdout.write(`::${level}::${message.replace(/\r?\n/g, '%0A')}\n`);

/** Only inputs the workflow set override the repository's settings and the environment. */
function modelInputs(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (input(env, 'provider')) values.provider = input(env, 'provider');
  if (input(env, 'model')) values.model = input(env, 'model');
  if (input(env, 'ollama-host')) values.ollama = { host: normalizeOllamaHost(input(env, 'ollama-host')) };
  return values;
}

/**
 * `explain-failure: true`, in a job that runs `if: failure()` after the others: explain this
 * workflow run's failed jobs and post it on the PR (one comment per run, updated in place).
 */
export async function explainFailureAction(env: NodeJS.ProcessEnv): Promise<number> {
  const runId = Number(env.GITHUB_RUN_ID);
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const token = input(env, 'github-token') || env.GITHUB_TOKEN || '';
  if (!runId || !owner || !repo || !token) {
    annotate(
      'error',
      'explain-failure needs GITHUB_RUN_ID, GITHUB_REPOSITORY and a github-token (permissions: actions: read, pull-requests: write).',
    );
    return 2;
  }
  const session = await ReviewSession.open({
    repoDir: resolve(env.GITHUB_WORKSPACE ?? '.'),
    env,
    secrets: envSecrets(env, { anthropicApiKey: input(env, 'anthropic-api-key'), githubToken: token }),
    overrides: { source: 'action inputs', values: modelInputs(env) },
  });
  session.warnings.forEach((w) => annotate('warning', w));
  const host = new GitHubHost({
    repo: { host: new URL(env.GITHUB_SERVER_URL ?? 'https://github.com').host, owner, repo },
    token,
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    userAgent: `pullmint-action/${VERSION}`,
    log: (m) => annotate('notice', m),
  });
  const { result, noFailure } = await explainCi(session, { target: { kind: 'run', id: runId }, host });
  if (!result) {
    process.stdout.write(`Pullmint: ${noFailure}\n`);
    return 0;
  }
  if (result.modelError) annotate('warning', `The model gave no explanation: ${result.modelError.message}. ${result.modelError.fix}`);
  const markdown = toCiMarkdown(result, ciRunMarker(runId));
  if (env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
  let pr: number | undefined;
  try {
    pr = (JSON.parse(await readFile(env.GITHUB_EVENT_PATH ?? '', 'utf8')) as Partial<PullRequestEvent>).pull_request?.number;
  } catch {
    pr = undefined;
  }
  if (pr) {
    const posted = await commentCiExplanation(host, pr, result);
    process.stdout.write(`Pullmint: explanation of run ${runId} ${posted.created ? 'posted on' : 'updated on'} PR #${pr}.\n`);
  } else process.stdout.write('Pullmint: no pull request for this run; the explanation is in the job summary.\n');
  if (result.explanation) process.stdout.write(`Root cause: ${result.explanation.rootCause}\n`);
  return 0;
}

/** The action: review the PR's diff, post it, optionally upload SARIF, and fail the job on the gate. */
export async function runAction(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (input(env, 'explain-failure') === 'true') return explainFailureAction(env);
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  if (eventName !== 'pull_request' && eventName !== 'pull_request_target') {
    annotate('error', `Pullmint reviews pull requests; this run was triggered by '${eventName || 'unknown'}'. Use "on: pull_request".`);
    return 2;
  }
  const event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH ?? '', 'utf8')) as PullRequestEvent;
  const workspace = resolve(env.GITHUB_WORKSPACE ?? '.');
  const pr = event.pull_request;
  // actions/checkout fetches one commit by default: make sure both ends of the PR are here.
  for (const sha of [pr.base.sha, pr.head.sha]) {
    if (!(await hasObject(workspace, sha))) await fetchFrom(workspace, 'origin', [sha]);
  }
  const base = await mergeBase(workspace, pr.base.sha, pr.head.sha);
  const values = modelInputs(env);
  if (input(env, 'max-calls')) values.maxCalls = Number(input(env, 'max-calls'));
  const token = input(env, 'github-token') || env.GITHUB_TOKEN || '';
  const session = await ReviewSession.open({
    repoDir: workspace,
    env,
    secrets: envSecrets(env, { anthropicApiKey: input(env, 'anthropic-api-key'), githubToken: token }),
    overrides: { source: 'action inputs', values },
  });
  session.warnings.forEach((w) => annotate('warning', w));
  const [owner, repo] = event.repository.full_name.split('/');
  const request: ChangeRequest = {
    base: { host: new URL(env.GITHUB_SERVER_URL ?? 'https://github.com').host, owner, repo },
    number: pr.number,
    source: 'event',
    title: pr.title,
    state: pr.state,
    author: pr.user.login,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    baseSha: pr.base.sha,
    baseRef: pr.base.ref,
    htmlUrl: pr.html_url,
  };
  const target: ChangeRequestTarget = { pr: request, mergeBase: base, range: `${base}..${pr.head.sha}` };
  const result = await session.review({ target: { kind: 'range', range: target.range }, label: changeRequestLabel(request) });
  if (result.modelError)
    annotate(
      'warning',
      `The model review did not run: ${result.modelError.message}. Only the built-in rules checked this PR. ${result.modelError.fix}`,
    );
  const sarifPath = resolve(workspace, input(env, 'sarif-file', 'pullmint.sarif'));
  const sarif = JSON.stringify(toSarif(result, VERSION));
  await writeFile(sarifPath, sarif);

  if (token && input(env, 'post', 'true') === 'true') {
    const host = new GitHubHost({
      repo: request.base,
      token,
      apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
      userAgent: `pullmint-action/${VERSION}`,
      log: (m) => annotate('notice', m),
    });
    const outcome = await postResult(session, host, target, result, {
      maxInline: 30,
      requestChanges: input(env, 'request-changes') === 'true',
      commitStatus: input(env, 'commit-status') === 'true',
    });
    process.stdout.write(
      `Posted to ${pr.html_url}: ${outcome.inlinePosted} inline comment(s), summary ${outcome.summaryUpdated ? 'updated' : 'created'}.\n`,
    );
    if (input(env, 'upload-sarif') === 'true') {
      await host.uploadSarif(request, sarif);
      process.stdout.write('Uploaded SARIF to code scanning.\n');
    }
  } else if (!token)
    annotate('warning', 'No GitHub token: the review was not posted. Pass github-token (permissions: pull-requests: write).');

  if (env.GITHUB_OUTPUT)
    await appendFile(env.GITHUB_OUTPUT, `risk-score=${result.riskScore}\ndecision=${result.decision}\nsarif-file=${sarifPath}\n`);
  if (env.GITHUB_STEP_SUMMARY) {
    await appendFile(
      env.GITHUB_STEP_SUMMARY,
      `### Pullmint: risk ${result.riskScore}/100 → \`${result.decision}\`${result.rulesOnly ? ' (rules only)' : ''}\n\n${incompleteNote(result) ? `**${incompleteNote(result)}** — not an approval.\n\n` : ''}${result.findings.length} finding(s); reviewed ${result.coverage.reviewedLines} of ${result.coverage.changedLines} changed lines.\n`,
    );
  }
  process.stdout.write(`Pullmint: ${verdictText(result)}\n`);
  const allowIncomplete = input(env, 'allow-incomplete') === 'true';
  if (input(env, 'gate', 'true') === 'true' && !passesGate(result.decision, { allowIncomplete })) {
    annotate(
      'error',
      result.decision === 'incomplete'
        ? `Pullmint gate: ${incompleteNote(result)}. Fix the model setup, or set allow-incomplete: true to accept it.`
        : `Pullmint gate: risk ${result.riskScore}/100 needs a manual review.`,
    );
    return 1;
  }
  return 0;
}

if (require.main === module) {
  runAction().then(
    (code) => (process.exitCode = code),
    (err) => {
      annotate('error', `Pullmint failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 2;
    },
  );
}
