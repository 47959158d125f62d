/**
 * Reshaping layers: Flatten, Reshape, Permute, RepeatVector, UpSampling1D/2D/3D, ZeroPadding1D/2D/3D,
 * Cropping1D/2D/3D (keras/src/layers/reshaping/*.py `compute_output_shape`).
 */
import type { ConfigValue, Dim, Shape } from '../../graph/model-graph';
import type { Config, LayerSpec } from './catalog';
import { add, channelsLast, intArg, isDefault, mul, toTuple, tupleArg } from './util';

const noWeights = (outputShape: Shape | null) => ({ outputShape, weights: [] });

const flatten: LayerSpec = {
  className: 'Flatten',
  positional: ['data_format'],
  callTensors: ['inputs'],
  infer(_config, [x]) {
    if (!x) return noWeights(null);
    const rest = x.slice(1);
    return noWeights([x[0], rest.length === 0 ? 1 : mul(...rest)]);
  },
};

/**
 * `compute_reshape_output_shape`: resolves one -1 when every size is known, else leaves it None.
 * Sizes that cannot match make Keras raise; that gives null (no such tensor).
 */
function reshapeTo(input: Dim[], target: Dim[]): Dim[] | null {
  if (input.includes(null) || target.includes(null)) return target.map((d) => (d === -1 ? null : d));
  const total = (input as number[]).reduce((a, b) => a * b, 1);
  const known = target.filter((d) => d !== -1) as number[];
  const rest = known.reduce((a, b) => a * b, 1);
  if (known.length === target.length) return total === rest ? target : null;
  return rest > 0 && total % rest === 0 ? target.map((d) => (d === -1 ? total / rest : d)) : null;
}

const reshape: LayerSpec = {
  className: 'Reshape',
  positional: ['target_shape'],
  callTensors: ['inputs'],
  infer(config, [x]) {
    const target = config.target_shape;
    if (!x || !Array.isArray(target)) return noWeights(null);
    const dims = target.map((d) => (typeof d === 'number' && Number.isInteger(d) ? d : null));
    const out = reshapeTo(x.slice(1), dims);
    return noWeights(out ? [x[0], ...out] : null);
  },
};

const permute: LayerSpec = {
  className: 'Permute',
  positional: ['dims'],
  callTensors: ['inputs'],
  infer(config, [x]) {
    const dims = config.dims;
    if (!x || !Array.isArray(dims)) return noWeights(null);
    // `dims` index the input from 1 (the batch dim is never permuted).
    return noWeights([x[0], ...dims.map((d) => (typeof d === 'number' ? (x[d] ?? null) : null))]);
  },
};

const repeatVector: LayerSpec = {
  className: 'RepeatVector',
  positional: ['n'],
  callTensors: ['inputs'],
  infer: (config, [x]) => noWeights(x ? [x[0], intArg(config, 'n', null), x[1] ?? null] : null),
};

/** Applies `f` to each spatial dim (located by data format), keeping batch and channels. */
function mapSpatial(x: Shape | null, rank: number, last: boolean | null, f: (size: Dim, i: number) => Dim): Shape | null {
  if (!x || x.length !== rank + 2 || last === null) return null;
  const offset = last ? 1 : 2;
  return x.map((d, axis) => (axis >= offset && axis < offset + rank ? f(d, axis - offset) : d));
}

function upSampling(className: string, rank: number): LayerSpec {
  const positional = rank === 1 ? ['size'] : rank === 2 ? ['size', 'data_format', 'interpolation'] : ['size', 'data_format'];
  return {
    className,
    positional,
    callTensors: ['inputs'],
    infer(config, [x]) {
      const size = tupleArg(config, 'size', rank, 2);
      // UpSampling1D has no data_format: it always upsamples axis 1.
      const last = rank === 1 ? true : channelsLast(config);
      return noWeights(mapSpatial(x ?? null, rank, last, (d, i) => mul(d, size?.[i] ?? null)));
    },
  };
}

/**
 * ZeroPadding / Cropping amounts as (before, after) pairs per spatial dim: an int applies to every
 * side; for 2D/3D each entry of a sequence is an int (symmetric) or a pair. 1D takes an int or one pair.
 */
function sidePairs(value: ConfigValue | undefined, rank: number): Dim[][] | null {
  if (rank === 1) {
    const pair = toTuple(value, 2);
    return pair ? [pair] : null;
  }
  if (typeof value === 'number') return Array.from({ length: rank }, () => [value, value]);
  if (!Array.isArray(value) || value.length !== rank) return null;
  const pairs = value.map((entry) => toTuple(entry, 2));
  return pairs.every((p) => p !== null) ? (pairs as Dim[][]) : null;
}

const PAD_DEFAULT: { [rank: number]: ConfigValue } = { 1: 1, 2: [1, 1], 3: [[1, 1], [1, 1], [1, 1]] };
const CROP_DEFAULT: { [rank: number]: ConfigValue } = { 1: [1, 1], 2: [[0, 0], [0, 0]], 3: [[1, 1], [1, 1], [1, 1]] };

function sideLayer(className: string, rank: number, key: 'padding' | 'cropping'): LayerSpec {
  const sign = key === 'padding' ? 1 : -1;
  // Cropping1D has no data_format argument; ZeroPadding1D does.
  const hasFormat = !(key === 'cropping' && rank === 1);
  return {
    className,
    positional: hasFormat ? [key, 'data_format'] : [key],
    callTensors: ['inputs'],
    infer(config: Config, [x]) {
      const defaults = key === 'padding' ? PAD_DEFAULT : CROP_DEFAULT;
      const pairs = sidePairs(isDefault(config, key) ? defaults[rank] : config[key], rank);
      const last = hasFormat ? channelsLast(config) : true;
      const grow = (d: Dim, i: number) => {
        const pair = pairs?.[i];
        const size = pair ? add(d, mul(sign, add(pair[0], pair[1]))) : null;
        return size !== null && size <= 0 ? null : size; // Keras raises when cropping leaves nothing
      };
      return noWeights(mapSpatial(x ?? null, rank, last, grow));
    },
  };
}

export const RESHAPING_SPECS: LayerSpec[] = [
  flatten,
  reshape,
  permute,
  repeatVector,
  ...[1, 2, 3].flatMap((r) => [
    upSampling(`UpSampling${r}D`, r),
    sideLayer(`ZeroPadding${r}D`, r, 'padding'),
    sideLayer(`Cropping${r}D`, r, 'cropping'),
  ]),
];
