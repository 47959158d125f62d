/**
 * The one protocol module: every message shared by the client (extension host), the language
 * server, the trainer process and the webview panel.
 *
 *   client ⇄ server      custom LSP requests/notifications (namespaces below, rust-analyzer style)
 *   client/CLI ⇄ trainer  TrainerCommand (parent → trainer) and TrainerEvent (trainer → parent),
 *                         one JSON object per line on the trainer's stdio or over Node IPC
 *   client ⇄ webview      HostToWebview / WebviewToHost, sent through one typed `post()`
 *
 * The webview bundle imports this file with `import type` only, so nothing here is bundled into it.
 */
import { RequestType } from 'vscode-languageserver-protocol';
import type { ModelGraph, ModelNode, Shape } from '../graph/model-graph';

// ───────────────────────────── Commands (contributed by the client) ─────────────────────────────

export const Commands = {
  trainAndInspect: 'modelLens.trainAndInspect',
  stopTraining: 'modelLens.stopTraining',
  showModelSummary: 'modelLens.showModelSummary',
  tapLayer: 'modelLens.tapLayer',
  untapLayer: 'modelLens.untapLayer',
  openSavedRun: 'modelLens.openSavedRun',
  exportRun: 'modelLens.exportRun',
  installNativeBackend: 'modelLens.installNativeBackend',
} as const;

/** Arguments the code lens passes to `trainAndInspect` / `showModelSummary`. */
export interface ModelCommandArgs {
  uri: string;
  modelId?: string;
  modelName?: string;
}

// ───────────────────────────── Settings (section `modelLens`) ─────────────────────────────

/**
 * The `modelLens.*` settings the language server reads per resource
 * (`workspace/configuration` with `scopeUri`); the client contributes them in package.json.
 */
export interface ModelLensSettings {
  diagnostics: { enabled: boolean };
  codeLens: { enabled: boolean };
  hover: { summaryTable: boolean };
  /** Wall-clock budget for analysing one file, in ms. */
  analysis: { timeBudgetMs: number };
}

export const SETTINGS_SECTION = 'modelLens';

export const DEFAULT_SETTINGS: ModelLensSettings = {
  diagnostics: { enabled: true },
  codeLens: { enabled: true },
  hover: { summaryTable: true },
  analysis: { timeBudgetMs: 1500 },
};

// ───────────────────────────── Custom LSP requests ─────────────────────────────

export interface ModelGraphParams {
  uri: string;
}

/** client → server: the model graph of a document (for the panel and the commands). */
export namespace ModelGraphRequest {
  export const method = 'modelLens/modelGraph';
  export const type = new RequestType<ModelGraphParams, ModelGraph | null, void>(method);
}

// ───────────────────────────── Trainer process ─────────────────────────────

export type BackendName = 'tensorflow' | 'wasm';
export type TensorKind = 'activation' | 'kernel' | 'bias';
export type RunStatus = 'completed' | 'stopped' | 'failed';

/** What the parent asks the trainer to do (first message on the trainer's stdin / IPC). */
export interface TrainRequest {
  file: string;
  /** Model name or variable; default: the model that `fit` is called on, else the first model. */
  model?: string;
  /** `mnist`, `synthetic`, or a path to .npy/.npz/.csv; default: what the code loads. */
  data?: string;
  epochs?: number;
  batchSize?: number;
  /** Extra layers to tap, beyond those the loss code refers to. */
  taps?: string[];
  /** Also emit activation histograms every N steps (0 = epoch ends only). */
  every?: number;
  bins?: number;
  backend?: 'auto' | 'native' | 'wasm';
  validationSplit?: number;
  seed?: number;
  /** Use at most this many training samples (after validation split); default: all the data has. */
  samples?: number;
  /** Size of the fixed probe batch on which activation histograms are computed (default 256). */
  probeSize?: number;
  /**
   * `batch` events are sent for the first and last batch of each epoch and otherwise at most once
   * per this many ms (default 100; 0 = every batch).
   */
  batchEventMs?: number;
  /** `general` forces the tape-based engine (tf.variableGrads) even when the fast path applies (benchmarks, diagnosis). */
  engine?: 'auto' | 'general';
  /** false: no histograms at all (benchmarks measuring the cost of taps). Default true. */
  histograms?: boolean;
}

export type TrainerCommand = { type: 'train'; request: TrainRequest } | { type: 'stop' };

/** One interpreted term of the loss, reported as its own component. */
export interface LossComponentInfo {
  name: string; // "categorical_crossentropy", "activation_l1(dense_intermediate)", ...
  description: string; // how the source was interpreted
  weight: number;
  layer?: string;
  tensor?: TensorKind;
  /** 1-based source line the term comes from. */
  line?: number;
  /** Output layer of a per-output loss (multi-output models). */
  output?: string;
}

export interface LossInterpretation {
  summary: string;
  components: LossComponentInfo[];
  /** Constructs outside the supported subset: what was skipped and where (1-based line). */
  skipped: { text: string; line: number; reason: string }[];
  /** Where Keras itself would behave differently (e.g. a 3-argument loss passed to compile). */
  kerasWarnings: string[];
}

