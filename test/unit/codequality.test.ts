import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { toCodeQuality } from '../../src/core/report/codequality.js';
import type { ReviewResult } from '../../src/core/types.js';

/** GitLab's Code Quality report format, written from GitLab's documentation into a fixture. */
const schema = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'gitlab', 'codequality.schema.json'), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
const validate = ajv.compile(schema);

const result: ReviewResult = {
  schemaVersion: 1,
  executionId: '6ed549c2-a1bd-404d-a285-7f0d28c3f322',
  repo: '/home/dev/repo',
  provider: 'ollama',
  model: 'qwen2.5-coder:7b',
  target: { kind: 'range', base: 'a'.repeat(40), head: 'b'.repeat(40), label: 'MR !7' },
  summary: 's',
  riskScore: 52,
  decision: 'incomplete',
  rulesOnly: false,
  findings: [
    {
      id: '0123456789abcdef',
      file: 'src/keys.ts',
      line: 3,
      severity: 'critical',
      category: 'security',
      title: 'Hard-coded secret',
      message: 'An AWS key.\nRotate it.',
      origin: 'rule',
      rule: 'hardcoded-secret',
    },
    {
      id: '1123456789abcdef',
      file: 'src/dir with space/ü.ts',
      line: 10,
      endLine: 12,
      severity: 'medium',
      category: 'correctness',
      title: 'Off by one',
      message: 'm',
      origin: 'llm',
      suggestion: 'for (let i = 0; i < n; i++) {',
    },
    {
      id: '2123456789abcdef',
      file: 'README.md',
      line: 1,
      severity: 'info',
      category: 'documentation',
      title: 'Typo',
      message: 'm',
      origin: 'llm',
    },
  ],
  coverage: {
    changedLines: 40,
    reviewedLines: 30,
    skippedFiles: [],
    unreviewed: [{ file: 'src/big.ts', startLine: 200, endLine: -1, reason: 'maxLinesPerFile' }],
    complete: false,
  },
  stats: { filesReviewed: 3, chunks: 1, llmCalls: 1, cacheHits: 0, promptTokens: 1, completionTokens: 1, durationMs: 1 },
  warnings: [],
  startedAt: '2026-11-21T10:00:00.000Z',
  completedAt: '2026-11-21T10:00:01.000Z',
};

describe('GitLab Code Quality report', () => {
  it("validates against GitLab's Code Quality report schema", () => {
    const report = toCodeQuality(result);
    assert.ok(validate(report), ajv.errorsText(validate.errors));
    // GitLab's parser refuses a byte order mark; the JSON starts with its array.
    assert.match(JSON.stringify(report), /^\[/);
  });

  it('the validator refuses what GitLab refuses (so the check above means something)', () => {
    const bad = toCodeQuality(result) as any[];
    assert.equal(validate([{ ...bad[0], severity: 'high' }]), false, 'a severity GitLab does not know');
    assert.equal(validate([{ ...bad[0], location: { path: 'x.ts' } }]), false, 'no line');
    const { fingerprint: _f, ...noFingerprint } = bad[0];
    assert.equal(validate([noFingerprint]), false, 'no fingerprint');
  });

  it('maps severities, lines and check names; fingerprints are unique and stable; unreviewed lines are listed', () => {
    const report = toCodeQuality(result);
    assert.deepEqual(
      report.map((i) => [i.check_name, i.severity, i.location.path, i.location.lines.begin, i.location.lines.end]),
      [
        ['pullmint/hardcoded-secret', 'blocker', 'src/keys.ts', 3, undefined],
        ['pullmint/llm/correctness', 'major', 'src/dir with space/ü.ts', 10, 12],
        ['pullmint/llm/documentation', 'info', 'README.md', 1, undefined],
        ['pullmint/unreviewed', 'info', 'src/big.ts', 200, undefined],
      ],
    );
    assert.equal(report[0].description, 'Hard-coded secret: An AWS key. Rotate it.');
    assert.match(report[3].description, /Not reviewed by the model \(maxLinesPerFile\): lines 200 to the end/);
    assert.equal(new Set(report.map((i) => i.fingerprint)).size, report.length);
    assert.deepEqual(
      toCodeQuality(result).map((i) => i.fingerprint),
      report.map((i) => i.fingerprint),
    );
    assert.ok(report.every((i) => /^[0-9a-f]{32}$/.test(i.fingerprint)));
  });
});
