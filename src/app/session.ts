import { defaultCacheDir, ReviewCache } from '../core/cache.js';
import { loadConfig, type ConfigLayer } from '../core/config/load.js';
import type { PullmintConfig } from '../core/config/schema.js';
import { runReview, type ReviewEvent } from '../core/engine.js';
import { activeDismissals, type ActiveDismissal } from '../core/dismissals/apply.js';
import { LocalDismissals } from '../core/dismissals/local.js';
import { TEAM_DISMISSALS_FILE, teamDismissalsAt, teamDismissalsInWorktree } from '../core/dismissals/team.js';
import { baseWithoutGit, targetBase, type TargetSpec } from '../core/git/diff.js';
import { checkoutRoot, filesAtCommit, repoRoot } from '../core/git/repo.js';
import { REVIEW_CONFIG_FILE } from '../core/rules/configChange.js';
import { defaultStateDir, HistoryStore } from '../core/history.js';
import type { Connection, HostKind } from '../core/hosts/index.js';
import type { GitLabLocation } from '../core/hosts/gitlab/remote.js';
import { createProvider } from '../core/providers/index.js';
import type { ReviewProvider } from '../core/providers/types.js';
import type { SecretStore } from '../core/secrets.js';
import type { ModelErrorInfo, ReviewResult } from '../core/types.js';
import type { LoadedPlan, PlanReview } from '../core/iac/plan.js';

export interface SessionOptions {
  /** Any folder inside the repository. */
  repoDir: string;
  env: NodeJS.ProcessEnv;
  /** The environment (CLI, hook, Action) or the editor's secret storage. */
  secrets: SecretStore;
  /** The top config layer: command-line flags, Action inputs, or the editor settings the user set. */
  overrides?: ConfigLayer;
  userConfigFile?: string;
  /** Where store warnings go (a corrupt cache entry, history that could not be written): stderr, the log. */
  onWarning?: (message: string) => void;
  /**
   * The review the session is opened for, when the front end knows it: for two full SHAs, the
   * base's settings and dismissals are read while git finds the repository.
   */
  target?: TargetSpec;
}

/** What the base commit holds of the review's own files, asked for early. */
interface BaseFiles {
  base: string;
  config: Promise<string | null>;
  dismissals: Promise<string | null>;
}

export interface SessionReview {
  target: TargetSpec;
  /** What to call the target in reports and history ("PR #5"). */
  label?: string;
  /** Skip the model, with the reason the user is shown. */
  rulesOnly?: ModelErrorInfo;
  /** Limit the review to these repository-relative paths. */
  paths?: string[];
  /**
   * The commit whose .pullmint.json applies, when the target's own start is not one the project
   * accepted (a push's remote tip of the same branch is the pusher's own earlier push).
   */
  configAt?: string;
  /** false: keep no history (drafts such as reviews on save). */
  history?: boolean;
  /** A provider to use instead of the configured one (qualification wraps it to time each answer). */
  provider?: ReviewProvider;
  signal?: AbortSignal;
  onEvent?: (event: ReviewEvent) => void;
  /** A Terraform plan reviewed with the diff, into one result. */
  terraformPlan?: LoadedPlan;
  /** Where a relative plan path is taken from (the CLI's working folder). */
  cwd?: string;
}

/**
 * One repository with its layered configuration, secrets, cache and history: what every front end
 * opens before it reviews, posts or deploys.
 */
export class ReviewSession {
  private provider: Promise<ReviewProvider> | undefined;
  readonly cache: ReviewCache;
  readonly stateDir: string;

  private constructor(
    readonly root: string,
    readonly config: PullmintConfig,
    /** Settings that were ignored or invalid, for the front end to show. */
    readonly warnings: string[],
    readonly env: NodeJS.ProcessEnv,
    readonly secrets: SecretStore,
    private readonly load: (repoConfigAt?: string, repoConfigText?: Promise<string | null>) => ReturnType<typeof loadConfig>,
    /** Which layer set each setting: what messages name when an endpoint or key is wrong. */
    readonly origins: Record<string, string>,
    private readonly onWarning?: (message: string) => void,
    private readonly early: BaseFiles | null = null,
  ) {
    this.cache = new ReviewCache(defaultCacheDir(env), onWarning ? { onWarning } : {});
    this.stateDir = defaultStateDir(env);
  }

  static async open(opts: SessionOptions): Promise<ReviewSession> {
    // `cat-file` names paths from the top level, from any folder of the repository.
    const base = opts.target ? baseWithoutGit(opts.target) : null;
    const files = base ? await filesAtCommit(opts.repoDir, base, [REVIEW_CONFIG_FILE, TEAM_DISMISSALS_FILE]) : null;
    const early: BaseFiles | null =
      base && files ? { base, config: Promise.resolve(files[0]), dismissals: Promise.resolve(files[1]) } : null;
    // git answered from this folder, so it is a repository git works in; two full SHAs then need no
    // git to find its top level, as for their diff (git/diff.ts rangeEnds). Any failure of that
    // answer goes the slow way: rev-parse says what is wrong, and each file is read on its own.
    const root = (files ? checkoutRoot(opts.repoDir) : null) ?? (await repoRoot(opts.repoDir));
    const load = (repoConfigAt?: string, repoConfigText?: Promise<string | null>): ReturnType<typeof loadConfig> =>
      loadConfig({
        repoRoot: root,
        env: opts.env,
        overrides: opts.overrides,
        userConfigFile: opts.userConfigFile,
        repoConfigAt,
        repoConfigText,
      });
    const { config, warnings, origins } = await load();
    return new ReviewSession(root, config, warnings, opts.env, opts.secrets, load, origins, opts.onWarning, early);
  }

