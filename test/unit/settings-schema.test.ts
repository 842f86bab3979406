import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsTable } from '../../src/core/config/docs.js';
import { DEFAULT_CONFIG, editorContribution, restrictedSettings, SETTINGS } from '../../src/core/config/schema.js';
import { PROVIDER_NAMES } from '../../src/core/providers/registry.js';
import { ROOT } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const fix = 'package.json and README.md follow the schema: run npm run sync-settings';

describe('one settings schema', () => {
  it('is what package.json contributes: every key, type, default, scope and description', () => {
    assert.deepEqual(pkg.contributes.configuration.properties, editorContribution(), fix);
    assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, restrictedSettings(), fix);
  });

  it("offers the registry's providers, and hosts and URLs are machine-scoped", () => {
    assert.deepEqual(pkg.contributes.configuration.properties['pullmint.provider'].enum, PROVIDER_NAMES);
    for (const key of ['ollama.host', 'anthropic.baseUrl', 'openai.baseUrl', 'deploy.url', 'github.enterpriseUrl']) {
      assert.equal(SETTINGS.find((s) => s.path === key)?.meta.scope, 'machine', key);
      assert.ok(!SETTINGS.find((s) => s.path === key)?.meta.repo, `${key} may not come from a repository`);
    }
  });

  it("is README's settings table", () => {
    const squash = (t: string): string =>
      t
        .split('\n')
        .map((l) => l.replace(/\s+/g, ' ').replace(/-{3,}/g, '---').trim())
        .join('\n');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = /<!-- settings:start -->\n([\s\S]*?)<!-- settings:end -->/.exec(readme)?.[1] ?? '';
    assert.equal(squash(table).trim(), squash(settingsTable()).trim(), fix);
  });

  it('gives every setting a valid default and a description', () => {
    for (const s of SETTINGS) {
      assert.ok(s.meta.description.length > 10, `${s.path} has a description`);
      assert.ok(s.schema.safeParse(s.meta.default).success, `${s.path}'s default is valid`);
    }
    assert.equal(DEFAULT_CONFIG.contextLines, 3);
    assert.equal(DEFAULT_CONFIG.risk.deployThreshold, 40);
  });
});
