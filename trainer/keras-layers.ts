/**
 * Keras layer configs (as the model graph resolves them) → tfjs-layers layers.
 *
 * Fidelity rules:
 * - every Keras argument is either mapped, checked to be a no-op (e.g. `dtype='float32'`), or
 *   rejected with a ModelBuildError naming the layer, its class, its source line and the argument;
 * - Keras defaults are passed explicitly where tfjs's defaults differ (initializers of recurrent
 *   layers, LSTM/GRU recurrent activation), so an unset argument means what it means in Keras 3.
 */
import type { ConfigValue, KerasObjectValue, LayerNode } from '../graph/model-graph';
import type { Tf } from './backend';

type TfLayer = import('@tensorflow/tfjs').layers.Layer;
type AnyArgs = Record<string, unknown>;

export class ModelBuildError extends Error {
  constructor(
    message: string,
    readonly layer?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'ModelBuildError';
  }
}

export function layerLine(layer: LayerNode): number {
  return layer.range.start.line + 1;
}

export function layerLabel(layer: { name: string; className: string; line?: number }): string {
  return `layer '${layer.name}' (${layer.className}${layer.line ? `, line ${layer.line}` : ''})`;
}

function isObj(v: ConfigValue | undefined): v is KerasObjectValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && '$class' in v;
}

function isUnknown(v: ConfigValue | undefined): v is { $unknown: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && '$unknown' in v;
}

/** Keras activation names → tfjs identifiers; absent = no faithful tfjs counterpart. */
const ACTIVATIONS: Record<string, string> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  elu: 'elu',
  selu: 'selu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  softplus: 'softplus',
  softsign: 'softsign',
  swish: 'swish',
  silu: 'swish',
  gelu: 'gelu',
  mish: 'mish',
  log_softmax: 'logSoftmax',
};

const WHY_NOT_ACTIVATION: Record<string, string> = {
  hard_sigmoid: "Keras 3's hard_sigmoid is relu6(x + 3) / 6 but tfjs's hardSigmoid is 0.2·x + 0.5",
  leaky_relu: 'tfjs has no leaky_relu activation function (use a LeakyReLU layer)',
  exponential: 'tfjs has no exponential activation',
  hard_swish: 'tfjs has no hard_swish activation',
  hard_silu: 'tfjs has no hard_silu activation',
};

/** Keras initializer names (string form or class) → tfjs initializer factory + positional arg names. */
const INITIALIZERS: Record<string, { tfjs: string; params: string[] }> = {
  zeros: { tfjs: 'zeros', params: [] },
  Zeros: { tfjs: 'zeros', params: [] },
  ones: { tfjs: 'ones', params: [] },
  Ones: { tfjs: 'ones', params: [] },
  constant: { tfjs: 'constant', params: ['value'] },
  Constant: { tfjs: 'constant', params: ['value'] },
  glorot_uniform: { tfjs: 'glorotUniform', params: ['seed'] },
  GlorotUniform: { tfjs: 'glorotUniform', params: ['seed'] },
  glorot_normal: { tfjs: 'glorotNormal', params: ['seed'] },
  GlorotNormal: { tfjs: 'glorotNormal', params: ['seed'] },
  he_normal: { tfjs: 'heNormal', params: ['seed'] },
  HeNormal: { tfjs: 'heNormal', params: ['seed'] },
  he_uniform: { tfjs: 'heUniform', params: ['seed'] },
  HeUniform: { tfjs: 'heUniform', params: ['seed'] },
  lecun_normal: { tfjs: 'leCunNormal', params: ['seed'] },
  LecunNormal: { tfjs: 'leCunNormal', params: ['seed'] },
  lecun_uniform: { tfjs: 'leCunUniform', params: ['seed'] },
  LecunUniform: { tfjs: 'leCunUniform', params: ['seed'] },
  random_normal: { tfjs: 'randomNormal', params: ['mean', 'stddev', 'seed'] },
  RandomNormal: { tfjs: 'randomNormal', params: ['mean', 'stddev', 'seed'] },
  random_uniform: { tfjs: 'randomUniform', params: ['minval', 'maxval', 'seed'] },
  RandomUniform: { tfjs: 'randomUniform', params: ['minval', 'maxval', 'seed'] },
  uniform: { tfjs: 'randomUniform', params: ['minval', 'maxval', 'seed'] },
  normal: { tfjs: 'randomNormal', params: ['mean', 'stddev', 'seed'] },
  truncated_normal: { tfjs: 'truncatedNormal', params: ['mean', 'stddev', 'seed'] },
  TruncatedNormal: { tfjs: 'truncatedNormal', params: ['mean', 'stddev', 'seed'] },
  orthogonal: { tfjs: 'orthogonal', params: ['gain', 'seed'] },
  Orthogonal: { tfjs: 'orthogonal', params: ['gain', 'seed'] },
  identity: { tfjs: 'identity', params: ['gain'] },
  Identity: { tfjs: 'identity', params: ['gain'] },
  variance_scaling: { tfjs: 'varianceScaling', params: ['scale', 'mode', 'distribution', 'seed'] },
  VarianceScaling: { tfjs: 'varianceScaling', params: ['scale', 'mode', 'distribution', 'seed'] },
};