export interface DataDescription {
  source: string; // "mnist (bundled, 10000 digits)", "synthetic", "/path/x.npz"
  trainSamples: number;
  validationSamples: number;
  xShape: Shape;
  yShapes: Shape[];
  adaptations: string[]; // "flattened 28×28 → 784", "one-hot 10 classes → 5 (classes ≥ 5 dropped)"
}

export interface TapInfo {
  layer: string;
  tensors: TensorKind[];
  reason: 'loss' | 'user';
}

export interface HistogramStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  zeroFraction: number;
  nonFinite: number;
}

export type TrainerEvent =
  | {
      type: 'start';
      backend: BackendName;
      backendDetail: string;
      model: ModelNode;
      data: DataDescription;
      taps: TapInfo[];
      loss: LossInterpretation;
      epochs: number;
      batchSize: number;
      /** When the trainer started (ms since the epoch): names the run across a window reload. */
      startedAt?: number;
    }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number; components: Record<string, number> }
  | {
      type: 'epoch';
      epoch: number;
      loss: number;
      components: Record<string, number>;
      metrics: Record<string, number>;
      validation?: { loss: number; components: Record<string, number>; metrics: Record<string, number> };
      samplesPerSecond: number;
    }
  | {
      type: 'histogram';
      epoch: number;
      step: number;
      layer: string;
      tensor: TensorKind;
      min: number;
      max: number;
      counts: number[];
      stats: HistogramStats;
    }
  | { type: 'log'; level: 'info' | 'warning'; message: string }
  | {
      type: 'end';
      status: RunStatus;
      message: string;
      /** Live tfjs tensors in the trainer before the run and after it cleaned up (equal = no leak). */
      tensors?: { baseline: number; end: number };
    };

export type TrainerEventType = TrainerEvent['type'];

/** A whole recorded run (`--out run.json`, Export Run…, Open Saved Run…). */
export interface SavedRun {
  version: 1;
  file: string;
  request: TrainRequest;
  events: TrainerEvent[];
}

// ───────────────────────────── Webview messages ─────────────────────────────
//
// The Train & Inspect panel (webview/) and the extension host exchange `{ type, payload }`
// envelopes; both sides send through one typed `post<K extends keyof M>(type: K, payload: M[K])`.
// Handshake: the webview installs its listener, then sends `ready` first; the host queues every
// message until `ready` arrives (and re-sends `init` after each `ready`: a reload or a restore
// from the serializer sends `ready` again). Line numbers in these messages are 1-based.

/** The run settings the panel's controls edit: the same options as the Train & Inspect command. */
export interface PanelRunSettings {
  /** `mnist`, `synthetic`, or a path to .npy/.npz/.csv; `''` = what the code loads. */
  data: string;
  epochs: number;
  batchSize: number;
  /** Layers tapped by the user, beyond those the loss code refers to. */
  taps: string[];
}

/** host → webview `init`: what the panel is about. Sent after every `ready`; never clears run data. */
export interface PanelInit {
  /** The Python file (absolute path) the model comes from. */
  file: string;
  /** The model as the analyzer sees it, before any run (the `start` event brings the trained one). */
  model?: ModelNode;
  settings: PanelRunSettings;
  /** Suggestions for the data control (`mnist`, `synthetic`, recent paths). */
  dataChoices: string[];
  /** True while a trainer process for this panel is running. */
  running: boolean;
}

/** Messages the host sends to the webview. */
export interface HostToWebview {
  init: PanelInit;
  /** Live trainer events, one or a batch (the host may coalesce events arriving within a frame). */
  event: TrainerEvent | TrainerEvent[];
  /** Replace whatever the panel shows with a saved run (Open Saved Run…). */
  loadRun: SavedRun;
  /** Optional: VS Code also sets `body` classes (`vscode-light`, `vscode-dark`, `vscode-high-contrast`, …) itself. */
  theme: { kind: 'light' | 'dark' | 'highContrast' | 'highContrastLight' };
}

/** Messages the webview sends to the host. */
export interface WebviewToHost {
  /** First message, once listening. `restored`: state came back from `getState()` (panel hidden/reload/serializer). */
  ready: { restored: boolean; file?: string };
  /** Start a run with the panel's settings (the host stops a running one first, or refuses). */
  startRun: PanelRunSettings;
  stopRun: Record<string, never>;
  /** Jump to where a layer (or a loss term) is defined; `file` when it is not the panel's own file. */
  revealSource: { line: number; layer?: string; file?: string };
  tapLayer: { layer: string };
  untapLayer: { layer: string };
  /** Ask the host to show an open dialog and answer with `loadRun`. */
  openRun: Record<string, never>;
  /** Ask the host to save the panel's run (the host keeps the events it forwarded). */
  exportRun: Record<string, never>;
}

/** The envelope on the wire for a message map `M`. */
export type PanelMessage<M> = { [K in keyof M]: { type: K; payload: M[K] } }[keyof M];
