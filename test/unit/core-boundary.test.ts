import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('src/core boundary', () => {
  it('never imports vscode', () => {
    const root = join(__dirname, '..', '..', 'src', 'core');
    const offenders = tsFiles(root).filter((f) =>
      /from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\)/.test(readFileSync(f, 'utf8')),
    );
    assert.ok(tsFiles(root).length > 10, 'found the core sources');
    assert.deepEqual(offenders, []);
  });
});