const REGULARIZERS: Record<string, { params: string[]; l1: number; l2: number }> = {
  l1: { params: ['l1'], l1: 0.01, l2: 0 },
  L1: { params: ['l1'], l1: 0.01, l2: 0 },
  l2: { params: ['l2'], l1: 0, l2: 0.01 },
  L2: { params: ['l2'], l1: 0, l2: 0.01 },
  l1_l2: { params: ['l1', 'l2'], l1: 0.01, l2: 0.01 },
  l1l2: { params: ['l1', 'l2'], l1: 0.01, l2: 0.01 },
  L1L2: { params: ['l1', 'l2'], l1: 0, l2: 0 },
};

const CONSTRAINTS: Record<string, { tfjs: string; params: string[] }> = {
  max_norm: { tfjs: 'maxNorm', params: ['max_value', 'axis'] },
  MaxNorm: { tfjs: 'maxNorm', params: ['max_value', 'axis'] },
  non_neg: { tfjs: 'nonNeg', params: [] },
  NonNeg: { tfjs: 'nonNeg', params: [] },
  unit_norm: { tfjs: 'unitNorm', params: ['axis'] },
  UnitNorm: { tfjs: 'unitNorm', params: ['axis'] },
  min_max_norm: { tfjs: 'minMaxNorm', params: ['min_value', 'max_value', 'rate', 'axis'] },
  MinMaxNorm: { tfjs: 'minMaxNorm', params: ['min_value', 'max_value', 'rate', 'axis'] },
};

function camel(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Named arguments of a Keras object, positional `argN` mapped through `params`. */
function objectArgs(v: KerasObjectValue, params: string[]): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const [k, a] of Object.entries(v.args)) {
    const m = /^arg(\d+)$/.exec(k);
    out[m ? (params[Number(m[1])] ?? k) : k] = a;
  }
  return out;
}

/** Reads a layer's config, tracking which keys were used; unknown leftovers are errors. */
export class ConfigReader {
  private readonly used = new Set<string>();

  constructor(
    readonly tf: Tf,
    readonly layer: { name: string; className: string; line?: number },
    readonly config: Record<string, ConfigValue>,
  ) {}

  fail(message: string): never {
    throw new ModelBuildError(`${layerLabel(this.layer)}: ${message}`, this.layer.name, this.layer.line);
  }

  has(key: string): boolean {
    return this.config[key] !== undefined;
  }

  raw(key: string): ConfigValue | undefined {
    this.used.add(key);
    const v = this.config[key];
    if (isUnknown(v)) this.fail(`argument ${key}= could not be resolved statically (\`${v.$unknown}\`)`);
    return v;
  }

  num(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number') this.fail(`argument ${key}= must be a number, got ${JSON.stringify(v)}`);
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(`argument ${key}= must be True or False, got ${JSON.stringify(v)}`);
    return v;
  }

  str(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(`argument ${key}= must be a string, got ${JSON.stringify(v)}`);
    return v;
  }

