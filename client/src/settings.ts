/**
 * `modelLens.*` settings: what package.json contributes (the schema below is the source; a test
 * keeps package.json in sync) and typed, validated reads. Pure (no `vscode` import): callers pass
 * `vscode.workspace.getConfiguration(SETTINGS_SECTION, resource)`, read per resource each time a
 * value is needed; nothing is cached in globals.
 */
import { DEFAULT_SETTINGS, SETTINGS_SECTION } from '../../protocol/protocol';

export { SETTINGS_SECTION };

export type BackendSetting = 'auto' | 'native' | 'wasm';

/** The training options the commands and the panel use. `0` epochs / batch size = what the code's `fit()` says. */
export interface TrainingSettings {
  epochs: number;
  batchSize: number;
  /** `''` (what the code loads), `mnist`, `synthetic`, `keras:NAME` or a path to .npz/.npy/.csv. */
  data: string;
  histogramBins: number;
  /** Activation histograms every N training steps as well as at epoch ends (0 = epoch ends only). */
  tapInterval: number;
  backend: BackendSetting;
  /** A Node.js executable for the trainer process; `''` = the extension host's own runtime. */
  nodePath: string;
}

/** What `vscode.WorkspaceConfiguration` offers, structurally. */
export interface ConfigReader {
  get<T>(section: string): T | undefined;
}

interface SettingSchema {
  type: string | string[];
  default: unknown;
  description?: string;
  markdownDescription?: string;
  enum?: string[];
  enumDescriptions?: string[];
  minimum?: number;
  maximum?: number;
  scope?: 'application' | 'machine' | 'machine-overridable' | 'window' | 'resource' | 'language-overridable';
  order?: number;
}

/** Keys relative to `modelLens.`. */
export const TRAINING_KEYS = {
  epochs: 'training.epochs',
  batchSize: 'training.batchSize',
  data: 'training.data',
  histogramBins: 'training.histogramBins',
  tapInterval: 'training.tapInterval',
  backend: 'training.backend',
  nodePath: 'training.nodePath',
} as const satisfies Record<keyof TrainingSettings, string>;

export const DEFAULT_TRAINING: TrainingSettings = {
  epochs: 0,
  batchSize: 0,
  data: '',
  histogramBins: 30,
  tapInterval: 100,
  backend: 'auto',
  nodePath: '',
};

const LIMITS = {
  epochs: [0, 100000],
  batchSize: [0, 65536],
  histogramBins: [2, 512],
  tapInterval: [0, 1000000],
} as const;

/** Settings that can point the extension at executables or files: ignored in Restricted Mode. */
export const RESTRICTED_SETTINGS = [`${SETTINGS_SECTION}.${TRAINING_KEYS.nodePath}`, `${SETTINGS_SECTION}.${TRAINING_KEYS.data}`];

