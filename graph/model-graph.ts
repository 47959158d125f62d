/**
 * The model graph: the one typed IR every consumer reads.
 *
 *   Python source ──analysis/──▶ ModelGraph ──▶ server/ (LSP features), cli/, trainer/, webview/
 *
 * Everything here is plain JSON-serialisable data so it can cross process boundaries
 * (language server → client → webview, CLI → trainer) unchanged.
 *
 * Fidelity rule: a value that could not be determined statically is `null` (unknown) or is
 * flagged `approximate`; it is never a silent guess.
 */

/** 0-based position, LSP style. */
export interface Position {
  line: number;
  character: number;
}

export interface SourceRange {
  start: Position;
  end: Position;
}

/** One dimension: `null` for the batch dimension or any dimension unknown until run time. */
export type Dim = number | null;
/** A tensor shape including the batch dimension, e.g. `[null, 28, 28, 1]`. */
export type Shape = Dim[];
/** One shape, a list of shapes for a layer with several outputs, or `null` when unknown. */
export type OutputShape = Shape | Shape[] | null;

/**
 * Where a name came from.
 * - `explicit`: written in the source (`name="encoder"`), possibly via a resolved f-string or constant.
 * - `auto`: Keras's automatic name (`dense_3`), and execution order is known, so it is exact.
 * - `approximate`: automatic name whose counter depends on something not known statically.
 */
export type NameSource = 'explicit' | 'auto' | 'approximate';

/**
 * A configuration value as far as static evaluation could resolve it.
 * Keras objects passed as arguments (regularizers, initializers, constraints) are
 * `{ $class: 'L2', args: { l2: 0.01 } }`. Unresolvable values are `{ $unknown: "source text" }`.
 */
export type ConfigValue =
  | number
  | string
  | boolean
  | null
  | ConfigValue[]
  | KerasObjectValue
  | UnknownValue
  | { [key: string]: ConfigValue };

export interface KerasObjectValue {
  $class: string;
  args: { [key: string]: ConfigValue };
}

export interface UnknownValue {
  $unknown: string;
}

/** A weight variable of a layer, as Keras creates it. */
export interface WeightInfo {
  name: string; // "kernel", "bias", "gamma", "moving_mean", "embeddings", ...
  shape: Shape | null;
  trainable: boolean;
  /** Set when code the analyzer cannot follow may have changed `trainable` (an application's layers). */
  trainableUnknown?: true;
}

/** One tensor feeding a call: which layer produced it, in which of its calls, which output. */
export interface CallInput {
  layer: string;
  /** Index of the producer's call (Keras's node index) — tells the calls of a shared layer apart. */
  call: number;
  /** Index among that call's outputs (layers with several outputs). */
  output: number;
}

/** One call of a layer object (a shared layer has several). */
export interface LayerCall {
  inbound: string[]; // names of the layers whose outputs feed this call
  inputs: CallInput[]; // the same, with call and output indices
  range: SourceRange; // the call expression
}

export interface LayerNode {
  /** Unique inside the ModelGraph; stable for one analysis only. */
  id: string;
  name: string;
  nameSource: NameSource;
  /** Canonical Keras class name (`Dense`, `Conv2D`), or the user's class name for custom layers. */
  className: string;
  /** True when the class is one the analyzer knows (shape and params computed, not guessed). */
  known: boolean;
  /** Arguments as resolved: positional arguments mapped to Keras's keyword names. */
  config: { [key: string]: ConfigValue };
  outputShape: OutputShape;
  /** Parameter count, or null when unknown (e.g. an unknown custom layer). */
  params: number | null;
  trainable: boolean;
  /** Shape of `kernel` (or the layer's main weight) where the layer has one. */
  kernelShape: Shape | null;
  weights: WeightInfo[];
  /** Inbound layer names of the first call (Keras's "Connected to"). */
  inbound: string[];
  /** True when Keras may list more inbound operations (mask ops of a masked input) than `inbound`. */
  inboundApproximate?: boolean;
  /** Layers that consume this layer's output, in this model. */
  outbound: string[];
  calls: LayerCall[];
  /** The expression that constructs the layer object. */
  range: SourceRange;
  /** Set when the layer is constructed in another file of the workspace (an imported module). */
  file?: string;
  /**
   * The string literal that spells an explicit name: the `name="..."` argument itself, or the
   * constant / parameter default it came from.
   */
  nameRange?: SourceRange;
  /** Set when `nameRange` is in another file of the workspace. */
  nameFile?: string;
  /** For a model used as a layer. */
  model?: ModelNode;
}

export type ModelKind = 'sequential' | 'functional' | 'subclassed';

/** What a model output is, position by position (including outputs Keras would reject). */
export type OutputSource = { layer: string; tensor: 'activation' | 'kernel' | 'bias' | 'weights' } | null;

