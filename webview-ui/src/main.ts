import './styles.css';
import type { PanelCommand, PanelState, ToWebviewMessage } from '../../src/shared/protocol.js';
import { DEFAULT_FILTERS, type Filters } from '../../src/shared/viewModel.js';
import { h } from './dom.js';
import { renderCiExplanation, renderEmpty, renderHistory, renderInsights, renderPlan, renderReview, type Handlers } from './render.js';
import { host } from './vscode.js';

const saved = host.getState();
let filters: Filters = saved?.filters ?? { ...DEFAULT_FILTERS };
const collapsed = new Set<string>(saved?.collapsed ?? []);
let state: PanelState | null = null;
let nextRequest = 1;
const app = document.getElementById('app')!;

function persist(): void {
  host.setState({ filters, collapsed: [...collapsed] });
}

const handlers: Handlers = {
  command: (command: PanelCommand) => host.post({ type: 'command', requestId: nextRequest++, command }),
  open: (file, line) => state?.repo && host.post({ type: 'open', repo: state.repo, file, line }),
  dismiss: (id) => state?.repo && host.post({ type: 'dismiss', repo: state.repo, id }),
  get filters() {
    return filters;
  },
  setFilters: (f) => {
    filters = f;
    persist();
    render();
  },
  collapsed,
  toggleGroup: (file) => {
    if (collapsed.has(file)) collapsed.delete(file);
    else collapsed.add(file);
    persist();
    render();
  },
};

function render(): void {
  // Keep keyboard focus across re-renders: remember what had it by its command or file.
  const focused = document.activeElement as HTMLElement | null;
  const focusKey = focused?.getAttribute('data-command') ?? focused?.getAttribute('data-file');
  app.replaceChildren();
  if (!state) {
    app.append(h('p', { class: 'muted' }, 'Loading…'));
    return;
  }
  if (state.running) {
    app.append(h('div', { class: 'progress', role: 'progressbar', 'aria-label': 'Reviewing' }));
    // The running review, not only the previous result below it.
    app.append(
      h(
        'p',
        { class: 'running muted', role: 'status' },
        `Reviewing${state.runningLabel ? ` ${state.runningLabel}` : ''}… ${state.progress ?? ''}`.trim(),
      ),
    );
  }
  app.append(state.review ? renderReview(state, handlers) : renderEmpty(state, handlers));
  for (const section of [renderPlan(state, handlers), renderCiExplanation(state, handlers)]) if (section) app.append(section);
  const history = renderHistory(state);
  if (history) app.append(history);
  const insights = renderInsights(state);
  if (insights) app.append(insights);
  if (focusKey)
    (app.querySelector(`[data-command="${CSS.escape(focusKey)}"], [data-file="${CSS.escape(focusKey)}"]`) as HTMLElement | null)?.focus();
}

window.addEventListener('message', (event: MessageEvent<ToWebviewMessage>) => {
  const msg = event.data;
  if (msg?.type === 'state') {
    state = msg.state;
    render();
  } else if (msg?.type === 'reply' && !msg.ok && msg.error) {
    app.prepend(h('div', { class: 'banner error', role: 'alert' }, msg.error));
  }
});

render();
host.post({ type: 'ready' });
