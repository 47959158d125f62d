/**
 * Train & Inspect panel (webview entry). Wiring only:
 *   host messages ─▶ reduce() ─▶ changes ─▶ one requestAnimationFrame: DOM views, then due charts
 *   UI actions    ─▶ reduce() ─┘                         └─▶ setState (throttled) for restore
 */
import './style.css';
import type { WebviewToHost } from '../../protocol/protocol';
import { connect, type HostChannel, type HostMessage, type VsCodeApi } from './messaging';
import { persist, restore } from './persist';
import { readPalette, type Palette } from './render/canvas';
import { allChanges, initialState, mergeChanges, noChanges, reduce, type Action, type Changes, type PanelState } from './store';
import { ChartSet } from './views/chart';
import type { ViewContext } from './views/context';
import { ControlsView } from './views/controls';
import { CurvesView } from './views/curves-view';
import { h } from './views/dom';
import { HeaderView } from './views/header';
import { LayersView } from './views/layers-view';
import { SummaryView } from './views/summary-view';

declare function acquireVsCodeApi(): VsCodeApi;

/** Per-frame timings, exposed for the browser tests and the bench (last FRAME_LOG frames). */
export interface FrameRecord {
  at: number;
  ms: number;
  dom: number;
  draw: number;
  drawn: number;
  visible: number;
  byKind: Record<string, number>;
  /** `frame`: the animation frame callback; `resize`: charts drawn in the ResizeObserver callback (same frame, after layout). */
  phase: 'frame' | 'resize';
}
const FRAME_LOG = 1000;

const api = acquireVsCodeApi();
const restoredState = restore(api.getState());
let state: PanelState = restoredState ?? initialState();
let pending: Changes = allChanges();
let scheduled = false;
const frames: FrameRecord[] = [];
let palette: Palette = readPalette(document.body);
const charts = new ChartSet({
  palette: () => palette,
  requestFrame: () => schedule(),
  drewLate: (s, ms) => record({ at: performance.now() - ms, ms, dom: 0, draw: ms, drawn: s.drawn, visible: s.visible, byKind: s.byKind, phase: 'resize' }),
});
let channel: HostChannel | null = null;

const idleQueue = new Map<object, () => void>();
let idleScheduled = false;
function idle(key: object, update: () => void): void {
  idleQueue.set(key, update);
  if (idleScheduled) return;
  idleScheduled = true;
  const run = () => {
    idleScheduled = false;
    const jobs = [...idleQueue.values()];
    idleQueue.clear();
    for (const job of jobs) job();
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 1000 });
  else setTimeout(run, 50);
}

const ctx: ViewContext = {
  state: () => state,
  dispatch,
  requestFrame: () => schedule(),
  idle,
  post<K extends keyof WebviewToHost>(type: K, payload: WebviewToHost[K]) {
    channel?.post(type, payload);
  },
  charts,
};

const controls = new ControlsView(ctx);
const header = new HeaderView(ctx);
const curves = new CurvesView(ctx);
const layers = new LayersView(ctx);
const summary = new SummaryView(ctx);
document.body.append(h('main', { id: 'app' }, header.el, controls.el, curves.el, layers.el, summary.el));

function dispatch(action: Action): void {
  const r = reduce(state, action);
  state = r.state;
  pending = mergeChanges(pending, r.changes);
  schedule();
  schedulePersist();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(frame);
}

function frame(): void {
  scheduled = false;
  const t0 = performance.now();
  const c = pending;
  pending = noChanges();
  if (c.header) header.update();
  if (c.controls) controls.update();
  if (c.curves) curves.update();
  if (c.layout || c.layers.size > 0) layers.update(c);
  else layers.renderVisible();
  if (c.summary) summary.update();
  const t1 = performance.now();
  const s = charts.drawDue(palette, window.devicePixelRatio || 1);
  const t2 = performance.now();
  record({ at: t0, ms: t2 - t0, dom: t1 - t0, draw: t2 - t1, drawn: s.drawn, visible: s.visible, byKind: s.byKind, phase: 'frame' });
}

