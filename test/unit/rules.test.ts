import assert from 'node:assert/strict';
import type { FileDiff } from '../../src/core/diff/model.js';
import { runRules } from '../../src/core/rules/index.js';
import { redactSecrets } from '../../src/core/rules/secrets.js';

function fileWith(path: string, lines: string[]): FileDiff {
  return {
    oldPath: null,
    newPath: path,
    path,
    status: 'added',
    binary: false,
    submodule: false,
    modeOnly: false,
    crlf: false,
    hunks: [
      {
        oldStart: 0,
        oldLines: 0,
        newStart: 1,
        newLines: lines.length,
        section: '',
        lines: lines.map((text, i) => ({ kind: 'add', text, newLine: i + 1 })),
      },
    ],
  };
}

const ids = (path: string, lines: string[]) => runRules([fileWith(path, lines)]).map((f) => [f.rule, f.line]);

describe('rules', () => {
  it('finds hard-coded secrets of each kind', () => {
    const lines = [
      'const aws = "AKIAIOSFODNN7EXAMPLE";',
      'token: ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'SLACK=xoxb-123456789012-abcdefghijkl',
      '-----BEGIN RSA PRIVATE KEY-----',
      'db_password = "h7Gk2pQz9LmX4vBn"',
    ];
    const found = runRules([fileWith('src/config.ts', lines)]);
    assert.deepEqual(
      found.map((f) => f.line),
      [1, 2, 3, 4, 5],
    );
    assert.ok(found.every((f) => f.rule === 'hardcoded-secret' && f.severity === 'critical' && f.origin === 'rule'));
  });

  it('does not flag placeholders, env lookups or low-entropy values', () => {
    assert.deepEqual(
      ids('a.ts', [
        'password = process.env.DB_PASSWORD',
        'const token = "changeme"',
        'apiKey: "xxxxxxxxxxxxxxxx"',
        'secret = getSecret()',
        'password = "aaaaaaaaaaaaaaaa"',
      ]),
      [],
    );
  });

  it('finds conflict markers, .only in tests (not elsewhere), and debugger statements', () => {
    assert.deepEqual(ids('a.ts', ['<<<<<<< HEAD', 'x', '=======', '>>>>>>> feature']), [
      ['merge-conflict-marker', 1],
      ['merge-conflict-marker', 3],
      ['merge-conflict-marker', 4],
    ]);
    assert.deepEqual(ids('src/a.test.ts', ['it.only("x", () => {})', 'describe.only("y", f)']), [
      ['exclusive-test', 1],
      ['exclusive-test', 2],
    ]);
    assert.deepEqual(ids('src/lib.ts', ['list.only(x)', 'it.only("x")']), []);
    assert.deepEqual(ids('a.js', ['  debugger;', '// debugger;', 'const debuggerEnabled = true;']), [['debugger-statement', 1]]);
  });

  it('offers a fix for .only and can be switched off per rule', () => {
    const [f] = runRules([fileWith('x.spec.ts', ['  it.only("works", fn);'])]);
    assert.equal(f.suggestion, '  it("works", fn);');
    assert.equal(runRules([fileWith('x.spec.ts', ['  it.only("works", fn);'])], { 'exclusive-test': false }).length, 0);
  });

  it('redacts secrets and keeps the rest of the line', () => {
    const r = redactSecrets('const k = "AKIAIOSFODNN7EXAMPLE"; // aws');
    assert.equal(r.text, 'const k = "[REDACTED]"; // aws');
    assert.equal(r.redacted, 1);
  });
});