export interface ModelNode {
  id: string;
  /** The id of the layer object that is this model (what `Reference.layerId` of a model variable holds). */
  layerId: string;
  name: string;
  nameSource: NameSource;
  kind: ModelKind;
  /** Python class name for subclassed models (`MyModel`), else `Sequential` / `Functional`. */
  className: string;
  /** Module-level variable names bound to this model (`["model", "MODEL"]`). */
  variables: string[];
  /** Where the model object is constructed. */
  range: SourceRange;
  /** Set when the model is constructed in another file of the workspace (an imported module). */
  file?: string;
  inputs: string[];
  outputs: string[];
  /** Shapes of the model's inputs and outputs (batch dimension null), when known. */
  inputShapes: (Shape | null)[];
  outputShapes: (Shape | null)[];
  /**
   * The `outputs=` argument position by position: a layer's activation, or — for what Keras
   * rejects as an output — a layer's kernel/bias/weights; null where not followed.
   */
  outputSources?: OutputSource[];
  /** Output names when the model's outputs were given as a dict. */
  outputKeys?: string[];
  /** Set when Keras itself would refuse to build this model (e.g. a weight passed as an output). */
  error?: string;
  /**
   * Set when the model is built only by a function of this file that nothing in it calls (a
   * models.py of builders): the function's name. The model is what a call with the parameters'
   * defaults builds (unknown where there are none), and is approximate.
   */
  speculative?: string;
  /** Which argument `error` is about, when it is the inputs (else the outputs). */
  errorAt?: 'inputs';
  /** Set for architectures whose layers are not analyzed (e.g. `keras.applications.MobileNetV2`). */
  opaque?: string;
  /** Keras's layer count when `layers` does not list them (an opaque application whose build is known). */
  layerCount?: number;
  /** Layers in Keras's `model.layers` order. */
  layers: LayerNode[];
  totalParams: number | null;
  trainableParams: number | null;
  nonTrainableParams: number | null;
  compile?: CompileInfo;
  fit?: FitInfo[];
  /** Set when this model's layers or shapes involve unresolved parts. */
  approximate: boolean;
  /**
   * Set when Keras has certainly not built the model by the end of the code (a Sequential with no
   * input shape, a subclassed model never called, fitted or built): it has no shapes or weights
   * yet, and Keras's summary says "0 (unbuilt)". Not approximate: that is what Keras knows too.
   */
  unbuilt?: true;
}

/** What `model.compile(...)` received, as far as it resolved. */
export interface CompileInfo {
  range: SourceRange;
  /** Set when the compile call is in another file of the workspace. */
  file?: string;
  optimizer: ConfigValue;
  /** A loss name, a `keras.losses` object, a custom function reference, or a list/dict of those. */
  loss: LossSpec | LossSpec[] | { [output: string]: LossSpec } | null;
  lossWeights: ConfigValue;
  metrics: ConfigValue;
}

export type LossSpec =
  | { kind: 'builtin'; name: string; args?: { [key: string]: ConfigValue } }
  | { kind: 'function'; name: string; range: SourceRange; file?: string }
  | { kind: 'unknown'; text: string };

/** What `model.fit(...)` received. */
export interface FitInfo {
  range: SourceRange;
  /** Set when the fit call is in another file of the workspace. */
  file?: string;
  /** Statically known shapes of x and of each target (`null` where unknown). */
  xShapes: (Shape | null)[] | null;
  yShapes: (Shape | null)[] | null;
  /** Number of targets passed, when known. */
  targetCount: number | null;
  /** `validation_data=(x, y)` (or `(x, y, sample_weight)`), when given as such. */
  validation?: { xShapes: (Shape | null)[] | null; yShapes: (Shape | null)[] | null; targetCount: number | null };
  args: { [key: string]: ConfigValue };
}

/**
 * A place in the source that refers to a layer or model: get_layer strings, dict keys,
 * variables bound to layers or tensors. The language server answers from these.
 */
export interface Reference {
  kind: 'get_layer' | 'output_key' | 'layer_variable' | 'tensor_variable' | 'model_variable' | 'name_argument';
  range: SourceRange;
  /** The name as written (string contents or identifier). */
  text: string;
  /** Model the reference is resolved against, when known. */
  modelId: string | null;
  /** The layer it resolves to, when it does. */
  layerId: string | null;
  /** Set when the reference is in another file of the workspace (code of an imported module). */
  file?: string;
}

export interface Note {
  line: number; // 1-based
  severity: 'info' | 'warning' | 'error';
  message: string;
}

export interface ModelGraph {
  file: string;
  models: ModelNode[];
  references: Reference[];
  notes: Note[];
  /** True when analysis stopped early (time budget, size limit). */
  truncated: boolean;
  /**
   * TensorFlow functions (`tf.reduce_mean`, `tf.image.resize`, …) called on symbolic Keras tensors
   * while a functional model is built: Keras 3 raises ("A KerasTensor cannot be used as input to a
   * TensorFlow function"). Inside a layer's call() they are fine and not listed.
   */
  tfOnKerasTensors?: { range: SourceRange; path: string; file?: string }[];
  /**
   * Layer calls whose input has a rank the layer refuses (a Conv2D given a rank-5 tensor, an LSTM
   * a rank-2 one): Keras raises there ("expected ndim=3, found ndim=2"). `received` includes the batch.
   */
  inputRankErrors?: { range: SourceRange; layer: string; className: string; expected: number; received: Shape; file?: string }[];
}

/** Every layer of a model, with nested models' layers flattened after their container. */
export function* walkLayers(model: ModelNode): Generator<LayerNode> {
  for (const layer of model.layers) {
    yield layer;
    if (layer.model) yield* walkLayers(layer.model);
  }
}

export function findLayer(model: ModelNode, name: string): LayerNode | undefined {
  return model.layers.find((l) => l.name === name);
}
