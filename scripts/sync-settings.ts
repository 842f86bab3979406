/**
 * Writes the settings that the schema owns into package.json (contributes.configuration and the
 * restricted list) and README.md (the table between the settings markers). `npm run sync-settings`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { editorContribution, restrictedSettings } from '../src/core/config/schema.js';
import { settingsTable } from '../src/core/config/docs.js';

const pkgPath = new URL('../package.json', import.meta.url);
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
pkg.contributes.configuration.properties = editorContribution();
pkg.capabilities.untrustedWorkspaces.restrictedConfigurations = restrictedSettings();
writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n');

const readmePath = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmePath, 'utf8');
const marked = /(<!-- settings:start -->\n)[\s\S]*?(<!-- settings:end -->)/;
if (!marked.test(readme)) throw new Error('README.md has no <!-- settings:start --> / <!-- settings:end --> markers');
writeFileSync(readmePath, readme.replace(marked, `$1${settingsTable()}$2`));

// The table is written unaligned; Prettier aligns it, so that the format check passes as written.
async function format(): Promise<void> {
  const prettier = await import('prettier');
  for (const path of [readmePath, pkgPath]) {
    const file = path.pathname;
    const options = (await prettier.resolveConfig(file)) ?? {};
    writeFileSync(file, await prettier.format(readFileSync(file, 'utf8'), { ...options, filepath: file }));
  }
}
void format();
