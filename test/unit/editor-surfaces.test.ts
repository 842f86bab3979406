import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dismissals } from '../../src/extension/review/dismissals.js';
import { countFindings, countsText } from '../../src/extension/review/counts.js';
import { HookEnvironment, hookVariables } from '../../src/extension/review/hookEnv.js';
import { plainText, safeMarkdown } from '../../src/extension/review/markdown.js';
import { findOnPath, orderChecks } from '../../src/extension/setup/order.js';
import { tempDir } from '../helpers/git.js';

describe('editor surfaces: model markdown', () => {
  it('Problems and tree labels get the words, not the markdown syntax', () => {
    assert.equal(
      plainText('Use a `$1` placeholder and pass **`id`** as a [parameter](https://node-postgres.com/features/queries).'),
      'Use a $1 placeholder and pass id as a parameter.',
    );
    assert.equal(plainText('## Heading\n> quoted _emphasis_ here'), 'Heading\nquoted emphasis here');
    assert.equal(plainText('```js\nconst a = 1;\n```'), 'const a = 1;');
    assert.equal(plainText('a <b>bold</b> <img src=x onerror=alert(1)> word'), 'a bold  word');
    // snake_case identifiers are words, not emphasis
    assert.equal(plainText('user_id and max_len'), 'user_id and max_len');
  });

  it('rendered model markdown keeps its formatting but loses HTML and command links', () => {
    const md = safeMarkdown(
      'Call [dismiss](command:pullmint.dismissFinding?%5B%22r%22%5D) or <img src=x> `code` **bold** [docs](https://example.com)',
    );
    assert.doesNotMatch(md, /command:/);
    assert.doesNotMatch(md, /<img/);
    assert.match(md, /`code` \*\*bold\*\* \[docs\]\(https:\/\/example\.com\)/);
    assert.match(md, /Call dismiss or/);
    assert.doesNotMatch(safeMarkdown('[x](javascript:alert(1))'), /javascript:/);
  });
});

describe('editor surfaces: one count everywhere', () => {
  it('counts by severity, most severe first, info included', () => {
    const c = countFindings([{ severity: 'info' }, { severity: 'critical' }, { severity: 'medium' }, { severity: 'critical' }]);
    assert.equal(c.total, 4);
    assert.equal(countsText(c), '2 critical · 1 medium · 1 info');
    assert.equal(countsText(countFindings([])), 'no findings');
  });

  it('a dismissal can be taken back (Undo)', async () => {
    const data = new Map<string, unknown>();
    const store = { get: <T>(k: string) => data.get(k) as T | undefined, update: async (k: string, v: unknown) => void data.set(k, v) };
    const d = new Dismissals(store);
    await d.dismiss('/r', 'a');
    await d.dismiss('/r', 'b');
    await d.restore('/r', 'a');
    assert.deepEqual(d.list('/r'), ['b']);
  });
});

describe('editor surfaces: Check Setup', () => {
  it('puts failing rows first, required before optional, keeping their order', () => {
    const rows = orderChecks([
      { name: 'Git repository', ok: true, detail: '' },
      { name: 'Endpoint', ok: true, detail: '' },
      { name: 'GitHub', ok: false, detail: '', optional: true },
      { name: 'Ollama reachable', ok: false, detail: '' },
      { name: 'Model pulled', ok: false, detail: '' },
    ]);
    assert.deepEqual(
      rows.map((r) => r.name),
      ['Ollama reachable', 'Model pulled', 'GitHub', 'Git repository', 'Endpoint'],
    );
  });

  it('finds an installed ollama on PATH without running it (Start vs Install)', async () => {
    const dir = tempDir('pullmint-path-');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    assert.equal(await findOnPath('ollama', `${join(dir, 'none')}:${bin}`), undefined);
    writeFileSync(join(bin, 'ollama'), '#!/bin/sh\n');
    chmodSync(join(bin, 'ollama'), 0o755);
    assert.equal(await findOnPath('ollama', `${join(dir, 'none')}:${bin}`), join(bin, 'ollama'));
  });
});

describe('editor surfaces: the hook run from the editor', () => {
  it("exports the editor's provider settings to the variables the CLI reads, and restores them when cleared", () => {
    const env: NodeJS.ProcessEnv = { OLLAMA_HOST: 'http://from-shell:11434', PATH: '/bin' };
    const hook = new HookEnvironment(env);
    const set = hook.apply(
      hookVariables(
        { source: 'editor settings', values: { provider: 'ollama', ollama: { host: 'http://gpu-box:11434', model: 'qwen3:8b' } } },
        'ollama',
      ),
    );
    assert.deepEqual(set.sort(), ['OLLAMA_HOST', 'PULLMINT_MODEL', 'PULLMINT_PROVIDER']);
    assert.equal(env.OLLAMA_HOST, 'http://gpu-box:11434');
    assert.equal(env.PULLMINT_MODEL, 'qwen3:8b');
    assert.equal(env.PULLMINT_PROVIDER, 'ollama');
    // The user clears the settings: the shell's values come back, nothing else is left behind.
    hook.apply(hookVariables({ source: 'editor settings', values: {} }, 'ollama'));
    assert.equal(env.OLLAMA_HOST, 'http://from-shell:11434');
    assert.equal(env.PULLMINT_MODEL, undefined);
    assert.equal(env.PULLMINT_PROVIDER, undefined);
    assert.equal(env.PATH, '/bin');
  });

  it('sets a variable only for the duration of one call (Push Anyway)', async () => {
    const env: NodeJS.ProcessEnv = {};
    const hook = new HookEnvironment(env);
    const seen = await hook.withVariable('PULLMINT_SKIP', '1', async () => env.PULLMINT_SKIP);
    assert.equal(seen, '1');
    assert.equal(env.PULLMINT_SKIP, undefined);
    await assert.rejects(hook.withVariable('PULLMINT_SKIP', '1', async () => Promise.reject(new Error('push failed'))));
    assert.equal(env.PULLMINT_SKIP, undefined);
  });
});