function record(r: FrameRecord): void {
  frames.push(r);
  if (frames.length > FRAME_LOG) frames.splice(0, frames.length - FRAME_LOG);
}

// ───────────── persistence (setState, throttled by its own cost) ─────────────
let persistTimer: ReturnType<typeof setTimeout> | undefined;
let persistCost = 0;
function persistNow(): void {
  if (persistTimer !== undefined) clearTimeout(persistTimer);
  persistTimer = undefined;
  const t = performance.now();
  api.setState(persist(state));
  persistCost = performance.now() - t;
}
/** At most every 20× its own cost (≥ 250 ms), and then in idle time so it does not delay a frame. */
function schedulePersist(): void {
  if (persistTimer !== undefined) return;
  persistTimer = setTimeout(() => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => persistTimer !== undefined && persistNow(), { timeout: 1000 });
    else persistNow();
  }, Math.max(250, persistCost * 20));
}
window.addEventListener('pagehide', persistNow);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') persistNow();
});

// ───────────── theme, size, scrolling ─────────────
function themeChanged(): void {
  palette = readPalette(document.body);
  charts.theme++;
  schedule();
}
new MutationObserver(themeChanged).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
new MutationObserver(themeChanged).observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
// Chart sizes and visibility come from observers (views/chart.ts); a device-pixel-ratio change
// (window moved to another screen, zoom) needs a redraw too.
let dprQuery: MediaQueryList | undefined;
function watchDpr(): void {
  dprQuery?.removeEventListener('change', onDpr);
  dprQuery = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
  dprQuery.addEventListener('change', onDpr);
}
function onDpr(): void {
  watchDpr();
  schedule();
}
watchDpr();
window.addEventListener(
  'scroll',
  () => {
    if (charts.refreshVisibility() || layers.refreshVisibility()) schedule();
  },
  { passive: true },
);

const THEME_CLASSES = { light: 'vscode-light', dark: 'vscode-dark', highContrast: 'vscode-high-contrast', highContrastLight: 'vscode-high-contrast-light' } as const;

function onMessage(m: HostMessage): void {
  switch (m.type) {
    case 'init':
      dispatch({ type: 'init', init: m.payload });
      break;
    case 'event':
      dispatch({ type: 'event', event: m.payload });
      // A run's end is what a reload should bring back: save it now, not when the throttle gets to it
      // (a VS Code window reload does not always give the panel a pagehide to save on).
      if ((Array.isArray(m.payload) ? m.payload : [m.payload]).some((e) => e.type === 'end')) persistNow();
      break;
    case 'loadRun':
      dispatch({ type: 'loadRun', run: m.payload });
      persistNow();
      break;
    case 'theme':
      document.body.classList.remove(...Object.values(THEME_CLASSES));
      document.body.classList.add(THEME_CLASSES[m.payload.kind]);
      break;
  }
}

// Debug/measurement hook for the browser tests and the bench (no effect on the panel).
(globalThis as { __modelLens?: unknown }).__modelLens = {
  frames,
  state: () => state,
  flush: () => {
    if (scheduled) frame();
  },
  redrawAll: () => {
    charts.invalidateAll();
    pending = mergeChanges(pending, allChanges());
    schedule();
  },
  persistNow,
  /** Runs the queued text-alternative updates now (tests read them). */
  flushIdle: () => {
    const jobs = [...idleQueue.values()];
    idleQueue.clear();
    for (const job of jobs) job();
  },
  /** Handles a host message synchronously (the bench times the frame that follows). */
  receive: onMessage,
  schedule,
  /** Whether a frame is still to come (charts left for a later frame count). */
  pendingFrame: () => scheduled,
};

channel = connect(api, window, { restored: restoredState !== null, ...(state.init?.file ? { file: state.init.file } : {}) }, onMessage);
schedule();
