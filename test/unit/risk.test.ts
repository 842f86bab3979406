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
