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
}

export type TrainerCommand = { type: 'train'; request: TrainRequest } | { type: 'stop' };

/** One interpreted term of the loss, reported as its own component. */
export interface LossComponentInfo {
  name: string; // "categorical_crossentropy", "activation_l1(dense_intermediate)", ...
  description: string; // how the source was interpreted
  weight: number;
  layer?: string;
  tensor?: TensorKind;
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
  | { type: 'end'; status: RunStatus; message: string };

export type TrainerEventType = TrainerEvent['type'];

/** A whole recorded run (`--out run.json`, Export Run…, Open Saved Run…). */
export interface SavedRun {
  version: 1;
  file: string;
  request: TrainRequest;
  events: TrainerEvent[];
}
