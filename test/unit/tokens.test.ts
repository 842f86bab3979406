import assert from 'node:assert/strict';
import { chunkBudget } from '../../src/core/model-phase.js';
import { clipToTokens, estimateTokens, TokenGauge } from '../../src/core/pack/tokens.js';

describe('estimateTokens', () => {
  it('counts 3 characters a token for ASCII code, never the 4 that undercounts real tokenizers', () => {
    const code = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n';
    assert.equal(estimateTokens(code), Math.ceil(code.length / 3));
    assert.ok(estimateTokens(code) > Math.ceil(code.length / 4));
  });

  it('counts UTF-8 bytes, so CJK and emoji take a token a character or more', () => {
    assert.equal(estimateTokens('変数名'), 3);
    assert.equal(estimateTokens('😀😀😀'), 4);
    assert.equal(estimateTokens(''), 0);
  });
});

describe('clipToTokens', () => {
  it('keeps the longest start that fits, whole characters only', () => {
    assert.equal(clipToTokens('abcdefghij', 2), 'abcdef');
    assert.equal(clipToTokens('short', 100), 'short');
    assert.equal(clipToTokens('変数名前', 2), '変数');
    assert.equal(clipToTokens('a😀b', 1), 'a', 'the emoji would need 4 bytes of the 2 left');
    assert.equal(clipToTokens('😀😀', 2), '😀', 'never half of a surrogate pair');
    for (const t of [0, 1, 5, 17]) assert.ok(estimateTokens(clipToTokens('é😀a変'.repeat(20), t)) <= t);
  });
});

describe('TokenGauge', () => {
  it('starts at the estimate and grows to the largest undercount a reply shows', () => {
    const g = new TokenGauge(256);
    assert.equal(g.factor, 1);
    assert.equal(g.tokens(1000), 1000);
    assert.equal(g.observe(1000, 1200), true);
    assert.equal(g.factor, 1.2);
    assert.equal(g.tokens(1000), 1200);
    assert.equal(g.observe(1000, 1100), false, 'a smaller undercount changes nothing');
    assert.equal(g.observe(1000, 700), false, 'nor does an overcount: the estimate never shrinks');
    assert.equal(g.factor, 1.2);
  });

  it('ignores prompts too small to tell the tokenizer from the template, and counts that are not counts', () => {
    const g = new TokenGauge(256);
    assert.equal(g.observe(100, 300), false);
    assert.equal(g.observe(1000, 0), false);
    assert.equal(g.observe(1000, NaN), false);
    assert.equal(g.observe(1000, 50_000), true);
    assert.equal(g.factor, 3, 'capped at one token a byte');
  });

  it('takes a cut prompt as a quarter longer than the window', () => {
    const g = new TokenGauge();
    assert.equal(g.observeCut(3000, 3200), true);
    assert.ok(Math.abs(g.factor - (3200 * 4) / 3 / 3000) < 1e-9);
  });
});

describe('chunkBudget', () => {
  it('leaves room for the instructions and shrinks with the calibrated ratio so that the whole prompt fits', () => {
    const system = chunkBudget(10_000, '');
    const withInstructions = chunkBudget(10_000, 'x'.repeat(300));
    assert.equal(system - withInstructions, 100);
    const calibrated = chunkBudget(10_000, '', 1.25);
    const fixed = 10_000 - system - 128;
    assert.ok((calibrated + fixed) * 1.25 <= 10_000 - 128, 'data and instructions, in provider tokens, fit the window');
    assert.ok(calibrated < system);
  });
});
