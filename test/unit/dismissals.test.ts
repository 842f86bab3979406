import assert from 'node:assert/strict';
import { activeDismissals, applyDismissals } from '../../src/core/dismissals/apply.js';
import { formatDismissals, parseDismissals, type Dismissal } from '../../src/core/dismissals/team.js';
import { REVIEW_CONFIG_RULE } from '../../src/core/rules/configChange.js';
import type { Finding } from '../../src/core/types.js';

const entry = (fingerprint: string, reason = 'accepted'): Dismissal => ({
  fingerprint,
  file: 'src/a.js',
  title: 'A finding',
  reason,
  author: 'Ada <ada@example.com>',
  date: '2026-11-22',
});
const finding = (id: string, extra: Partial<Finding> = {}): Finding => ({
  id,
  file: 'src/a.js',
  line: 1,
  severity: 'high',
  category: 'bug',
  title: 'A finding',
  message: 'm',
  origin: 'llm',
  ...extra,
});

describe('team dismissal file', () => {
  it('writes entries sorted by fingerprint, one field per line, so separate dismissals merge cleanly; the later of two entries for one finding wins', () => {
    const text = formatDismissals([entry('bbbbbbbbbbbbbbbb'), entry('aaaaaaaaaaaaaaaa'), entry('bbbbbbbbbbbbbbbb', 'newer')]);
    const parsed = parseDismissals(text);
    assert.deepEqual(
      parsed.entries.map((e) => [e.fingerprint, e.reason]),
      [
        ['aaaaaaaaaaaaaaaa', 'accepted'],
        ['bbbbbbbbbbbbbbbb', 'newer'],
      ],
    );
    assert.match(text, /^ {6}"fingerprint": "aaaaaaaaaaaaaaaa",$/m);
    assert.ok(text.endsWith('}\n'));
    assert.equal(formatDismissals(parsed.entries), text, 'stable: formatting what was read changes nothing');
  });

  it('drops and names a malformed entry, keeps the rest; an unparsable file applies nothing', () => {
    const text = JSON.stringify({
      dismissed: [entry('aaaaaaaaaaaaaaaa'), { ...entry('nothex'), reason: 'x' }, { fingerprint: 'cccccccccccccccc' }],
    });
    const parsed = parseDismissals(text);
    assert.deepEqual(
      parsed.entries.map((e) => e.fingerprint),
      ['aaaaaaaaaaaaaaaa'],
    );
    assert.equal(parsed.problems.length, 2);
    assert.match(parsed.problems[0], /entry 2 ignored \("nothex" is not a 16-hex-digit fingerprint\)/);
    assert.match(parsed.problems[1], /entry 3 ignored \(field "file" missing, too long or holding control characters/);
    assert.match(parseDismissals('{"dismissed": 3}').problems[0], /no "dismissed" list/);
    assert.match(parseDismissals('<<<<<<< HEAD').problems[0], /not valid JSON/);
  });
});

describe('applying dismissals', () => {
  it('moves dismissed findings out of the reported ones with who and why; team wins over local', () => {
    const map = activeDismissals(
      [entry('aaaaaaaaaaaaaaaa', 'team reason')],
      [entry('aaaaaaaaaaaaaaaa', 'mine'), entry('bbbbbbbbbbbbbbbb', 'mine')],
    );
    const { kept, dismissed } = applyDismissals(
      [finding('aaaaaaaaaaaaaaaa'), finding('bbbbbbbbbbbbbbbb'), finding('cccccccccccccccc')],
      map,
    );
    assert.deepEqual(
      kept.map((f) => f.id),
      ['cccccccccccccccc'],
    );
    assert.deepEqual(
      dismissed.map((f) => [f.id, f.dismissal.scope, f.dismissal.reason]),
      [
        ['aaaaaaaaaaaaaaaa', 'team', 'team reason'],
        ['bbbbbbbbbbbbbbbb', 'local', 'mine'],
      ],
    );
  });

  it('never dismisses a finding about the review policy itself', () => {
    const map = activeDismissals([entry('aaaaaaaaaaaaaaaa')], []);
    const { kept } = applyDismissals([finding('aaaaaaaaaaaaaaaa', { rule: REVIEW_CONFIG_RULE, origin: 'rule' })], map);
    assert.equal(kept.length, 1);
  });
});
