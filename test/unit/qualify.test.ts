import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelOutput } from '../../src/core/output/parse.js';
import { CaseError, loadCases } from '../../src/core/qualify/cases.js';
import { judgeFindings, summarize, THRESHOLDS, verdictOf, type CaseOutcome, type QualifyMetrics } from '../../src/core/qualify/score.js';
import { qualificationFile, readQualification, saveQualification, type QualifyReport } from '../../src/core/qualify/store.js';
import { qualificationCheck } from '../../src/core/setup.js';
import { DEFAULT_CONFIG } from '../../src/core/config/schema.js';
import type { Finding } from '../../src/core/types.js';
import { tempDir } from '../helpers/git.js';

const finding = (over: Partial<Finding>): Finding => ({
  id: 'x',
  file: 'a.py',
  line: 10,
  severity: 'high',
  category: 'security',
  title: 'T',
  message: 'M',
  origin: 'llm',
  ...over,
});

function metrics(over: { validity?: number; recall?: number; fp?: number; truncated?: number; incomplete?: number }): QualifyMetrics {
  return {
    cases: 20,
    answers: 20,
    validity: { valid: 20, repaired: 0, unusable: 0, rate: over.validity ?? 1, asIsRate: over.validity ?? 1 },
    recall: { found: 0, planted: 10, rate: over.recall ?? 1 },
    falsePositives: { flagged: 0, clean: 10, rate: over.fp ?? 0 },
    truncated: over.truncated ?? 0,
    incomplete: over.incomplete ?? 0,
    tokensPerSecond: 10,
    latencyMs: { median: 1, max: 1, total: 1 },
  };
}

describe('qualification scoring', () => {
  it('recall: a model finding within one line, at or above the expected severity; rule findings never count', () => {
    const expect = { file: 'a.py', line: 10, minSeverity: 'high' as const };
    assert.equal(judgeFindings(expect, [finding({ line: 11 })]).found, true);
    assert.equal(judgeFindings(expect, [finding({ line: 9, severity: 'critical' })]).found, true);
    assert.equal(judgeFindings(expect, [finding({ line: 12 })]).found, false, 'two lines away');
    assert.equal(judgeFindings(expect, [finding({ line: 7, endLine: 9 })]).found, true, 'a range ending one line before');
    assert.equal(judgeFindings(expect, [finding({ severity: 'medium' })]).found, false, 'too mild');
    assert.equal(judgeFindings(expect, [finding({ file: 'b.py' })]).found, false, 'another file');
    assert.equal(judgeFindings(expect, [finding({ origin: 'rule', rule: 'hardcoded-secret' })]).found, false, 'a rule is not the model');
    assert.deepEqual(judgeFindings(expect, [finding({ line: 30, severity: 'low' })]).match, {
      file: 'a.py',
      line: 30,
      severity: 'low',
      title: 'T',
    });
  });

  it('false positives: model findings of high or above on a clean change', () => {
    assert.equal(judgeFindings(null, [finding({ severity: 'medium' })]).falsePositives?.length, 0);
    assert.equal(judgeFindings(null, [finding({ severity: 'high' }), finding({ severity: 'critical' })]).falsePositives?.length, 2);
    assert.equal(judgeFindings(null, [finding({ origin: 'rule' })]).falsePositives?.length, 0);
  });

  it('verdict thresholds: fit to gate, use with a human, not fit, each with its reason', () => {
    assert.equal(verdictOf(metrics({})).verdict, 'fit to gate');
    assert.equal(
      verdictOf(metrics({ recall: THRESHOLDS.fitToGate.recall, validity: THRESHOLDS.fitToGate.validity })).verdict,
      'fit to gate',
    );
    const human = verdictOf(metrics({ recall: 0.7 }));
    assert.equal(human.verdict, 'use with a human');
    assert.match(human.reason, /^not fit to gate: recall 70% .*below 80%$/);
    assert.equal(verdictOf(metrics({ truncated: 1 })).verdict, 'use with a human', 'a cut-off answer would block a gate');
    assert.equal(verdictOf(metrics({ incomplete: 1 })).verdict, 'use with a human');
    assert.equal(verdictOf(metrics({ fp: 0.25 })).verdict, 'use with a human');
    const notFit = verdictOf(metrics({ validity: 0.5, fp: 0.75 }));
    assert.equal(notFit.verdict, 'not fit');
    assert.match(notFit.reason, /valid answers 50%, below 80%; false positives 75% .*above 50%/);
    assert.equal(verdictOf(metrics({ recall: 0.4 })).verdict, 'not fit');
  });

  it('summarizes answers, recall and false positives over the cases', () => {
    const base = {
      description: '',
      language: 'go',
      source: 'built-in',
      answers: { valid: 1, repaired: 0, unusable: 0 },
      modelFindings: 0,
      truncated: false,
      complete: true,
      promptTokens: 1,
      completionTokens: 1,
      tokensPerSecond: 1,
      warnings: [],
    };
    const outcomes: CaseOutcome[] = [
      { ...base, id: 'a', kind: 'defect', validity: 'valid', found: true, latencyMs: 100 },
      { ...base, id: 'b', kind: 'defect', validity: 'valid', found: false, latencyMs: 300 },
      { ...base, id: 'c', kind: 'clean', validity: 'repaired', falsePositives: [], latencyMs: 200 },
      {
        ...base,
        id: 'd',
        kind: 'clean',
        validity: 'unusable',
        falsePositives: [{ file: 'x', line: 1, severity: 'high', title: 't' }],
        latencyMs: 400,
        complete: false,
      },
    ];
    const m = summarize(outcomes, [
      { validity: 'valid', truncated: false, ms: 100, completionTokens: 50 },
      { validity: 'valid', truncated: false, ms: 300, completionTokens: 50 },
      { validity: 'repaired', truncated: false, ms: 200, completionTokens: 100 },
      { validity: 'unusable', truncated: false, ms: 400, completionTokens: 0, error: 'timed out' },
    ]);
    assert.deepEqual(m.validity, { valid: 2, repaired: 1, unusable: 1, rate: 0.75, asIsRate: 0.5 });
    assert.deepEqual(m.recall, { found: 1, planted: 2, rate: 0.5 });
    assert.deepEqual(m.falsePositives, { flagged: 1, clean: 2, rate: 0.5 });
    assert.equal(m.incomplete, 1);
    assert.equal(m.tokensPerSecond, 333.3, '200 tokens in 0.6 s of answered calls');
    assert.deepEqual(m.latencyMs, { median: 250, max: 400, total: 1000 });
  });

  it('parse reports an answer read only after repair, and not one read as is', () => {
    assert.equal(parseModelOutput('{"summary":"ok","findings":[]}').repaired, undefined);
    assert.equal(parseModelOutput('```json\n{"summary":"ok","findings":[]}\n```').repaired, undefined);
    const r = parseModelOutput("{summary:'ok', findings:[],}");
    assert.equal(r.unusable, false);
    assert.equal(r.repaired, true);
  });
});

