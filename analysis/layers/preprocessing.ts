/** Preprocessing layers that appear inside models: Rescaling, Normalization, CategoryEncoding. */
import type { Dim, Shape } from '../../graph/model-graph';
import type { LayerSpec } from './catalog';
import { axisIndex, intArg, isDefault, ownWeights, passThrough, strArg, weight } from './util';

/**
 * Normalization without `mean`/`variance` creates adapt state: `mean` and `variance` over the kept
 * axes plus a scalar `count`, all non-trainable (so they do count in `count_params()`). With literal
 * mean/variance it creates no variables at all. `axis=None` keeps no axis (scalar statistics).
 */
function statisticsShape(axisValue: unknown, x: Shape | null): Dim[] | null {
  if (axisValue === null) return [];
  const axes = Array.isArray(axisValue) ? axisValue : [axisValue];
  if (!x || !axes.every((a) => typeof a === 'number')) return null;
  const kept = (axes as number[]).map((a) => axisIndex(a, x.length));
  if (kept.some((i) => i === null)) return null;
  return (kept as number[]).sort((a, b) => a - b).map((i) => x[i]);
}

const normalization: LayerSpec = {
  className: 'Normalization',
  positional: ['axis', 'mean', 'variance', 'invert'],
  callTensors: ['inputs'],
  infer(config, [x]) {
    const outputShape = x ? [...x] : null;
    if (!isDefault(config, 'mean')) return { outputShape, weights: [] };
    const axis = config.axis === undefined ? -1 : config.axis;
    const stats = statisticsShape(axis, x ?? null);
    const created = [weight('mean', stats, false), weight('variance', stats, false), weight('count', [], false)];
    return { outputShape, weights: ownWeights(config, created) };
  },
};

/** CategoryEncoding: one_hot adds a token axis unless the last input axis is 1; other modes replace it. */
const categoryEncoding: LayerSpec = {
  className: 'CategoryEncoding',
  positional: ['num_tokens', 'output_mode', 'sparse'],
  callTensors: ['inputs'],
  infer(config, [x]) {
    const tokens = intArg(config, 'num_tokens', null);
    const mode = strArg(config, 'output_mode', 'multi_hot');
    if (!x || mode === null) return { outputShape: null, weights: [] };
    if (x.length === 0) return { outputShape: [tokens], weights: [] };
    const keepLast = mode === 'one_hot' && (x[x.length - 1] !== 1 || x.length === 1);
    return { outputShape: [...(keepLast ? x : x.slice(0, -1)), tokens], weights: [] };
  },
};

export const PREPROCESSING_SPECS: LayerSpec[] = [
  passThrough('Rescaling', ['scale', 'offset']),
  normalization,
  categoryEncoding,
];