  /** An int or a tuple of ints. */
  ints(key: string): number | number[] | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return v;
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
    if (Array.isArray(v) && v.every((x) => Array.isArray(x) && x.every((y) => typeof y === 'number'))) return v as unknown as number[];
    return this.fail(`argument ${key}= must be an int or a tuple of ints, got ${JSON.stringify(v)}`);
  }

  /** Must be absent or equal to one of the values (Keras defaults that tfjs always uses). */
  only(key: string, ...allowed: ConfigValue[]): void {
    const v = this.raw(key);
    if (v === undefined) return;
    if (!allowed.some((a) => JSON.stringify(a) === JSON.stringify(v))) this.fail(`argument ${key}=${JSON.stringify(v)} has no tfjs counterpart`);
  }

  ignore(...keys: string[]): void {
    for (const k of keys) this.used.add(k);
  }

  activation(key = 'activation'): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    const name = typeof v === 'string' ? v : isObj(v) ? v.$class : undefined;
    if (name === undefined) return this.fail(`activation ${JSON.stringify(v)} is not a known activation`);
    const tfjs = ACTIVATIONS[name] ?? ACTIVATIONS[name.toLowerCase()];
    if (!tfjs) this.fail(`activation '${name}' has no faithful tfjs counterpart${WHY_NOT_ACTIVATION[name] ? ` (${WHY_NOT_ACTIVATION[name]})` : ''}`);
    return tfjs;
  }

  initializer(key: string): unknown {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    const name = typeof v === 'string' ? v : isObj(v) ? v.$class : undefined;
    const spec = name ? INITIALIZERS[name] : undefined;
    if (!spec || name === undefined) return this.fail(`initializer ${JSON.stringify(v)} (${key}=) has no tfjs counterpart`);
    const args = isObj(v) ? objectArgs(v, spec.params) : {};
    const tfArgs: AnyArgs = {};
    for (const [k, a] of Object.entries(args)) {
      if (k === 'seed') {
        if (typeof a === 'number') tfArgs['seed'] = a;
        continue;
      }
      if (k === 'mode' || k === 'distribution') {
        tfArgs[k] = String(a);
        continue;
      }
      if (typeof a !== 'number') this.fail(`initializer argument ${k}=${JSON.stringify(a)} must be a number`);
      tfArgs[camel(k)] = a;
    }
    const factories = this.tf.initializers as unknown as Record<string, (a: AnyArgs) => unknown>;
    // Keras's truncated-normal variance scaling divides the stddev by 0.8796 (the stddev of a
    // unit normal truncated at ±2); tfjs's 'normal' distribution does not. Same law via the scale.
    const normalScaling: Record<string, [number, string]> = { glorotNormal: [1, 'fanAvg'], heNormal: [2, 'fanIn'], leCunNormal: [1, 'fanIn'] };
    let scaling: { scale: number; mode: string; distribution: string } | undefined;
    if (normalScaling[spec.tfjs]) scaling = { scale: normalScaling[spec.tfjs]![0], mode: normalScaling[spec.tfjs]![1], distribution: 'truncated_normal' };
    if (spec.tfjs === 'varianceScaling') {
      scaling = { scale: Number(tfArgs['scale'] ?? 1), mode: camel(String(tfArgs['mode'] ?? 'fan_in')), distribution: String(tfArgs['distribution'] ?? 'truncated_normal') };
    }
    if (scaling) {
      const seed = tfArgs['seed'];
      if (scaling.distribution === 'uniform') return factories['varianceScaling']!({ scale: scaling.scale, mode: scaling.mode, distribution: 'uniform', ...(seed !== undefined ? { seed } : {}) });
      if (scaling.distribution !== 'truncated_normal' && scaling.distribution !== 'normal') {
        this.fail(`initializer distribution '${scaling.distribution}' has no tfjs counterpart`);
      }
      const TRUNCATED_STDDEV = 0.87962566103423978;
      return factories['varianceScaling']!({ scale: scaling.scale / TRUNCATED_STDDEV ** 2, mode: scaling.mode, distribution: 'normal', ...(seed !== undefined ? { seed } : {}) });
    }
    return factories[spec.tfjs]!(tfArgs);
  }

  regularizer(key: string): unknown {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    const name = typeof v === 'string' ? v : isObj(v) ? v.$class : undefined;
    const spec = name ? REGULARIZERS[name] : undefined;
    if (!spec) return this.fail(`regularizer ${JSON.stringify(v)} (${key}=) has no tfjs counterpart`);
    const args = isObj(v) ? objectArgs(v, spec.params) : {};
    let l1 = name === 'L1L2' ? 0 : spec.l1;
    let l2 = name === 'L1L2' ? 0 : spec.l2;
    if (args['l1'] !== undefined) l1 = Number(args['l1']);
    if (args['l2'] !== undefined) l2 = Number(args['l2']);
    if (!Number.isFinite(l1) || !Number.isFinite(l2)) this.fail(`regularizer ${JSON.stringify(v)} has non-constant factors`);
    return this.tf.regularizers.l1l2({ l1, l2 });
  }

  constraint(key: string): unknown {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    const name = typeof v === 'string' ? v : isObj(v) ? v.$class : undefined;
    const spec = name ? CONSTRAINTS[name] : undefined;
    if (!spec) return this.fail(`constraint ${JSON.stringify(v)} (${key}=) has no tfjs counterpart`);
    const args = isObj(v) ? objectArgs(v, spec.params) : {};
    const tfArgs: AnyArgs = {};
    for (const [k, a] of Object.entries(args)) tfArgs[camel(k)] = a;
    // Keras's MaxNorm/UnitNorm/MinMaxNorm default to axis=0, like tfjs.
    return (this.tf.constraints as unknown as Record<string, (a: AnyArgs) => unknown>)[spec.tfjs]!(tfArgs);
  }

  /** Arguments every layer accepts. */
  common(args: AnyArgs): AnyArgs {
    args['name'] = this.layer.name;
    this.ignore('name', 'input_shape', 'batch_input_shape', 'batch_size', 'input_dim', 'input_length', 'seed', 'autocast');
    const trainable = this.bool('trainable');
    if (trainable === false) args['trainable'] = false;
    this.only('dtype', 'float32', null);
    this.only('dtype_policy', 'float32', null);
    return args;
  }

  /** kernel/bias initializers, regularizers, constraints, activity regularizer. */
  weights(args: AnyArgs, prefixes: string[]): void {
    for (const p of prefixes) {
      const init = this.initializer(`${p}_initializer`);
      if (init !== undefined) args[`${camel(p)}Initializer`] = init;
      const reg = this.regularizer(`${p}_regularizer`);
      if (reg !== undefined) args[`${camel(p)}Regularizer`] = reg;
      const con = this.constraint(`${p}_constraint`);
      if (con !== undefined) args[`${camel(p)}Constraint`] = con;
    }
    const act = this.regularizer('activity_regularizer');
    if (act !== undefined) args['activityRegularizer'] = act;
  }

  /** Fails on any config key no converter consumed. */
  done(): void {
    const left = Object.keys(this.config).filter((k) => !this.used.has(k) && this.config[k] !== undefined);
    if (left.length) this.fail(`argument${left.length > 1 ? 's' : ''} ${left.map((k) => `${k}=${JSON.stringify(this.config[k])}`).join(', ')} ${left.length > 1 ? 'have' : 'has'} no tfjs counterpart`);
  }
}

