// Three bundles: the extension (node, cjs, vscode external), the CLI (node, shebang) and the
// risk panel's front-end (browser). --production minifies; otherwise sourcemaps.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// A production build starts clean so that no development source map ships in the .vsix.
if (production) rmSync('dist', { recursive: true, force: true });

/** Prints errors in the form the `$esbuild-watch` problem matcher expects. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/**
 * Large clients loaded only when used (the Anthropic SDK, cacache, Octokit): a dynamic import of one
 * of them becomes a require of its own bundle in dist/, so that the CLI and the extension do not
 * read them on every start. A require, not an import(): the CLI compiles its main bundle with a V8
 * code cache (src/cli/codeCache.ts), and a script compiled that way may not import() without an
 * experimental flag. The Action keeps one file, as GitHub runs it.
 */
const LAZY = {
  '@anthropic-ai/sdk': 'lazy-anthropic.js',
  cacache: 'lazy-cacache.js',
  '@octokit/rest': 'lazy-octokit-rest.js',
  '@octokit/plugin-throttling': 'lazy-octokit-throttling.js',
  '@octokit/plugin-retry': 'lazy-octokit-retry.js',
};
const lazyClients = {
  name: 'lazy-clients',
  setup(build) {
    build.onResolve({ filter: /^(@(anthropic-ai|octokit)\/|cacache$)/ }, (args) =>
      args.kind === 'dynamic-import' && LAZY[args.path] ? { path: LAZY[args.path], namespace: 'lazy-client' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-client' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`./${args.path}`)});`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/lazy-[a-z-]+\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * zod's messages in English only: its other locales (about half of zod's code) are never used, as
 * Pullmint words every message itself, yet `import { z }` pulls them all in.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: args.importer, namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: join(dirname(args.path), '..', 'locales'),
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  // The watch markers are for the $esbuild-watch problem matcher only; a one-off build prints errors alone.
  plugins: watch ? [problemMatcher, zodEnglishOnly] : [zodEnglishOnly],
};

const builds = [
  {
    // Activation loads only this small file; everything else is in services.js, loaded on first use.
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', './services.js'],
  },
  {
    ...common,
    entryPoints: ['src/extension/services.ts'],
    outfile: 'dist/services.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: watch ? [problemMatcher, zodEnglishOnly, lazyClients] : [zodEnglishOnly, lazyClients],
  },
  {
    // The executable answers --version and help alone; every other command loads cli-main.js.
    ...common,
    entryPoints: ['src/cli/bin.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['./cli-main.js'],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli-main.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: watch ? [problemMatcher, zodEnglishOnly, lazyClients] : [zodEnglishOnly, lazyClients],
  },
  ...Object.entries(LAZY).map(([pkg, file]) => ({
    ...common,
    // ESM-only packages (Octokit) re-exported by name, so that the importer sees their named exports.
    stdin: {
      contents: pkg.startsWith('@octokit/') ? `export * from ${JSON.stringify(pkg)};` : `module.exports = require(${JSON.stringify(pkg)});`,
      resolveDir: '.',
      loader: 'js',
    },
    outfile: `dist/${file}`,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  })),
  {
    // The GitHub Action's bundle is committed (actions run from the repository as it is).
    ...common,
    entryPoints: ['src/action/main.ts'],
    outfile: 'action/index.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    sourcemap: false,
  },
  {
    ...common,
    entryPoints: ['webview-ui/src/main.ts'],
    outfile: 'dist/webview/main.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'css' },
  },
].filter((b) => !b.entryPoints || existsSync(b.entryPoints[0]));

const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  asciiOnly('dist');
}

/**
 * esbuild escapes non-ASCII characters in strings but leaves them in regular expressions and
 * comments; one such character makes Node read a whole bundle as two-byte text, slower to decode and
 * to compile. Escaped (\uXXXX means the same in a regular expression, a comment does not care), the
 * bundles are ASCII, which src/cli/codeCache.ts reads without decoding UTF-8.
 */
function asciiOnly(dir) {
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.js')) continue;
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    if (!/[^\x00-\x7f]/.test(text)) continue;
    // A character escaped by a backslash (`\✗`) means itself, as its \u escape does: that backslash goes.
    const escaped = text.replace(
      /(\\*)([^\x00-\x7f])/g,
      (_, slashes, c) => `${slashes.slice(slashes.length % 2)}\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    writeFileSync(file, escaped);
  }
}
