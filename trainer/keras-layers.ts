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

  /** A scalar of one JS type; absent or None reads as undefined. */
  private scalar<T extends ConfigValue>(key: string, type: 'number' | 'boolean' | 'string', expected: string): T | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== type) this.fail(`argument ${key}= must be ${expected}, got ${JSON.stringify(v)}`);
    return v as T;
  }

  num(key: string): number | undefined {
    return this.scalar<number>(key, 'number', 'a number');
  }

  bool(key: string): boolean | undefined {
    return this.scalar<boolean>(key, 'boolean', 'True or False');
  }

  str(key: string): string | undefined {
    return this.scalar<string>(key, 'string', 'a string');
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

  /** A Keras object given by name or class, looked up in `table`, with its arguments; undefined when absent or None. */
  private lookup<S extends { params: string[] }>(key: string, kind: string, table: Record<string, S>): { v: ConfigValue; name: string; spec: S; args: Record<string, ConfigValue> } | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    const name = typeof v === 'string' ? v : isObj(v) ? v.$class : undefined;
    const spec = name ? table[name] : undefined;
    if (!spec || name === undefined) return this.fail(`${kind} ${JSON.stringify(v)} (${key}=) has no tfjs counterpart`);
    return { v, name, spec, args: isObj(v) ? objectArgs(v, spec.params) : {} };
  }

  initializer(key: string): unknown {
    const found = this.lookup(key, 'initializer', INITIALIZERS);
    if (!found) return undefined;
    const { spec, args } = found;
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
    const found = this.lookup(key, 'regularizer', REGULARIZERS);
    if (!found) return undefined;
    const { v, name, spec, args } = found;
    let l1 = name === 'L1L2' ? 0 : spec.l1;
    let l2 = name === 'L1L2' ? 0 : spec.l2;
    if (args['l1'] !== undefined) l1 = Number(args['l1']);
    if (args['l2'] !== undefined) l2 = Number(args['l2']);
    if (!Number.isFinite(l1) || !Number.isFinite(l2)) this.fail(`regularizer ${JSON.stringify(v)} has non-constant factors`);
    return this.tf.regularizers.l1l2({ l1, l2 });
  }

  constraint(key: string): unknown {
    const found = this.lookup(key, 'constraint', CONSTRAINTS);
    if (!found) return undefined;
    const { spec, args } = found;
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

/**
 * One step of a declarative converter: reads some config keys, sets some tfjs args. Steps run in
 * the order they are listed, so the first unsupported argument named in an error is the same
 * one the hand-written sequence would have named.
 */
type Step = (r: ConfigReader, args: AnyArgs) => unknown;

/** `key` read as a number / int tuple / bool / …, set (when given) under its camelCase tfjs name. */
const num = (key: string): Step => (r, a) => set(a, camel(key), r.num(key));
const ints = (key: string): Step => (r, a) => set(a, camel(key), r.ints(key));
const bool = (key: string): Step => (r, a) => set(a, camel(key), r.bool(key));
const initializer = (key: string): Step => (r, a) => set(a, camel(key), r.initializer(key));
const regularizer = (key: string): Step => (r, a) => set(a, camel(key), r.regularizer(key));
const constraint = (key: string): Step => (r, a) => set(a, camel(key), r.constraint(key));
const activation: Step = (r, a) => set(a, 'activation', r.activation());
/** Keras arguments that must keep their default (tfjs has no such option). */
const only = (key: string, ...allowed: ConfigValue[]): Step => (r) => r.only(key, ...allowed);
const ignore = (...keys: string[]): Step => (r) => r.ignore(...keys);
const weights = (...prefixes: string[]): Step => (r, a) => r.weights(a, prefixes);

/** Names of `tf.layers` factories that take one args object and return a layer. */
type LayerFactory = { [K in keyof Tf['layers']]: Tf['layers'][K] extends (args: never) => TfLayer ? K : never }[keyof Tf['layers']];

/** A converter that reads the common arguments, runs `steps` in order and calls `tf.layers[factory]`. */
function layer(factory: LayerFactory, ...steps: Step[]): Converter {
  return (r, tf) => {
    const a = r.common({});
    for (const step of steps) step(r, a);
    return (tf.layers[factory] as (args: AnyArgs) => TfLayer)(a);
  };
}

/** The kernel-to-bias steps shared by the depthwise convolutions (SeparableConv2D adds `filters`). */
const depthwiseSteps: Step[] = [ints('kernel_size'), ints('strides'), padding, channelsLast, ints('dilation_rate'), num('depth_multiplier'), activation, bool('use_bias')];

const CONVERTERS: Record<string, Converter> = {
  Dense: layer('dense', num('units'), activation, bool('use_bias'), weights('kernel', 'bias'), only('lora_rank', null)),
  Conv1D: layer('conv1d', (r, a) => conv(r, a, 1)),
  Conv2D: layer('conv2d', (r, a) => conv(r, a, 2)),
  Conv3D: layer('conv3d', (r, a) => conv(r, a, 3)),
  Conv2DTranspose: layer('conv2dTranspose', (r, a) => conv(r, a, 2), only('output_padding', null)),
  SeparableConv2D: layer('separableConv2d', num('filters'), ...depthwiseSteps, weights('depthwise', 'pointwise', 'bias')),
  DepthwiseConv2D: layer('depthwiseConv2d', ...depthwiseSteps, weights('depthwise', 'bias')),
  MaxPooling1D: layer('maxPooling1d', pool),
  MaxPooling2D: layer('maxPooling2d', pool),
  MaxPooling3D: layer('maxPooling3d', pool),
  AveragePooling1D: layer('averagePooling1d', pool),
  AveragePooling2D: layer('averagePooling2d', pool),
  AveragePooling3D: layer('averagePooling3d', pool),
  GlobalAveragePooling1D: layer('globalAveragePooling1d', globalPool),
  GlobalAveragePooling2D: layer('globalAveragePooling2d', globalPool),
  GlobalMaxPooling1D: layer('globalMaxPooling1d', globalPool),
  GlobalMaxPooling2D: layer('globalMaxPooling2d', globalPool),
  Flatten: layer('flatten', channelsLast),
  Reshape: layer('reshape', ints('target_shape')),
  Permute: layer('permute', ints('dims')),
  RepeatVector: layer('repeatVector', num('n')),
  Dropout: layer('dropout', num('rate'), only('noise_shape', null)),
  SpatialDropout1D: layer('spatialDropout1d', num('rate')),
  GaussianNoise: layer('gaussianNoise', num('stddev')),
  GaussianDropout: layer('gaussianDropout', num('rate')),
  AlphaDropout: layer('alphaDropout', num('rate'), only('noise_shape', null)),
  BatchNormalization: layer(
    'batchNormalization',
    num('axis'),
    num('momentum'),
    num('epsilon'),
    bool('center'),
    bool('scale'),
    weights('beta', 'gamma'),
    ignore('activity_regularizer'),
    initializer('moving_mean_initializer'),
    initializer('moving_variance_initializer'),
    only('synchronized', false),
    only('renorm', false),
  ),
  LayerNormalization: layer('layerNormalization', ints('axis'), num('epsilon'), bool('center'), bool('scale'), weights('beta', 'gamma'), only('rms_scaling', false)),
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
  LSTM: layer('lstm', (r, a) => recurrent(r, a, 'LSTM')),
  GRU: layer('gru', (r, a) => recurrent(r, a, 'GRU')),
  SimpleRNN: layer('simpleRNN', (r, a) => recurrent(r, a, 'SimpleRNN')),
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
  Add: layer('add'),
  Multiply: layer('multiply'),
  Average: layer('average'),
  Maximum: layer('maximum'),
  Minimum: layer('minimum'),
  Concatenate: layer('concatenate', num('axis')),
  Dot: layer('dot', ints('axes'), bool('normalize')),
  Activation: (r, tf) => {
    const a = r.common({});
    set(a, 'activation', r.activation() ?? 'linear');
    return tf.layers.activation(a as never);
  },
  ReLU: layer('reLU', num('max_value'), only('negative_slope', 0, 0.0), only('threshold', 0, 0.0)),
  LeakyReLU: (r, tf) => {
    const a = r.common({});
    a['alpha'] = r.num('negative_slope') ?? r.num('alpha') ?? 0.3;
    return tf.layers.leakyReLU(a as never);
  },
  PReLU: layer('prelu', initializer('alpha_initializer'), regularizer('alpha_regularizer'), constraint('alpha_constraint'), ints('shared_axes')),
  ELU: layer('elu', num('alpha')),
  Softmax: layer('softmax', num('axis')),
  ZeroPadding2D: layer('zeroPadding2d', ints('padding'), channelsLast),
  Cropping2D: layer('cropping2D', ints('cropping'), channelsLast),
  UpSampling2D: (r, tf) => {
    const a = r.common({});
    set(a, 'size', r.ints('size'));
    channelsLast(r, a);
    const i = r.str('interpolation');
    if (i !== undefined && i !== 'nearest' && i !== 'bilinear') r.fail(`interpolation=${JSON.stringify(i)} has no tfjs counterpart`);
    set(a, 'interpolation', i);
    return tf.layers.upSampling2d(a as never);
  },
  Masking: layer('masking', num('mask_value')),
  Rescaling: layer('rescaling', num('scale'), num('offset')),
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
