// `npm run test:vscode`: the extension-host suite under @vscode/test-electron. It downloads a
// VS Code build, so it runs on machines with internet access (laptops, GitHub-hosted CI); the
// code-server suite in test/e2e is what proves the extension on machines without it.
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { TempRepo } from '../helpers/git.js';

async function main(): Promise<void> {
  const root = join(__dirname, '..', '..');
  const out = join(root, 'dist-test');
  await build({
    entryPoints: [join(__dirname, 'suite', 'index.ts')],
    outfile: join(out, 'suite.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode', 'mocha'],
  });
  const repo = new TempRepo('pullmint-vscode-test-');
  repo.write('a.js', 'exports.a = 1;\n').commit('base');
  repo.write('a.js', 'exports.a = 1;\nexports.key = "AKIAIOSFODNN7EXAMPLE";\ndebugger;\n');
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(out, 'suite.js'),
    launchArgs: [repo.dir, '--disable-extensions', '--user-data-dir', mkdtempSync(join(tmpdir(), 'pullmint-vscode-user-'))],
    extensionTestsEnv: { PULLMINT_TEST_REPO: repo.dir, OLLAMA_HOST: 'http://127.0.0.1:9' },
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
