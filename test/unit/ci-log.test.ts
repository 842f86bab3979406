import assert from 'node:assert/strict';
import { redactLog } from '../../src/core/ci/redact.js';
import { parseCiAnswer } from '../../src/core/ci/answer.js';
import type { CiExplainResult } from '../../src/core/ci/explain.js';
import { ciFileProblems, ciRunMarker, toCiJson, toCiMarkdown } from '../../src/core/ci/report.js';
import { cleanLog, extractFailure, failureWeight } from '../../src/core/ci/log.js';
import { ASSERTION, FAILING_FRAME, githubActionsLog } from '../helpers/ciLog.js';

describe('CI logs: cleaning', () => {
  it('strips ANSI codes, GitHub and Jenkins timestamps and runner markup; a redrawn line keeps its last state', () => {
    const raw = [
      '2026-11-22T07:08:09.1234567Z ##[group]Run npm test',
      '2026-11-22T07:08:09.2234567Z \x1b[36;1mnpm test\x1b[0m',
      '2026-11-22T07:08:09.3Z ##[endgroup]',
      '[2026-11-22T07:08:10.123Z] \x1b[31mFAIL\x1b[39m src/a.test.ts',
      '[07:08:11] compiled',
      '\uFEFF2026-11-22 07:08:12,001 INFO ok',
      '##[debug]Evaluating condition',
      'progress 10%\rprogress 50%\rprogress 100%',
      '\x1b]8;;https://x\x07link\x1b]8;;\x07 text',
      '',
      '',
    ].join('\r\n');
    assert.deepEqual(
      cleanLog(raw).map((l) => l.text),
      ['▸ Run npm test', 'npm test', 'FAIL src/a.test.ts', 'compiled', 'INFO ok', 'progress 100%', 'link text'],
    );
  });

  it('weighs failure lines and leaves ordinary lines alone', () => {
    for (const l of [
      '##[error]Process completed with exit code 1.',
      'AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:',
      'FAIL src/cart.test.ts',
      '  1 failing',
      'Error: Cannot find module "x"',
      "src/a.ts(3,5): error TS2322: Type 'string' is not assignable",
      'npm ERR! code ELIFECYCLE',
      'Traceback (most recent call last):',
      'not ok 3 - adds',
    ])
      assert.ok(failureWeight(l) > 0, l);
    for (const l of ['npm http fetch GET 200 https://registry.npmjs.org/x', '  ✔ handles case 3', 'added 200 packages', 'errors: 0'])
      assert.equal(failureWeight(l), 0, l);
  });
});

describe('CI logs: the failure excerpt', () => {
  it('keeps the failing assertion with its context from a 5,000-line log and drops the noise', () => {
    const log = githubActionsLog({ lines: 5000 });
    assert.equal(log.lines, 5000);
    const lines = cleanLog(log.text);
    const ex = extractFailure(lines, { maxChars: 24_000 });
    assert.ok(ex.text.includes(ASSERTION), ex.text);
    assert.ok(ex.text.includes(FAILING_FRAME));
    assert.ok(ex.text.includes('41.5 !== 42'));
    assert.ok(ex.text.includes('##[error]Process completed with exit code 1.'));
    const install = log.text.split('\n').filter((l) => l.includes('npm http fetch')).length;
    const sent = ex.text.split('\n').filter((l) => l.includes('npm http fetch')).length;
    assert.ok(install > 3500 && sent <= 27, `${sent} of ${install} install lines: only the retried error and its context`);
    assert.ok(!/\x1b/.test(ex.text), 'no ANSI');
    assert.ok(!/\d{4}-\d\d-\d\dT\d\d:\d\d/.test(ex.text), 'no timestamps');
    assert.ok(ex.keptLines < 200, `kept ${ex.keptLines} lines`);
    assert.ok(ex.text.length < log.text.length / 20);
    assert.match(ex.text, /… \(\d+ line\(s\) omitted\)/);
  });

  it('under a tight cap keeps the strongest window, the assertion, not the weaker mentions', () => {
    const ex = extractFailure(cleanLog(githubActionsLog({ lines: 5000 }).text), { maxChars: 1500 });
    assert.ok(ex.capped);
    assert.ok(ex.text.includes(ASSERTION));
    assert.ok(!ex.text.includes('socket hang up'), 'the retried registry error gave way');
    const roomy = extractFailure(cleanLog(githubActionsLog({ lines: 5000 }).text), { maxChars: 24_000 });
    assert.ok(roomy.text.includes('socket hang up') && !roomy.capped, 'with room, both are kept');
    assert.ok(ex.text.length <= 1500 + 200, String(ex.text.length));
  });

  it('a log without any error line sends its end and says so', () => {
    const ex = extractFailure(cleanLog(githubActionsLog({ lines: 2000, failing: false }).text), { maxChars: 24_000 });
    assert.ok(ex.tailOnly);
    assert.ok(ex.text.includes('901 passing'));
  });
});

