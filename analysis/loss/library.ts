/**
 * The supported subset of TensorFlow / Keras functions a loss may call, by canonical path
 * (see `canonicalPath`: `tf.math.abs` → `tensorflow.abs`, `tf.keras.losses.mse` → `keras.losses.mse`).
 */
import type { BinaryFn, BuiltinLoss, ReduceFn, UnaryFn } from './program';

export const REDUCE_FUNCTIONS: Record<string, ReduceFn> = {
  'tensorflow.reduce_mean': 'mean',
  'tensorflow.reduce_sum': 'sum',
  'tensorflow.reduce_max': 'max',
  'tensorflow.reduce_min': 'min',
  'keras.ops.mean': 'mean',
  'keras.ops.sum': 'sum',
  'keras.ops.max': 'max',
  'keras.ops.amax': 'max',
  'keras.ops.min': 'min',
  'keras.ops.amin': 'min',
  'keras.backend.mean': 'mean',
  'keras.backend.sum': 'sum',
  'keras.backend.max': 'max',
  'keras.backend.min': 'min',
};

export const UNARY_FUNCTIONS: Record<string, UnaryFn> = {
  'tensorflow.abs': 'abs',
  'tensorflow.square': 'square',
  'tensorflow.sqrt': 'sqrt',
  'tensorflow.log': 'log',
  'tensorflow.exp': 'exp',
  'tensorflow.negative': 'neg',
  'tensorflow.log1p': 'log1p',
  'tensorflow.sigmoid': 'sigmoid',
  'tensorflow.tanh': 'tanh',
  'tensorflow.nn.relu': 'relu',
  'tensorflow.nn.sigmoid': 'sigmoid',
  'tensorflow.nn.tanh': 'tanh',
  'tensorflow.stop_gradient': 'stop_gradient',
  'keras.ops.abs': 'abs',
  'keras.ops.absolute': 'abs',
  'keras.ops.square': 'square',
  'keras.ops.sqrt': 'sqrt',
  'keras.ops.log': 'log',
  'keras.ops.exp': 'exp',
  'keras.ops.negative': 'neg',
  'keras.ops.log1p': 'log1p',
  'keras.ops.relu': 'relu',
  'keras.ops.sigmoid': 'sigmoid',
  'keras.ops.tanh': 'tanh',
  'keras.ops.stop_gradient': 'stop_gradient',
  'keras.backend.abs': 'abs',
  'keras.backend.square': 'square',
  'keras.backend.sqrt': 'sqrt',
  'keras.backend.log': 'log',
  'keras.backend.exp': 'exp',
  'keras.activations.relu': 'relu',
  'keras.activations.sigmoid': 'sigmoid',
  'keras.activations.tanh': 'tanh',
};

export const BINARY_FUNCTIONS: Record<string, BinaryFn> = {
  'tensorflow.add': 'add',
  'tensorflow.subtract': 'sub',
  'tensorflow.multiply': 'mul',
  'tensorflow.divide': 'div',
  'tensorflow.truediv': 'div',
  'tensorflow.pow': 'pow',
  'tensorflow.maximum': 'maximum',
  'tensorflow.minimum': 'minimum',
  'keras.ops.add': 'add',
  'keras.ops.subtract': 'sub',
  'keras.ops.multiply': 'mul',
  'keras.ops.divide': 'div',
  'keras.ops.true_divide': 'div',
  'keras.ops.power': 'pow',
  'keras.ops.maximum': 'maximum',
  'keras.ops.minimum': 'minimum',
  'keras.backend.maximum': 'maximum',
  'keras.backend.minimum': 'minimum',
  'keras.backend.pow': 'pow',
};

/** Functions that return their (first) argument unchanged for the purposes of the loss. */
export const IDENTITY_FUNCTIONS = new Set([
  'tensorflow.identity',
  'tensorflow.cast',
  'tensorflow.convert_to_tensor',
  'tensorflow.constant',
  'keras.ops.cast',
  'keras.ops.convert_to_tensor',
  'keras.backend.cast',
  'keras.backend.constant',
]);

