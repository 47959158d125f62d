/**
 * Convolutions: Conv1D/2D/3D, Conv*DTranspose, DepthwiseConv1D/2D, SeparableConv1D/2D.
 * Output sizes follow keras/src/ops/operation_utils.py `compute_conv_output_shape` and
 * keras/src/backend/common/backend_utils.py `compute_conv_transpose_output_shape`.
 */
import type { Dim, Shape } from '../../graph/model-graph';
import type { Config, LayerSpec } from './catalog';
import {
  boolArg, channelsLast, freeze, intArg, isDefault, joinChannels, loraFactors, mul, optionalWeight, ownWeights,
  paddingArg, splitChannels, tupleArg, weight,
} from './util';

const INIT_TAIL = [
  'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer', 'activity_regularizer',
  'kernel_constraint', 'bias_constraint',
];

export interface ConvGeometry {
  kernel: Dim[] | null;
  strides: Dim[] | null;
  dilation: Dim[] | null;
  padding: string | null;
  last: boolean | null;
}

export function convGeometry(config: Config, rank: number): ConvGeometry {
  return {
    kernel: tupleArg(config, 'kernel_size', rank, null),
    strides: tupleArg(config, 'strides', rank, 1),
    dilation: tupleArg(config, 'dilation_rate', rank, 1),
    padding: paddingArg(config),
    last: channelsLast(config),
  };
}

/** One spatial output size; "same"/"causal" ignore kernel and dilation. */
export function convDim(size: Dim, k: Dim, s: Dim, d: Dim, padding: string | null): Dim {
  if (size === null || s === null) return null;
  if (padding === 'same' || padding === 'causal') return Math.floor((size - 1) / s) + 1;
  if (padding !== 'valid' || k === null || d === null) return null;
  const out = Math.floor((size - d * (k - 1) - 1) / s) + 1;
  // Keras raises "Computed output size would be zero or negative"; there is no such tensor.
  return out > 0 ? out : null;
}

/** Output shape of a forward convolution with `channels` output channels; null if rank or format unknown. */
export function convOutput(x: Shape | null, g: ConvGeometry, rank: number, channels: Dim): Shape | null {
  if (x === null || x.length !== rank + 2 || g.last === null) return null;
  const { spatial } = splitChannels(x, g.last);
  const out = spatial.map((size, i) => convDim(size, g.kernel?.[i] ?? null, g.strides?.[i] ?? null, g.dilation?.[i] ?? null, g.padding));
  return joinChannels(x[0], out, channels, g.last);
}

export function inputChannels(x: Shape | null, last: boolean | null): Dim {
  if (x === null || last === null) return null;
  return splitChannels(x, last).channels;
}

function kernelDims(g: ConvGeometry, rank: number): Dim[] {
  return g.kernel ?? Array(rank).fill(null);
}