function set(args: AnyArgs, key: string, value: unknown): void {
  if (value !== undefined) args[key] = value;
}

function channelsLast(r: ConfigReader, args: AnyArgs): void {
  const df = r.str('data_format');
  if (df === undefined) return;
  if (df !== 'channels_last' && df !== 'channels_first') r.fail(`data_format=${JSON.stringify(df)} is not valid`);
  args['dataFormat'] = df === 'channels_last' ? 'channelsLast' : 'channelsFirst';
}

function padding(r: ConfigReader, args: AnyArgs, allowCausal = false): void {
  const p = r.str('padding');
  if (p === undefined) return;
  if (p !== 'valid' && p !== 'same' && !(allowCausal && p === 'causal')) r.fail(`padding=${JSON.stringify(p)} has no tfjs counterpart`);
  args['padding'] = p;
}

function conv(r: ConfigReader, args: AnyArgs, rank: number): AnyArgs {
  set(args, 'filters', r.num('filters'));
  set(args, 'kernelSize', r.ints('kernel_size'));
  set(args, 'strides', r.ints('strides'));
  padding(r, args, rank === 1);
  channelsLast(r, args);
  set(args, 'dilationRate', r.ints('dilation_rate'));
  r.only('groups', 1);
  set(args, 'activation', r.activation());
  set(args, 'useBias', r.bool('use_bias'));
  r.weights(args, ['kernel', 'bias']);
  return args;
}

