/** Activation layers: ReLU, LeakyReLU, ELU, Softmax (no weights) and PReLU (a learned `alpha`). */
import type { LayerSpec } from './catalog';
import { intListArg, isDefault, ownWeights, passThrough, weight } from './util';

/** PReLU's alpha has the input's non-batch shape, with `shared_axes` (1-based) collapsed to 1. */
const prelu: LayerSpec = {
  className: 'PReLU',
  positional: ['alpha_initializer', 'alpha_regularizer', 'alpha_constraint', 'shared_axes'],
  callTensors: ['inputs'],
  infer(config, [x]) {
    const shared = isDefault(config, 'shared_axes') ? [] : intListArg(config, 'shared_axes', null);
    const alpha = x && shared ? x.slice(1).map((d, i) => (shared.includes(i + 1) ? 1 : d)) : null;
    return { outputShape: x ? [...x] : null, weights: ownWeights(config, [weight('alpha', alpha)]) };
  },
};

export const ACTIVATION_SPECS: LayerSpec[] = [
  passThrough('ReLU', ['max_value', 'negative_slope', 'threshold']),
  passThrough('LeakyReLU', ['negative_slope']),
  passThrough('ELU', ['alpha']),
  passThrough('Softmax', ['axis']),
  prelu,
];
