import assert from 'node:assert/strict';
import picomatch from 'picomatch';
import { globList } from '../../src/core/glob.js';

const LISTS: [string[], { dot?: boolean; nocase?: boolean }][] = [
  [['**/*.min.js', '**/*.map', '**/node_modules/**', '**/vendor/**'], { dot: true }],
  [
    ['**/*auth*/**', '**/*auth*', '**/Dockerfile*', '**/*.{test,spec}.*', '**/.github/workflows/**', '**/*.y?(a)ml'],
    { dot: true, nocase: true },
  ],
  [['docs/*.md', '!**/*.ts', 'src/**/gen-[a-c]*.go', '*.lock', '@(a|b)/**', 'x/+(y|z).txt', '**/*[0-9].json'], { dot: true }],
  [['**/*'], {}],
  [['literal(name).txt', 'a\\*b'], { dot: true }],
];

const PATHS = [
  'a.min.js',
  'dist/a.min.js',
  'src/.hidden/x.map',
  'node_modules/x/y.js',
  'a/vendor/b/c.go',
  'vendor',
  'src/auth/login.ts',
  'src/Auth.ts',
  'AUTH/x',
  'Dockerfile',
  'deploy/dockerfile.prod',
  'a.test.ts',
  'a/b.spec.js',
  '.github/workflows/ci.yml',
  'x/.github/workflows/a.yaml',
  'c.yml',
  'c.YAML',
  'docs/a.md',
  'docs/b/a.md',
  'src/a.ts',
  'src/x/gen-b1.go',
  'src/gen-d.go',
  'yarn.lock',
  'x/yarn.lock',
  'a/q.txt',
  'b/q/r',
  'c/q',
  'x/y.txt',
  'x/yz.txt',
  'x/zz.txt',
  'data/v2.json',
  'data/v.json',
  '.env',
  'a/.env',
  'literal(name).txt',
  'a\\*b',
  'a*b',
  'é/ü.ts',
  'sp ace/a.min.js',
  '',
];

describe('globList: one expression per list, answering as picomatch does', () => {
  it('matches exactly the paths picomatch matches, list by list', () => {
    let matched = 0;
    for (const [globs, opts] of LISTS) {
      const ours = globList(globs, opts);
      const theirs = picomatch(globs, opts);
      for (const path of PATHS) {
        assert.equal(ours(path), path === '' ? false : theirs(path), `${JSON.stringify(globs)} on ${JSON.stringify(path)}`);
        if (ours(path)) matched++;
      }
    }
    assert.ok(matched > 20, `the corpus exercises matches, not only misses (${matched})`);
  });

  it('compiles a list given "now" at once, so that a bad glob fails where it is read', () => {
    let compiled = 0;
    const spy = picomatch.makeRe;
    picomatch.makeRe = ((...args: Parameters<typeof spy>) => (compiled++, spy(...args))) as typeof spy;
    try {
      const lazy = globList(['**/*.a'], {});
      assert.equal(compiled, 0, 'not compiled before first use');
      assert.equal(lazy('x/y.a'), true);
      assert.equal(compiled, 1);
      globList(['**/*.b', '**/*.c'], {}, 'now');
      assert.equal(compiled, 3);
    } finally {
      picomatch.makeRe = spy;
    }
  });

  it('a long list is asked glob by glob, and a list as long as one expression takes still compiles, with the same answers', () => {
    const lists = [
      Array.from({ length: 300 }, (_, i) => `{a,b}${i}`),
      Array.from({ length: 300 }, (_, i) => `dir${i}/**/*.{js,ts}`),
      // Many groups in each of 64 patterns.
      Array.from({ length: 64 }, (_, i) => `${'@(a|b)'.repeat(20)}${i}`),
    ];
    for (const globs of lists) {
      const ours = globList(globs, { dot: true }, 'now');
      const theirs = picomatch(globs, { dot: true });
      for (const path of ['a0', 'b299', 'c1', 'dir299/x/y.ts', 'dir5/a.js', 'dir5/a.py', 'x/dir5/a.js', `${'ab'.repeat(10)}7`])
        assert.equal(ours(path), theirs(path), `${globs.length} globs on ${path}`);
    }
  });

  it('an empty list matches nothing', () => {
    assert.equal(globList([])('a'), false);
  });
});
