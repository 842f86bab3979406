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
  tickLine,
  trendPoints,
} from '../../src/shared/viewModel.js';

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
});
