/** A subset of VS Code's default theme colours, as the webview receives them in --vscode-* variables. */
export const THEMES: Record<'light' | 'dark' | 'high-contrast', { bodyClass: string; vars: Record<string, string> }> = {
  light: {
    bodyClass: 'vscode-light',
    vars: {
      foreground: '#3b3b3b', descriptionForeground: '#717171', errorForeground: '#e51400', 'editorError-foreground': '#e51400', 'editorWarning-foreground': '#bf8803',
      'editorInfo-foreground': '#1a85ff', 'sideBar-background': '#f8f8f8', 'editor-background': '#ffffff', 'button-foreground': '#ffffff', 'button-background': '#005fb8',
      'button-hoverBackground': '#0258a8', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryBackground': '#e5e5e5', 'button-secondaryHoverBackground': '#cccccc',
      'badge-foreground': '#ffffff', 'badge-background': '#616161', 'focusBorder': '#005fb8', 'widget-border': '#e5e5e5', 'textLink-foreground': '#005fb8',
      'inputValidation-warningBackground': '#f6f5d2', 'inputValidation-errorBackground': '#f2dede', 'dropdown-background': '#ffffff', 'dropdown-foreground': '#3b3b3b',
      'dropdown-border': '#cecece', 'list-hoverBackground': '#f2f2f2', 'testing-iconPassed': '#388a34', 'charts-blue': '#1a85ff', 'progressBar-background': '#005fb8',
      'font-family': '-apple-system, "Segoe UI", Ubuntu, sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace',
    },
  },
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      foreground: '#cccccc', descriptionForeground: '#9d9d9d', errorForeground: '#f85149', 'editorError-foreground': '#f14c4c', 'editorWarning-foreground': '#cca700',
      'editorInfo-foreground': '#3794ff', 'sideBar-background': '#181818', 'editor-background': '#1f1f1f', 'button-foreground': '#ffffff', 'button-background': '#0078d4',
      'button-hoverBackground': '#026ec1', 'button-secondaryForeground': '#cccccc', 'button-secondaryBackground': '#313131', 'button-secondaryHoverBackground': '#3c3c3c',
      'badge-foreground': '#f8f8f8', 'badge-background': '#616161', 'focusBorder': '#0078d4', 'widget-border': '#313131', 'textLink-foreground': '#4daafc',
      'inputValidation-warningBackground': '#352a05', 'inputValidation-errorBackground': '#5a1d1d', 'dropdown-background': '#313131', 'dropdown-foreground': '#cccccc',
      'dropdown-border': '#3c3c3c', 'list-hoverBackground': '#2a2d2e', 'testing-iconPassed': '#73c991', 'charts-blue': '#3794ff', 'progressBar-background': '#0078d4',
      'font-family': '-apple-system, "Segoe UI", Ubuntu, sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    vars: {
      foreground: '#ffffff', descriptionForeground: '#ffffff', errorForeground: '#f48771', 'editorError-foreground': '#f48771', 'editorWarning-foreground': '#ffd700',
      'editorInfo-foreground': '#3794ff', 'sideBar-background': '#000000', 'editor-background': '#000000', 'button-foreground': '#ffffff', 'button-background': '#000000',
      'button-border': '#6fc3df', 'button-secondaryForeground': '#ffffff', 'button-secondaryBackground': '#000000', 'badge-foreground': '#ffffff', 'badge-background': '#000000',
      'focusBorder': '#f38518', 'contrastBorder': '#6fc3df', 'widget-border': '#6fc3df', 'textLink-foreground': '#21a6ff', 'dropdown-background': '#000000',
      'dropdown-foreground': '#ffffff', 'dropdown-border': '#6fc3df', 'testing-iconPassed': '#73c991', 'charts-blue': '#3794ff',
      'font-family': '-apple-system, "Segoe UI", Ubuntu, sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace',
    },
  },
};

export function themeCss(theme: keyof typeof THEMES): string {
  return `html { ${Object.entries(THEMES[theme].vars).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ')} }`;
}
