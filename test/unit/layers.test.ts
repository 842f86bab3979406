import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..', '..', 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every module a file imports, as written (relative specifiers resolved to a src/ folder). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((s) => (s.startsWith('.') ? relative(SRC, join(file, '..', s)).replace(/\\/g, '/') : s));
}

function layerOf(srcRelative: string): string {
  return srcRelative.split('/')[0];
}

/** Which layers each layer may import; packages are unrestricted except `vscode`. */
const ALLOWED: Record<string, string[]> = {
  core: ['core'],
  app: ['core', 'app'],
  shared: ['core', 'shared'],
  cli: ['core', 'app', 'cli'],
  action: ['core', 'app', 'action'],
  extension: ['core', 'app', 'shared', 'extension'],
};

describe('layer boundaries', () => {
  const files = tsFiles(SRC);

  it('finds the sources', () => assert.ok(files.length > 40));

  it('only src/extension imports vscode', () => {
    const offenders = files.filter((f) => layerOf(relative(SRC, f)) !== 'extension' && importsOf(f).includes('vscode'));
    assert.deepEqual(offenders, []);
  });

  it('each layer imports only the layers below it; front ends never import each other', () => {
    const violations: string[] = [];
    for (const f of files) {
      const from = layerOf(relative(SRC, f));
      for (const spec of importsOf(f)) {
        if (!spec.includes('/') || spec.startsWith('@') || spec.startsWith('node:')) continue;
        const to = layerOf(spec);
        if (to in ALLOWED && !ALLOWED[from]?.includes(to)) violations.push(`${relative(SRC, f)} → ${spec}`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('only src/core/git spawns git or loads simple-git', () => {
    const offenders = files.filter((f) => {
      const rel = relative(SRC, f).replace(/\\/g, '/');
      return (
        !rel.startsWith('core/git/') && importsOf(f).some((s) => s === 'simple-git' || s === 'node:child_process' || s === 'child_process')
      );
    });
    assert.deepEqual(offenders, []);
  });
});
