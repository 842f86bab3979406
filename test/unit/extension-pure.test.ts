import assert from 'node:assert/strict';
import { editorLayer, mergeConfig, type InspectedSetting } from '../../src/core/config/load.js';
import { Dismissals } from '../../src/extension/review/dismissals.js';
import { trackEdit } from '../../src/extension/review/editTracking.js';
import { parseWebviewMessage } from '../../src/extension/panel/messages.js';

const inspector =
  (user: Record<string, unknown>, workspace: Record<string, unknown> = {}) =>
  (key: string): InspectedSetting | undefined =>
    key in user || key in workspace ? { globalValue: user[key], workspaceValue: workspace[key] } : undefined;

describe('extension: settings → engine options', () => {
  it('contributes nothing the user did not set, so lower layers keep their values', () => {
    const layer = editorLayer(inspector({}));
    assert.deepEqual(layer.values, {});
    const { config, warnings } = mergeConfig([{ source: '.pullmint.json', values: { contextLines: 10 } }, layer]);
    assert.deepEqual(warnings, []);
    assert.equal(config.contextLines, 10);
    assert.equal(config.ollama.model, 'qwen2.5-coder:7b');
    assert.equal(config.anthropic.model, 'claude-sonnet-5');
    assert.deepEqual(config.severityMap, { critical: 'Error', high: 'Error', medium: 'Warning', low: 'Information', info: 'Information' });
    assert.equal(config.reviewOnSave, 'rules');
  });

  it('carries every engine option through, and keeps a bad severity map entry at its default', () => {
    const layer = editorLayer(
      inspector({
        provider: 'anthropic',
        'ollama.numCtx': 8192,
        contextLines: 5,
        maxCalls: 9,
        ignore: ['gen/**'],
        'risk.deployThreshold': 55,
        'risk.weights': { medium: 10 },
        severityMap: { medium: 'Error', low: 'Loud' },
        reviewOnSave: 'bogus',
        rules: { 'debugger-statement': false },
      }),
    );
    const { config, warnings } = mergeConfig([layer]);
    assert.equal(config.severityMap.medium, 'Error');
    assert.equal(config.severityMap.low, 'Information');
    assert.equal(config.reviewOnSave, 'rules');
    assert.ok(warnings.some((w) => w.includes('severityMap.low')));
    assert.ok(warnings.some((w) => w.includes('reviewOnSave')));
    assert.equal(config.provider, 'anthropic');
    assert.equal(config.ollama.numCtx, 8192);
    assert.equal(config.contextLines, 5);
    assert.equal(config.maxCalls, 9);
    assert.deepEqual(config.ignore, ['gen/**']);
    assert.equal(config.risk.deployThreshold, 55);
    assert.equal(config.risk.weights.medium, 10);
    assert.equal(config.risk.weights.critical, 30);
    assert.deepEqual(config.rules, { 'debugger-statement': false });
  });

  it('takes machine-scoped settings (hosts, URLs) from user settings only, never from the workspace', () => {
    const layer = editorLayer(
      inspector(
        { 'ollama.host': 'http://gpu-box:11434' },
        { 'ollama.host': 'http://evil.example:11434', 'deploy.url': 'http://evil.example/hook', contextLines: 7 },
      ),
    );
    const { config } = mergeConfig([layer]);
    assert.equal(config.ollama.host, 'http://gpu-box:11434');
    assert.equal(config.deploy.url, '');
    assert.equal(config.contextLines, 7);
  });
});

describe('extension: findings follow edits', () => {
  const doc = (lines: string[]) => (l: number) => lines[l];
  const f = (line: number, quote?: string, endLine?: number) => ({ line, quote, endLine });

  it('shifts findings below an insertion or deletion and leaves the ones above', () => {
    const items = [f(2, 'a'), f(10, 'b', 12)];
    const inserted = trackEdit(items, { startLine: 4, endLine: 4, insertedLineBreaks: 3 }, doc([]));
    assert.deepEqual(inserted.kept, [f(2, 'a'), f(13, 'b', 15)]);
    const deleted = trackEdit(items, { startLine: 4, endLine: 6, insertedLineBreaks: 0 }, doc([]));
    assert.deepEqual(deleted.kept, [f(2, 'a'), f(8, 'b', 10)]);
  });

  it('removes a finding whose quoted line was edited away, never leaving it on a wrong line', () => {
    const r = trackEdit([f(5, '  eval(x);')], { startLine: 4, endLine: 4, insertedLineBreaks: 0 }, doc(['', '', '', '', '  run(x);']));
    assert.deepEqual(r.kept, []);
    assert.equal(r.removed.length, 1);
  });

  it('keeps a finding whose line was touched but still says the same (e.g. a line break added above it in the same edit)', () => {
    const r = trackEdit(
      [f(5, 'eval(x);')],
      { startLine: 4, endLine: 4, insertedLineBreaks: 1 },
      doc(['', '', '', '', '// note', 'eval(x);']),
    );
    assert.deepEqual(r.kept, [f(6, 'eval(x);')]);
  });
});

describe('extension: dismissals', () => {
  it('remembers dismissed fingerprints per repository and clears them', async () => {
    const data = new Map<string, unknown>();
    const store = { get: <T>(k: string) => data.get(k) as T | undefined, update: async (k: string, v: unknown) => void data.set(k, v) };
    const d = new Dismissals(store);
    await d.dismiss('/repo/a', 'abcdef0123456789');
    await d.dismiss('/repo/a', 'abcdef0123456789');
    await d.dismiss('/repo/b', '1111111111111111');
    assert.deepEqual(d.list('/repo/b'), ['1111111111111111']);
    assert.deepEqual(d.list('/repo/a'), ['abcdef0123456789']);
    assert.equal(await new Dismissals(store).clear('/repo/a'), 1, 'persisted in the store');
    assert.deepEqual(d.list('/repo/a'), []);
    assert.deepEqual(d.list('/repo/b'), ['1111111111111111']);
  });
});

describe('extension: messages from the risk panel are validated', () => {
  it('accepts the protocol and rejects anything else', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.ok(parseWebviewMessage({ type: 'open', repo: '/r', file: 'src/a.ts', line: 3 }));
    assert.ok(parseWebviewMessage({ type: 'command', requestId: 1, command: 'deploy' }));
    assert.equal(parseWebviewMessage({ type: 'command', requestId: 1, command: 'rm -rf' }), null);
    assert.equal(parseWebviewMessage({ type: 'open', repo: '/r', file: '../../etc/passwd', line: 1 }), null);
    assert.equal(parseWebviewMessage({ type: 'open', repo: '/r', file: 'a', line: 0 }), null);
    assert.equal(parseWebviewMessage({ type: 'dismiss', repo: '/r', id: '<script>' }), null);
    assert.equal(parseWebviewMessage('ready'), null);
  });
});
