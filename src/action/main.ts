import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { simpleGit } from 'simple-git';
import { loadConfig } from '../core/config.js';
import { runReview } from '../core/engine.js';
import { createGitHubClient } from '../core/github/client.js';
import { postReview } from '../core/github/post.js';
import { collectDiff } from '../core/diff/sources.js';
import { createProvider } from '../core/providers/index.js';
import { toSarif } from '../core/report/sarif.js';
import { VERSION } from '../cli/help.js';
import type { PullRequestInfo } from '../core/github/pr.js';

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

/** The action: review the PR's diff, post it, optionally upload SARIF, and fail the job on the gate. */
export async function runAction(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  if (eventName !== 'pull_request' && eventName !== 'pull_request_target') {
    annotate('error', `Pullmint reviews pull requests; this run was triggered by '${eventName || 'unknown'}'. Use "on: pull_request".`);
    return 2;
  }
  const event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH ?? '', 'utf8')) as PullRequestEvent;
  const workspace = resolve(env.GITHUB_WORKSPACE ?? '.');
  const pr = event.pull_request;
  const git = simpleGit(workspace);
  // actions/checkout fetches one commit by default: make sure both ends of the PR are here.
  for (const sha of [pr.base.sha, pr.head.sha]) {
    if (!(await git.raw(['cat-file', '-t', sha]).catch(() => '')).trim()) await git.raw(['fetch', '--no-tags', '--quiet', 'origin', sha]);
  }
  const mergeBase = (await git.raw(['merge-base', pr.base.sha, pr.head.sha])).trim();
  const overrides: Record<string, unknown> = {};
  const provider = input(env, 'provider', 'ollama');
  overrides.provider = provider;
  if (input(env, 'model')) overrides[provider] = { model: input(env, 'model') };
  if (input(env, 'ollama-host')) overrides.ollama = { ...(overrides.ollama as object | undefined), host: input(env, 'ollama-host') };
  if (input(env, 'max-calls')) overrides.maxCalls = Number(input(env, 'max-calls'));
  const loaded = await loadConfig({ repoRoot: workspace, env, overrides });
  loaded.warnings.forEach((w) => annotate('warning', w));
  const result = await runReview({
    repoDir: workspace,
    target: { kind: 'range', range: `${mergeBase}..${pr.head.sha}` },
    label: `PR #${pr.number}`,
    config: loaded.config,
    provider: createProvider(loaded.config, { anthropicApiKey: input(env, 'anthropic-api-key') || env.ANTHROPIC_API_KEY }),
  });
  if (result.modelError)
    annotate(
      'warning',
      `The model review did not run: ${result.modelError.message}. Only the built-in rules checked this PR. ${result.modelError.fix}`,
    );
  const sarifPath = resolve(workspace, input(env, 'sarif-file', 'pullmint.sarif'));
  const sarif = JSON.stringify(toSarif(result, VERSION));
  await writeFile(sarifPath, sarif);

  const token = input(env, 'github-token') || env.GITHUB_TOKEN || '';
  const [owner, repo] = event.repository.full_name.split('/');
  if (token && input(env, 'post', 'true') === 'true') {
    const client = await createGitHubClient({
      token,
      baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
      userAgent: `pullmint-action/${VERSION}`,
      log: (m) => annotate('notice', m),
    });
    const info: PullRequestInfo = {
      base: { host: new URL(env.GITHUB_SERVER_URL ?? 'https://github.com').host, owner, repo },
      number: pr.number,
      source: 'api',
      title: pr.title,
      state: pr.state,
      author: pr.user.login,
      headSha: pr.head.sha,
      headRef: pr.head.ref,
      baseSha: pr.base.sha,
      baseRef: pr.base.ref,
      htmlUrl: pr.html_url,
    };
    const diff = await collectDiff(workspace, { kind: 'range', range: `${mergeBase}..${pr.head.sha}` }, { contextLines: 3 });
    const outcome = await postReview(client, info, result, diff.files, {
      maxInline: 30,
      requestChanges: input(env, 'request-changes') === 'true',
      commitStatus: input(env, 'commit-status') === 'true',
      deployThreshold: loaded.config.risk.deployThreshold,
    });
    process.stdout.write(
      `Posted to ${pr.html_url}: ${outcome.inlinePosted} inline comment(s), summary ${outcome.summaryUpdated ? 'updated' : 'created'}.\n`,
    );
    if (input(env, 'upload-sarif') === 'true') {
      await client.codeScanning.uploadSarif({
        owner,
        repo,
        commit_sha: pr.head.sha,
        ref: `refs/pull/${pr.number}/head`,
        sarif: gzipSync(sarif).toString('base64'),
        tool_name: 'Pullmint',
      });
      process.stdout.write('Uploaded SARIF to code scanning.\n');
    }
  } else if (!token)
    annotate('warning', 'No GitHub token: the review was not posted. Pass github-token (permissions: pull-requests: write).');

  if (env.GITHUB_OUTPUT)
    await appendFile(env.GITHUB_OUTPUT, `risk-score=${result.riskScore}\ndecision=${result.decision}\nsarif-file=${sarifPath}\n`);
  if (env.GITHUB_STEP_SUMMARY) {
    await appendFile(
      env.GITHUB_STEP_SUMMARY,
      `### Pullmint: risk ${result.riskScore}/100 → \`${result.decision}\`${result.rulesOnly ? ' (rules only)' : ''}\n\n${result.findings.length} finding(s); reviewed ${result.coverage.reviewedLines} of ${result.coverage.changedLines} changed lines.\n`,
    );
  }
  process.stdout.write(`Pullmint: risk ${result.riskScore}/100 → ${result.decision}\n`);
  if (input(env, 'gate', 'true') === 'true' && result.decision === 'manual-review') {
    annotate('error', `Pullmint gate: risk ${result.riskScore}/100 needs a manual review.`);
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
