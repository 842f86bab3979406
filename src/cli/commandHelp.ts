import { CI_HELP } from './ci.js';
import { DISMISS_HELP, DISMISSED_HELP, UNDISMISS_HELP } from './dismiss.js';
import { INSIGHTS_HELP } from './insights.js';
import { QUALIFY_HELP } from './qualify.js';
import { SETUP_HELP } from './setup.js';

/**
 * `pullmint <command> --help`: each command's own page. main.ts answers `--help` / `-h` before a
 * command parses anything or touches the repository, so asking for help never has a side effect
 * (`hook install --help` installs nothing, `history --help` reads no history).
 */

const REVIEW = `Usage: pullmint review [TARGET] [options]

Reviews a change with the built-in rules and the model, prints the findings, a risk score (0-100)
and a decision: auto-approve, auto-deploy, manual-review, or incomplete (the model did not review
every changed line; never an approval).

Target (choose one; default: the working tree, or the last commit when the tree is clean):
  --working-tree       staged + unstaged + untracked (not ignored) changes against HEAD, even when
                       there are none
  --staged             the index against HEAD
  --base [REF]         merge-base(REF, HEAD)..HEAD; REF defaults to origin/HEAD, else main/master
  --range A..B         a commit range; A...B diffs from their merge-base

Options:
  --repo DIR           the repository to review (default: the current folder)
  --provider NAME      ollama (default, local), anthropic or openai
  --model NAME         the model for the chosen provider
  --ollama-host URL    Ollama's address: http(s)://HOST:PORT or HOST:PORT (default 127.0.0.1:11434)
  --format FORMAT      text (default), json (schemaVersion 1), sarif (SARIF 2.1.0) or codequality
                       (GitLab Code Quality)
  -o, --output FILE    write the result to FILE instead of stdout
  --gate               exit 1 unless the decision is auto-approve or auto-deploy (for CI)
  --allow-incomplete   with --gate, let an incomplete review pass; a model that cannot be used no
                       longer exits 3
  --no-cache           ask the model again instead of reusing cached answers for unchanged chunks
  --max-calls N        most model calls for this review, 0 to 1000000 (default 50); what the
                       limit leaves out is listed as not reviewed
  --timeout SECONDS    limit for one model call, 1 to 86400 (default 180)
  --rules-only         skip the model: built-in rules only (the decision is then incomplete)
  --terraform-plan PLAN.json
                       review a Terraform plan (terraform show -json PLANFILE): every delete and
                       replace is a finding; alone, or with a target flag for one combined result
  --show-dismissed     list dismissed findings with who dismissed them and why (default: their count)
  -h, --help           show this help

Exit codes:
  0  review done (with --gate: auto-approve or auto-deploy)
  1  --gate and the decision is manual-review, or incomplete without --allow-incomplete
  2  usage or configuration error
  3  the model could not be used; the rule review is still printed with the reason and the fix

Examples:
  pullmint review                              uncommitted changes, or the last commit
  pullmint review --range HEAD~3..HEAD         the last three commits
  pullmint review --base origin/main --gate    a branch in CI
  pullmint review --format sarif -o out.sarif  for GitHub code scanning
`;

const HISTORY = `Usage: pullmint history [--repo DIR] [--json]

Lists the last 50 reviews of the repository, newest first: when (local time), the review's short id,
what was reviewed, provider and model, status, risk score and decision, and the latest deployment.

Options:
  --repo DIR   the repository (default: the current folder)
  --json       the records as JSON, unchanged (full ids, UTC times, full commit SHAs)
  -h, --help   show this help
`;

const POST = `Usage: pullmint post [--pr N | --mr N] [--repo DIR] [--request-changes] [--status] [--max-inline N]

Reviews the pull request (GitHub) or merge request (GitLab) of the checked-out branch, or reuses the
latest complete review of its exact diff, and posts one summary comment and inline comments.
Re-posting edits the summary and never duplicates an inline comment. Needs GITHUB_TOKEN or GH_TOKEN
on GitHub, GITLAB_TOKEN on GitLab (CI_JOB_TOKEN cannot post notes).

Options:
  --pr N, --mr N      the pull or merge request number (default: found from the branch)
  --repo DIR          the repository (default: the current folder)
  --request-changes   submit REQUEST_CHANGES when the decision is manual-review
  --status            set the pullmint/risk commit status (success, failure or pending)
  --max-inline N      most inline comments (default 30); the rest go in the summary
  -h, --help          show this help
`;

