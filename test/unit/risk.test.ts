import assert from 'node:assert/strict';
import { decide, DEFAULT_RISK, riskScore } from '../../src/core/risk.js';
import type { Severity } from '../../src/core/types.js';

const of = (...s: Severity[]) => s.map((severity) => ({ severity }));

describe('risk', () => {
  it('weighs severities 30/15/7/3/1 and caps at 100', () => {
    assert.equal(riskScore(of('critical'), 0), 30);
    assert.equal(riskScore(of('high', 'medium', 'low', 'info'), 0), 26);
    assert.equal(riskScore(of('critical', 'critical', 'critical', 'critical'), 0), 100);
    assert.equal(riskScore([], 0), 0);
  });

  it('decides at the 30 and 40 thresholds', () => {
    assert.equal(decide(29), 'auto-approve');
    assert.equal(decide(30), 'auto-deploy');
    assert.equal(decide(39), 'auto-deploy');
    assert.equal(decide(40), 'manual-review');
  });

  it('adds the optional diff-size component min(lines/100, 20)', () => {
    const cfg = { ...DEFAULT_RISK, diffSizeComponent: true };
    assert.equal(riskScore([], 550, cfg), 6);
    assert.equal(riskScore([], 50_000, cfg), 20);
    assert.equal(riskScore([], 50_000), 0);
  });

  it('honours configured weights and thresholds', () => {
    const cfg = { ...DEFAULT_RISK, weights: { ...DEFAULT_RISK.weights, medium: 20 }, deployThreshold: 60 };
    assert.equal(riskScore(of('medium', 'medium'), 0, cfg), 40);
    assert.equal(decide(40, cfg), 'auto-deploy');
  });
});

describe('severity overrides', () => {
  it('map a rule id or a category to another severity, the rule id first', async () => {
    const { applySeverityOverrides } = await import('../../src/core/engine.js');
    const base = { id: 'x', file: 'a', line: 1, title: 't', message: 'm' };
    const findings = [
      { ...base, severity: 'medium' as const, category: 'maintainability' as const, origin: 'rule' as const, rule: 'debugger-statement' },
      { ...base, severity: 'low' as const, category: 'style' as const, origin: 'llm' as const },
      { ...base, severity: 'high' as const, category: 'bug' as const, origin: 'llm' as const },
    ];
    const out = applySeverityOverrides(findings, { 'debugger-statement': 'high', maintainability: 'info', style: 'info' });
    assert.deepEqual(
      out.map((f) => f.severity),
      ['high', 'info', 'high'],
    );
    assert.equal(applySeverityOverrides(findings, {}), findings);
  });
});
