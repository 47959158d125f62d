/**
 * From settings, the panel's controls and the analyzed model to a TrainRequest and to the panel's
 * run settings. Pure.
 */
import * as path from 'node:path';
import type { ModelNode } from '../../graph/model-graph';
import type { PanelRunSettings, TrainRequest } from '../../protocol/protocol';
import type { TrainingSettings } from './settings';

/** The trainer's own defaults when neither the settings nor `fit()` say. */
export const TRAINER_DEFAULT_EPOCHS = 1;
export const TRAINER_DEFAULT_BATCH_SIZE = 32;

/** Overrides for one run (the panel's controls). */
export interface RunOverrides {
  data?: string;
  epochs?: number;
  batchSize?: number;
  /** Layers the user tapped (replaces the session's taps when given). */
  taps?: string[];
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** `epochs=` / `batch_size=` of the model's (first) `fit()` call, when literal. */
export function fitDefaults(model: ModelNode | undefined): { epochs?: number; batchSize?: number } {
  const args = model?.fit?.[0]?.args ?? {};
  const out: { epochs?: number; batchSize?: number } = {};
  const epochs = positiveInt(args['epochs']);
  const batchSize = positiveInt(args['batch_size']);
  if (epochs !== undefined) out.epochs = epochs;
  if (batchSize !== undefined) out.batchSize = batchSize;
  return out;
}

/** What the panel's controls start with: settings, else `fit()`, else the trainer's defaults. */
export function panelRunSettings(settings: TrainingSettings, model: ModelNode | undefined, taps: readonly string[]): PanelRunSettings {
  const fit = fitDefaults(model);
  return {
    data: settings.data,
    epochs: settings.epochs || fit.epochs || TRAINER_DEFAULT_EPOCHS,
    batchSize: settings.batchSize || fit.batchSize || TRAINER_DEFAULT_BATCH_SIZE,
    taps: [...taps],
  };
}

/**
 * A data spec with file paths made absolute against `baseDir` (the Python file's folder): the
 * trainer process does not run in the workspace's folder. `a.npy,b.npy` resolves both parts.
 */
export function resolveDataSpec(spec: string, baseDir: string): string {
  const s = spec.trim();
  if (s === '' || s === 'mnist' || s === 'synthetic' || s.startsWith('keras:')) return s;
  const expand = (p: string): string => {
    const t = p.trim();
    if (t.startsWith('~/') && process.env['HOME']) return path.join(process.env['HOME'], t.slice(2));
    return path.isAbsolute(t) ? t : path.resolve(baseDir, t);
  };
  if (/\.npy,/i.test(s)) return s.split(',').map(expand).join(',');
  return expand(s);
}

export interface TrainRequestInput {
  file: string;
  /** The model as the trainer's `--model` understands it (name or variable). */
  model: string;
  settings: TrainingSettings;
  /** Session taps (from Tap Layer) — replaced by `overrides.taps` when given. */
  taps: readonly string[];
  overrides?: RunOverrides;
}

export function buildTrainRequest({ file, model, settings, taps, overrides = {} }: TrainRequestInput): TrainRequest {
  const request: TrainRequest = { file, model };
  const data = overrides.data ?? settings.data;
  if (data.trim() !== '') request.data = resolveDataSpec(data, path.dirname(file));
  const epochs = positiveInt(overrides.epochs) ?? positiveInt(settings.epochs);
  if (epochs !== undefined) request.epochs = epochs;
  const batchSize = positiveInt(overrides.batchSize) ?? positiveInt(settings.batchSize);
  if (batchSize !== undefined) request.batchSize = batchSize;
  const allTaps = [...new Set(overrides.taps ?? taps)];
  if (allTaps.length) request.taps = allTaps;
  if (settings.tapInterval > 0) request.every = settings.tapInterval;
  request.bins = settings.histogramBins;
  request.backend = settings.backend;
  return request;
}
