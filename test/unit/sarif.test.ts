import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { toSarif } from '../../src/core/report/sarif.js';
import type { ReviewResult } from '../../src/core/types.js';

/** The official SARIF 2.1.0 schema (OASIS, rtm.5), as shipped in Microsoft's @microsoft/jest-sarif package. */
const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
// The schema's language pattern is not valid under the u flag; compile its patterns without it.
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const result: ReviewResult = {
  schemaVersion: 1,
  executionId: '6ed549c2-a1bd-404d-a285-7f0d28c3f322',
  repo: '/home/dev/my repo',
  provider: 'ollama',
  model: 'qwen2.5-coder:7b',
  target: { kind: 'base', base: 'a'.repeat(40), head: 'b'.repeat(40), label: 'origin/main' },
  summary: 's',
  riskScore: 52,
  decision: 'manual-review',
  rulesOnly: false,
  findings: [
    {
      id: '0123456789abcdef',
      file: 'src/keys.ts',
      line: 3,
      severity: 'critical',
      category: 'security',
      title: 'Hard-coded secret',
      message: 'm',
      origin: 'rule',
      rule: 'hardcoded-secret',
      quote: 'x',
    },
    {
      id: '1123456789abcdef',
      file: 'src/dir with space/ü.ts',
      line: 10,
      endLine: 12,
      severity: 'medium',
      category: 'bug',
      title: 'Off by one',
      message: 'm',
      origin: 'llm',
      suggestion: 'fixed',
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
  coverage: { changedLines: 10, reviewedLines: 10, skippedFiles: [], unreviewed: [], complete: true },
  stats: { filesReviewed: 3, chunks: 1, llmCalls: 1, cacheHits: 0, promptTokens: 1, completionTokens: 1, durationMs: 1 },
  warnings: [],
  startedAt: '2026-11-21T10:00:00.000Z',
  completedAt: '2026-11-21T10:00:01.000Z',
};

describe('SARIF output', () => {
  it('validates against the official SARIF 2.1.0 schema', () => {
    const sarif = toSarif(result, '0.1.0');
    assert.ok(validate(sarif), ajv.errorsText(validate.errors));
  });

  it('the validator rejects a broken log (so the check above means something)', () => {
    const sarif = toSarif(result, '0.1.0') as any;
    sarif.runs[0].results[0].level = 'fatal';
    assert.equal(validate(sarif), false);
  });

  it('maps levels, repo-relative URIs, regions, rule metadata and fingerprints', () => {
    const run = (toSarif(result, '0.1.0') as any).runs[0];
    assert.deepEqual(
      run.results.map((r: any) => r.level),
      ['error', 'warning', 'note'],
    );
    assert.equal(run.results[1].locations[0].physicalLocation.artifactLocation.uri, 'src/dir%20with%20space/%C3%BC.ts');
    assert.equal(run.results[1].locations[0].physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.deepEqual(run.results[1].locations[0].physicalLocation.region, { startLine: 10, endLine: 12 });
    assert.equal(run.results[0].partialFingerprints['pullmintFinding/v1'], '0123456789abcdef');
    assert.equal(run.tool.driver.rules[run.results[0].ruleIndex].id, 'pullmint/hardcoded-secret');
    assert.equal(run.tool.driver.rules[0].properties['security-severity'], '9.5');
  });
});