function pool(r: ConfigReader, args: AnyArgs): AnyArgs {
  set(args, 'poolSize', r.ints('pool_size'));
  set(args, 'strides', r.ints('strides'));
  padding(r, args);
  channelsLast(r, args);
  return args;
}

function globalPool(r: ConfigReader, args: AnyArgs): AnyArgs {
  channelsLast(r, args);
  r.only('keepdims', false);
  return args;
}

function recurrent(r: ConfigReader, args: AnyArgs, kind: 'LSTM' | 'GRU' | 'SimpleRNN'): AnyArgs {
  set(args, 'units', r.num('units'));
  args['activation'] = r.activation() ?? 'tanh';
  if (kind !== 'SimpleRNN') args['recurrentActivation'] = r.activation('recurrent_activation') ?? 'sigmoid';
  set(args, 'useBias', r.bool('use_bias'));
  args['kernelInitializer'] = r.initializer('kernel_initializer') ?? r.tf.initializers.glorotUniform({});
  args['recurrentInitializer'] = r.initializer('recurrent_initializer') ?? r.tf.initializers.orthogonal({});
  args['biasInitializer'] = r.initializer('bias_initializer') ?? r.tf.initializers.zeros();
  for (const p of ['kernel', 'recurrent', 'bias']) {
    const reg = r.regularizer(`${p}_regularizer`);
    if (reg !== undefined) args[`${p}Regularizer`] = reg;
    const con = r.constraint(`${p}_constraint`);
    if (con !== undefined) args[`${p}Constraint`] = con;
  }
  const act = r.regularizer('activity_regularizer');
  if (act !== undefined) args['activityRegularizer'] = act;
  set(args, 'dropout', r.num('dropout'));
  set(args, 'recurrentDropout', r.num('recurrent_dropout'));
  set(args, 'returnSequences', r.bool('return_sequences'));
  if (r.bool('return_state')) r.fail('return_state=True is not supported by the trainer');
  set(args, 'goBackwards', r.bool('go_backwards'));
  r.only('stateful', false);
  set(args, 'unroll', r.bool('unroll'));
  r.ignore('use_cudnn', 'time_major');
  if (kind === 'LSTM') set(args, 'unitForgetBias', r.bool('unit_forget_bias') ?? true);
  if (kind === 'GRU') {
    const resetAfter = r.bool('reset_after');
    if (resetAfter !== false) r.fail("GRU with reset_after=True (Keras's default) has no tfjs counterpart; tfjs implements reset_after=False only");
  }
  return args;
}

/** Positional Keras object args of wrapped layers (`Bidirectional(LSTM(8))`). */
const WRAPPED_PARAMS: Record<string, string[]> = {
  LSTM: ['units'],
  GRU: ['units'],
  SimpleRNN: ['units'],
  Dense: ['units'],
  Conv1D: ['filters', 'kernel_size'],
  Conv2D: ['filters', 'kernel_size'],
  Dropout: ['rate'],
};

type Converter = (r: ConfigReader, tf: Tf) => TfLayer;