  /** The configured provider, with its secret; built once. */
  reviewProvider(): Promise<ReviewProvider> {
    this.provider ??= createProvider(this.config, this.secrets);
    return this.provider;
  }

  history(): HistoryStore {
    return new HistoryStore(this.stateDir, this.root, this.onWarning ? { onWarning: this.onWarning } : {});
  }

  /**
   * The settings a review from `base` runs under: for commits (a range, a branch against its base,
   * a PR, a push) the repository file as committed at their base — never the one they bring; the
   * session's own for uncommitted work (base null).
   */
  private async configAt(base: string | null): Promise<{ config: PullmintConfig; warnings: string[] }> {
    if (!base) return { config: this.config, warnings: [] };
    const loaded = await this.load(base, this.early?.base === base ? this.early.config : undefined);
    // The session's own warnings were shown when it opened; only what the base's file adds is new.
    return { config: loaded.config, warnings: loaded.warnings.filter((w) => !this.warnings.includes(w)) };
  }

  /**
   * The dismissals a review honours. Commits are judged by the team's list as committed at their
   * base, so they cannot dismiss their own findings; uncommitted work by the working tree's list and
   * this user's own (`pullmint dismiss` without --team).
   */
  async dismissalsFor(base: string | null): Promise<{ dismissals: Map<string, ActiveDismissal>; problems: string[] }> {
    const team = base
      ? await teamDismissalsAt(this.root, base, this.early?.base === base ? this.early.dismissals : undefined)
      : await teamDismissalsInWorktree(this.root);
    const local = base ? { entries: [], problems: [] } : await this.localDismissals().list();
    return { dismissals: activeDismissals(team.entries, local.entries), problems: [...team.problems, ...local.problems] };
  }

  localDismissals(): LocalDismissals {
    return new LocalDismissals(this.stateDir, this.root);
  }

  async review(r: SessionReview): Promise<ReviewResult> {
    const base = r.configAt ?? (await targetBase(this.root, r.target));
    // Both read the base commit, each with its own git process.
    const [{ config, warnings }, { dismissals, problems }] = await Promise.all([this.configAt(base), this.dismissalsFor(base)]);
    warnings.push(...problems);
    const terraformPlan = r.terraformPlan ? await this.planReview(r.terraformPlan, r.cwd) : undefined;
    return runReview({
      dismissals,
      repoDir: this.root,
      target: r.target,
      config,
      configFromBase: base !== null,
      warnings,
      provider: r.rulesOnly ? null : (r.provider ?? (await this.reviewProvider())),
      rulesOnlyReason: r.rulesOnly,
      cache: this.cache,
      stateDir: r.history === false ? undefined : this.stateDir,
      signal: r.signal,
      paths: r.paths,
      label: r.label,
      onEvent: r.onEvent,
      terraformPlan,
    });
  }

  /** Terraform's code is read only for a review that has a plan. */
  private async planReview(plan: LoadedPlan, cwd?: string): Promise<PlanReview> {
    const { reviewTerraformPlan } = await import('../core/iac/planReview.js');
    return reviewTerraformPlan(plan.plan, { repoRoot: this.root, planPath: plan.path, planText: plan.text, cwd });
  }

  /**
   * A Terraform plan on its own, under the working tree's settings: deletes, replaces and sensitive
   * updates, no diff and no model. Not kept in history: it reviews no commit, so no deploy or post may take it.
   */
  async reviewPlan(plan: LoadedPlan, cwd?: string): Promise<ReviewResult> {
    const startedAt = new Date();
    const review = await this.planReview(plan, cwd);
    const { planOnlyResult } = await import('../core/iac/planReview.js');
    return planOnlyResult({
      repoRoot: this.root,
      review,
      risk: this.config.risk,
      severityOverrides: this.config.severityOverrides,
      startedAt,
    });
  }

  /** The repository's code host; `token` overrides the secret store's GitHub token (the editor's sign-in). */
  async codeHost(opts: { token?: string; userAgent?: string; log?: (m: string) => void } = {}): Promise<Connection> {
    // The hosts' code is read when a command talks to one, not for every review.
    const { connectHost } = await import('../core/hosts/index.js');
    return connectHost(this.root, {
      token: opts.token ?? (await this.secrets.get('githubToken')),
      apiUrl: this.config.github.enterpriseUrl || undefined,
      gitlabToken: await this.secrets.get('gitlabToken'),
      gitlab: this.gitlabLocation(),
      env: this.env,
      userAgent: opts.userAgent,
      log: opts.log,
    });
  }

  /** Where GitLab is: the setting (or GITLAB_URL), then GitLab CI's own variables. */
  gitlabLocation(): GitLabLocation {
    return {
      url: this.config.gitlab.url || undefined,
      ciServerUrl: this.env.CI_SERVER_URL || undefined,
      ciApiUrl: this.env.CI_API_V4_URL || undefined,
    };
  }

  /** GitHub or GitLab, from the base remote; null without a remote. */
  async hostKind(): Promise<HostKind | null> {
    const { hostKind } = await import('../core/hosts/index.js');
    return (await hostKind(this.root, this.gitlabLocation()))?.kind ?? null;
  }
}
