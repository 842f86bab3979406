import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { commentableLines } from '../../src/core/hosts/github/post.js';
import { collectDiff } from '../../src/core/git/diff.js';
import { FakeGitHub } from '../fakes/github.js';
import { LoopbackServer, sendJson, type RecordedRequest } from '../fakes/http.js';
import { FakeOllama } from '../fakes/ollama.js';
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
    ollama = new FakeOllama();
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

    const home = tempDir('pullmint-e2e-home-');
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
      },
      settings: {
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
      },
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

  it('1. Review Working Tree Changes puts the findings in the Problems panel at the right lines and severities', async () => {
    await wb.command('Pullmint: Review Working Tree Changes');
    await wb.notification(/Pullmint: risk 60 → manual-review/);
    const problems = await until('findings in the Problems panel', async () => {
      const p = await wb.problems();
      return p.rows.length >= 2 ? p : null;
    });
    await wb.screenshot('problems-panel');
    const sql = problems.rows.find((r) => r.text.includes('SQL injection'));
    const secret = problems.rows.find((r) => r.text.includes('Hard-coded secret'));
    assert.ok(sql, problems.text);
    assert.ok(secret, problems.text);
    assert.match(sql.text, /\[Ln 2, Col 3\]/);
    assert.match(secret.text, /\[Ln 1, Col 1\]/);
    assert.equal(sql.severity, 'error');
    assert.equal(secret.severity, 'error');
    assert.match(sql.text, /Pullmint\W*security/);
    assert.match(secret.text, /Pullmint\W*hardcoded-secret/);
    assert.equal(ollama.chatRequests.length, 1, 'the model was reached at the OLLAMA_HOST of the environment');
  });

  it('2. the risk panel shows the score and decision', async () => {
    await wb.command('Pullmint: Show Risk Panel');
    const panel = wb.riskPanel();
    await panel.locator('.gauge .score').waitFor({ timeout: 30_000 });
    assert.equal(await panel.locator('.gauge .score').textContent(), '60');
    assert.equal(await panel.locator('.badge.manual-review').textContent(), 'manual review');
    assert.match((await panel.locator('.coverage').textContent())!, /Reviewed 3 of 3 changed lines/);
    // Thresholds as layered: 15 from the repository, 50 from the user's setting over the repository's 17.
    assert.equal(await panel.locator('.gauge .scale').textContent(), '/ 100 · 15 · 50');
    await wb.screenshot('risk-panel');
  });

  it('3. the quick fix from the lightbulb rewrites the line', async () => {
    await wb.problems();
    // A double click opens the file at the finding and moves the focus into the editor.
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'SQL injection' }).first().dblclick();
    await page.waitForSelector('.monaco-editor.focused', { timeout: 20_000 });
    // The hover on the finding shows its message.
    await wb.command('Show or Focus Hover');
    const hover = page.locator('.monaco-hover', { hasText: 'User input is concatenated into SQL.' }).first();
    await hover.waitFor({ timeout: 15_000 });
    assert.match((await hover.innerText()).replace(/\s+/g, ' '), /SQL injection: User input is concatenated into SQL\./);
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
    await wb.screenshot('quick-fix-menu');
    await fix.click();
    await page.keyboard.press('Control+S');
    const content = await until(
      'the fixed file on disk',
      async () => {
        const text = readFileSync(join(repo.dir, 'src', 'db.js'), 'utf8');
        return text.includes('$1') ? text : null;
      },
      20_000,
    );
    assert.match(content, /db\.query\("SELECT \* FROM users WHERE id = \$1", \[id\]\)/);
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
});
