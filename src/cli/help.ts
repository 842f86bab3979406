export { VERSION } from '../core/version.js';

export const EXIT = { ok: 0, gate: 1, usage: 2, model: 3 } as const;

export const HELP = `pullmint — local-first LLM code review

Usage:
  pullmint review [--working-tree | --staged | --base [REF] | --range A..B] [--repo DIR]
                  [--provider ollama|anthropic|openai] [--model NAME] [--ollama-host URL]
                  [--format text|json|sarif] [--output FILE] [--gate [--allow-incomplete]] [--no-cache]
                  [--max-calls N] [--timeout SECONDS] [--rules-only]
  pullmint history [--repo DIR] [--json]
  pullmint post [--pr N] [--repo DIR] [--request-changes] [--status] [--max-inline N]
  pullmint deploy [--environment NAME] [--force] [--repo DIR] [--wait SECONDS]
  pullmint ci explain [--pr N | --run ID | --log FILE] [--repo DIR] [--format text|json] [--open-issue]
                      (why CI failed; pullmint ci explain --help)
  pullmint hook install|uninstall [--repo DIR]
  pullmint hook run [REMOTE [URL]] [--strict]   (git's pre-push hook; reads git's stdin)
  pullmint help | --version

Targets (default --working-tree):
  --working-tree   staged + unstaged + untracked (not ignored) changes against HEAD
  --staged         the index against HEAD
  --base [REF]     merge-base(REF, HEAD)..HEAD; REF defaults to origin/HEAD, else main/master
  --range A..B     a commit range (A...B diffs from their merge-base)

Exit codes:
  0  review done (with --gate: the decision is auto-approve or auto-deploy)
  1  --gate and the decision is manual-review, or incomplete (the model did not review every
     changed line; --allow-incomplete lets that pass)
  2  usage or configuration error
  3  the model could not be used (the rule review is still printed, with the reason; not with
     --rules-only or --allow-incomplete)

Deploy exit codes: 0 deployed, 1 refused by the gate, 2 configuration, 4 the webhook failed after retries.

Environment: GITHUB_TOKEN / GH_TOKEN, GITHUB_API_URL, PULLMINT_DEPLOY_URL, PULLMINT_DEPLOY_TOKEN,
PULLMINT_DEPLOY_SECRET, PULLMINT_DEPLOY_ENVIRONMENT, PULLMINT_SANITY_CHECKS, OLLAMA_HOST, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, PULLMINT_PROVIDER, PULLMINT_MODEL,
XDG_CONFIG_HOME, XDG_CACHE_HOME, XDG_STATE_HOME, NO_COLOR.
`;
