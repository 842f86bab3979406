/**
 * A GitHub Actions job log as the runner writes it: a timestamp on every line, ANSI colours, group
 * markers, thousands of install and passing-test lines, and one failing assertion near the end.
 */

export const ASSERTION = 'AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:';
export const FAILING_TEST = 'totals include tax';
export const FAILING_FRAME = 'at Context.<anonymous> (test/cart.test.js:27:12)';
/** A token printed by a debug line just before the failure: inside the excerpt's context. */
export const LOG_SECRET = 'ghp_' + 'Zq8xY2wV4uT6sR0pQ9oN7mL5kJ3iH1gF2eD4';

export interface GeneratedLog {
  text: string;
  lines: number;
}

export function githubActionsLog(opts: { lines?: number; secret?: boolean; failing?: boolean } = {}): GeneratedLog {
  const total = opts.lines ?? 5000;
  const failing = opts.failing ?? true;
  const start = Date.parse('2026-11-22T07:00:00.000Z');
  let tick = 0;
  const out: string[] = [];
  const stamp = (): string => {
    const t = new Date(start + tick++ * 37).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
    return t;
  };
  const line = (text: string): void => void out.push(`${stamp()} ${text}`);
  const green = (s: string): string => `\x1b[32m${s}\x1b[39m`;
  const grey = (s: string): string => `\x1b[90m${s}\x1b[39m`;
  const red = (s: string): string => `\x1b[31m${s}\x1b[39m`;

  line('Current runner version: 2.329.0');
  line('##[group]Operating System');
  line('Ubuntu');
  line('24.04.1');
  line('LTS');
  line('##[endgroup]');
  line('##[group]Run actions/checkout@v4');
  line('with:');
  line('  repository: acme/widgets');
  line('  token: ***');
  line('##[endgroup]');
  line('Syncing repository: acme/widgets');
  line('[command]/usr/bin/git version');
  line('git version 2.47.1');
  line('##[group]Run actions/setup-node@v4');
  line('Found in cache @ /opt/hostedtoolcache/node/20.18.1/x64');
  line('##[endgroup]');
  line('##[group]Run npm ci');
  line('\x1b[36;1mnpm ci\x1b[0m');
  line('shell: /usr/bin/bash -e {0}');
  line('##[endgroup]');

  // What the test run itself prints, at the end; the install fills the lines before it.
  const tail: string[] = [];
  const t = (s: string): void => void tail.push(s);
  t('##[group]Run npm test');
  t('\x1b[36;1mnpm test\x1b[0m');
  t('##[endgroup]');
  t('');
  t('> widgets@1.4.0 test');
  t('> mocha "test/**/*.test.js"');
  t('');
  const passing: string[] = [];
  for (let i = 0; i < 900; i++) {
    if (i % 60 === 0) passing.push(`  suite ${i / 60}`);
    const name = i % 300 === 7 ? `throws a TypeError for a missing id ${i}` : `handles case ${i} of the price table`;
    passing.push(`    ${green('✔')} ${grey(name)}${i % 5 === 0 ? grey(` (${i % 17}ms)`) : ''}`);
  }
  for (const p of passing) t(p);
  t('  cart');
  if (opts.secret) t(`    debug: calling the pricing API with token ${LOG_SECRET}`);
  if (failing) {
    t(`    ${red(`1) ${FAILING_TEST}`)}`);
    t('');
    t('');
    t(`  ${green('900 passing')} ${grey('(4s)')}`);
    t(`  ${red('1 failing')}`);
    t('');
    t('  1) cart');
    t(`       ${FAILING_TEST}:`);
    t('');
    t(`      ${red(ASSERTION)}`);
    t('');
    t('41.5 !== 42');
    t('');
    t(`      ${green('+ expected')} ${red('- actual')}`);
    t('');
    t(`      ${red('-41.5')}`);
    t(`      ${green('+42')}`);
    t('');
    t(`      ${grey(FAILING_FRAME)}`);
    t(`      ${grey('at process.processImmediate (node:internal/timers:483:21)')}`);
    t('');
    t('##[error]Process completed with exit code 1.');
  } else {
    t(`  ${green('901 passing')} ${grey('(4s)')}`);
  }
  t('Post job cleanup.');
  t('[command]/usr/bin/git version');
  t('git version 2.47.1');
  t('Cleaning up orphan processes');

  // The install: thousands of fetches, a few warnings, progress redraws.
  const room = total - out.length - tail.length;
  for (let i = 0; out.length < total - tail.length; i++) {
    const left = total - tail.length - out.length;
    if (i === 0) line('npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.');
    else if (left === 3) line(`added ${room - 5} packages, and audited ${room - 4} packages in 21s`);
    else if (left === 2) line('found 0 vulnerabilities');
    else if (left === 1) line('');
    // A registry hiccup npm retried past: an error line that is not the failure.
    else if (i === 1200) line('npm http fetch GET 503 https://registry.npmjs.org/left-pad attempt 1 failed with Error: socket hang up');
    else if (i % 500 === 0) line(`\r${grey('⸨░░░░░░░░░⸩')} ⠴ idealTree: timing\r${grey('⸨██████████⸩')} reify: done`);
    else
      line(
        `${grey('npm http fetch')} GET 200 https://registry.npmjs.org/${'pkg-' + i}/-/pkg-${i}-1.${i % 9}.${i % 4}.tgz ${i % 97}ms (cache hit)`,
      );
  }
  for (const s of tail) line(s);
  return { text: out.join('\n') + '\n', lines: out.length };
}
