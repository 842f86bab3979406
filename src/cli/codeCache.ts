/**
 * Loads the CLI's main bundle with a V8 code cache, so that a command does not compile a megabyte of
 * JavaScript on every run (about a third of a short command's time). Node 22 does this itself
 * (`module.enableCompileCache`); Node 20 has only `vm.Script`'s cached data.
 *
 * V8 checks a cache against the length of the source alone, so the cache file is named after a hash
 * of the bundle's text: a rebuilt or upgraded bundle never runs another's code. The file carries a
 * hash of its own bytes, checked before V8 reads it, so a torn or damaged file is a miss. Every
 * failure to read or write the cache costs the compile and nothing else: no message, no exit code.
 */
import { isAscii } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

const HASH_BYTES = 20;
const PREFIX = 'cli-main-';
/** Another version's cache (a project's own pullmint beside a global one) is left alone this long after it was written. */
const KEEP_OTHERS_MS = 7 * 24 * 3600 * 1000;

export interface LoadedBundle<T> {
  exports: T;
  /** Writes the cache when there was none to use; call it once the command has run, so that the functions it compiled are in it. */
  saveCache(): void;
}

/** `require(filename)`, through a code cache in `cacheDir` (null: a plain require). */
export function requireWithCodeCache<T>(filename: string, cacheDir: string | null): LoadedBundle<T> {
  const enableCompileCache = (Module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (cacheDir === null || enableCompileCache) {
    if (cacheDir !== null) {
      try {
        enableCompileCache!(cacheDir);
      } catch {
        // Node's own cache is an optimisation too.
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { exports: require(filename) as T, saveCache: () => {} };
  }

  const bytes = readFileSync(filename);
  // The build escapes every non-ASCII character (esbuild.mjs): read that way, the text needs no UTF-8 decoding.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const sourceHash = createHash('sha1').update(bytes).digest('hex').slice(0, 16);
  const cacheFile = join(cacheDir, `${PREFIX}${sourceHash}-${process.version}-${process.arch}.bin`);
  const cachedData = readCache(cacheFile);
  const script = new Script(Module.wrap(source), { filename, cachedData });

  // A real module in require's cache, as a plain require would leave it; its own require resolves
  // next to it (the lazily loaded client bundles).
  const mod = new Module(filename, module);
  mod.filename = filename;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(filename));
  require.cache[filename] = mod;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, createRequire(filename), mod, filename, dirname(filename));
  mod.loaded = true;

  let saved = false;
  return {
    exports: mod.exports as T,
    saveCache: () => {
      if (saved || (cachedData && !script.cachedDataRejected)) return;
      saved = true;
      writeCache(cacheDir, cacheFile, script.createCachedData());
    },
  };
}

/** A cache file far larger than any this code makes is not read. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

function readCache(file: string): Buffer | undefined {
  let data: Buffer;
  let fd: number | undefined;
  try {
    // Opened without waiting and read only when it is a regular file: a pipe or a device put at the
    // cache's place would otherwise hold the command forever.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_CACHE_BYTES) return undefined;
    data = readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (data.length <= HASH_BYTES) return undefined;
  const payload = data.subarray(HASH_BYTES);
  return createHash('sha1').update(payload).digest().equals(data.subarray(0, HASH_BYTES)) ? payload : undefined;
}

function writeCache(dir: string, file: string, payload: Buffer): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(dir)) {
      const other = join(dir, name);
      if (name.startsWith(PREFIX) && other !== file && Date.now() - statSync(other).mtimeMs > KEEP_OTHERS_MS)
        rmSync(other, { force: true });
    }
    // Written whole under another name, then renamed: a second process reads the old file or the new, never half of one.
    const partial = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(partial, Buffer.concat([createHash('sha1').update(payload).digest(), payload]), { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // A read-only or full disk: the next run compiles again.
  }
}
