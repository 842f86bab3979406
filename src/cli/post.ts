import { resolve } from 'node:path';
import { ReviewCache, defaultCacheDir } from '../core/cache.js';
import { loadConfig } from '../core/config.js';
import { repoRoot } from '../core/diff/sources.js';
import { runReview } from '../core/engine.js';
import { createGitHubClient, GitHubError } from '../core/github/client.js';
import { postReview } from '../core/github/post.js';
import { baseRemote } from '../core/github/pr.js';
import { apiBaseUrl } from '../core/github/remote.js';
import { latestReviewOf, pullRequestDiff, pullRequestTarget } from '../core/github/workflow.js';
import { defaultStateDir } from '../core/history.js';
import { createProvider } from '../core/providers/index.js';
import { parseArgs } from 'node:util';
import { UsageError } from './args.js';
import { EXIT } from './help.js';
import type { Io } from './io.js';

export function githubToken(env: NodeJS.ProcessEnv): string | undefined {
  return env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
}

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
  const repo = await repoRoot(resolve(io.cwd, values.repo ?? '.'));
  const token = githubToken(io.env);
  if (!token) {
    io.stderr.write('pullmint: no GitHub token. Set GITHUB_TOKEN (or GH_TOKEN) to a token with the repo scope.\n');
    return EXIT.usage;
  }
  const remote = await baseRemote(repo);
  if (!remote) {
    io.stderr.write('pullmint: no GitHub remote (origin or upstream) in this repository.\n');
    return EXIT.usage;
  }
  const client = await createGitHubClient({
    token,
    baseUrl: apiBaseUrl(remote.host, io.env.GITHUB_API_URL),
    log: (m) => io.stderr.write(`pullmint: ${m}\n`),
  });
  try {
    const target = await pullRequestTarget(repo, client, number);
    if (target.localHeadNote) io.stderr.write(`pullmint: ${target.localHeadNote}\n`);
    const stateDir = defaultStateDir(io.env);
    let result = await latestReviewOf(stateDir, repo, target);
    const loaded = await loadConfig({ repoRoot: repo, env: io.env });
    if (!result) {
      io.stderr.write(
        `pullmint: reviewing PR #${target.pr.number} (${target.range.slice(0, 8)}..${target.pr.headSha.slice(0, 8)}) first\n`,
      );
      const provider = createProvider(loaded.config, {
        anthropicApiKey: io.env.ANTHROPIC_API_KEY,
        openaiApiKey: io.env.PULLMINT_OPENAI_API_KEY,
      });
      result = await runReview({
        repoDir: repo,
        target: { kind: 'range', range: target.range },
        label: `PR #${target.pr.number}`,
        config: loaded.config,
        provider,
        cache: new ReviewCache(defaultCacheDir(io.env)),
        stateDir,
      });
    }
    const maxInline = values['max-inline'] !== undefined ? Number(values['max-inline']) : 30;
    const outcome = await postReview(client, target.pr, result, await pullRequestDiff(repo, target), {
      maxInline,
      requestChanges: values['request-changes'] ?? false,
      commitStatus: values.status ?? false,
      deployThreshold: loaded.config.risk.deployThreshold,
    });
    io.stdout.write(
      `Posted to ${target.pr.htmlUrl}: summary comment ${outcome.summaryUpdated ? 'updated' : 'created'}; ${outcome.inlinePosted} inline comment(s)` +
        `${outcome.alreadyPosted ? `, ${outcome.alreadyPosted} already on the PR` : ''}${outcome.inSummaryOnly ? `, ${outcome.inSummaryOnly} in the summary only` : ''}` +
        `${outcome.status ? `; status pullmint/risk ${outcome.status}` : ''}. Risk ${result.riskScore}/100 → ${result.decision}.\n`,
    );
    return EXIT.ok;
  } catch (err) {
    if (err instanceof GitHubError) {
      io.stderr.write(`pullmint: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}
