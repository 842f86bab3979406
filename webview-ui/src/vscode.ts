import type { FromWebviewMessage } from '../../src/shared/protocol.js';
import type { Filters } from '../../src/shared/viewModel.js';

export interface ViewState {
  filters: Filters;
  collapsed: string[];
}

/** acquireVsCodeApi may be called once per page: wrapped here, typed with our messages and state. */
const api = acquireVsCodeApi<ViewState>();

export const host = {
  post(message: FromWebviewMessage): void {
    api.postMessage(message);
  },
  getState(): ViewState | undefined {
    return api.getState();
  },
  setState(state: ViewState): void {
    api.setState(state);
  },
};
