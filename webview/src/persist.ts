/**
 * The state kept by `acquireVsCodeApi().setState()` so the panel comes back as it was after being
 * hidden, after a window reload, and through the host's WebviewPanelSerializer (which receives
 * this object as `state`). Plain JSON: typed arrays become number arrays. Pure.
 */
import type { PanelState, RunState } from './store';
import { CurveSeries, HistSeries, type SerializedCurve, type SerializedHist } from './series';

export const PERSIST_VERSION = 2;

export interface PersistedState {
  version: typeof PERSIST_VERSION;
  /** The Python file the panel is about (the serializer reads this to re-attach the panel). */
  file?: string;
  ui: Omit<PanelState, 'run'>;
  run: (Omit<RunState, 'curves' | 'hists'> & { curves: [string, SerializedCurve][]; hists: [string, SerializedHist][] }) | null;
}

export function persist(state: PanelState): PersistedState {
  const { run, ...ui } = state;
  return {
    version: PERSIST_VERSION,
    file: state.init?.file ?? run?.file,
    ui,
    run: run && {
      ...run,
      curves: [...run.curves].map(([k, c]) => [k, c.toJSON()]),
      hists: [...run.hists].map(([k, h]) => [k, h.toJSON()]),
    },
  };
}

/** Restores a persisted state; anything unrecognised gives `null` (start afresh). */
export function restore(value: unknown): PanelState | null {
  if (!value || typeof value !== 'object') return null;
  const p = value as PersistedState;
  if (p.version !== PERSIST_VERSION || !p.ui || typeof p.ui !== 'object') return null;
  try {
    let run: RunState | null = null;
    if (p.run) {
      run = {
        ...p.run,
        curves: new Map(p.run.curves.map(([k, c]) => [k, CurveSeries.fromJSON(c)])),
        hists: new Map(p.run.hists.map(([k, h]) => [k, HistSeries.fromJSON(h)])),
      };
    }
    return { ...p.ui, requested: false, run };
  } catch {
    return null;
  }
}
