/**
 * The panel's state and the reducer that applies host messages and UI actions to it.
 *
 * No DOM, no I/O: runs in Node for unit tests. The reducer returns the new state and what changed.
 * Top-level objects are replaced when they change; curve and histogram series are append-only
 * typed-array buffers updated in place (with a `version` each) so that a 50-tensor run does not
 * copy megabytes per event.
 */
import type { ModelNode } from '../../graph/model-graph';
import type {
  BackendName,
  DataDescription,
  LossInterpretation,
  PanelInit,
  PanelRunSettings,
  RunStatus,
  SavedRun,
  TapInfo,
  TensorKind,
  TrainerEvent,
  TrainRequest,
} from '../../protocol/protocol';
import { CurveSeries, HistSeries } from './series';

/** Batch-level loss points kept per series before older ones are merged pairwise. */
export const BATCH_POINTS = 2048;
export const MAX_LOGS = 200;

export type Split = 'train' | 'val' | 'batch';

export interface EpochSummary {
  epoch: number;
  loss: number;
  metrics: Record<string, number>;
  validation?: { loss: number; metrics: Record<string, number> };
  samplesPerSecond: number;
}

export interface RunState {
  origin: 'live' | 'saved';
  status: 'running' | RunStatus;
  /** The start event's time stamp: the host finds the finished run by it after a reload. */
  startedAt?: number;
  endMessage?: string;
  file?: string;
  request?: TrainRequest;
  backend?: BackendName;
  backendDetail?: string;
  model?: ModelNode;
  data?: DataDescription;
  loss?: LossInterpretation;
  taps: TapInfo[];
  epochs: number;
  batchSize: number;
  progress: { epoch: number; batch: number; batches: number } | null;
  /**
   * 1 when the trainer counts epochs from 1 (ours does; epoch 0 then marks the initial histograms),
   * 0 when batches/epochs are reported from 0 (labels then add 1).
   */
  epochBase: 0 | 1;
  lastEpoch: EpochSummary | null;
  /** Keyed by curveKey(split, component); component `total` is the total loss. */
  curves: Map<string, CurveSeries>;
  /** Keyed by histKey(layer, tensor), in arrival order. */
  hists: Map<string, HistSeries>;
  logs: { level: 'info' | 'warning'; message: string }[];
  tensorsLeak?: { baseline: number; end: number };
}

export interface PanelState {
  init: PanelInit | null;
  settings: PanelRunSettings;
  /** True once the user edited a control: a later `init` then keeps the panel's settings. */
  settingsTouched: boolean;
  run: RunState | null;
  /** Focused layer, or null for all tapped layers. */
  focus: string | null;
  yScale: 'linear' | 'log';
  /** Curve keys the user hid in the legend. */
  hidden: string[];
  /** `startRun` was sent and neither a `start`/`end` event nor an idle `init` has answered yet. */
  requested: boolean;
}

export type Action =
  | { type: 'init'; init: PanelInit }
  | { type: 'event'; event: TrainerEvent | TrainerEvent[] }
  | { type: 'loadRun'; run: SavedRun }
  | { type: 'focus'; layer: string | null }
  | { type: 'settings'; settings: Partial<PanelRunSettings> }
  | { type: 'toggleTap'; layer: string; tapped: boolean }
  | { type: 'yScale'; scale: 'linear' | 'log' }
  | { type: 'toggleSeries'; key: string; visible: boolean }
  | { type: 'runRequested' };

/** What a reduction changed; views use it to update only their part. */
export interface Changes {
  header: boolean;
  controls: boolean;
  summary: boolean;
  curves: boolean;
  /** Layers (or `*` for the whole list) whose cards need an update. */
  layers: Set<string>;
  /** True when the set of cards or the focus changed (cards are rebuilt). */
  layout: boolean;
}

export function noChanges(): Changes {
  return { header: false, controls: false, summary: false, curves: false, layers: new Set(), layout: false };
}

export function allChanges(): Changes {
  return { header: true, controls: true, summary: true, curves: true, layers: new Set(['*']), layout: true };
}

export function mergeChanges(a: Changes, b: Changes): Changes {
  return {
    header: a.header || b.header,
    controls: a.controls || b.controls,
    summary: a.summary || b.summary,
    curves: a.curves || b.curves,
    layers: new Set([...a.layers, ...b.layers]),
    layout: a.layout || b.layout,
  };
}

export const DEFAULT_RUN_SETTINGS: PanelRunSettings = { data: '', epochs: 5, batchSize: 32, taps: [] };

export function initialState(): PanelState {
  return { init: null, settings: { ...DEFAULT_RUN_SETTINGS }, settingsTouched: false, run: null, focus: null, yScale: 'linear', hidden: [], requested: false };
}

export const curveKey = (split: Split, component: string): string => `${split}:${component}`;
export const histKey = (layer: string, tensor: TensorKind): string => `${layer}\t${tensor}`;
export const TENSOR_ORDER: TensorKind[] = ['activation', 'kernel', 'bias'];

