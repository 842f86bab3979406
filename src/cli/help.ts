export { VERSION } from '../core/version.js';

export const EXIT = { ok: 0, gate: 1, usage: 2, model: 3 } as const;

export const HELP = `pullmint — local-first LLM code review

Usage:
  pullmint review [--working-tree | --staged | --base [REF] | --range A..B] [--repo DIR]
                  [--provider ollama|anthropic|openai] [--model NAME] [--ollama-host URL]
                  [--format text|json|sarif|codequality] [--output FILE] [--gate [--allow-incomplete]] [--no-cache]
                  [--max-calls N] [--timeout SECONDS] [--rules-only] [--terraform-plan PLAN.json]
  pullmint history [--repo DIR] [--json]
  pullmint post [--pr N | --mr N] [--repo DIR] [--request-changes] [--status] [--max-inline N]
  pullmint deploy [--environment NAME] [--force] [--repo DIR] [--wait SECONDS]
  pullmint qualify [--provider P] [--model NAME] [--cases DIR]... [--format text|json] [--no-store]
                   (is the model fit to gate? 'pullmint qualify --help')
  pullmint setup [--repo DIR] [--json]   (what a review needs, each failing check with its fix)
  pullmint dismiss ID --reason TEXT [--team] [--repo DIR]   ·   pullmint undismiss ID [--team]
  pullmint dismissed [--repo DIR] [--json]   ·   pullmint insights [--repo DIR] [--json]
  pullmint ci explain [--pr N | --run ID | --log FILE] [--repo DIR] [--format text|json] [--open-issue]
                      (why CI failed; pullmint ci explain --help)
  pullmint hook install|uninstall [--repo DIR]
  pullmint hook run [REMOTE [URL]] [--strict]   (git's pre-push hook; reads git's stdin)
  pullmint help [COMMAND] | --version

Run 'pullmint COMMAND --help' (e.g. 'pullmint review --help', 'pullmint hook install --help') for
a command's own page: every flag, what it does, and nothing else happens.

Targets (default: the working tree; when it has no changes, the last commit):
  --working-tree   staged + unstaged + untracked (not ignored) changes against HEAD
  --staged         the index against HEAD
  --base [REF]     merge-base(REF, HEAD)..HEAD; REF defaults to origin/HEAD, else main/master
  --range A..B     a commit range (A...B diffs from their merge-base)

Terraform plan (terraform show -json plan.out > plan.json):
  --terraform-plan FILE  review the plan's deletes, replaces and sensitive updates; alone, or with a
                         target flag above for one result covering the diff and the plan

Exit codes:
  0  review done (with --gate: the decision is auto-approve or auto-deploy)
  1  --gate and the decision is manual-review, or incomplete (the model did not review every
     changed line; --allow-incomplete lets that pass)
  2  usage or configuration error
  3  the model could not be used (the rule review is still printed, with the reason; not with
     --rules-only or --allow-incomplete)

Qualify exit codes: 0 fit to gate, 1 use with a human or not fit, 2 bad input or a model that cannot be asked.
Setup exit codes: 0 every required check passes, 1 otherwise.

Deploy exit codes: 0 deployed, 1 refused by the gate, 2 configuration, 4 the webhook failed after retries.

Environment: GITHUB_TOKEN / GH_TOKEN, GITHUB_API_URL, GITLAB_TOKEN, GITLAB_URL (CI_SERVER_URL,
CI_API_V4_URL and CI_MERGE_REQUEST_IID in GitLab CI), PULLMINT_DEPLOY_URL, PULLMINT_DEPLOY_TOKEN,
PULLMINT_DEPLOY_SECRET, PULLMINT_DEPLOY_ENVIRONMENT, PULLMINT_SANITY_CHECKS, PULLMINT_CODE_CACHE (0: no compiled-code cache), OLLAMA_HOST, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, PULLMINT_PROVIDER, PULLMINT_MODEL,
XDG_CONFIG_HOME, XDG_CACHE_HOME, XDG_STATE_HOME, NO_COLOR.
`;
