import assert from 'node:assert/strict';
import type { Finding } from '../../src/core/types.js';
import type { PanelState } from '../../src/shared/protocol.js';
import {
  angleFor,
  arcPath,
  coverageLine,
  DEFAULT_FILTERS,
  gateState,
  groupFindings,
  decisionTone,
  historyItems,
  relativeTime,
  reviewedTarget,
  shortLabel,
  thresholdBands,
  tickLine,
  trendPoints,
} from '../../src/shared/viewModel.js';
import { shortenShas, targetLabel } from '../../src/core/report/targetLabel.js';

const finding = (
  id: string,
  file: string,
  line: number,
  severity: Finding['severity'],
  category: Finding['category'] = 'bug',
): Finding => ({ id, file, line, severity, category, title: `t${id}`, message: 'm', origin: 'llm' });

function state(over: Partial<PanelState> = {}): PanelState {
  return {
    repo: '/r',
    repoName: 'r',
    running: false,
    stale: false,
    history: [],
    prKnown: false,
    dismissedIds: [],
    deploy: { configured: true, approveThreshold: 30, deployThreshold: 40 },
    review: {
      executionId: 'e',
      riskScore: 20,
      decision: 'auto-approve',
      rulesOnly: false,
      summary: '',
      target: { kind: 'working-tree', label: 'working tree', base: 'a'.repeat(40), head: 'WORKTREE' },
      provider: 'ollama',
      model: 'm',
      promptTokens: 1,
      completionTokens: 1,
      durationMs: 1000,
      coverage: { changedLines: 1204, reviewedLines: 1204, skippedFiles: [], unreviewed: [], complete: true },
      findings: [],
      completedAt: '',
    },
    ...over,
  };
}