/** Loss function names (Keras functions, aliases, `keras.metrics` twins) → canonical loss. */
const LOSS_FUNCTION_NAMES: Record<string, BuiltinLoss> = {
  categorical_crossentropy: 'categorical_crossentropy',
  sparse_categorical_crossentropy: 'sparse_categorical_crossentropy',
  binary_crossentropy: 'binary_crossentropy',
  mean_squared_error: 'mean_squared_error',
  mse: 'mean_squared_error',
  MSE: 'mean_squared_error',
  mean_absolute_error: 'mean_absolute_error',
  mae: 'mean_absolute_error',
  MAE: 'mean_absolute_error',
  mean_absolute_percentage_error: 'mean_absolute_percentage_error',
  mape: 'mean_absolute_percentage_error',
  MAPE: 'mean_absolute_percentage_error',
  mean_squared_logarithmic_error: 'mean_squared_logarithmic_error',
  msle: 'mean_squared_logarithmic_error',
  MSLE: 'mean_squared_logarithmic_error',
  huber: 'huber',
  huber_loss: 'huber',
  log_cosh: 'log_cosh',
  logcosh: 'log_cosh',
  kl_divergence: 'kl_divergence',
  kullback_leibler_divergence: 'kl_divergence',
  kld: 'kl_divergence',
  KLD: 'kl_divergence',
  poisson: 'poisson',
  hinge: 'hinge',
  squared_hinge: 'squared_hinge',
  categorical_hinge: 'categorical_hinge',
  cosine_similarity: 'cosine_similarity',
};

/** Loss classes (`keras.losses.CategoricalCrossentropy`) → canonical loss. */
const LOSS_CLASS_NAMES: Record<string, BuiltinLoss> = {
  CategoricalCrossentropy: 'categorical_crossentropy',
  SparseCategoricalCrossentropy: 'sparse_categorical_crossentropy',
  BinaryCrossentropy: 'binary_crossentropy',
  MeanSquaredError: 'mean_squared_error',
  MeanAbsoluteError: 'mean_absolute_error',
  MeanAbsolutePercentageError: 'mean_absolute_percentage_error',
  MeanSquaredLogarithmicError: 'mean_squared_logarithmic_error',
  Huber: 'huber',
  LogCosh: 'log_cosh',
  KLDivergence: 'kl_divergence',
  Poisson: 'poisson',
  Hinge: 'hinge',
  SquaredHinge: 'squared_hinge',
  CategoricalHinge: 'categorical_hinge',
  CosineSimilarity: 'cosine_similarity',
};

/** A loss given by name (compile string, or the last part of a library path). */
export function lossByName(name: string): BuiltinLoss | undefined {
  return LOSS_FUNCTION_NAMES[name] ?? LOSS_CLASS_NAMES[name];
}

/** `keras.losses.categorical_crossentropy` / `keras.metrics.mse` → loss function. */
export function lossFunctionAt(path: string): BuiltinLoss | undefined {
  const m = /^keras\.(losses|metrics|backend)\.([A-Za-z_]+)$/.exec(path);
  return m ? LOSS_FUNCTION_NAMES[m[2]!] : undefined;
}

/** `keras.losses.CategoricalCrossentropy` → loss class. */
export function lossClassAt(path: string): BuiltinLoss | undefined {
  const m = /^keras\.losses\.([A-Za-z_]+)$/.exec(path);
  return m ? LOSS_CLASS_NAMES[m[1]!] : undefined;
}

/** Keyword parameter order of the Keras loss functions (after y_true, y_pred). */
export const LOSS_EXTRA_PARAMS: Partial<Record<BuiltinLoss, string[]>> = {
  categorical_crossentropy: ['from_logits', 'label_smoothing', 'axis'],
  sparse_categorical_crossentropy: ['from_logits', 'ignore_class', 'axis'],
  binary_crossentropy: ['from_logits', 'label_smoothing', 'axis'],
  huber: ['delta'],
  cosine_similarity: ['axis'],
};
