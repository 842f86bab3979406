// The `pullmint` executable (dist/cli.js). It answers --version and help itself and loads the engine
// (dist/cli-main.js: zod, the providers' clients, Octokit) only for a command that needs it, so that
// a quick question does not pay for reading megabytes of code.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { requireWithCodeCache } from './codeCache.js';
import { EXIT, HELP, VERSION } from './help.js';
import { ignoreClosedReader, readAll } from './io.js';

type Main = typeof import('./main.js');

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  // `help COMMAND` is a command's own page, which main.ts has.
  if (command === undefined || (rest.length === 0 && (command === 'help' || command === '--help' || command === '-h'))) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  // A separate bundle, kept external by esbuild.mjs.
  const bundle = requireWithCodeCache<Main>(join(__dirname, 'cli-main.js'), codeCacheDir(process.env));
  const code = await bundle.exports.main(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    readStdin: () => readAll(process.stdin),
  });
  bundle.saveCache();
  return code;
}

/** Beside the review cache (defaultCacheDir in core/cache.ts, not imported: this file stays small); PULLMINT_CODE_CACHE=0 turns it off. */
function codeCacheDir(env: NodeJS.ProcessEnv): string | null {
  if (env.PULLMINT_CODE_CACHE === '0') return null;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pullmint', 'code');
}

ignoreClosedReader(process.stdout);
ignoreClosedReader(process.stderr);
run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`pullmint: ${err?.stack ?? err}\n`);
    process.exitCode = 2;
  },
);