function conv(className: string, rank: number): LayerSpec {
  return {
    className,
    positional: ['filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'groups', 'activation', 'use_bias', ...INIT_TAIL],
    callTensors: ['inputs'],
    infer(config, [x]) {
      const g = convGeometry(config, rank);
      const filters = intArg(config, 'filters', null);
      const groups = intArg(config, 'groups', 1);
      const channels = inputChannels(x ?? null, g.last);
      // Keras raises unless groups divides the input channels.
      const perGroup = channels === null || groups === null || channels % groups !== 0 ? null : channels / groups;
      const kernel = [...kernelDims(g, rank), perGroup, filters];
      // BaseConv.enable_lora: factors (kernel[:-1] + (r,)) and (r, filters).
      const r = intArg(config, 'lora_rank', 0);
      const lora = loraFactors(config, 'lora_kernel', [[...kernel.slice(0, -1), r], [r, filters]]);
      const bias = optionalWeight(boolArg(config, 'use_bias', true), 'bias', [filters]);
      const weights = freeze(ownWeights(config, [weight('kernel', kernel), ...bias, ...lora]), 'kernel', lora.length > 0);
      return { outputShape: convOutput(x ?? null, g, rank, filters), weights };
    },
  };
}

/** `_get_output_shape_given_tf_padding`: one spatial size of a transposed convolution. */
export function transposeDim(size: Dim, k: Dim, s: Dim, d: Dim, padding: string | null, outPad: Dim | undefined): Dim {
  if (size === null || k === null || s === null || d === null || outPad === null) return null;
  const span = (k - 1) * d + 1;
  if (padding === 'valid') return (size - 1) * s + span + (outPad ?? Math.max(span, s) - span);
  if (padding !== 'same') return null;
  return outPad === undefined ? size * s : (size - 1) * s + (span % 2) + outPad;
}

function convTranspose(className: string, rank: number, positional: string[]): LayerSpec {
  return {
    className,
    positional,
    callTensors: ['inputs'],
    infer(config, [x]) {
      const g = convGeometry(config, rank);
      const filters = intArg(config, 'filters', null);
      // output_padding=None means "let Keras pick"; an unknown value makes the size unknown.
      const outPad = isDefault(config, 'output_padding') ? undefined : tupleArg(config, 'output_padding', rank, null);
      const channels = inputChannels(x ?? null, g.last);
      const weights = ownWeights(config, [
        weight('kernel', [...kernelDims(g, rank), filters, channels]),
        ...optionalWeight(boolArg(config, 'use_bias', true), 'bias', [filters]),
      ]);
      if (!x || x.length !== rank + 2 || g.last === null) return { outputShape: null, weights };
      const { spatial } = splitChannels(x, g.last);
      const out = spatial.map((size, i) =>
        transposeDim(size, g.kernel?.[i] ?? null, g.strides?.[i] ?? null, g.dilation?.[i] ?? null, g.padding,
          outPad === undefined ? undefined : (outPad?.[i] ?? null)),
      );
      return { outputShape: joinChannels(x[0], out, filters, g.last), weights };
    },
  };
}

function depthwise(className: string, rank: number): LayerSpec {
  return {
    className,
    positional: [
      'kernel_size', 'strides', 'padding', 'depth_multiplier', 'data_format', 'dilation_rate', 'activation', 'use_bias',
      'depthwise_initializer', 'bias_initializer', 'depthwise_regularizer', 'bias_regularizer', 'activity_regularizer',
      'depthwise_constraint', 'bias_constraint',
    ],
    callTensors: ['inputs'],
    infer(config, [x]) {
      const g = convGeometry(config, rank);
      const multiplier = intArg(config, 'depth_multiplier', 1);
      const channels = inputChannels(x ?? null, g.last);
      const outChannels = mul(multiplier, channels);
      // Keras 3 names the depthwise weight `kernel` here (so `layer.kernel` exists), unlike SeparableConv.
      const weights = ownWeights(config, [
        weight('kernel', [...kernelDims(g, rank), channels, multiplier]),
        ...optionalWeight(boolArg(config, 'use_bias', true), 'bias', [outChannels]),
      ]);
      return { outputShape: convOutput(x ?? null, g, rank, outChannels), weights };
    },
  };
}

function separable(className: string, rank: number): LayerSpec {
  return {
    className,
    positional: [
      'filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'depth_multiplier', 'activation',
      'use_bias', 'depthwise_initializer', 'pointwise_initializer', 'bias_initializer', 'depthwise_regularizer',
      'pointwise_regularizer', 'bias_regularizer', 'activity_regularizer', 'depthwise_constraint',
      'pointwise_constraint', 'bias_constraint',
    ],
    callTensors: ['inputs'],
    infer(config, [x]) {
      const g = convGeometry(config, rank);
      const filters = intArg(config, 'filters', null);
      const multiplier = intArg(config, 'depth_multiplier', 1);
      const channels = inputChannels(x ?? null, g.last);
      const weights = ownWeights(config, [
        weight('depthwise_kernel', [...kernelDims(g, rank), channels, multiplier]),
        weight('pointwise_kernel', [...Array(rank).fill(1), mul(multiplier, channels), filters]),
        ...optionalWeight(boolArg(config, 'use_bias', true), 'bias', [filters]),
      ]);
      return { outputShape: convOutput(x ?? null, g, rank, filters), weights };
    },
  };
}

const TRANSPOSE_POSITIONAL = ['filters', 'kernel_size', 'strides', 'padding', 'output_padding', 'data_format', 'dilation_rate', 'activation', 'use_bias', ...INIT_TAIL];
// Conv3DTranspose's signature has data_format before output_padding (keras/src/layers/convolutional/conv3d_transpose.py).
const TRANSPOSE_3D_POSITIONAL = ['filters', 'kernel_size', 'strides', 'padding', 'data_format', 'output_padding', 'dilation_rate', 'activation', 'use_bias', ...INIT_TAIL];

export const CONV_SPECS: LayerSpec[] = [
  conv('Conv1D', 1),
  conv('Conv2D', 2),
  conv('Conv3D', 3),
  convTranspose('Conv1DTranspose', 1, TRANSPOSE_POSITIONAL),
  convTranspose('Conv2DTranspose', 2, TRANSPOSE_POSITIONAL),
  convTranspose('Conv3DTranspose', 3, TRANSPOSE_3D_POSITIONAL),
  depthwise('DepthwiseConv1D', 1),
  depthwise('DepthwiseConv2D', 2),
  separable('SeparableConv1D', 1),
  separable('SeparableConv2D', 2),
];