describe('qualification cases and stored results', () => {
  it('a case folder is checked: its line must hold its quote, and it must change something', async () => {
    const dir = tempDir('pullmint-cases-');
    mkdirSync(join(dir, 'one', 'head'), { recursive: true });
    writeFileSync(join(dir, 'one', 'head', 'a.js'), 'const a = 1;\nrun(a);\n');
    writeFileSync(
      join(dir, 'one', 'case.json'),
      JSON.stringify({ description: 'd', language: 'js', expect: { file: 'a.js', line: 1, minSeverity: 'high', quote: 'run(' } }),
    );
    await assert.rejects(
      loadCases(dir, dir),
      (e: Error) =>
        e instanceof CaseError && /line 1 of a\.js is "const a = 1;", which does not contain expect\.quote "run\("/.test(e.message),
    );
    writeFileSync(
      join(dir, 'one', 'case.json'),
      JSON.stringify({ description: 'd', language: 'js', expect: { file: 'a.js', line: 2, minSeverity: 'high', quote: 'run(' } }),
    );
    const [c] = await loadCases(dir, dir);
    assert.equal(c.id, 'one');
    assert.equal(c.head.get('a.js'), 'const a = 1;\nrun(a);\n');
    writeFileSync(
      join(dir, 'one', 'case.json'),
      JSON.stringify({ description: 'd', language: 'js', clean: true, expect: { file: 'a.js', line: 2, minSeverity: 'high' } }),
    );
    await assert.rejects(loadCases(dir, dir), /give either "expect"/);
    writeFileSync(
      join(dir, 'one', 'case.json'),
      JSON.stringify({ description: 'd', language: 'js', clean: true, deleted: ['../etc/passwd'] }),
    );
    await assert.rejects(loadCases(dir, dir), /deleted\.0: must be a relative path inside the case/);
    writeFileSync(join(dir, 'one', 'case.json'), '{ not json');
    await assert.rejects(loadCases(dir, dir), /case\.json: not valid JSON/);
  });

  it('results are stored per provider and model, atomically, and read back; a corrupt file reads as none, with a warning', async () => {
    const state = tempDir('pullmint-state-');
    const report = {
      schemaVersion: 1,
      provider: 'ollama',
      model: 'qwen2.5-coder:7b',
      remote: false,
      qualifiedAt: '2026-11-22T07:00:00.000Z',
      pullmintVersion: '0.1.0',
      suite: { builtIn: 18, user: 0 },
      verdict: 'use with a human',
      reason: 'not fit to gate: recall 70%',
      metrics: metrics({ recall: 0.7 }),
      cases: [],
      warnings: [],
    } as QualifyReport;
    const file = await saveQualification(state, report);
    assert.equal(file, qualificationFile(state, 'ollama', 'qwen2.5-coder:7b'));
    assert.notEqual(file, qualificationFile(state, 'openai', 'qwen2.5-coder:7b'), 'per provider too');
    assert.deepEqual(await readQualification(state, 'ollama', 'qwen2.5-coder:7b'), report);
    assert.equal(await readQualification(state, 'ollama', 'llama3.1:8b'), null);

    const config = structuredClone(DEFAULT_CONFIG);
    config.ollama.model = 'qwen2.5-coder:7b';
    const check = await qualificationCheck(state, config);
    assert.equal(check.ok, false);
    assert.equal(check.optional, true);
    assert.equal(check.fix?.kind, 'qualify-model');
    assert.match(check.detail, /^qwen2\.5-coder:7b: use with a human \(qualified 2026-11-22: valid answers 100%, recall 0\/10/);

    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 40));
    const warnings: string[] = [];
    assert.equal(await readQualification(state, 'ollama', 'qwen2.5-coder:7b', (w) => warnings.push(w)), null);
    assert.match(warnings[0], /is not valid JSON; run pullmint qualify again/);
    assert.match((await qualificationCheck(state, config)).detail, /was never qualified/);
  });
});
