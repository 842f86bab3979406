declare const PULLMINT_VERSION: string | undefined;

/** Set by the bundler from package.json; sources run directly (tests) report the fallback. */
export const VERSION = typeof PULLMINT_VERSION === 'string' ? PULLMINT_VERSION : '0.1.0';
