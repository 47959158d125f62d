/**
 * The layer catalog: for a Keras 3 layer class, its resolved constructor config and its input shapes,
 * the output shape(s) and weights exactly as Keras 3.15 computes them (`compute_output_shape` / `build`).
 *
 * Proof: tools/keras-truth/layer_cases.py builds every fixture case with real Keras and
 * test/analysis/layer-catalog.test.ts replays them against this module.
 *
 * Conventions
 * - `config`: constructor args, positional ones already named via `positional`; absent = Keras default.
 *   `{ $unknown }` makes the affected output dims / weight shapes null.
 * - `inputs`: one shape per call tensor (per list element for variadic layers), batch dim included;
 *   `null` = unknown input shape.
 * - `weights`: `layer.weights` order, short Keras names (`kernel`, `bias`, ...). Weights owned by a
 *   sublayer (RNN cell, MHA projections, wrapped layers) also carry `path`, the variable path below the
 *   layer as Keras reports it (`lstm_cell/kernel`, `query/kernel`, `forward_lstm/lstm_cell/kernel`).
 *   For wrapped layers the path uses `args.name` of the inner layer, or its auto-name base without a
 *   counter suffix; an evaluator that knows the inner layer's real name can pass it as `args.name`.
 */
import type { ConfigValue, OutputShape, Shape, WeightInfo } from '../../graph/model-graph';
import { ACTIVATION_SPECS } from './activations';
import { ATTENTION_SPECS } from './attention';
import { CONV_SPECS } from './conv';
import { CORE_SPECS } from './core';
import { IMAGE_SPECS } from './image';
import { MERGE_SPECS } from './merge';
import { NORMALIZATION_SPECS } from './normalization';
import { POOLING_SPECS } from './pooling';
import { PREPROCESSING_SPECS } from './preprocessing';
import { REGULARIZATION_SPECS } from './regularization';
import { RESHAPING_SPECS } from './reshaping';
import { RNN_SPECS } from './rnn';
import type { CatalogWeight } from './util';
import { wrapperSpecs } from './wrappers';

export type Config = { [key: string]: ConfigValue };

export interface LayerInference {
  outputShape: OutputShape;
  weights: WeightInfo[];
}

export interface LayerSpec {
  /** Canonical Keras class name: `layer.__class__.__name__` in Keras 3. */
  className: string;
  /** Constructor positional parameter names in order (after self), from the Keras source. */
  positional: string[];
  /** Names of call() tensor parameters in order. */
  callTensors: string[];
  /** call() takes a list of tensors as its first argument (Concatenate, Add, ...). */
  variadic?: boolean;
  infer(config: Config, inputs: (Shape | null)[], options: Config): LayerInference;
}

export type { CatalogWeight };

/** Keras's export aliases (`keras.layers.MaxPool2D is keras.layers.MaxPooling2D`). */
const ALIASES: { [alias: string]: string } = {
  AvgPool1D: 'AveragePooling1D',
  AvgPool2D: 'AveragePooling2D',
  AvgPool3D: 'AveragePooling3D',
  MaxPool1D: 'MaxPooling1D',
  MaxPool2D: 'MaxPooling2D',
  MaxPool3D: 'MaxPooling3D',
  GlobalAvgPool1D: 'GlobalAveragePooling1D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D',
  GlobalAvgPool3D: 'GlobalAveragePooling3D',
  GlobalMaxPool1D: 'GlobalMaxPooling1D',
  GlobalMaxPool2D: 'GlobalMaxPooling2D',
  GlobalMaxPool3D: 'GlobalMaxPooling3D',
  Convolution1D: 'Conv1D',
  Convolution2D: 'Conv2D',
  Convolution3D: 'Conv3D',
  Convolution1DTranspose: 'Conv1DTranspose',
  Convolution2DTranspose: 'Conv2DTranspose',
  Convolution3DTranspose: 'Conv3DTranspose',
  SeparableConvolution1D: 'SeparableConv1D',
  SeparableConvolution2D: 'SeparableConv2D',
  GroupQueryAttention: 'GroupedQueryAttention',
};

const SPECS = new Map<string, LayerSpec>();

function register(specs: LayerSpec[]): void {
  for (const spec of specs) SPECS.set(spec.className, spec);
}

register([
  ...CORE_SPECS,
  ...CONV_SPECS,
  ...POOLING_SPECS,
  ...RESHAPING_SPECS,
  ...REGULARIZATION_SPECS,
  ...NORMALIZATION_SPECS,
  ...ACTIVATION_SPECS,
  ...RNN_SPECS,
  ...MERGE_SPECS,
  ...ATTENTION_SPECS,
  ...PREPROCESSING_SPECS,
  ...IMAGE_SPECS,
]);
// Wrappers infer through the inner layer's spec, so they get the lookup rather than importing it.
register(wrapperSpecs(lookupLayerClass));

export function lookupLayerClass(name: string): LayerSpec | undefined {
  return SPECS.get(ALIASES[name] ?? name);
}

/** Every canonical class the catalog knows. */
export function knownLayerClasses(): string[] {
  return [...SPECS.keys()];
}

/** Total scalar count, as `layer.count_params()`; null if any weight shape is unknown. */
export function countParams(weights: WeightInfo[]): number | null {
  let total = 0;
  for (const w of weights) {
    if (w.shape === null || w.shape.some((d) => d === null)) return null;
    total += (w.shape as number[]).reduce((a, b) => a * b, 1);
  }
  return total;
}

/**
 * The shape of `layer.kernel` as Keras exposes it: the layer's own weight named `kernel`. Weights of
 * sublayers (carrying `path`) do not count: LSTM, Bidirectional, TimeDistributed and MultiHeadAttention
 * have no `kernel` attribute in Keras 3. DepthwiseConv*D names its depthwise weight `kernel`, so it has one;
 * SeparableConv*D (`depthwise_kernel`/`pointwise_kernel`) and Embedding (`embeddings`) do not.
 */
export function kernelShapeOf(weights: WeightInfo[]): Shape | null {
  const kernel = (weights as CatalogWeight[]).find((w) => w.name === 'kernel' && w.path === undefined);
  return kernel ? kernel.shape : null;
}
