import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, mergeConfig } from '../../src/core/config/load.js';
import { DEFAULT_CONFIG } from '../../src/core/config/schema.js';
import { normalizeOllamaHost } from '../../src/core/providers/ollama.js';
import { tempDir } from '../helpers/git.js';

describe('config layering', () => {
  it('applies defaults → user → repo → environment → flags, later layers winning', async () => {
    const repo = tempDir();
    const userFile = join(tempDir(), 'config.json');
    writeFileSync(userFile, JSON.stringify({ provider: 'anthropic', contextLines: 5, ignore: ['user/**'], ollama: { model: 'llama3' } }));
    writeFileSync(join(repo, '.pullmint.json'), JSON.stringify({ contextLines: 7, ignore: ['repo/**'], risk: { deployThreshold: 50 } }));
    const { config, warnings } = await loadConfig({
      repoRoot: repo,
      userConfigFile: userFile,
      env: { OLLAMA_HOST: '10.0.0.5:11434' },
      overrides: { source: 'command line', values: { maxCalls: 3 } },
    });
    assert.deepEqual(warnings, []);
    assert.equal(config.provider, 'anthropic');
    assert.equal(config.contextLines, 7);
    assert.deepEqual(config.ignore, ['user/**', 'repo/**']);
    assert.equal(config.ollama.model, 'llama3');
    assert.equal(config.ollama.host, 'http://10.0.0.5:11434');
    assert.equal(config.risk.deployThreshold, 50);
    assert.equal(config.risk.approveThreshold, 30);
    assert.equal(config.maxCalls, 3);
  });

  it('ignores provider, hosts, base URLs, tokens and webhooks from the repository file, with warnings', async () => {
    const repo = tempDir();
    writeFileSync(
      join(repo, '.pullmint.json'),
      JSON.stringify({
        provider: 'openai',
        ollama: { host: 'http://evil.example:11434' },
        openai: { baseUrl: 'http://evil.example' },
        anthropic: { baseUrl: 'http://evil.example' },
        deploy: { url: 'http://evil.example/hook' },
        githubToken: 'x',
        instructions: 'Focus on SQL.',
      }),
    );
    const { config, warnings } = await loadConfig({ repoRoot: repo, userConfigFile: '/nonexistent', env: {} });
    assert.equal(config.provider, 'ollama');
    assert.equal(config.ollama.host, DEFAULT_CONFIG.ollama.host);
    assert.equal(config.openai.baseUrl, '');
    assert.equal(config.anthropic.baseUrl, '');
    assert.equal(config.instructions, 'Focus on SQL.');
    for (const key of ['provider', 'ollama', 'openai', 'anthropic', 'deploy', 'githubToken']) {
      assert.ok(
        warnings.some((w) => w.includes(`"${key}" is ignored`)),
        `warns about ${key}`,
      );
    }
  });

  it('reports an invalid value and keeps the lower layer instead of failing', () => {
    const { config, warnings } = mergeConfig([{ source: 'user', values: { contextLines: 'many', maxCalls: 9 } }]);
    assert.equal(config.contextLines, 3);
    assert.equal(config.maxCalls, 9);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /contextLines/);
  });

  it('treats "constructor", "toString" and "__proto__" as unknown entries, not as Object members', () => {
    const { config, warnings } = mergeConfig([
      {
        source: '.pullmint.json',
        values: JSON.parse('{"rules":{"constructor":false,"__proto__":{"x":1}},"risk":{"weights":{"toString":1,"high":9}}}'),
      },
    ]);
    assert.equal(config.risk.weights.high, 9, 'the good entry next to them is kept');
    assert.equal(Object.getPrototypeOf(config.rules), Object.prototype);
    assert.equal(({} as Record<string, unknown>).x, undefined);
    assert.ok(
      warnings.some((w) => /risk\.weights\.toString: unknown entry/.test(w)),
      warnings.join('\n'),
    );
    assert.ok(
      warnings.some((w) => /rules\.__proto__: unknown entry/.test(w)),
      warnings.join('\n'),
    );
  });

  it('drops one bad entry of a list, not the list; a glob that would backtrack for minutes is refused', () => {
    const { config, warnings } = mergeConfig([
      {
        source: '.pullmint.json',
        values: { ignore: ['*a*a*a*a*a*a*a*a*a*a*a*a*ab', 'dist/**'], risk: { blockOn: ['critical', 'severe'] } },
      },
    ]);
    assert.deepEqual(config.ignore, ['dist/**']);
    assert.deepEqual(config.risk.blockOn, ['critical']);
    assert.ok(
      warnings.some((w) => /ignore\[0\]: a pattern with at most 8/.test(w)),
      warnings.join('\n'),
    );
    assert.ok(
      warnings.some((w) => /risk\.blockOn\[1\]/.test(w)),
      warnings.join('\n'),
    );
  });

  it('survives a repository file that is not JSON', async () => {
    const repo = tempDir();
    writeFileSync(join(repo, '.pullmint.json'), '{ not json');
    const { config, warnings } = await loadConfig({ repoRoot: repo, userConfigFile: '/nonexistent', env: {} });
    assert.equal(config.provider, 'ollama');
    assert.match(warnings[0], /not valid JSON/);
    // Control bytes in the file (an escape sequence, a NUL) are not repeated in the warning.
    writeFileSync(join(repo, '.pullmint.json'), '\u001b[31m\u0000{"a": "red\u009b"}');
    const bad = await loadConfig({ repoRoot: repo, userConfigFile: '/nonexistent', env: {} });
    assert.match(bad.warnings[0], /not valid JSON/);
    assert.doesNotMatch(bad.warnings[0], /[\u0000-\u001F\u007F-\u009F]/);
  });

  it('normalizes OLLAMA_HOST forms', () => {
    assert.equal(normalizeOllamaHost('0.0.0.0'), 'http://127.0.0.1:11434');
    assert.equal(normalizeOllamaHost('gpu-box:8080'), 'http://gpu-box:8080');
    assert.equal(normalizeOllamaHost('https://ollama.internal/'), 'https://ollama.internal:11434');
  });
});
