import { SETTINGS } from './schema.js';

function shown(value: unknown): string {
  if (value === '') return '—';
  return `\`${JSON.stringify(value)}\``;
}

/** README's settings table, from the schema: key, default, where else it may come from, meaning. */
export function settingsTable(): string {
  const rows = SETTINGS.map(({ path, meta }) => {
    const from = [
      meta.env ? `env \`${meta.env.name}\`` : '',
      meta.repo ? '`.pullmint.json`' : '',
      meta.scope === 'machine' ? 'user settings only' : '',
      meta.editorOnly ? 'editor only' : '',
    ]
      .filter(Boolean)
      .join(', ');
    const text = meta.description.replace(/\|/g, '\\|').replace(/`#pullmint\.([\w.]+)#`/g, '`$1`');
    return `| \`${path}\` | ${shown(meta.default)} | ${from} | ${text} |`;
  });
  return ['| key | default | also from | meaning |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}
