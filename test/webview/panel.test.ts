/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PanelState } from '../../src/shared/protocol.js';
import { LoopbackServer } from '../fakes/http.js';
import { ensureBuilt, ROOT } from '../helpers/cli.js';
import { THEMES, themeCss } from './themes.js';

const ARTIFACTS = join(ROOT, 'test', 'e2e', 'artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A realistic review, with model text that tries to inject markup. */
function realisticState(): PanelState {
  const f = (
    id: string,
    file: string,
    line: number,
    severity: 'critical' | 'high' | 'medium' | 'low' | 'info',
    title: string,
    message: string,
    extra: object = {},
  ) => ({ id, file, line, severity, category: 'security' as const, title, message, origin: 'llm' as const, ...extra });
  return {
    repo: '/home/dev/shop',
    repoName: 'shop',
    running: false,
    stale: false,
    prKnown: true,
    dismissedIds: ['dddddddddddddddd'],
    deploy: {
      configured: true,
      approveThreshold: 30,
      deployThreshold: 40,
      latest: {
        environment: 'staging',
        state: 'deployed',
        override: false,
        attempts: 2,
        lastStatus: 200,
        at: '2026-11-21T10:05:00Z',
        sanity: [
          { name: 'health', status: 'pass', durationMs: 41 },
          { name: 'checkout page', status: 'fail', durationMs: 5003, error: 'HTTP 502, expected 200' },
        ],
        checksFailing: true,
      },
    },
    review: {
      executionId: '6ed549c2-a1bd-404d-a285-7f0d28c3f322',
      riskScore: 52,
      decision: 'manual-review',
      rulesOnly: false,
      summary: 'The change adds a login endpoint. User input reaches a SQL query unescaped. <img src=x onerror="window.__pwned=1">',
      target: {
        kind: 'base',
        label: 'origin/main',
        base: '1b2c3d4e5f60718293a4b5c6d7e8f90112233445',
        head: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
      },
      provider: 'ollama',
      model: 'qwen2.5-coder:7b',
      promptTokens: 10412,
      completionTokens: 913,
      durationMs: 48210,
      coverage: {
        changedLines: 1204,
        reviewedLines: 1204,
        skippedFiles: [{ file: 'package-lock.json', reason: 'lockfile' }],
        unreviewed: [],
        complete: true,
      },
      findings: [
        f(
          'aaaaaaaaaaaaaaaa',
          'src/auth/login.ts',
          42,
          'critical',
          'SQL injection in login query',
          'User input is concatenated into SQL. <img src=x onerror="window.__pwned=2">',
        ),
        f('bbbbbbbbbbbbbbbb', 'src/auth/login.ts', 17, 'medium', 'Password compared with ==', 'Use a constant-time comparison.'),
        f('cccccccccccccccc', 'src/config.ts', 3, 'critical', 'Hard-coded secret: AWS access key id', 'Rotate the key.', {
          origin: 'rule',
          rule: 'hardcoded-secret',
        }),
        f('dddddddddddddddd', 'src/util.ts', 8, 'low', 'Unused variable', 'Remove it.'),
        f('eeeeeeeeeeeeeeee', 'README.md', 1, 'info', 'Typo in heading', 'Fix the typo.'),
      ],
      completedAt: '2026-11-21T10:00:00Z',
    },
    history: [
      {
        executionId: '1',
        createdAt: '2026-11-21T10:00:00Z',
        target: 'origin/main',
        riskScore: 52,
        decision: 'manual-review',
        status: 'completed',
        deployState: 'deployed',
      },
      {
        executionId: '2',
        createdAt: '2026-11-20T16:00:00Z',
        target: 'working tree',
        riskScore: 18,
        decision: 'auto-approve',
        status: 'completed',
      },
      {
        executionId: '3',
        createdAt: '2026-11-20T11:00:00Z',
        target: 'working tree',
        riskScore: 33,
        decision: 'auto-deploy',
        status: 'completed',
      },
    ],
  };
}

function page(theme: keyof typeof THEMES): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><style>${themeCss(theme)}</style><link rel="stylesheet" href="/main.css">
<script>
  window.__posted = []; window.__state = undefined;
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => window.__state, setState: (s) => { window.__state = s; } });
</script></head><body class="${THEMES[theme].bodyClass}"><main id="app"></main><script src="/main.js"></script></body></html>`;
}

describe('risk panel in headless Chromium (built webview, stubbed acquireVsCodeApi)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: LoopbackServer;
  let theme: keyof typeof THEMES = 'light';

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run test/e2e/setup.sh (apt-get install chromium)`);
    ensureBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = new LoopbackServer((req, res) => {
      const file = req.path === '/main.js' ? 'main.js' : req.path === '/main.css' ? 'main.css' : null;
      if (file) {
        res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/css' });
        return void res.end(readFileSync(join(ROOT, 'dist', 'webview', file)));
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page(theme));
    });
    await server.start();
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
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(t: keyof typeof THEMES, width = 300, state: PanelState = realisticState()): Promise<Page> {
    theme = t;
    const p = await browser.newPage({ viewport: { width, height: 1100 } });
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(server.url);
    await p.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    await p.evaluate((s) => window.postMessage({ type: 'state', state: s }, '*'), state);
    await p.waitForSelector('.gauge');
    assert.deepEqual(errors, []);
    return p;
  }

  it('renders the gauge, decision, counts, coverage, findings and deployment; screenshots in light and dark', async () => {
    for (const t of ['light', 'dark', 'high-contrast'] as const) {
      const p = await open(t);
      assert.equal(await p.textContent('.gauge .score'), '52');
      assert.equal(await p.getAttribute('.gauge', 'aria-label'), 'Risk score 52 of 100, manual review');
      assert.equal(await p.textContent('.badge.manual-review'), 'manual review');
      assert.equal(await p.locator('.gauge .tick').count(), 2);
      assert.deepEqual(await p.locator('.counts .chip').allTextContents(), ['2 critical', '0 high', '1 medium', '1 low', '1 info']);
      assert.match((await p.textContent('.coverage'))!, /Reviewed 1,204 of 1,204 changed lines; 1 file\(s\) skipped \(lockfile\)/);
      assert.deepEqual(
        await p.locator('.group-head .file').allTextContents(),
        ['src/auth/login.ts', 'src/config.ts', 'README.md'],
        'dismissed finding hidden, files by severity',
      );
      assert.match((await p.textContent('.deploy'))!, /deployed, checks failing to staging/);
      assert.equal(await p.locator('.history .run').count(), 3);
      await p.screenshot({ path: join(ARTIFACTS, `panel-${t}.png`), fullPage: true });
      await p.close();
    }
  });

  /** A history as users make it: a hook run (two full SHAs), a PR, the working tree, an unfinished run. */
  function livedInState(): PanelState {
    const state = realisticState();
    const ago = (min: number): string => new Date(Date.now() - min * 60_000).toISOString();
    state.review!.target = {
      kind: 'working-tree',
      label: 'working tree',
      base: '463f998f0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f',
      head: 'WORKTREE',
    };
    state.history = [
      { executionId: 'a', createdAt: ago(3), target: 'working tree', riskScore: 52, decision: 'manual-review', status: 'completed' },
      {
        executionId: 'b',
        createdAt: ago(140),
        target: '1b2c3d4e5f60718293a4b5c6d7e8f90112233445..9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
        riskScore: 63,
        decision: 'manual-review',
        status: 'completed',
      },
      { executionId: 'c', createdAt: ago(60 * 26), target: 'PR #7', riskScore: 7, decision: 'incomplete', status: 'completed' },
      {
        executionId: 'd',
        createdAt: ago(60 * 24 * 3),
        target: 'origin/main',
        riskScore: 12,
        decision: 'auto-approve',
        status: 'completed',
        deployState: 'deployed',
      },
      { executionId: 'e', createdAt: ago(60 * 24 * 4), target: 'staged changes', status: 'interrupted' },
    ];
    return state;
  }

  for (const width of [180, 300, 600])
    for (const t of ['dark', 'light'] as const)
      it(`at ${width} px in ${t}: nothing clipped, thresholds labelled, a readable history, toggles that look pressed`, async () => {
        const p = await open(t, width, livedInState());
        const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.equal(overflow, 0, 'no horizontal scroll');
        // Every badge, chip, band and history cell lies inside the panel, and none is cut by its own box.
        const cut = await p.evaluate((w) => {
          const out: string[] = [];
          for (const el of Array.from(
            document.querySelectorAll<HTMLElement>('.badge, .chip, .band, .run-score, .run-decision, .actions button'),
          )) {
            const r = el.getBoundingClientRect();
            if (r.left < 0 || r.right > w + 0.5) out.push(`${el.className} "${el.textContent}" spans ${r.left}–${r.right}`);
            if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.className} "${el.textContent}" is cut inside`);
          }
          return out;
        }, width);
        assert.deepEqual(cut, []);
        assert.equal(await p.textContent('.badge.manual-review'), 'manual review');
        assert.deepEqual(await p.locator('.thresholds .band').allTextContents(), [
          'auto-approve0–29',
          'auto-deploy30–39',
          'manual review40–100',
        ]);
        assert.equal(await p.locator('.thresholds .band.current').textContent(), 'manual review40–100');
        assert.equal(await p.textContent('.gauge .scale'), 'of 100');
        assert.equal(await p.textContent('.meta .target'), 'Reviewed working tree (on 463f998)');
        assert.doesNotMatch((await p.textContent('#app'))!, /WORKTREE|[0-9a-f]{40}|\/ 100 ·/);
        assert.deepEqual(await p.locator('.run-target').allTextContents(), [
          'working tree',
          '1b2c3d4..9f8e7d6',
          'PR #7',
          'origin/main',
          'staged changes',
        ]);
        assert.deepEqual(await p.locator('.run-decision').allTextContents(), [
          'manual review',
          'manual review',
          'not fully reviewed',
          'auto-approve',
          'interrupted',
        ]);
        assert.deepEqual(await p.locator('.run-decision').evaluateAll((els) => els.map((e) => e.className.replace('run-decision ', ''))), [
          'bad',
          'bad',
          'warn',
          'good',
          'none',
        ]);
        assert.deepEqual(await p.locator('.run-sub time').allTextContents(), [
          '3 min ago',
          '2 h ago',
          'yesterday',
          '3 days ago',
          '4 days ago',
        ]);
        assert.match((await p.textContent('.run[data-execution="d"] .run-sub'))!, /deploy deployed/);
        // The decision word is coloured: red for manual review, not the text colour.
        const colors = await p.evaluate(() =>
          Object.fromEntries(
            [
              ['bad', '.run-decision.bad'],
              ['good', '.run-decision.good'],
              ['text', '.run-target'],
            ].map(([k, sel]) => [k, getComputedStyle(document.querySelector(sel)!).color]),
          ),
        );
        assert.notEqual(colors.bad, colors.text);
        assert.notEqual(colors.good, colors.text);
        // Toggles: pressed ones look pressed (filled), released ones do not; a click flips aria-pressed.
        const look = (sel: string): Promise<{ bg: string; border: string }> =>
          p.$eval(sel, (e) => ({ bg: getComputedStyle(e).backgroundColor, border: getComputedStyle(e).borderStyle }));
        const pressed = await look('.chip.critical');
        assert.equal(await p.getAttribute('.chip.critical', 'aria-pressed'), 'true');
        assert.notEqual(pressed.bg, 'rgba(0, 0, 0, 0)', 'a pressed toggle is filled');
        await p.click('.chip.critical');
        assert.equal(await p.getAttribute('.chip.critical', 'aria-pressed'), 'false');
        const released = await look('.chip.critical');
        assert.equal(released.border, 'dashed');
        assert.notEqual(released.bg, pressed.bg);
        await p.click('.chip.critical');
        await p.mouse.move(0, 0);
        await p.screenshot({ path: join(ARTIFACTS, `panel-${t}-${width}px.png`), fullPage: true });
        await p.close();
      });

  it('an incomplete review is amber, says what was not reviewed, and offers deploy only as an override', async () => {
    const state = realisticState();
    const r = state.review!;
    r.riskScore = 7;
    r.decision = 'incomplete';
    r.findings = r.findings.filter((x) => x.severity === 'medium');
    r.coverage = {
      changedLines: 151,
      reviewedLines: 8,
      skippedFiles: [],
      unreviewed: [{ file: 'src/auth/login.ts', startLine: 9, endLine: 151, reason: 'review limit reached (max 1 calls / 200000 tokens)' }],
      complete: false,
    };
    r.incomplete = 'Not fully reviewed: 8 of 151 lines';
    const p = await open('dark', 300, state);
    assert.equal(await p.textContent('.badge.incomplete'), 'not fully reviewed');
    assert.equal(await p.locator('.badge.auto-approve').count(), 0, 'never green');
    assert.equal(await p.locator('.gauge .value.good').count(), 0);
    assert.match((await p.textContent('.banner.incomplete'))!, /Not fully reviewed: 8 of 151 lines\. Not an approval/);
    await p.click('.unreviewed summary');
    assert.match((await p.textContent('.unreviewed li'))!, /src\/auth\/login\.ts:9–151 — review limit reached/);
    assert.equal(await p.textContent('button[data-command="deploy"]'), 'Deploy (override)');
    assert.equal(await p.getAttribute('button[data-command="deploy"]', 'title'), 'Deploy (override: not fully reviewed)');
    await p.screenshot({ path: join(ARTIFACTS, 'panel-incomplete.png'), fullPage: true });
    await p.close();
  });

  it('shows the running review and what past findings became (fixed, dismissed, open) at 180 px', async () => {
    const state: PanelState = {
      ...realisticState(),
      running: true,
      runningLabel: 'working tree',
      progress: '3 of 10 · src/auth.ts',
      insights: {
        reviews: 4,
        findings: 6,
        rows: [
          { label: 'security', total: 4, fixed: 2, dismissed: 1, open: 1 },
          { label: 'maintainability', total: 2, fixed: 0, dismissed: 0, open: 2 },
        ],
      },
    };
    const p = await open('dark', 180, state);
    assert.equal(await p.textContent('.running'), 'Reviewing working tree… 3 of 10 · src/auth.ts');
    assert.deepEqual(await p.locator('.insight .insight-label').allTextContents(), ['security', 'maintainability']);
    assert.deepEqual(await p.locator('.insight-sub').allTextContents(), [
      '2 fixed · 1 dismissed · 1 open',
      '0 fixed · 0 dismissed · 2 open',
    ]);
    const widths = await p
      .locator('.insight')
      .first()
      .locator('.seg')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).style.width));
    assert.deepEqual(widths, ['50%', '25%', '25%']);
    const box = await p.locator('.insights').boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 180, 'the section fits the panel');
    await p.locator('.insights').screenshot({ path: join(ARTIFACTS, 'panel-insights-180px.png') });
    await p.close();
  });

  it('shows the last Terraform plan review and CI failure explanation apart from the code review, at 180 and 300 px', async () => {
    const state: PanelState = {
      ...realisticState(),
      plan: {
        file: 'plan.json',
        counts: { add: 3, change: 2, destroy: 4, replace: 2, noOp: 1 },
        riskScore: 97,
        decision: 'manual-review',
        findings: [
          { severity: 'critical', title: 'aws_db_instance.main will be destroyed', file: 'infra/main.tf', line: 12 },
          { severity: 'high', title: 'aws_instance.web will be replaced', file: 'infra/main.tf', line: 5 },
        ],
        at: '2026-11-21T10:00:00Z',
      },
      ciExplanation: {
        source: 'CI #4242',
        explained: true,
        rootCause: 'The login test expects a 302 but the handler now answers 200 <script>alert(1)</script>',
        evidence: ['AssertionError: expected 200 to equal 302', '    at test/login.test.js:41:12'],
        fix: ['Restore the redirect in src/auth/login.ts', 'Run npm test'],
        files: [{ file: 'src/auth/login.ts', line: 27, why: 'the redirect was removed here' }],
        confidence: 'high',
        at: '2026-11-21T10:05:00Z',
      },
    };
    for (const width of [180, 300]) {
      const p = await open('light', width, state);
      assert.equal(await p.textContent('.plan-counts'), '3 to add, 2 to change, 4 to destroy (2 replaced)');
      assert.match((await p.textContent('.plan-verdict'))!, /^97 manual review · plan\.json$/);
      assert.deepEqual(await p.locator('.plan-findings button').allTextContents(), [
        'critical: aws_db_instance.main will be destroyed',
        'high: aws_instance.web will be replaced',
      ]);
      assert.equal(await p.locator('.ci-explanation script').count(), 0, 'model text stays text');
      assert.match((await p.textContent('.root-cause'))!, /answers 200 <script>/);
      assert.equal(await p.textContent('.evidence'), 'AssertionError: expected 200 to equal 302\n    at test/login.test.js:41:12');
      assert.deepEqual(await p.locator('.fix-steps li').allTextContents(), ['Restore the redirect in src/auth/login.ts', 'Run npm test']);
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, `no horizontal scroll at ${width} px`);
      await p.click('.ci-files button');
      const posted = await p.evaluate(() => (window as unknown as { __posted: { type: string; file?: string; line?: number }[] }).__posted);
      assert.deepEqual(posted.filter((m) => m.type === 'open').at(-1), {
        type: 'open',
        repo: state.repo,
        file: 'src/auth/login.ts',
        line: 27,
      });
      await p.screenshot({ path: join(ARTIFACTS, `panel-plan-ci-${width}px.png`), fullPage: true });
      await p.close();
    }
  });

  it('a click on a finding posts the right open message', async () => {
    const p = await open('dark');
    await p.click('.item.critical .open >> text=SQL injection in login query');
    const posted = await p.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);
    assert.deepEqual(posted.at(-1), { type: 'open', repo: '/home/dev/shop', file: 'src/auth/login.ts', line: 42 });
    await p.click('button[data-command="deploy"]');
    const last = await p.evaluate(() => (window as unknown as { __posted: { type: string; command?: string }[] }).__posted.at(-1));
    assert.equal(last?.type, 'command');
    assert.equal(last?.command, 'deploy');
    await p.close();
  });

  it('model text with markup renders as text and runs nothing', async () => {
    const p = await open('light');
    assert.equal(await p.locator('#app img').count(), 0);
    assert.match((await p.textContent('.summary'))!, /<img src=x onerror="window.__pwned=1">/);
    assert.match((await p.textContent('.item.critical .message'))!, /<img src=x onerror/);
    assert.equal(await p.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    await p.close();
  });

  it('filters, the dismissed toggle and collapsed groups survive a reload through getState/setState', async () => {
    const p = await open('light');
    await p.click('.chip.critical');
    assert.equal(await p.locator('.item.critical').count(), 0);
    await p.check('.toggle input');
    assert.equal(await p.locator('.item.dismissed').count(), 1);
    const saved = await p.evaluate(() => (window as unknown as { __state: unknown }).__state);
    assert.deepEqual((saved as { filters: { severities: string[]; showDismissed: boolean } }).filters.severities, [
      'high',
      'medium',
      'low',
      'info',
    ]);
    await p.reload();
    await p.evaluate((s) => {
      (window as unknown as { __state: unknown }).__state = s;
    }, saved);
    await p.evaluate((s) => window.postMessage({ type: 'state', state: s }, '*'), realisticState());
    await p.close();
  });

  it('shows the empty state with the three ways to start, keyboard reachable, at 250 px', async () => {
    theme = 'dark';
    const p = await browser.newPage({ viewport: { width: 250, height: 600 } });
    await p.goto(server.url);
    await p.evaluate(() =>
      window.postMessage(
        {
          type: 'state',
          state: {
            repo: '/r',
            repoName: 'r',
            running: false,
            stale: false,
            review: null,
            history: [],
            prKnown: false,
            deploy: { configured: false, approveThreshold: 30, deployThreshold: 40 },
            dismissedIds: [],
          },
        },
        '*',
      ),
    );
    await p.waitForSelector('.empty');
    assert.deepEqual(await p.locator('.empty button').allTextContents(), [
      'Review Working Tree Changes',
      'Review Staged Changes',
      'Review Branch Against Base…',
    ]);
    await p.keyboard.press('Tab');
    assert.equal(await p.evaluate(() => document.activeElement?.textContent), 'Review Working Tree Changes');
    await p.keyboard.press('Enter');
    const last = await p.evaluate(() => (window as unknown as { __posted: { command?: string }[] }).__posted.at(-1));
    assert.equal(last?.command, 'reviewWorkingTree');
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    assert.equal(overflow, false, 'no horizontal scroll at 250 px');
    await p.screenshot({ path: join(ARTIFACTS, 'panel-empty-250px.png'), fullPage: true });
    await p.close();
  });
});