describe('CI answers: forgiving parsing', () => {
  it('reads fenced, repaired and loosely typed answers', () => {
    const fenced = parseCiAnswer(
      'Here you go:\n```json\n{"rootCause": "The tax is not added.", "evidence": "41.5 !== 42\\nAssertionError", "fix": ["1. Add tax", "- Rerun"], "files": [{"file": "./src/cart.js", "line": "14", "why": "tax"}, "test/cart.test.js", {"line": 3}], "confidence": 0.9,}\n```',
    );
    assert.deepEqual(fenced.explanation, {
      rootCause: 'The tax is not added.',
      evidence: ['41.5 !== 42', 'AssertionError'],
      fix: ['Add tax', 'Rerun'],
      files: [
        { file: 'src/cart.js', line: 14, why: 'tax' },
        { file: 'test/cart.test.js', why: '' },
      ],
      confidence: 'high',
    });
    assert.equal(fenced.warnings.length, 1, 'the entry without a path is dropped with a warning');
    const cut = parseCiAnswer('{"root_cause": "Out of memory", "evidence": ["Killed"], "confidence": "MEDIUM"');
    assert.equal(cut.explanation?.rootCause, 'Out of memory');
    assert.equal(cut.explanation?.confidence, 'medium');
    assert.deepEqual(cut.explanation?.fix, []);
  });

  it('an answer without JSON or without a root cause is no explanation', () => {
    assert.equal(parseCiAnswer('I cannot tell.').explanation, null);
    assert.equal(parseCiAnswer('{"evidence": ["x"]}').explanation, null);
    assert.equal(parseCiAnswer('[1,2]').explanation, null);
  });
});

describe('CI reports', () => {
  const result = (explanation: CiExplainResult['explanation']): CiExplainResult => ({
    source: { kind: 'run', runId: 12, runName: 'CI', runUrl: 'https://github.com/a/b/actions/runs/12', headSha: 'f'.repeat(40) },
    jobs: [{ name: 'test', totalLines: 10, keptLines: 4, failureLines: [3] }],
    excerpt: 'token ghp_Zq8xY2wV4uT6sR0pQ9oN7mL5kJ3iH1gF2eD4\n```\nFAIL x',
    explanation,
    provider: 'ollama',
    model: 'm',
    redactions: 0,
    warnings: [],
    stats: { durationMs: 5, promptTokens: 1, completionTokens: 1 },
  });

  it('names each file with the fix as its message, line 1 when the log gives none', () => {
    const r = result({
      rootCause: 'Tax missing',
      evidence: [],
      fix: ['Add tax', 'Rerun'],
      files: [
        { file: 'src/cart.js', line: 14, why: 'total without tax' },
        { file: 'test/cart.test.js', why: '' },
      ],
      confidence: 'high',
    });
    assert.deepEqual(ciFileProblems(r), [
      { file: 'src/cart.js', line: 14, message: 'CI failure: total without tax. Fix: 1. Add tax 2. Rerun' },
      { file: 'test/cart.test.js', line: 1, message: 'CI failure: Tax missing. Fix: 1. Add tax 2. Rerun' },
    ]);
    assert.deepEqual(ciFileProblems(result(null)), []);
  });

  it('Markdown for GitHub carries the marker, redacts secrets and fences the excerpt safely', () => {
    const md = toCiMarkdown(result(null), ciRunMarker(12));
    assert.ok(md.startsWith('<!-- pullmint:ci-run:12 -->\n'));
    assert.ok(!md.includes('ghp_Zq8x') && md.includes('token [REDACTED]'));
    assert.ok(md.includes('````\ntoken'), 'a longer fence than the excerpt holds');
    const json = toCiJson(result(null));
    assert.equal(json.schemaVersion, 1);
    assert.equal(json.status, 'excerpt-only');
    assert.deepEqual(json.jobs, [{ name: 'test', id: null, url: null, failedStep: null, totalLines: 10, keptLines: 4, failureLines: [3] }]);
  });
});

describe('CI logs: redaction', () => {
  it('redacts a private key printed across many log lines, whole, and one-line secrets', () => {
    const body = Array.from({ length: 6 }, (_, i) => `MIIEpAIBAAKCAQEA${i}x7Qm9ZkL2pVt8rW3nYc5bH1dGfJ4sTuE6vXoPaQiRlNyKw`);
    const log = [
      'Step 3/7 : RUN ./deploy.sh',
      '-----BEGIN RSA PRIVATE KEY-----',
      ...body,
      'Zq8=',
      '-----END RSA PRIVATE KEY-----',
      'export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE',
      'Error: deploy failed',
    ].join('\n');
    const r = redactLog(log);
    for (const line of body) assert.ok(!r.text.includes(line), 'no line of the key body is left');
    assert.ok(!r.text.includes('AKIAIOSFODNN7EXAMPLE'));
    assert.match(r.text, /^Step 3\/7 : RUN \.\/deploy\.sh$/m, 'other lines are kept as they were');
    assert.match(r.text, /^Error: deploy failed$/m);
    assert.equal(r.text.split('\n').length, log.split('\n').length);
  });
});

describe('CI logs: control bytes', () => {
  it('turns NUL, BEL and stray escapes into a visible mark, keeping tabs', () => {
    const lines = cleanLog('Error: boom \u0000\u0007\tend\n\u001b plain');
    assert.deepEqual(
      lines.map((l) => l.text),
      ['Error: boom \uFFFD\uFFFD\tend', '\uFFFD plain'],
    );
  });
});
