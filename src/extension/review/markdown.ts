/**
 * Model text is markdown. Where VS Code shows plain text (Problems, tree labels, notifications) it
 * is reduced to its words; where it renders markdown (hovers) it is shown with HTML and command
 * links taken out, so that a model answer can neither inject markup nor run a command.
 */

/** Markdown reduced to readable plain text: code spans keep their text, links their label. */
export function plainText(md: string): string {
  return md
    .replace(/```[^\n]*\n([\s\S]*?)```/g, (_m, code: string) => code.trim())
    .replace(/`{1,2}([^`]+)`{1,2}/g, '$1')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[\s(])[*_]([^*_\s][^*_]*?)[*_](?=[\s).,;:!?]|$)/g, '$1$2')
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/^>\s?/gm, '')
    .replace(/<[^>]+>/g, '')
    .replace(/[ \t]+\n/g, '\n')
    .trim();
}

/** Model markdown made safe to render: no HTML, no command: or script links (their label stays). */
export function safeMarkdown(md: string): string {
  return md
    .replace(/<[^>]*>/g, '')
    .replace(/\[([^\]]*)\]\(\s*(?:command|javascript|vscode|data):[^)]*\)/gi, '$1')
    .replace(/<?\b(?:command|javascript):[^\s)>]*/gi, '');
}