const CONVERTERS: Record<string, Converter> = {
  Dense: (r, tf) => {
    const a = r.common({});
    set(a, 'units', r.num('units'));
    set(a, 'activation', r.activation());
    set(a, 'useBias', r.bool('use_bias'));
    r.weights(a, ['kernel', 'bias']);
    r.only('lora_rank', null);
    return tf.layers.dense(a as never);
  },
  Conv1D: (r, tf) => tf.layers.conv1d(conv(r, r.common({}), 1) as never),
  Conv2D: (r, tf) => tf.layers.conv2d(conv(r, r.common({}), 2) as never),
  Conv3D: (r, tf) => tf.layers.conv3d(conv(r, r.common({}), 3) as never),
  Conv2DTranspose: (r, tf) => {
    const a = conv(r, r.common({}), 2);
    r.only('output_padding', null);
    return tf.layers.conv2dTranspose(a as never);
  },
  SeparableConv2D: (r, tf) => {
    const a = r.common({});
    set(a, 'filters', r.num('filters'));
    set(a, 'kernelSize', r.ints('kernel_size'));
    set(a, 'strides', r.ints('strides'));
    padding(r, a);
    channelsLast(r, a);
    set(a, 'dilationRate', r.ints('dilation_rate'));
    set(a, 'depthMultiplier', r.num('depth_multiplier'));
    set(a, 'activation', r.activation());
    set(a, 'useBias', r.bool('use_bias'));
    r.weights(a, ['depthwise', 'pointwise', 'bias']);
    return tf.layers.separableConv2d(a as never);
  },
  DepthwiseConv2D: (r, tf) => {
    const a = r.common({});
    set(a, 'kernelSize', r.ints('kernel_size'));
    set(a, 'strides', r.ints('strides'));
    padding(r, a);
    channelsLast(r, a);
    set(a, 'dilationRate', r.ints('dilation_rate'));
    set(a, 'depthMultiplier', r.num('depth_multiplier'));
    set(a, 'activation', r.activation());
    set(a, 'useBias', r.bool('use_bias'));
    r.weights(a, ['depthwise', 'bias']);
    return tf.layers.depthwiseConv2d(a as never);
  },
  MaxPooling1D: (r, tf) => tf.layers.maxPooling1d(pool(r, r.common({})) as never),
  MaxPooling2D: (r, tf) => tf.layers.maxPooling2d(pool(r, r.common({})) as never),
  MaxPooling3D: (r, tf) => tf.layers.maxPooling3d(pool(r, r.common({})) as never),
  AveragePooling1D: (r, tf) => tf.layers.averagePooling1d(pool(r, r.common({})) as never),
  AveragePooling2D: (r, tf) => tf.layers.averagePooling2d(pool(r, r.common({})) as never),
  AveragePooling3D: (r, tf) => tf.layers.averagePooling3d(pool(r, r.common({})) as never),
  GlobalAveragePooling1D: (r, tf) => tf.layers.globalAveragePooling1d(globalPool(r, r.common({})) as never),
  GlobalAveragePooling2D: (r, tf) => tf.layers.globalAveragePooling2d(globalPool(r, r.common({})) as never),
  GlobalMaxPooling1D: (r, tf) => tf.layers.globalMaxPooling1d(globalPool(r, r.common({})) as never),
  GlobalMaxPooling2D: (r, tf) => tf.layers.globalMaxPooling2d(globalPool(r, r.common({})) as never),
  Flatten: (r, tf) => {
    const a = r.common({});
    channelsLast(r, a);
    return tf.layers.flatten(a as never);
  },
  Reshape: (r, tf) => {
    const a = r.common({});
    set(a, 'targetShape', r.ints('target_shape'));
    return tf.layers.reshape(a as never);
  },
  Permute: (r, tf) => {
    const a = r.common({});
    set(a, 'dims', r.ints('dims'));
    return tf.layers.permute(a as never);
  },
  RepeatVector: (r, tf) => {
    const a = r.common({});
    set(a, 'n', r.num('n'));
    return tf.layers.repeatVector(a as never);
  },
  Dropout: (r, tf) => {
    const a = r.common({});
    set(a, 'rate', r.num('rate'));
    r.only('noise_shape', null);
    return tf.layers.dropout(a as never);
  },
  SpatialDropout1D: (r, tf) => {
    const a = r.common({});
    set(a, 'rate', r.num('rate'));
    return tf.layers.spatialDropout1d(a as never);
  },
  GaussianNoise: (r, tf) => {
    const a = r.common({});
    set(a, 'stddev', r.num('stddev'));
    return tf.layers.gaussianNoise(a as never);
  },
  GaussianDropout: (r, tf) => {
    const a = r.common({});
    set(a, 'rate', r.num('rate'));
    return tf.layers.gaussianDropout(a as never);
  },
  AlphaDropout: (r, tf) => {
    const a = r.common({});
    set(a, 'rate', r.num('rate'));
    r.only('noise_shape', null);
    return tf.layers.alphaDropout(a as never);
  },
  BatchNormalization: (r, tf) => {
    const a = r.common({});
    set(a, 'axis', r.num('axis'));
    set(a, 'momentum', r.num('momentum'));
    set(a, 'epsilon', r.num('epsilon'));
    set(a, 'center', r.bool('center'));
    set(a, 'scale', r.bool('scale'));
    r.weights(a, ['beta', 'gamma']);
    r.ignore('activity_regularizer');
    const mm = r.initializer('moving_mean_initializer');
    if (mm !== undefined) a['movingMeanInitializer'] = mm;
    const mv = r.initializer('moving_variance_initializer');
    if (mv !== undefined) a['movingVarianceInitializer'] = mv;
    r.only('synchronized', false);
    r.only('renorm', false);
    return tf.layers.batchNormalization(a as never);
  },
  LayerNormalization: (r, tf) => {
    const a = r.common({});
    set(a, 'axis', r.ints('axis'));
    set(a, 'epsilon', r.num('epsilon'));
    set(a, 'center', r.bool('center'));
    set(a, 'scale', r.bool('scale'));
    r.weights(a, ['beta', 'gamma']);
    r.only('rms_scaling', false);
    return tf.layers.layerNormalization(a as never);
  },
  Embedding: (r, tf) => {
    const a = r.common({});
    set(a, 'inputDim', r.num('input_dim'));
    set(a, 'outputDim', r.num('output_dim'));
    a['embeddingsInitializer'] = r.initializer('embeddings_initializer') ?? tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 });
    const reg = r.regularizer('embeddings_regularizer');
    if (reg !== undefined) a['embeddingsRegularizer'] = reg;
    const con = r.constraint('embeddings_constraint');
    if (con !== undefined) a['embeddingsConstraint'] = con;
    const act = r.regularizer('activity_regularizer');
    if (act !== undefined) a['activityRegularizer'] = act;
    set(a, 'maskZero', r.bool('mask_zero'));
    r.only('sparse', false);
    r.only('lora_rank', null);
    return tf.layers.embedding(a as never);
  },
  LSTM: (r, tf) => tf.layers.lstm(recurrent(r, r.common({}), 'LSTM') as never),
  GRU: (r, tf) => tf.layers.gru(recurrent(r, r.common({}), 'GRU') as never),
  SimpleRNN: (r, tf) => tf.layers.simpleRNN(recurrent(r, r.common({}), 'SimpleRNN') as never),
  Bidirectional: (r, tf) => {
    const a = r.common({});
    a['layer'] = wrapped(r, tf, 'layer');
    const mode = r.str('merge_mode');
    if (mode !== undefined) a['mergeMode'] = mode;
    r.only('backward_layer', null);
    return tf.layers.bidirectional(a as never);
  },
  TimeDistributed: (r, tf) => {
    const a = r.common({});
    a['layer'] = wrapped(r, tf, 'layer');
    return tf.layers.timeDistributed(a as never);
  },
  Add: (r, tf) => tf.layers.add(r.common({}) as never),
  Multiply: (r, tf) => tf.layers.multiply(r.common({}) as never),
  Average: (r, tf) => tf.layers.average(r.common({}) as never),
  Maximum: (r, tf) => tf.layers.maximum(r.common({}) as never),
  Minimum: (r, tf) => tf.layers.minimum(r.common({}) as never),
  Concatenate: (r, tf) => {
    const a = r.common({});
    set(a, 'axis', r.num('axis'));
    return tf.layers.concatenate(a as never);
  },
  Dot: (r, tf) => {
    const a = r.common({});
    set(a, 'axes', r.ints('axes'));
    set(a, 'normalize', r.bool('normalize'));
    return tf.layers.dot(a as never);
  },
  Activation: (r, tf) => {
    const a = r.common({});
    set(a, 'activation', r.activation() ?? 'linear');
    return tf.layers.activation(a as never);
  },
  ReLU: (r, tf) => {
    const a = r.common({});
    set(a, 'maxValue', r.num('max_value'));
    r.only('negative_slope', 0, 0.0);
    r.only('threshold', 0, 0.0);
    return tf.layers.reLU(a as never);
  },
  LeakyReLU: (r, tf) => {
    const a = r.common({});
    a['alpha'] = r.num('negative_slope') ?? r.num('alpha') ?? 0.3;
    return tf.layers.leakyReLU(a as never);
  },
  PReLU: (r, tf) => {
    const a = r.common({});
    const init = r.initializer('alpha_initializer');
    if (init !== undefined) a['alphaInitializer'] = init;
    const reg = r.regularizer('alpha_regularizer');
    if (reg !== undefined) a['alphaRegularizer'] = reg;
    const con = r.constraint('alpha_constraint');
    if (con !== undefined) a['alphaConstraint'] = con;
    set(a, 'sharedAxes', r.ints('shared_axes'));
    return tf.layers.prelu(a as never);
  },
  ELU: (r, tf) => {
    const a = r.common({});
    set(a, 'alpha', r.num('alpha'));
    return tf.layers.elu(a as never);
  },
  Softmax: (r, tf) => {
    const a = r.common({});
    set(a, 'axis', r.num('axis'));
    return tf.layers.softmax(a as never);
  },
  ZeroPadding2D: (r, tf) => {
    const a = r.common({});
    set(a, 'padding', r.ints('padding'));
    channelsLast(r, a);
    return tf.layers.zeroPadding2d(a as never);
  },
  Cropping2D: (r, tf) => {
    const a = r.common({});
    set(a, 'cropping', r.ints('cropping'));
    channelsLast(r, a);
    return tf.layers.cropping2D(a as never);
  },
  UpSampling2D: (r, tf) => {
    const a = r.common({});
    set(a, 'size', r.ints('size'));
    channelsLast(r, a);
    const i = r.str('interpolation');
    if (i !== undefined && i !== 'nearest' && i !== 'bilinear') r.fail(`interpolation=${JSON.stringify(i)} has no tfjs counterpart`);
    set(a, 'interpolation', i);
    return tf.layers.upSampling2d(a as never);
  },
  Masking: (r, tf) => {
    const a = r.common({});
    set(a, 'maskValue', r.num('mask_value'));
    return tf.layers.masking(a as never);
  },
  Rescaling: (r, tf) => {
    const a = r.common({});
    set(a, 'scale', r.num('scale'));
    set(a, 'offset', r.num('offset'));
    return tf.layers.rescaling(a as never);
  },
};

function wrapped(r: ConfigReader, tf: Tf, key: string): TfLayer {
  const v = r.raw(key);
  if (!isObj(v)) return r.fail(`argument ${key}= must be a layer`);
  const inner = objectArgs(v, WRAPPED_PARAMS[v.$class] ?? []);
  const name = typeof inner['name'] === 'string' ? inner['name'] : `${r.layer.name}_${v.$class.toLowerCase()}`;
  return convertLayer(tf, { name, className: v.$class, ...(r.layer.line ? { line: r.layer.line } : {}) }, inner);
}

/** Classes this module can build. */
export function supportedClasses(): string[] {
  return Object.keys(CONVERTERS);
}

/** Builds the tfjs layer for one Keras layer; throws ModelBuildError naming what has no counterpart. */
export function convertLayer(tf: Tf, layer: { name: string; className: string; line?: number }, config: Record<string, ConfigValue>): TfLayer {
  const converter = CONVERTERS[layer.className];
  const r = new ConfigReader(tf, layer, config);
  if (!converter) r.fail(`the Keras class ${layer.className} has no tfjs counterpart in the trainer`);
  const out = converter(r, tf);
  r.done();
  return out;
}
