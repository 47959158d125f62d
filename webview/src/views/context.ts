import type { WebviewToHost } from '../../../protocol/protocol';
import type { Action, PanelState } from '../store';
import type { ChartSet } from './chart';

/** What every view gets: the current state, the dispatcher, the host channel and the chart set. */
export interface ViewContext {
  state(): PanelState;
  dispatch(action: Action): void;
  /** Ask for an animation frame (e.g. a card with stale text scrolled into view). */
  requestFrame(): void;
  /**
   * Runs `update` in idle time (within a second), replacing an update queued under the same key.
   * For text alternatives (aria-labels, offscreen tables): their text layout stays out of the frames
   * that draw, and screen readers do not need them at frame rate.
   */
  idle(key: object, update: () => void): void;
  post<K extends keyof WebviewToHost>(type: K, payload: WebviewToHost[K]): void;
  charts: ChartSet;
}