describe('risk panel view model', () => {
  it('groups findings by file, most severe file first, sorted by severity then line', () => {
    const fs = [
      finding('1', 'b.ts', 9, 'low'),
      finding('2', 'a.ts', 5, 'medium'),
      finding('3', 'b.ts', 3, 'critical'),
      finding('4', 'a.ts', 1, 'medium'),
    ];
    const groups = groupFindings(fs, [], DEFAULT_FILTERS);
    assert.deepEqual(
      groups.map((g) => [g.file, g.worst, g.findings.map((f) => f.id)]),
      [
        ['b.ts', 'critical', ['3', '1']],
        ['a.ts', 'medium', ['4', '2']],
      ],
    );
  });

  it('filters by severity and category and hides dismissed findings behind a toggle', () => {
    const fs = [
      finding('1', 'a.ts', 1, 'low', 'style'),
      finding('2', 'a.ts', 2, 'high', 'security'),
      finding('3', 'a.ts', 3, 'high', 'bug'),
    ];
    assert.deepEqual(
      groupFindings(fs, [], { ...DEFAULT_FILTERS, severities: ['high'] })[0].findings.map((f) => f.id),
      ['2', '3'],
    );
    assert.deepEqual(
      groupFindings(fs, [], { ...DEFAULT_FILTERS, category: 'security' })[0].findings.map((f) => f.id),
      ['2'],
    );
    assert.deepEqual(
      groupFindings(fs, ['2'], DEFAULT_FILTERS)[0].findings.map((f) => f.id),
      ['3', '1'],
    );
    const shown = groupFindings(fs, ['2'], { ...DEFAULT_FILTERS, showDismissed: true })[0].findings;
    assert.deepEqual(
      shown.map((f) => [f.id, f.dismissed]),
      [
        ['2', true],
        ['3', false],
        ['1', false],
      ],
    );
  });

  it('draws the gauge arc over 240° with ticks at the thresholds', () => {
    assert.equal(angleFor(0), 150);
    assert.equal(angleFor(100), 390);
    assert.equal(angleFor(50), 270, 'half way is straight up');
    assert.equal(arcPath(0, 50), 'M 18.43 84 A 48 48 0 0 1 60 12');
    assert.match(arcPath(0, 100), / 0 1 1 /, 'the full arc uses the large-arc flag');
    const t = tickLine(40);
    assert.ok(Math.hypot(t.x2 - t.x1, t.y2 - t.y1) > 17);
  });

  it('gates Trigger Deploy: review first, re-review when stale, override above the threshold', () => {
    assert.equal(gateState(state({ review: null })).kind, 'no-review');
    assert.equal(gateState(state({ stale: true })).kind, 'stale');
    assert.equal(gateState(state({ deploy: { configured: false, approveThreshold: 30, deployThreshold: 40 } })).kind, 'not-configured');
    assert.equal(gateState(state()).kind, 'allowed');
    const high = state();
    high.review!.riskScore = 40;
    assert.equal(gateState(high).kind, 'override');
    assert.equal(
      gateState(
        state({
          deploy: {
            configured: true,
            approveThreshold: 30,
            deployThreshold: 40,
            latest: { environment: 'prod', state: 'deploying', override: false, attempts: 1, at: '' },
          },
        }),
      ).kind,
      'in-progress',
    );
  });

  it('writes the coverage line, including what was skipped and why', () => {
    assert.equal(coverageLine(state()), 'Reviewed 1,204 of 1,204 changed lines');
    const partial = state();
    partial.review!.coverage = {
      changedLines: 100,
      reviewedLines: 60,
      skippedFiles: [{ file: 'yarn.lock', reason: 'lockfile' }],
      unreviewed: [{ file: 'a.ts', startLine: 1, endLine: 40, reason: 'review limit reached' }],
      complete: false,
    };
    assert.equal(
      coverageLine(partial),
      'Reviewed 60 of 100 changed lines; 40 not reviewed: review limit reached; 1 file(s) skipped (lockfile)',
    );
    const rules = state();
    rules.review!.rulesOnly = true;
    rules.review!.modelError = { kind: 'unreachable', message: 'Ollama is not reachable at http://127.0.0.1:11434', fix: '' };
    assert.match(coverageLine(rules), /^Rules only: the model reviewed 0 of 1,204 changed lines \(Ollama is not reachable/);
  });

  it('maps history scores onto the trend box', () => {
    assert.equal(trendPoints([0, 50, 100], 200, 40), '0,40 100,20 200,0');
    assert.equal(trendPoints([], 200, 40), '');
  });

  const A = '1b2c3d4e5f60718293a4b5c6d7e8f90112233445';
  const B = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';

  it('names what was reviewed in words, never WORKTREE, INDEX or a full SHA', () => {
    assert.equal(reviewedTarget({ kind: 'working-tree', label: 'working tree', base: A, head: 'WORKTREE' }), 'working tree (on 1b2c3d4)');
    assert.equal(reviewedTarget({ kind: 'staged', label: 'staged changes', base: A, head: 'INDEX' }), 'staged changes (on 1b2c3d4)');
    assert.equal(
      reviewedTarget({ kind: 'working-tree', label: 'working tree', base: '4b825dc642cb6eb9a060e54bf8d69288fbee4904', head: 'WORKTREE' }),
      'working tree (no commits yet)',
    );
    assert.equal(reviewedTarget({ kind: 'range', label: `${A}..${B}`, base: A, head: B }), '1b2c3d4..9f8e7d6');
    assert.equal(reviewedTarget({ kind: 'range', label: 'PR #7', base: A, head: B }), 'PR #7 (1b2c3d4..9f8e7d6)');
    assert.equal(reviewedTarget({ kind: 'base', label: 'origin/main', base: A, head: B }), 'origin/main (1b2c3d4..9f8e7d6)');
    assert.equal(reviewedTarget({ kind: 'range', label: 'HEAD~1..HEAD', base: A, head: B }), 'HEAD~1..HEAD (1b2c3d4..9f8e7d6)');
  });

  it('shortens full SHAs in labels, and only full SHAs', () => {
    assert.equal(shortLabel(`${A}..${B}`), '1b2c3d4..9f8e7d6');
    assert.equal(shortLabel('PR #7'), 'PR #7');
    assert.equal(shortLabel('feature/abc1234'), 'feature/abc1234');
    assert.equal(shortLabel(`${A}...${B}`), '1b2c3d4...9f8e7d6');
    assert.equal(shortenShas(`${A}..${B}`), '1b2c3d4..9f8e7d6', 'the CLI shortens the same way');
    assert.equal(targetLabel({ kind: 'working-tree', label: 'whatever' }), 'working tree');
  });

  it('relative times: just now, minutes, hours, yesterday, days, then a date', () => {
    const now = Date.parse('2026-11-22T12:00:00');
    const at = (s: string): string => new Date(Date.parse(s)).toISOString();
    assert.equal(relativeTime(at('2026-11-22T11:59:40'), now), 'just now');
    assert.equal(relativeTime(at('2026-11-22T11:55:00'), now), '5 min ago');
    assert.equal(relativeTime(at('2026-11-22T09:00:00'), now), '3 h ago');
    assert.equal(relativeTime(at('2026-11-21T08:00:00'), now), 'yesterday');
    assert.equal(relativeTime(at('2026-11-18T08:00:00'), now), '4 days ago');
    assert.equal(relativeTime(at('2026-11-02T08:00:00'), now), 'Nov 2');
    assert.equal(relativeTime(at('2025-11-02T08:00:00'), now), 'Nov 2, 2025');
    assert.equal(relativeTime('not a date', now), 'not a date');
  });

  it('labels the thresholds as score bands, whatever they are set to', () => {
    assert.deepEqual(
      thresholdBands(30, 40).map((b) => `${b.label} ${b.range}`),
      ['auto-approve 0–29', 'auto-deploy 30–39', 'manual review 40–100'],
    );
    assert.deepEqual(
      thresholdBands(30, 30).map((b) => `${b.label} ${b.range}`),
      ['auto-approve 0–29', 'manual review 30–100'],
      'no auto-deploy band when the thresholds meet',
    );
    assert.deepEqual(
      thresholdBands(0, 101).map((b) => b.decision),
      ['auto-deploy'],
      'nothing is approved without deploy and nothing reaches manual review by score',
    );
  });

  it('history rows: relative time, short target, score and a coloured decision word; an unfinished run shows its status', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    const items = historyItems(
      [
        {
          executionId: '1',
          createdAt: '2026-11-22T11:57:00Z',
          target: `${A}..${B}`,
          riskScore: 63,
          decision: 'manual-review',
          status: 'completed',
        },
        { executionId: '2', createdAt: '2026-11-22T10:00:00Z', target: 'PR #7', riskScore: 7, decision: 'incomplete', status: 'completed' },
        { executionId: '3', createdAt: '2026-11-22T09:00:00Z', target: 'working tree', status: 'interrupted' },
      ],
      now,
    );
    assert.deepEqual(
      items.map((i) => [i.when, i.target, i.score, i.decision, i.tone]),
      [
        ['3 min ago', '1b2c3d4..9f8e7d6', '63', 'manual review', 'bad'],
        ['2 h ago', 'PR #7', '7', 'not fully reviewed', 'warn'],
        ['3 h ago', 'working tree', '–', 'interrupted', 'none'],
      ],
    );
    assert.equal(decisionTone('auto-approve'), 'good');
    assert.equal(decisionTone('incomplete'), 'warn', 'incomplete is never green');
    assert.equal(
      historyItems(
        Array.from({ length: 30 }, () => ({ executionId: 'x', createdAt: '', target: '', status: 'completed' })),
        now,
      ).length,
      20,
    );
  });
});