const DEPLOY = `Usage: pullmint deploy [--environment NAME] [--force] [--repo DIR] [--wait SECONDS]

Sends HEAD to the deploy webhook (PULLMINT_DEPLOY_URL) when the latest review of HEAD covers what
would be deployed and its decision is auto-approve or auto-deploy, then runs the sanity checks.

Options:
  --environment NAME  the environment (default: deploy.environment, "production")
  --force             deploy anyway (manual-review, incomplete, or already deployed); recorded as
                      an override
  --repo DIR          the repository (default: the current folder)
  --wait SECONDS      how long sanity checks may retry until healthy (default 30)
  -h, --help          show this help

Exit codes: 0 deployed, 1 refused by the gate, 2 configuration, 4 the webhook failed after retries.
`;

const HOOK = `Usage: pullmint hook install|uninstall [--repo DIR]
       pullmint hook run [REMOTE [URL]] [--strict]

  install     write the pre-push hook (core.hooksPath and husky honoured; an existing hook is
              kept and runs first)
  uninstall   remove it and restore the hook it replaced
  run         what the hook calls: reviews the commits git is pushing (read from stdin)

Run 'pullmint hook <install|uninstall|run> --help' for each one.
`;

const HOOK_INSTALL = `Usage: pullmint hook install [--repo DIR]

Writes the pre-push hook where git looks for it (core.hooksPath honoured; husky's .husky/). An
existing hook is kept, runs first with the same input and can still block the push. On each push
the hook reviews exactly the commits being pushed and blocks on manual-review.

Options:
  --repo DIR   the repository (default: the current folder)
  -h, --help   show this help (installs nothing)

Bypass once: git push --no-verify, or PULLMINT_SKIP=1 git push.
`;

const HOOK_UNINSTALL = `Usage: pullmint hook uninstall [--repo DIR]

Removes Pullmint's pre-push hook and puts back the hook it replaced, if any.

Options:
  --repo DIR   the repository (default: the current folder)
  -h, --help   show this help (removes nothing)
`;

const HOOK_RUN = `Usage: pullmint hook run [REMOTE [URL]] [--strict] [--repo DIR]

What git's pre-push hook calls. Reads git's pre-push lines from stdin, reviews the commits being
pushed and blocks the push (exit 1) on manual-review. When the model cannot be used the rules still
run and the push is allowed, unless strict.

Options:
  --strict     block when the model did not review every changed line (or PULLMINT_STRICT=1)
  --repo DIR   the repository (default: the current folder)
  -h, --help   show this help (reviews nothing)

Environment: PULLMINT_SKIP=1 skips the review, PULLMINT_STRICT=1 is --strict.
`;

const PAGES: Record<string, string> = {
  review: REVIEW,
  history: HISTORY,
  post: POST,
  deploy: DEPLOY,
  setup: SETUP_HELP,
  qualify: QUALIFY_HELP,
  dismiss: DISMISS_HELP,
  undismiss: UNDISMISS_HELP,
  dismissed: DISMISSED_HELP,
  insights: INSIGHTS_HELP,
  ci: CI_HELP,
  'ci explain': CI_HELP,
  hook: HOOK,
  'hook install': HOOK_INSTALL,
  'hook uninstall': HOOK_UNINSTALL,
  'hook run': HOOK_RUN,
};

/** The commands with a page of their own, as typed: `review`, `hook install`, … */
export const HELP_TOPICS = Object.keys(PAGES);

/**
 * The page for `command` and its arguments (`hook install …` → the install page), or undefined for
 * a command that has none.
 */
export function commandHelp(command: string, rest: string[] = []): string | undefined {
  if (command === 'hook' || command === 'ci') {
    const sub = rest.find((a) => !a.startsWith('-'));
    if (sub && PAGES[`${command} ${sub}`]) return PAGES[`${command} ${sub}`];
  }
  return PAGES[command];
}
