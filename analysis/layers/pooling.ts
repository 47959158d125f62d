/**
 * Pooling: Max/AveragePooling1D/2D/3D (keras/src/ops/operation_utils.py `compute_pooling_output_shape`)
 * and Global{Average,Max}Pooling1D/2D/3D (keras/src/layers/pooling/base_global_pooling.py).
 */
import type { Dim } from '../../graph/model-graph';
import type { LayerSpec } from './catalog';
import { boolArg, channelsLast, isDefault, joinChannels, paddingArg, splitChannels, tupleArg } from './util';

function poolDim(size: Dim, pool: Dim, stride: Dim, padding: string | null): Dim {
  if (size === null || stride === null) return null;
  if (padding === 'same') return Math.floor((size - 1) / stride) + 1;
  if (padding !== 'valid' || pool === null) return null;
  const out = Math.floor((size - pool) / stride) + 1;
  return out > 0 ? out : null; // Keras raises for an empty output
}

/** MaxPooling has a default pool_size of 2 per dim; AveragePooling requires one. */
function pooling(className: string, rank: number, defaultPool: number | null): LayerSpec {
  return {
    className,
    positional: ['pool_size', 'strides', 'padding', 'data_format', 'name'],
    callTensors: ['inputs'],
    infer(config, [x]) {
      const pool = tupleArg(config, 'pool_size', rank, defaultPool);
      // strides=None means strides = pool_size.
      const strides = isDefault(config, 'strides') ? pool : tupleArg(config, 'strides', rank, null);
      const padding = paddingArg(config);
      const last = channelsLast(config);
      if (!x || x.length !== rank + 2 || last === null) return { outputShape: null, weights: [] };
      const { spatial, channels } = splitChannels(x, last);
      const out = spatial.map((size, i) => poolDim(size, pool?.[i] ?? null, strides?.[i] ?? null, padding));
      return { outputShape: joinChannels(x[0], out, channels, last), weights: [] };
    },
  };
}

function globalPooling(className: string): LayerSpec {
  return {
    className,
    positional: ['data_format', 'keepdims'],
    callTensors: ['inputs'],
    infer(config, [x]) {
      const last = channelsLast(config);
      const keepdims = boolArg(config, 'keepdims', false);
      if (!x || x.length < 2 || last === null || keepdims === null) return { outputShape: null, weights: [] };
      const { spatial, channels } = splitChannels(x, last);
      const kept = keepdims ? spatial.map(() => 1) : [];
      return { outputShape: joinChannels(x[0], kept, channels, last), weights: [] };
    },
  };
}

/** Adaptive pooling: the spatial dims become `output_size` whatever the input size. */
function adaptivePooling(className: string, rank: number): LayerSpec {
  return {
    className,
    positional: ['output_size', 'data_format'],
    callTensors: ['inputs'],
    infer(config, [x]) {
      const size = tupleArg(config, 'output_size', rank, null) ?? Array(rank).fill(null);
      const last = channelsLast(config);
      if (!x || x.length !== rank + 2 || last === null) return { outputShape: null, weights: [] };
      return { outputShape: joinChannels(x[0], size, splitChannels(x, last).channels, last), weights: [] };
    },
  };
}

export const POOLING_SPECS: LayerSpec[] = [
  pooling('MaxPooling1D', 1, 2),
  pooling('MaxPooling2D', 2, 2),
  pooling('MaxPooling3D', 3, 2),
  pooling('AveragePooling1D', 1, null),
  pooling('AveragePooling2D', 2, null),
  pooling('AveragePooling3D', 3, null),
  ...[1, 2, 3].flatMap((d) => [globalPooling(`GlobalAveragePooling${d}D`), globalPooling(`GlobalMaxPooling${d}D`)]),
  ...[1, 2, 3].flatMap((d) => [adaptivePooling(`AdaptiveAveragePooling${d}D`, d), adaptivePooling(`AdaptiveMaxPooling${d}D`, d)]),
];
