import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { commentableLines } from '../../src/core/hosts/github/post.js';
import { collectDiff } from '../../src/core/git/diff.js';
import { FakeGitHub } from '../fakes/github.js';
import { LoopbackServer, sendJson, type RecordedRequest } from '../fakes/http.js';
import { FakeOllama } from '../fakes/ollama.js';
import { DEFAULT_TRIGGERS } from '../fakes/reviewer.js';
import { ROOT } from '../helpers/cli.js';
import { TempRepo, tempDir } from '../helpers/git.js';
import { CODE_SERVER, NODE24, startCodeServer, type CodeServer } from './codeServer.js';
import { until, Workbench } from './workbench.js';

const VSIX = join(ROOT, 'pullmint.vsix');
const TOKEN = 'ghp_e2etokenforthefakegithubserver0000000';
const SIGNING_SECRET = 'e2e-signing-secret';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function verifies(r: RecordedRequest): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', SIGNING_SECRET).update(r.body).digest('hex')}`);
  const got = Buffer.from(String(r.headers['x-pullmint-signature-256'] ?? ''));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * One realistic pass through the packaged extension in a real VS Code (code-server) driven by
 * Chromium: review, Problems panel, risk panel, quick fix, PR review and posting, deploy.
 */
describe('Pullmint in a real VS Code (code-server + Chromium)', function () {
  this.timeout(600_000);
  let ollama: FakeOllama;
  let github: FakeGitHub;
  let receiver: LoopbackServer;
  let repo: TempRepo;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let wb: Workbench;
  let headSha = '';
  let home = '';
  let userSettings: Record<string, unknown> = {};
  /**
   * Changes the user's settings while the editor runs, the way a user does: in settings.json, saved.
   * (code-server does not notice a write to the file from outside.)
   */
  const setUserSettings = async (patch: Record<string, unknown>): Promise<void> => {
    userSettings = { ...userSettings, ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete userSettings[k];
    const file = join(home, 'user', 'User', 'settings.json');
    const saved = (): boolean => {
      try {
        return JSON.stringify(JSON.parse(readFileSync(file, 'utf8'))) === JSON.stringify(userSettings);
      } catch {
        return false;
      }
    };
    for (let attempt = 0; attempt < 3 && !saved(); attempt++) {
      await wb.command('Preferences: Open User Settings (JSON)');
      await page.waitForSelector('.monaco-editor.focused', { timeout: 20_000 });
      await page.waitForTimeout(500);
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      // One line, inserted as a whole: no auto-closed quotes or brackets.
      await page.keyboard.insertText(JSON.stringify(userSettings));
      await page.keyboard.press('Control+S');
      await until('settings.json saved', async () => saved(), 5000).catch(() => undefined);
      await wb.command('View: Close All Editors');
    }
    assert.ok(saved(), 'settings.json saved as intended');
    await page.waitForTimeout(1500);
  };
  const statusBarText = async (): Promise<string> => ((await page.locator('.statusbar').innerText()) ?? '').replace(/\s+/g, ' ');
  /** The rows of the Findings view: label and description as shown. */
  const findingsRows = async (): Promise<string[]> =>
    page
      .locator('.pane', { has: page.locator('.pane-header', { hasText: /^Findings/i }) })
      .locator('.monaco-list-row')
      .evaluateAll((els) => els.map((el) => (el as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));

  before(async () => {
    for (const [what, path] of [
      ['the packaged extension', VSIX],
      ['Node 24', NODE24],
      ['code-server', CODE_SERVER],
      ['Chromium', CHROMIUM],
    ] as const) {
      if (!existsSync(path))
        throw new Error(`${what} is missing at ${path}: run npm run test:e2e (it runs test/e2e/setup.sh and packages the extension)`);
    }
    // The scripted model answers in markdown, as real models do, and reports one info finding.
    ollama = new FakeOllama({
      triggers: [
        ...DEFAULT_TRIGGERS.map((t) =>
          t.title === 'SQL injection'
            ? { ...t, message: 'User input is concatenated into SQL. Use a `$1` placeholder and pass **`id`** as a parameter.' }
            : t,
        ),
        {
          contains: 'exports.awsKey',
          severity: 'info',
          category: 'maintainability',
          title: 'Configuration in code',
          message: 'Read `awsKey` from the environment instead.',
        },
      ],
    });
    await ollama.start();
    receiver = new LoopbackServer((_req, res) => sendJson(res, 200, { accepted: true }));
    await receiver.start();
    github = new FakeGitHub('acme', 'shop');
    github.tokens.set(TOKEN, 'dev');
    await github.start();

    repo = new TempRepo('pullmint-e2e-');
    repo.write('src/app.js', Array.from({ length: 30 }, (_, i) => `exports.v${i} = ${i};`).join('\n') + '\n');
    repo.write('src/db.js', 'exports.find = async (db, id) => {\n  return db.query("SELECT 1");\n};\n');
    // Repository policy: approve below 15 (the user did not set it, so it holds) and deploy below 17
    // (the user's own setting of 50 wins). A review of score 18 then reads auto-deploy only if both hold.
    repo.write('.pullmint.json', JSON.stringify({ risk: { approveThreshold: 15, deployThreshold: 17 } }));
    const baseSha = repo.commit('base');
    repo.git('remote', 'add', 'origin', 'https://github.com/acme/shop.git');
    repo.git('checkout', '-q', '-b', 'feature/checkout');
    repo.write(
      'src/app.js',
      Array.from({ length: 30 }, (_, i) => (i === 10 ? 'exports.run = (s) => eval(s);' : `exports.v${i} = ${i};`)).join('\n') +
        '\n// TODO tidy\n',
    );
    headSha = repo.commit('checkout feature');
    const prDiff = await collectDiff(repo.dir, { kind: 'range', range: `${baseSha}..${headSha}` }, { contextLines: 3 });
    github.pulls.push({
      number: 5,
      title: 'Checkout',
      state: 'open',
      author: 'someone',
      head: { ref: 'feature/checkout', sha: headSha, owner: 'acme' },
      base: { ref: 'main', sha: baseSha },
      commentable: commentableLines(prDiff.files),
    });
    // The uncommitted change with known problems.
    repo.write(
      'src/db.js',
      'exports.find = async (db, id) => {\n  const rows = await db.query("SELECT * FROM users WHERE id = " + id);\n  return rows;\n};\n',
    );
    repo.write('src/config.js', 'exports.awsKey = "AKIAIOSFODNN7EXAMPLE";\n');

    home = tempDir('pullmint-e2e-home-');
    // An installed but stopped Ollama: the program is on PATH, nothing answers on its port.
    const fakeBin = join(home, 'bin');
    mkdirSync(fakeBin, { recursive: true });
    writeFileSync(join(fakeBin, 'ollama'), '#!/bin/sh\necho "fake ollama $*"\n');
    chmodSync(join(fakeBin, 'ollama'), 0o755);
    // The extension host takes PATH from a login shell, as VS Code's server does: the user's profile puts it there.
    for (const profile of ['.bash_profile', '.profile']) writeFileSync(join(home, profile), `export PATH="${fakeBin}:$PATH"\n`);
    server = await startCodeServer({
      vsix: VSIX,
      workspace: repo.dir,
      home,
      env: {
        XDG_STATE_HOME: join(home, 'state'),
        XDG_CACHE_HOME: join(home, 'cache'),
        XDG_CONFIG_HOME: join(home, 'config'),
        GITHUB_API_URL: github.url,
        GIT_CONFIG_NOSYSTEM: '1',
        // The model is found through the environment alone: the editor's unset default must not hide it.
        OLLAMA_HOST: ollama.url,
        // The user's editor setting below wins over this.
        PULLMINT_DEPLOY_ENVIRONMENT: 'production',
        PATH: `${fakeBin}:${process.env.PATH ?? ''}`,
        HOME: home,
      },
      settings: (userSettings = {
        'pullmint.deploy.url': `${receiver.url}/deploy`,
        'pullmint.deploy.environment': 'staging',
        'pullmint.risk.deployThreshold': 50,
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.ignoreRecommendations': true,
        'security.workspace.trust.enabled': false,
        'editor.lightbulb.enabled': 'on',
        'git.openRepositoryInParentFolders': 'never',
        'git.autofetch': false,
        'git.confirmSync': false,
      }),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(repo.dir)}`);
    wb = new Workbench(page);
    await wb.waitReady();
    await page.waitForTimeout(4000); // the extension host starts after the workbench
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await ollama?.stop();
    await github?.stop();
    await receiver?.stop();
  });

  it('0. the walkthrough opened by itself after install, without literal backticks', async () => {
    const walkthrough = page.locator('.gettingStartedContainer', { hasText: 'Get started with Pullmint' }).first();
    await walkthrough.waitFor({ timeout: 30_000 });
    await page.locator('.gettingStartedContainer', { hasText: 'Install Ollama' }).first().waitFor({ timeout: 10_000 });
    await wb.screenshot('walkthrough');
    const text = await walkthrough.innerText();
    assert.match(text, /ollama serve/);
    assert.doesNotMatch(text, /`/, 'no literal backticks in the walkthrough');
    await wb.command('View: Close All Editors');
  });

  it('1. Review Working Tree Changes puts the findings in the Problems panel at the right lines and severities, info included, markdown as words', async () => {
    await wb.command('Pullmint: Review Working Tree Changes');
    // The toast counts what the Problems panel shows: the info finding too.
    const toast = await wb.notification(/Pullmint: risk \d+ → manual-review/);
    assert.match(toast, /3 finding\(s\) \(2 critical · 1 info\)/);
    const problems = await until('findings in the Problems panel', async () => {
      const p = await wb.problems();
      return p.rows.length >= 3 ? p : null;
    });
    await wb.screenshot('problems-panel');
    const sql = problems.rows.find((r) => r.text.includes('SQL injection'));
    const secret = problems.rows.find((r) => r.text.includes('Hard-coded secret'));
    const info = problems.rows.find((r) => r.text.includes('Configuration in code'));
    assert.ok(sql, problems.text);
    assert.ok(secret, problems.text);
    assert.ok(info, problems.text);
    assert.match(sql.text, /\[Ln 2, Col 3\]/);
    assert.match(secret.text, /\[Ln 1, Col 1\]/);
    assert.equal(sql.severity, 'error');
    assert.equal(secret.severity, 'error');
    assert.equal(info.severity, 'info', 'info findings show as Information, in the Problems panel');
    // The model's markdown reads as words in the Problems panel.
    assert.match(sql.text, /Use a \$1 placeholder and pass id as a parameter\./);
    assert.doesNotMatch(problems.text, /`|\*\*/);
    assert.match(sql.text, /Pullmint\W*security/);
    assert.match(secret.text, /Pullmint\W*hardcoded-secret/);
    assert.equal(ollama.chatRequests.length, 1, 'the model was reached at the OLLAMA_HOST of the environment');
    assert.match(await statusBarText(), /manual-review · 3/);
  });

  it('1b. the Findings view lists them by file and severity with the same counts, and inline actions', async () => {
    await wb.command('Pullmint: Focus on Findings View');
    const rows = await until('the Findings view filled', async () => {
      const r = await findingsRows();
      return r.length >= 5 ? r : null;
    });
    await page
      .locator('.pane-header', { hasText: /^Findings/i })
      .first()
      .hover();
    await wb.screenshot('findings-view');
    const config = rows.findIndex((r) => /^config\.js/.test(r));
    const db = rows.findIndex((r) => /^db\.js/.test(r));
    assert.ok(config >= 0 && db >= 0, rows.join('\n'));
    assert.match(rows[config], /src · 1 critical · 1 info/);
    assert.match(rows[db], /src · 1 critical/);
    // Under config.js: the critical one before the info one.
    assert.match(rows[config + 1], /Hard-coded secret.*critical · Ln 1/);
    assert.match(rows[config + 2], /Configuration in code.*info · Ln 1/);
    // The badge on the view carries the same count as Problems, the toast and the status bar.
    const header = (
      await page
        .locator('.pane-header', { hasText: /^Findings/i })
        .first()
        .innerText()
    ).replace(/\s+/g, ' ');
    assert.match(header, /3 · 2 critical · 1 info/);
    // Inline actions on a finding with a suggestion: apply fix, dismiss, copy.
    const sqlRow = page.locator('.pane .monaco-list-row', { hasText: 'SQL injection' }).first();
    await sqlRow.hover();
    const actions = await sqlRow.locator('.actions .action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    assert.deepEqual(
      actions.map((a) => a.replace(/^Pullmint: /, '')),
      ['Apply Suggested Fix', 'Dismiss Finding for Me', 'Copy Finding'],
    );
    // Copy finding puts the finding on the clipboard as plain text.
    await sqlRow.locator('.action-label[aria-label*="Copy Finding"]').click();
    await page.locator('.statusbar', { hasText: 'finding copied' }).waitFor({ timeout: 10_000 });
  });

  it('2. the risk panel shows the score and decision', async () => {
    await wb.command('Pullmint: Show Risk Panel');
    const panel = wb.riskPanel();
    await panel.locator('.gauge .score').waitFor({ timeout: 30_000 });
    assert.equal(await panel.locator('.gauge .score').textContent(), '61');
    assert.equal(await panel.locator('.badge.manual-review').textContent(), 'manual review');
    // Three added lines and the one db.js loses: removed lines are reviewed too.
    assert.match((await panel.locator('.coverage').textContent())!, /Reviewed 4 of 4 changed lines/);
    // Thresholds as layered: 15 from the repository, 50 from the user's setting over the repository's 17.
    assert.deepEqual(await panel.locator('.thresholds .band-range').allTextContents(), ['0–14', '15–49', '50–100']);
    await wb.screenshot('risk-panel');
  });

  it('3. the hover renders the markdown with severity, category and suggestion; the fix goes through a preview and leaves the counts', async () => {
    await wb.problems();
    // A double click opens the file at the finding and moves the focus into the editor.
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'SQL injection' }).first().dblclick();
    await page.waitForSelector('.monaco-editor.focused', { timeout: 20_000 });
    await wb.command('Show or Focus Hover');
    const hover = page.locator('.monaco-hover', { hasText: 'Pullmint · critical' }).first();
    await hover.waitFor({ timeout: 15_000 });
    const hoverText = (await hover.innerText()).replace(/\s+/g, ' ');
    assert.match(hoverText, /Pullmint · critical · security/);
    assert.match(hoverText, /Suggestion:/);
    assert.match(hoverText, /Apply fix · .*Dismiss · .*Copy/);
    // Rendered, not raw: the code span is a <code>, the bold a <strong>, no backticks left.
    assert.equal((await hover.locator('code', { hasText: '$1' }).count()) > 0, true, 'the code span is rendered');
    assert.equal((await hover.locator('strong', { hasText: 'id' }).count()) > 0, true, 'the bold is rendered');
    assert.doesNotMatch(hoverText, /`\$1`|\*\*/);
    await wb.screenshot('hover');
    await page.keyboard.press('Escape');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Apply suggested fix' }).first();
    try {
      const bulb = page.locator('.monaco-editor .lightBulbWidget').first();
      await bulb.waitFor({ state: 'visible', timeout: 20_000 });
      await bulb.click();
      if (!(await fix.isVisible().catch(() => false))) {
        await fix.waitFor({ timeout: 5000 }).catch(async () => {
          await wb.command('Quick Fix...');
        });
      }
      await fix.waitFor({ timeout: 20_000 });
    } catch (err) {
      await wb.screenshot('quick-fix-missing');
      throw err;
    }
    const menu = (await page.locator('.action-widget').first().innerText()).replace(/\s+/g, ' ');
    assert.match(menu, /Copy finding: SQL injection/);
    await wb.screenshot('quick-fix-menu');
    await fix.click();
    // The refactor preview shows the change before anything is written.
    const apply = page.locator('.bulk-edit-panel .monaco-button', { hasText: /^Apply$/ }).first();
    await apply.waitFor({ timeout: 20_000 });
    assert.doesNotMatch(readFileSync(join(repo.dir, 'src', 'db.js'), 'utf8'), /\$1/, 'nothing changed before Apply');
    const preview = (await page.locator('.bulk-edit-panel').innerText()).replace(/\s+/g, ' ');
    assert.match(preview, /db\.js/);
    assert.match(preview, /\$1/, 'the preview shows the new text');
    await wb.screenshot('fix-preview');
    // A change that needs confirmation is ticked by the user, then applied.
    await page
      .locator('.bulk-edit-panel .monaco-list-row')
      .first()
      .locator('.monaco-checkbox, .monaco-custom-toggle, input[type="checkbox"]')
      .first()
      .click();
    await apply.click();
    await wb.notification(/applied the fix for "SQL injection"/);
    await wb.command('File: Save All Files');
    const content = await until(
      'the fixed file on disk',
      async () => {
        const text = readFileSync(join(repo.dir, 'src', 'db.js'), 'utf8');
        return text.includes('$1') ? text : null;
      },
      20_000,
    );
    assert.match(content, /db\.query\("SELECT \* FROM users WHERE id = \$1", \[id\]\)/);
    // The fixed finding has left the working counts: Problems, status bar, Findings view; the
    // panel's score is over what is left.
    await until('the status bar count down to 2', async () => /manual-review · 2/.test(await statusBarText()), 15_000);
    assert.ok(!(await wb.problems()).rows.some((r) => r.text.includes('SQL injection')));
    await wb.command('Pullmint: Show Risk Panel');
    await until('the panel score over what is left', async () => (await wb.riskPanel().locator('.gauge .score').textContent()) === '31');
    await wb.screenshot('after-quick-fix');
  });

  it('3b. findings follow edits: a line inserted above moves the finding down, undo moves it back', async () => {
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'Hard-coded secret' }).first().dblclick();
    await page.waitForSelector('.monaco-editor.focused', { timeout: 20_000 });
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Enter');
    await until(
      'the finding on line 2',
      async () => (await wb.problems()).rows.some((r) => r.text.includes('Hard-coded secret') && /\[Ln 2, Col 1\]/.test(r.text)),
      15_000,
    );
    await wb.screenshot('finding-moved');
    await page.keyboard.press('Control+Z');
    await until(
      'the finding back on line 1',
      async () => (await wb.problems()).rows.some((r) => r.text.includes('Hard-coded secret') && /\[Ln 1, Col 1\]/.test(r.text)),
      15_000,
    );
  });

  it('3c. Dismiss from the Findings view leaves the counts, and Undo in its notification brings it back', async () => {
    await wb.clearNotifications();
    await wb.command('Pullmint: Focus on Findings View');
    const row = page.locator('.pane .monaco-list-row', { hasText: 'Configuration in code' }).first();
    await row.hover();
    await row.locator('.action-label[aria-label*="Dismiss Finding"]').click();
    await until('the status bar count down to 1', async () => /manual-review · 1/.test(await statusBarText()), 15_000);
    await until(
      'the finding gone from the Findings view',
      async () => !(await findingsRows()).some((r) => r.includes('Configuration in code')),
      15_000,
    );
    const undo = page
      .locator('.notification-toast', { hasText: 'dismissed "Configuration in code"' })
      .locator('.monaco-button', { hasText: 'Undo' });
    await undo.waitFor({ timeout: 15_000 });
    await wb.screenshot('dismissed-with-undo');
    await undo.click();
    await until('the finding back', async () => (await findingsRows()).some((r) => r.includes('Configuration in code')), 15_000);
    assert.match(await statusBarText(), /manual-review · 2/);
  });

  it('3d. with Ollama stopped: the review ends, its progress closes, Not reviewed says why; Check Setup puts the failure first and offers Start Ollama', async () => {
    await wb.clearNotifications();
    // A change the cache has never seen, so the model must be asked; and Ollama has stopped.
    repo.write('src/extra.js', `exports.when = ${Date.now()};\n`);
    const ollamaPort = Number(new URL(ollama.url).port);
    await ollama.stop();
    try {
      await wb.command('Pullmint: Review Working Tree Changes');
      const warning = await wb.notification(/The model review did not run/);
      assert.match(warning, /Start Ollama/);
      assert.doesNotMatch(warning, /Install Ollama/);
      // The progress has closed: no "reviewing" toast, no spinner in the status bar.
      await until(
        'the progress closed',
        async () => (await page.locator('.notification-toast', { hasText: 'Pullmint: reviewing' }).count()) === 0,
        15_000,
      );
      assert.doesNotMatch(await statusBarText(), /reviewing/);
      await wb.screenshot('progress-gone-after-failed-review');
      await wb.command('Pullmint: Focus on Findings View');
      const rows = await until('the Not reviewed group', async () => {
        const r = await findingsRows();
        return r.some((x) => /^Not reviewed/.test(x)) ? r : null;
      });
      assert.ok(
        rows.some((r) => /^src\/(config|db|extra)\.js\s*(Ln \d|whole file|from Ln \d).* · \S/.test(r)),
        `an unreviewed range with its reason:\n${rows.join('\n')}`,
      );
      await wb.screenshot('findings-not-reviewed');
      await wb.clearNotifications();
      await wb.command('Pullmint: Check Setup');
      const first = page.locator('.quick-input-list .monaco-list-row').first();
      await first.waitFor({ timeout: 30_000 });
      await until('the checks listed', async () => (await page.locator('.quick-input-list .monaco-list-row').count()) >= 3);
      const firstText = (await first.innerText()).replace(/\s+/g, ' ');
      assert.match(firstText, /Ollama reachable/);
      assert.match(firstText, /Fix: Start Ollama/);
      const title = (await page.locator('.quick-input-widget').innerText()).replace(/\s+/g, ' ');
      assert.match(title, /problem\(s\)/);
      await wb.screenshot('check-setup-ollama-stopped');
      await page.keyboard.press('Escape');
    } finally {
      await ollama.start(ollamaPort);
      rmSync(join(repo.dir, 'src', 'extra.js'), { force: true });
    }
  });

  it('4. Review This PR, then Post Review to Pull Request: one summary and valid inline comments, also on re-post', async () => {
    await wb.clearNotifications();
    await wb.command('Pullmint: Set GitHub Token');
    await wb.answerInput(TOKEN);
    await wb.command('Pullmint: Review This PR');
    await wb.notification(/Pullmint: risk 18 → auto-deploy/);
    await wb.command('Pullmint: Post Review to Pull Request');
    await wb.notification(/posted to PR #5/);
    assert.deepEqual(github.rejected, []);
    assert.equal(github.issueComments.length, 1);
    assert.match(github.issueComments[0].body, /Pullmint: risk 18\/100/);
    assert.deepEqual(github.reviewComments.map((c) => [c.path, c.line]).sort(), [
      ['src/app.js', 11],
      ['src/app.js', 31],
    ]);
    await wb.screenshot('posted');
    await wb.command('Pullmint: Post Review to Pull Request');
    await until('the second post', async () => github.requests.filter((r) => r.method === 'PATCH').length === 1);
    assert.equal(github.issueComments.length, 1, 'still one summary comment');
    assert.equal(github.reviewComments.length, 2, 'no duplicate inline comments');
  });

  it('4b. Review Before Push offers to push when the gate passes; Install Pre-push Hook wires the bundled CLI', async () => {
    await wb.clearNotifications();
    await wb.command('Pullmint: Review Before Push');
    const toast = await wb.notification(/risk 18 → auto-deploy\. Push now\?/);
    assert.match(toast, /Push/);
    await wb.screenshot('review-before-push');
    await wb.clearNotifications();
    await wb.command('Pullmint: Install Pre-push Hook');
    await wb.notification(/pre-push hook installed/);
    const hook = readFileSync(join(repo.dir, '.git', 'hooks', 'pre-push'), 'utf8');
    assert.match(hook, /pullmint pre-push hook/);
    const cli = /'([^']+\/dist\/cli\.js)' hook run/.exec(hook)?.[1];
    assert.ok(cli && existsSync(cli), `the hook calls the extension's bundled CLI by absolute path: ${cli}`);
    const { execFileSync } = await import('node:child_process');
    assert.match(execFileSync(process.execPath, [cli, '--version'], { encoding: 'utf8' }), /^\d+\.\d+\.\d+/);
  });

  it('5. Trigger Deploy sends one signed request and the panel shows the deployment', async () => {
    await wb.clearNotifications();
    await wb.command('Pullmint: Set Deploy Signing Secret');
    await wb.answerInput(SIGNING_SECRET);
    await wb.command('Pullmint: Trigger Deploy');
    await wb.notification(/deployed to staging/);
    assert.equal(receiver.requests.length, 1);
    assert.ok(verifies(receiver.requests[0]), 'signature verifies');
    const body = JSON.parse(receiver.requests[0].body);
    assert.equal(body.sha, headSha);
    assert.equal(body.environment, 'staging', "the user's setting wins over PULLMINT_DEPLOY_ENVIRONMENT");
    assert.equal(receiver.requests[0].headers['idempotency-key'], body.deploymentId);
    await wb.command('Pullmint: Show Risk Panel');
    const panel = wb.riskPanel();
    await until('the deployment in the panel', async () =>
      /deployed/.test((await panel.locator('.deploy').textContent({ timeout: 2000 })) ?? ''),
    );
    assert.match((await panel.locator('.deploy').textContent())!, /deployed to staging/);
    await wb.screenshot('deployed');
  });

  it('6. a push from the editor that the hook blocks says why, with Show Findings and Push Anyway; the hook uses the editor settings', async () => {
    // A remote to push to, with the branch already there, then a commit the hook must stop.
    const bare = tempDir('pullmint-e2e-remote-');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    repo.git('remote', 'add', 'backup', bare);
    repo.git('push', '-q', '--no-verify', '-u', 'backup', 'feature/checkout');
    repo.write('src/keys.js', 'exports.stripe = "AKIAIOSFODNN7EXAMPLE";\n');
    repo.git('add', 'src/keys.js');
    repo.git('commit', '-q', '-m', 'add keys');
    const pushed = repo.git('rev-parse', 'HEAD').trim();
    // The editor's model: the hook must ask for it, not the CLI's default.
    ollama.opts.models.push('e2e-editor-model');
    await setUserSettings({ 'pullmint.ollama.model': 'e2e-editor-model' });
    await page.waitForTimeout(2000);
    const before = ollama.chatRequests.length;
    await wb.clearNotifications();
    await wb.command('Git: Push');
    const toast = await wb.notification(/Pullmint blocked the push/, 120_000);
    assert.match(toast, /risk \d+\/100 → manual-review/);
    assert.match(toast, /Top findings: critical src\/keys\.js:1 Hard-coded secret/);
    assert.match(toast, /Show Findings/);
    assert.match(toast, /Push Anyway/);
    assert.doesNotMatch(toast, /Try running Pull first|Can't push refs/);
    await wb.screenshot('push-blocked');
    const hookCalls = ollama.chatRequests.slice(before);
    assert.ok(hookCalls.length >= 1, 'the hook asked the model');
    assert.equal(JSON.parse(hookCalls[0].body).model, 'e2e-editor-model', "the hook used the editor's model setting");
    assert.notEqual(execFileSync('git', ['--git-dir', bare, 'rev-parse', 'feature/checkout'], { encoding: 'utf8' }).trim(), pushed);
    // Show Findings: the hook's review in the Findings view.
    await page
      .locator('.notification-toast', { hasText: 'Pullmint blocked the push' })
      .locator('.monaco-button', { hasText: 'Show Findings' })
      .click();
    await until('the hook findings in the view', async () => (await findingsRows()).some((r) => /^keys\.js/.test(r)), 20_000);
    await wb.screenshot('push-blocked-findings');
    // Push Anyway: once, without the review.
    await wb.clearNotifications();
    await wb.command('Git: Push');
    await page
      .locator('.notification-toast', { hasText: 'Pullmint blocked the push' })
      .locator('.monaco-button', { hasText: 'Push Anyway' })
      .click({ timeout: 120_000 });
    await wb.notification(/pushed to backup without the review/);
    assert.equal(execFileSync('git', ['--git-dir', bare, 'rev-parse', 'feature/checkout'], { encoding: 'utf8' }).trim(), pushed);
  });

  it('7. review on save with the model shows in the status bar while it runs, and says quietly when it cannot', async () => {
    await setUserSettings({ 'pullmint.reviewOnSave': 'llm', 'pullmint.ollama.model': undefined });
    ollama.opts.mode = 'slow';
    ollama.opts.slowMs = 1500;
    await page.waitForTimeout(1500);
    const openConfig = async (): Promise<void> => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget input').fill('src/config.js');
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'config.js' }).first();
      await row.waitFor({ timeout: 20_000 });
      await row.click();
      await page.waitForSelector('.monaco-editor.focused', { timeout: 20_000 });
      await until('config.js in front', async () => /config\.js/.test(await page.title()), 10_000).catch(async (err) => {
        await wb.screenshot('config-not-in-front');
        throw err;
      });
      await page.keyboard.press('Control+End');
    };
    await openConfig();
    await page.keyboard.type('// TODO rotate');
    await page.keyboard.press('Control+S');
    await until('the on-save spinner', async () => /config\.js/.test(await statusBarText()), 20_000).catch(async (err) => {
      await wb.screenshot('review-on-save-no-spinner');
      throw err;
    });
    await wb.screenshot('review-on-save-running');
    await until('the on-save review done', async () => !/\$\(sync|config\.js/.test(await statusBarText()), 60_000);
    ollama.opts.mode = 'ok';
    // The model goes away: the next save says so in the status bar, no toast.
    const ollamaPort = Number(new URL(ollama.url).port);
    await ollama.stop();
    await wb.clearNotifications();
    await openConfig();
    await page.keyboard.type(' now');
    await page.keyboard.press('Control+S');
    await until('the quiet message', async () => /Pullmint on save: the model could not be used/.test(await statusBarText()), 30_000);
    await wb.screenshot('review-on-save-cannot');
    assert.equal(await page.locator('.notification-toast', { hasText: 'on save' }).count(), 0, 'no toast for a review on save');
    await ollama.start(ollamaPort);
    await setUserSettings({ 'pullmint.reviewOnSave': undefined });
  });
});
