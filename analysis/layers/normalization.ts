/**
 * Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization, RMSNormalization,
 * UnitNormalization (keras/src/layers/normalization/*.py `build`).
 */
import type { Dim, Shape } from '../../graph/model-graph';
import type { Config, LayerSpec } from './catalog';
import { boolArg, dimAt, intArg, intListArg, optionalWeight, ownWeights, passThrough, weight } from './util';

/** Three-valued logic, so that an unknown flag yields an unknown (null-shaped) weight. */
const or = (a: boolean | null, b: boolean | null) => (a === true || b === true ? true : a === null || b === null ? null : false);
const andNot = (a: boolean | null, b: boolean | null) => (a === false || b === true ? false : a === null || b === null ? null : true);

/** Per-axis parameter shape: Keras sorts a list of axes by raw value (negative ones first). */
function axesShape(x: Shape | null, axes: number[] | null): Dim[] | null {
  if (!x || !axes) return null;
  return [...axes].sort((a, b) => a - b).map((a) => dimAt(x, a));
}

const batchNorm: LayerSpec = {
  className: 'BatchNormalization',
  positional: [
    'axis', 'momentum', 'epsilon', 'center', 'scale', 'beta_initializer', 'gamma_initializer',
    'moving_mean_initializer', 'moving_variance_initializer', 'beta_regularizer', 'gamma_regularizer',
    'beta_constraint', 'gamma_constraint', 'renorm', 'renorm_clipping', 'renorm_momentum', 'synchronized',
  ],
  callTensors: ['inputs'],
  infer(config, [x]) {
    const axis = intArg(config, 'axis', -1);
    const shape = x && axis !== null ? [dimAt(x, axis)] : null;
    const renorm = boolArg(config, 'renorm', false);
    const created = [
      ...optionalWeight(boolArg(config, 'scale', true), 'gamma', shape),
      ...optionalWeight(boolArg(config, 'center', true), 'beta', shape),
      weight('moving_mean', shape, false),
      weight('moving_variance', shape, false),
      ...['moving_stddev', 'renorm_mean', 'renorm_stddev'].flatMap((n) => optionalWeight(renorm, n, shape, false)),
    ];
    return { outputShape: x ? [...x] : null, weights: ownWeights(config, created) };
  },
};

const layerNorm: LayerSpec = {
  className: 'LayerNormalization',
  positional: [
    'axis', 'epsilon', 'center', 'scale', 'beta_initializer', 'gamma_initializer', 'beta_regularizer',
    'gamma_regularizer', 'beta_constraint', 'gamma_constraint',
  ],
  callTensors: ['inputs'],
  infer(config, [x]) {
    const shape = axesShape(x ?? null, intListArg(config, 'axis', -1));
    // rms_scaling (deprecated kwarg) keeps gamma and drops beta.
    const rms = boolArg(config, 'rms_scaling', false);
    const created = [
      ...optionalWeight(or(boolArg(config, 'scale', true), rms), 'gamma', shape),
      ...optionalWeight(andNot(boolArg(config, 'center', true), rms), 'beta', shape),
    ];
    return { outputShape: x ? [...x] : null, weights: ownWeights(config, created) };
  },
};

const groupNorm: LayerSpec = {
  className: 'GroupNormalization',
  positional: [
    'groups', 'axis', 'epsilon', 'center', 'scale', 'beta_initializer', 'gamma_initializer', 'beta_regularizer',
    'gamma_regularizer', 'beta_constraint', 'gamma_constraint',
  ],
  callTensors: ['inputs'],
  infer(config, [x]) {
    const axis = intArg(config, 'axis', -1);
    const shape = x && axis !== null ? [dimAt(x, axis)] : null;
    const created = [
      ...optionalWeight(boolArg(config, 'scale', true), 'gamma', shape),
      ...optionalWeight(boolArg(config, 'center', true), 'beta', shape),
    ];
    return { outputShape: x ? [...x] : null, weights: ownWeights(config, created) };
  },
};

const rmsNorm: LayerSpec = {
  className: 'RMSNormalization',
  positional: ['axis', 'epsilon'],
  callTensors: ['x'],
  infer(config: Config, [x]) {
    const shape = axesShape(x ?? null, intListArg(config, 'axis', -1));
    return { outputShape: x ? [...x] : null, weights: ownWeights(config, [weight('scale', shape)]) };
  },
};

export const NORMALIZATION_SPECS: LayerSpec[] = [
  batchNorm,
  layerNorm,
  groupNorm,
  rmsNorm,
  passThrough('UnitNormalization', ['axis']),
];