/** `contributes.configuration` of package.json. */
export const CONFIGURATION: { title: string; properties: Record<string, SettingSchema> } = {
  title: 'Model Lens',
  properties: {
    // ── read by the language server (server/src/settings.ts, protocol DEFAULT_SETTINGS) ──
    'modelLens.diagnostics.enabled': {
      type: 'boolean',
      default: DEFAULT_SETTINGS.diagnostics.enabled,
      description: 'Report problems in Keras model and loss code (unknown layer names, shape mismatches, loss arguments).',
      scope: 'resource',
      order: 1,
    },
    'modelLens.codeLens.enabled': {
      type: 'boolean',
      default: DEFAULT_SETTINGS.codeLens.enabled,
      description: 'Show "N layers · P params" and "▶ Train & Inspect" above each Keras model.',
      scope: 'resource',
      order: 2,
    },
    'modelLens.hover.summaryTable': {
      type: 'boolean',
      default: DEFAULT_SETTINGS.hover.summaryTable,
      description: "Include the model's summary table when hovering a model variable.",
      scope: 'resource',
      order: 3,
    },
    'modelLens.analysis.timeBudgetMs': {
      type: 'integer',
      default: DEFAULT_SETTINGS.analysis.timeBudgetMs,
      minimum: 100,
      maximum: 60000,
      description: 'Wall-clock budget for analysing one Python file, in milliseconds. Larger files are analysed partially (marked as truncated).',
      scope: 'resource',
      order: 4,
    },
    // ── training (the client) ──
    [`modelLens.${TRAINING_KEYS.epochs}`]: {
      type: 'integer',
      default: DEFAULT_TRAINING.epochs,
      minimum: LIMITS.epochs[0],
      maximum: LIMITS.epochs[1],
      markdownDescription: 'Epochs for **Train & Inspect Model**. `0` uses `epochs=` of the model\'s `fit()` call, else 1. The panel can change it per run.',
      scope: 'resource',
      order: 10,
    },
    [`modelLens.${TRAINING_KEYS.batchSize}`]: {
      type: 'integer',
      default: DEFAULT_TRAINING.batchSize,
      minimum: LIMITS.batchSize[0],
      maximum: LIMITS.batchSize[1],
      markdownDescription: 'Batch size for **Train & Inspect Model**. `0` uses `batch_size=` of the model\'s `fit()` call, else 32.',
      scope: 'resource',
      order: 11,
    },
    [`modelLens.${TRAINING_KEYS.data}`]: {
      type: 'string',
      default: DEFAULT_TRAINING.data,
      markdownDescription:
        'Training data: empty = what the code loads (`keras.datasets.*` from the Keras cache, else a stand-in); `mnist` (a bundled 10,000-digit sample); `synthetic` (random data shaped for the model); `keras:NAME`; or a path to `.npz`, `.npy` or `.csv` (relative paths are resolved against the Python file\'s folder).',
      scope: 'resource',
      order: 12,
    },
    [`modelLens.${TRAINING_KEYS.histogramBins}`]: {
      type: 'integer',
      default: DEFAULT_TRAINING.histogramBins,
      minimum: LIMITS.histogramBins[0],
      maximum: LIMITS.histogramBins[1],
      description: 'Number of bins of each activation, kernel and bias histogram.',
      scope: 'resource',
      order: 13,
    },
    [`modelLens.${TRAINING_KEYS.tapInterval}`]: {
      type: 'integer',
      default: DEFAULT_TRAINING.tapInterval,
      minimum: LIMITS.tapInterval[0],
      maximum: LIMITS.tapInterval[1],
      markdownDescription: 'Also compute histograms of the tapped layers every N training steps (`0` = at epoch ends only).',
      scope: 'resource',
      order: 14,
    },
    [`modelLens.${TRAINING_KEYS.backend}`]: {
      type: 'string',
      enum: ['auto', 'native', 'wasm'],
      enumDescriptions: [
        'The native TensorFlow backend when it loads, else WebAssembly (the panel and status bar say which).',
        'Only the native TensorFlow backend (@tensorflow/tfjs-node); fail if it is not installed.',
        'Always the WebAssembly backend (slower, needs no native library).',
      ],
      default: DEFAULT_TRAINING.backend,
      description: 'The TensorFlow.js backend the trainer uses.',
      scope: 'machine-overridable',
      order: 15,
    },
    [`modelLens.${TRAINING_KEYS.nodePath}`]: {
      type: 'string',
      default: DEFAULT_TRAINING.nodePath,
      markdownDescription:
        "Node.js executable that runs the trainer process. Empty = the editor's own extension-host runtime. The native backend is an N-API addon, so any Node.js ≥ 18 works.",
      scope: 'machine',
      order: 16,
    },
  },
};

function int(config: ConfigReader, key: string, fallback: number, [min, max]: readonly [number, number]): number {
  const v = config.get<unknown>(key);
  if (typeof v !== 'number' || !Number.isFinite(v)) return fallback;
  return Math.min(max, Math.max(min, Math.round(v)));
}

function str(config: ConfigReader, key: string, fallback: string): string {
  const v = config.get<unknown>(key);
  return typeof v === 'string' ? v.trim() : fallback;
}

/** The training settings of one resource, validated (wrong types fall back to defaults, numbers are clamped). */
export function readTrainingSettings(config: ConfigReader): TrainingSettings {
  const backend = config.get<unknown>(TRAINING_KEYS.backend);
  return {
    epochs: int(config, TRAINING_KEYS.epochs, DEFAULT_TRAINING.epochs, LIMITS.epochs),
    batchSize: int(config, TRAINING_KEYS.batchSize, DEFAULT_TRAINING.batchSize, LIMITS.batchSize),
    data: str(config, TRAINING_KEYS.data, DEFAULT_TRAINING.data),
    histogramBins: int(config, TRAINING_KEYS.histogramBins, DEFAULT_TRAINING.histogramBins, LIMITS.histogramBins),
    tapInterval: int(config, TRAINING_KEYS.tapInterval, DEFAULT_TRAINING.tapInterval, LIMITS.tapInterval),
    backend: backend === 'native' || backend === 'wasm' || backend === 'auto' ? backend : DEFAULT_TRAINING.backend,
    nodePath: str(config, TRAINING_KEYS.nodePath, DEFAULT_TRAINING.nodePath),
  };
}
