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
  let test: PathTest | null = when === 'now' ? compile(globs, opts) : null;
  // picomatch also takes a path equal to the glob's own text, whatever the glob means.
  const literal = new Set(globs);
  return (path) => {
    if (path === '') return false;
    test ??= compile(globs, opts);
    return test(path) || literal.has(path);
  };
}

/** The built-in lists have up to about forty globs; a user's list is rarely longer. */
const COMBINED_MAX = 64;

function compile(globs: readonly string[], opts: GlobOptions): PathTest {
  const options = { ...opts, windows: process.platform === 'win32' };
  const each = globs.map((g) => picomatch.makeRe(g, options));
  const oneByOne: PathTest = (path) => each.some((re) => re.test(path));
  // A long list is asked glob by glob: one expression of thousands of globs takes seconds to compile
  // (more than linearly), or more groups or size than one expression may hold.
  if (globs.length > COMBINED_MAX) return oneByOne;
  let one: RegExp | null;
  try {
    one = new RegExp(each.map((re) => `(?:${re.source})`).join('|'), opts.nocase ? 'i' : '');
  } catch {
    return oneByOne;
  }
  return (path) => {
    if (one) {
      try {
        return one.test(path);
      } catch {
        one = null;
      }
    }
    return oneByOne(path);
  };
}
