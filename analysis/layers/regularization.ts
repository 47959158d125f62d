/** Regularization and noise layers: all keep their input's shape and own no weights. */
import type { LayerSpec } from './catalog';
import { passThrough } from './util';

export const REGULARIZATION_SPECS: LayerSpec[] = [
  passThrough('Dropout', ['rate', 'noise_shape', 'seed']),
  passThrough('SpatialDropout1D', ['rate', 'seed', 'name', 'dtype']),
  passThrough('SpatialDropout2D', ['rate', 'data_format', 'seed', 'name', 'dtype']),
  passThrough('SpatialDropout3D', ['rate', 'data_format', 'seed', 'name', 'dtype']),
  passThrough('GaussianNoise', ['stddev', 'seed']),
  passThrough('GaussianDropout', ['rate', 'seed']),
  passThrough('AlphaDropout', ['rate', 'noise_shape', 'seed']),
  passThrough('ActivityRegularization', ['l1', 'l2']),
];
