import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
// semver comes with npm's own tool chain (vsce, eslint); it reads engine ranges exactly as npm does.
const semver = createRequire(join(ROOT, 'package.json'))('semver') as {
  minVersion: (r: string) => { version: string } | null;
  satisfies: (v: string, r: string) => boolean;
};

describe('install and build hygiene', () => {
  it('every locked package accepts the oldest Node that engines.node allows (npm ci prints no EBADENGINE)', () => {
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    assert.equal(oldest, '20.19.0');
    const refused = Object.entries(lock.packages as Record<string, { engines?: { node?: string } | string[] }>)
      .filter(([, p]) => p.engines && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !semver.satisfies(oldest, (p.engines as { node: string }).node))
      .map(([name, p]) => `${name.replace(/^.*node_modules\//, '')} wants node ${(p.engines as { node: string }).node}`);
    assert.deepEqual(refused, []);
  });

  it('npm run package builds once: vsce runs vscode:prepublish, the script itself builds nothing', () => {
    assert.match(pkg.scripts['vscode:prepublish'], /build:production/);
    assert.doesNotMatch(pkg.scripts.package, /build/);
    assert.match(pkg.scripts.package, /^vsce package /);
  });

  it('a one-off build prints nothing: no watch markers', function () {
    this.timeout(120_000);
    const out = execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(out, '');
  });
});
