import picomatch from 'picomatch';

export type PathTest = (path: string) => boolean;

export interface GlobOptions {
  dot?: boolean;
  nocase?: boolean;
}

/**
 * A test of a path against a list of globs, as `picomatch(globs, opts)` answers it, with one regular
 * expression for the whole list, compiled on first use. Every file of a review is asked several such
 * lists; picomatch's matcher per glob, each with its own call and result object, cost more than the
 * rules themselves in a short run, and compiling lists a run never asks cost at every start.
 */
export function globList(globs: readonly string[], opts: GlobOptions = {}, when: 'first use' | 'now' = 'first use'): PathTest {
  if (globs.length === 0) return () => false;
  // A user's list is compiled at once, so that a glob picomatch refuses fails where the settings are read.
  let re: RegExp | null = when === 'now' ? compile(globs, opts) : null;
  // picomatch also takes a path equal to the glob's own text, whatever the glob means.
  const literal = new Set(globs);
  return (path) => {
    if (path === '') return false;
    re ??= compile(globs, opts);
    return re.test(path) || literal.has(path);
  };
}

function compile(globs: readonly string[], opts: GlobOptions): RegExp {
  const options = { ...opts, windows: process.platform === 'win32' };
  return new RegExp(globs.map((g) => `(?:${picomatch.makeRe(g, options).source})`).join('|'), opts.nocase ? 'i' : '');
}