export function emptyRun(origin: RunState['origin']): RunState {
  return {
    origin,
    status: 'running',
    taps: [],
    epochs: 0,
    batchSize: 0,
    progress: null,
    epochBase: 1,
    lastEpoch: null,
    curves: new Map(),
    hists: new Map(),
    logs: [],
  };
}

/** The reducer. */
export function reduce(state: PanelState, action: Action): { state: PanelState; changes: Changes } {
  const changes = noChanges();
  switch (action.type) {
    case 'init': {
      const init = action.init;
      const sameFile = state.init?.file === init.file || (state.init === null && state.run?.file === init.file);
      const keep = state.settingsTouched && sameFile;
      const next: PanelState = {
        ...state,
        init,
        settings: keep ? state.settings : { ...init.settings, taps: [...init.settings.taps] },
        settingsTouched: keep,
        requested: state.requested && init.running,
      };
      if (state.run && state.run.origin === 'live' && state.run.status === 'running' && !init.running) {
        // The trainer went away while the panel was hidden or reloading.
        next.run = { ...state.run, status: 'stopped', endMessage: state.run.endMessage ?? 'the run is no longer attached to this panel' };
      }
      return { state: next, changes: { ...allChanges(), layers: new Set(), layout: false, curves: false } };
    }
    case 'event': {
      const events = Array.isArray(action.event) ? action.event : [action.event];
      let run = state.run;
      let requested = state.requested;
      let init = state.init;
      for (const e of events) {
        run = applyEvent(run, e, 'live', changes);
        if (e.type === 'start' || e.type === 'end') requested = false;
        // The trainer is gone once it ended, whatever the last init said.
        if (e.type === 'end' && init?.running) init = { ...init, running: false };
      }
      if (run && run.file === undefined && init) run.file = init.file;
      if (run === state.run && requested === state.requested && init === state.init) return { state, changes };
      return { state: { ...state, init, run, requested, focus: keepFocus(state.focus, run) }, changes };
    }
    case 'loadRun': {
      let run: RunState | null = null;
      const c = noChanges();
      for (const e of action.run.events) run = applyEvent(run, e, 'saved', c);
      run ??= emptyRun('saved');
      run.file = action.run.file;
      run.request = action.run.request;
      if (run.status === 'running') {
        run.status = 'stopped';
        run.endMessage ??= 'the recording ends before the run did';
      }
      return { state: { ...state, run, focus: keepFocus(state.focus, run) }, changes: allChanges() };
    }
    case 'focus':
      changes.layout = true;
      changes.controls = true;
      return { state: { ...state, focus: action.layer }, changes };
    case 'settings':
      changes.controls = true;
      return { state: { ...state, settings: { ...state.settings, ...action.settings }, settingsTouched: true }, changes };
    case 'toggleTap': {
      const taps = state.settings.taps.filter((t) => t !== action.layer);
      if (action.tapped) taps.push(action.layer);
      changes.controls = true;
      changes.summary = true;
      return { state: { ...state, settings: { ...state.settings, taps }, settingsTouched: true }, changes };
    }
    case 'yScale':
      changes.curves = true;
      changes.controls = true;
      return { state: { ...state, yScale: action.scale }, changes };
    case 'toggleSeries': {
      const hidden = state.hidden.filter((k) => k !== action.key);
      if (!action.visible) hidden.push(action.key);
      changes.curves = true;
      return { state: { ...state, hidden }, changes };
    }
    case 'runRequested':
      changes.header = true;
      changes.controls = true;
      return { state: { ...state, requested: true }, changes };
  }
}

function keepFocus(focus: string | null, run: RunState | null): string | null {
  if (focus === null || !run) return focus;
  for (const h of run.hists.values()) if (h.layer === focus) return focus;
  return run.taps.some((t) => t.layer === focus) ? focus : null;
}

/** Applies one trainer event. Returns the run (a new object when its header-level fields changed). */
export function applyEvent(run: RunState | null, e: TrainerEvent, origin: RunState['origin'], changes: Changes): RunState {
  switch (e.type) {
    case 'start': {
      const next: RunState = {
        ...emptyRun(origin),
        file: run?.file,
        backend: e.backend,
        backendDetail: e.backendDetail,
        model: e.model,
        data: e.data,
        loss: e.loss,
        taps: e.taps,
        epochs: e.epochs,
        batchSize: e.batchSize,
        ...(e.startedAt === undefined ? {} : { startedAt: e.startedAt }),
      };
      Object.assign(changes, allChanges());
      return next;
    }
    case 'batch': {
      const r = run ?? emptyRun(origin);
      if (r.lastEpoch === null && r.progress === null && e.epoch === 0) r.epochBase = 0;
      // The trainer counts batches from 1: batch b of n ends at b/n of the epoch.
      const x = epochIndex(r, e.epoch) + Math.min(1, Math.max(0, e.batch) / Math.max(1, e.batches));
      series(r, 'batch', 'total', BATCH_POINTS).push(x, e.loss);
      for (const [name, v] of Object.entries(e.components)) series(r, 'batch', name, BATCH_POINTS).push(x, v);
      r.progress = { epoch: e.epoch, batch: e.batch, batches: e.batches };
      changes.curves = true;
      changes.header = true;
      return r === run ? { ...r } : r;
    }
    case 'epoch': {
      const r = run ? { ...run } : emptyRun(origin);
      if (r.lastEpoch === null) r.epochBase = e.epoch === 0 ? 0 : 1;
      const x = epochIndex(r, e.epoch) + 1;
      series(r, 'train', 'total').push(x, e.loss);
      for (const [name, v] of Object.entries(e.components)) series(r, 'train', name).push(x, v);
      if (e.validation) {
        series(r, 'val', 'total').push(x, e.validation.loss);
        for (const [name, v] of Object.entries(e.validation.components)) series(r, 'val', name).push(x, v);
      }
      r.lastEpoch = {
        epoch: e.epoch,
        loss: e.loss,
        metrics: e.metrics,
        validation: e.validation && { loss: e.validation.loss, metrics: e.validation.metrics },
        samplesPerSecond: e.samplesPerSecond,
      };
      changes.curves = true;
      changes.header = true;
      return r;
    }
    case 'histogram': {
      const r = run ?? emptyRun(origin);
      const key = histKey(e.layer, e.tensor);
      let h = r.hists.get(key);
      if (!h) {
        h = new HistSeries(e.layer, e.tensor, e.counts.length);
        r.hists.set(key, h);
        changes.layout = true;
        changes.summary = true;
        changes.controls = true;
      }
      h.push(e);
      changes.layers.add(e.layer);
      return r;
    }
    case 'log': {
      const r = run ? { ...run } : emptyRun(origin);
      r.logs = [...r.logs, { level: e.level, message: e.message }].slice(-MAX_LOGS);
      changes.header = true;
      return r;
    }
    case 'end': {
      const r = run ? { ...run } : emptyRun(origin);
      r.status = e.status;
      r.endMessage = e.message;
      if (e.tensors) r.tensorsLeak = e.tensors;
      changes.header = true;
      changes.controls = true;
      return r;
    }
  }
}

function series(r: RunState, split: Split, component: string, capacity = 0): CurveSeries {
  const key = curveKey(split, component);
  let s = r.curves.get(key);
  if (!s) {
    s = new CurveSeries(capacity);
    r.curves.set(key, s);
  }
  return s;
}

/** 0-based index of an epoch as the trainer numbers it. */
export function epochIndex(r: Pick<RunState, 'epochBase'>, epoch: number): number {
  return epoch - r.epochBase;
}

/** The 1-based epoch number users read (0: before training — the trainer's initial histograms). */
export function epochLabel(r: Pick<RunState, 'epochBase'>, epoch: number): number {
  return epoch - r.epochBase + 1;
}

/** "initial" for the histograms taken before training, else "epoch N". */
export function epochName(r: Pick<RunState, 'epochBase'>, epoch: number): string {
  const n = epochLabel(r, epoch);
  return n <= 0 ? 'initial' : `epoch ${n}`;
}

/** Tapped layers in model order (then arrival order for layers the model does not list). */
export function tappedLayers(run: RunState | null, model: ModelNode | undefined): string[] {
  if (!run) return [];
  const seen = new Set<string>();
  for (const t of run.taps) seen.add(t.layer);
  for (const h of run.hists.values()) seen.add(h.layer);
  const order = new Map<string, number>();
  const walk = (m: ModelNode) => {
    for (const l of m.layers) {
      if (!order.has(l.name)) order.set(l.name, order.size);
      if (l.model) walk(l.model);
    }
  };
  if (model) walk(model);
  const arrival = [...seen];
  return arrival.sort((a, b) => (order.get(a) ?? order.size + arrival.indexOf(a)) - (order.get(b) ?? order.size + arrival.indexOf(b)));
}

/** Histogram series of one layer, activation first. */
export function layerSeries(run: RunState | null, layer: string): HistSeries[] {
  if (!run) return [];
  const out: HistSeries[] = [];
  for (const t of TENSOR_ORDER) {
    const h = run.hists.get(histKey(layer, t));
    if (h) out.push(h);
  }
  return out;
}

/** The model the panel shows: the one the run trained, else the analyzer's. */
export function shownModel(state: PanelState): ModelNode | undefined {
  return state.run?.model ?? state.init?.model;
}

/** A run is going on for this panel: asked for and not answered yet, live, or the host says so. */
export function isRunning(state: PanelState): boolean {
  return state.requested || state.init?.running === true || (state.run?.origin === 'live' && state.run.status === 'running');
}
