/**
 * What calling a Keras / TensorFlow / NumPy API does: constructing layers, inputs, Keras objects
 * (regularizers, optimizers…), applications, datasets — dispatched on the canonical path.
 */
import { type Shape } from '../graph/model-graph';
import { apiValue } from './keras-api';
import { callLayer, constructLayer, layerValue, shapeValue } from './keras-build';
import { makeFunctional, makeSequential } from './keras-models';
import { type LayerObj, type TensorObj } from './keras-objects';
import { flatInputs, numpyCall, tensorOp, unknownTensorFunction } from './keras-ops';
import { applicationBuild, type ApplicationArgs } from './keras-applications';
import { DATASETS, toDims, type Dims } from './keras-shapes';
import { NONE, list, str, tuple, type Value, unknown } from './values';
import type { CallArgs } from './interpreter';
import type { KerasRuntime } from './keras-runtime';

const REGULARIZER_SHORTCUTS: Record<string, { cls: string; params: string[] }> = {
  l1: { cls: 'L1', params: ['l1'] },
  l2: { cls: 'L2', params: ['l2'] },
  l1_l2: { cls: 'L1L2', params: ['l1', 'l2'] },
  L1: { cls: 'L1', params: ['l1'] },
  L2: { cls: 'L2', params: ['l2'] },
  L1L2: { cls: 'L1L2', params: ['l1', 'l2'] },
};

/** Positional parameters of the Keras objects people construct with positional arguments (Keras 3 signatures). */
const KERAS_OBJECT_PARAMS: Record<string, string[]> = {
  Constant: ['value'],
  RandomNormal: ['mean', 'stddev', 'seed'],
  RandomUniform: ['minval', 'maxval', 'seed'],
  TruncatedNormal: ['mean', 'stddev', 'seed'],
  GlorotUniform: ['seed'],
  GlorotNormal: ['seed'],
  HeNormal: ['seed'],
  HeUniform: ['seed'],
  LecunNormal: ['seed'],
  LecunUniform: ['seed'],
  Orthogonal: ['gain', 'seed'],
  Identity: ['gain'],
  VarianceScaling: ['scale', 'mode', 'distribution', 'seed'],
  MaxNorm: ['max_value', 'axis'],
  MinMaxNorm: ['min_value', 'max_value', 'rate', 'axis'],
  UnitNorm: ['axis'],
  OrthogonalRegularizer: ['factor', 'mode'],
  SGD: ['learning_rate', 'momentum', 'nesterov'],
  Adam: ['learning_rate', 'beta_1', 'beta_2', 'epsilon', 'amsgrad'],
  AdamW: ['learning_rate', 'weight_decay', 'beta_1', 'beta_2', 'epsilon', 'amsgrad'],
  Adamax: ['learning_rate', 'beta_1', 'beta_2', 'epsilon'],
  Nadam: ['learning_rate', 'beta_1', 'beta_2', 'epsilon'],
  RMSprop: ['learning_rate', 'rho', 'momentum', 'epsilon', 'centered'],
  Adagrad: ['learning_rate', 'initial_accumulator_value', 'epsilon'],
  Adadelta: ['learning_rate', 'rho', 'epsilon'],
  Ftrl: ['learning_rate', 'learning_rate_power', 'initial_accumulator_value', 'l1_regularization_strength', 'l2_regularization_strength'],
  Lion: ['learning_rate', 'beta_1', 'beta_2'],
  CategoricalCrossentropy: ['from_logits', 'label_smoothing', 'axis'],
  SparseCategoricalCrossentropy: ['from_logits', 'ignore_class'],
  BinaryCrossentropy: ['from_logits', 'label_smoothing', 'axis'],
  BinaryFocalCrossentropy: ['apply_class_balancing', 'alpha', 'gamma', 'from_logits', 'label_smoothing', 'axis'],
  CategoricalFocalCrossentropy: ['alpha', 'gamma', 'from_logits', 'label_smoothing', 'axis'],
  Huber: ['delta'],
  MeanSquaredError: ['reduction', 'name'],
  MeanAbsoluteError: ['reduction', 'name'],
  KLDivergence: ['reduction', 'name'],
  CosineSimilarity: ['axis'],
  ExponentialDecay: ['initial_learning_rate', 'decay_steps', 'decay_rate', 'staircase'],
  PiecewiseConstantDecay: ['boundaries', 'values'],
  CosineDecay: ['initial_learning_rate', 'decay_steps', 'alpha'],
  InverseTimeDecay: ['initial_learning_rate', 'decay_steps', 'decay_rate', 'staircase'],
  EarlyStopping: ['monitor', 'min_delta', 'patience'],
  ModelCheckpoint: ['filepath', 'monitor'],
};

/** Tensor constructors in keras.ops / tf, mapped to the NumPy call with the same shape rule. */
const TENSOR_CREATORS: Record<string, string> = {
  normal: 'random.normal',
  uniform: 'random.uniform',
  random_normal: 'random.normal',
  random_uniform: 'random.uniform',
  constant: 'array',
  convert_to_tensor: 'array',
};

const MERGE_FUNCTIONS: Record<string, string> = {
  add: 'Add',
  concatenate: 'Concatenate',
  multiply: 'Multiply',
  average: 'Average',
  maximum: 'Maximum',
  minimum: 'Minimum',
  subtract: 'Subtract',
  dot: 'Dot',
};

/** What the path patterns of callApi say about a path (a pure function of it, so computed once per path). */
interface ApiRoute {
  application: RegExpExecArray | null;
  layerClass: RegExpExecArray | null;
  merge: RegExpExecArray | null;
  kobj: RegExpExecArray | null;
  dataset: RegExpExecArray | null;
  creator: RegExpExecArray | null;
  op: RegExpExecArray | null;
}

const routeCache = new Map<string, ApiRoute>();
const ROUTE_CACHE_LIMIT = 10_000;

function routeOf(path: string): ApiRoute {
  let route = routeCache.get(path);
  if (!route) {
    route = {
      application: /^keras\.applications\.(?:[a-z_0-9]+\.)?([A-Z]\w*)$/.exec(path),
      layerClass: /^keras\.layers\.([A-Z]\w*)$/.exec(path),
      merge: /^keras\.layers\.([a-z]+)$/.exec(path),
      kobj: /^keras\.(regularizers|initializers|constraints|optimizers|losses|metrics|callbacks|optimizers\.schedules)\.(\w+)$/.exec(path),
      dataset: /^keras\.datasets\.(\w+)\.load_data$/.exec(path),
      creator: /^(?:keras\.ops|keras\.random|tf|tf\.random)\.(ones|zeros|full|empty|eye|arange|linspace|normal|uniform|random_normal|random_uniform|constant|convert_to_tensor)$/.exec(path),
      op: /^(keras\.ops|keras\.backend|keras\.activations|tf|tf\.math|tf\.nn|tf\.linalg)\.(\w+)$/.exec(path),
    };
    if (routeCache.size >= ROUTE_CACHE_LIMIT) routeCache.clear();
    routeCache.set(path, route);
  }
  return route;
}

export function callApi(rt: KerasRuntime, path: string, args: CallArgs): Value {
  if (path === 'keras.Sequential') return makeSequential(rt, args);
  if (path === 'keras.Model') return makeFunctional(rt, args);
  if (path === 'keras.Input') return makeInput(rt, args);
  if (path === 'keras.layers.InputLayer') return layerValue(inputLayerFromArgs(rt, args));
  if (path === 'keras.backend.clear_session' || path === 'keras.utils.clear_session') {
    rt.names.reset();
    return NONE;
  }
  const { application, layerClass, merge, kobj, dataset, creator, op } = routeOf(path);
  if (application) return layerValue(makeApplication(rt, application[1], args));
  if (layerClass) return layerValue(constructLayer(rt, layerClass[1], args));
  if (merge && MERGE_FUNCTIONS[merge[1]]) return mergeFunction(rt, MERGE_FUNCTIONS[merge[1]], args);
  if (kobj) return kerasObject(kobj[1], kobj[2], args);
  if (dataset) return loadDataset(dataset[1]);
  if (path === 'keras.utils.to_categorical') return toCategorical(args);
  if (path === 'keras.activations.get') {
    const a = args.positional[0];
    return a?.k === 'str' ? apiValue(`keras.activations.${a.v}`) : a?.k === 'none' || !a ? apiValue('keras.activations.linear') : a;
  }
  if (path === 'keras.backend.int_shape') return args.positional[0]?.k === 'tensor' ? shapeValue(args.positional[0].t.shape) : unknown('int_shape');
  if (creator) return numpyCall(rt, TENSOR_CREATORS[creator[1]] ?? creator[1], args);
  noteTensorFlowOnKerasTensor(rt, path, args);
  if (op) return tensorOp(rt, op[1], op[2], args);
  if (path.startsWith('np.')) return numpyCall(rt, path.slice(3), args);
  if (path === 'argparse.ArgumentParser') return { k: 'kobj', cls: 'ArgumentParser', args: {} };
  if (path === 'functools.partial' && args.positional[0]) {
    const [func, ...bound] = args.positional;
    const keywords: Value = { k: 'dict', keys: [...args.keywords.keys()].map(str), values: [...args.keywords.values()] };
    return { k: 'kobj', cls: 'partial', args: { func, args: tuple(bound), keywords } };
  }
  if (path === 'tf.data.Dataset.from_tensor_slices') return { k: 'kobj', cls: 'Dataset', args: { data: args.positional[0] ?? NONE } };
  return unknownTensorFunction(rt, path, args) ?? unknown(`call ${path}`);
}

/**
 * A TensorFlow function given a symbolic Keras tensor while a model is built (not inside a layer's
 * call): Keras 3 raises there (checked for tf.reduce_mean, tf.concat, tf.nn.relu, tf.image.resize).
 * Operators (`x * 2`) and keras.ops are fine. The analysis goes on as if it had worked.
 */
function noteTensorFlowOnKerasTensor(rt: KerasRuntime, path: string, args: CallArgs): void {
  if (!/^tf\.(?!data\.|keras\.|io\.|random\.|config\.|summary\.)\w/.test(path) || rt.insideCall > 0) return;
  const symbolic = [...flatInputs(args), ...args.keywords.values()].some((v) => v.k === 'tensor' && v.t.producer !== null);
  if (symbolic) rt.tfOnKerasTensors.push({ node: args.node, path, file: rt.currentModule?.file });
}

export function kerasObject(module: string, name: string, args: CallArgs): Value {
  const shortcut = module === 'regularizers' ? REGULARIZER_SHORTCUTS[name] : undefined;
  const cls = shortcut?.cls ?? name;
  const params = shortcut?.params ?? KERAS_OBJECT_PARAMS[cls] ?? [];
  const out: Record<string, Value> = {};
  args.positional.forEach((v, i) => (out[params[i] ?? `arg${i}`] = v));
  for (const [k, v] of args.keywords) out[k] = v;
  return { k: 'kobj', cls, args: out };
}

export function mergeFunction(rt: KerasRuntime, className: string, args: CallArgs): Value {
  const [inputs, ...rest] = args.positional;
  const ctorArgs: CallArgs = { ...args, positional: rest, positionalNodes: args.positionalNodes.slice(1) };
  const layer = constructLayer(rt, className, ctorArgs);
  return callLayer(rt, layer, { ...args, positional: [inputs ?? unknown()], keywords: new Map() });
}

export function makeInput(rt: KerasRuntime, args: CallArgs): Value {
  const names = ['shape', 'batch_size', 'dtype', 'sparse', 'batch_shape', 'name', 'tensor'];
  const get = (key: string) => args.keywords.get(key) ?? args.positional[names.indexOf(key)];
  const batchShapeValue = get('batch_shape');
  let batchShape: Shape | null;
  if (batchShapeValue && batchShapeValue.k !== 'none') batchShape = toDims(batchShapeValue);
  else {
    const shape = toDims(get('shape'));
    const batch = get('batch_size');
    batchShape = shape ? [batch?.k === 'num' ? batch.v : null, ...shape] : null;
  }
  const layer = rt.makeInputLayer(batchShape ?? [null], get('name'), rt.interp.rangeOf(args.node), args.keywordNodes.get('name'));
  const dtype = get('dtype');
  if (dtype && dtype.k !== 'none') layer.config.dtype = rt.config(dtype, args.keywordNodes.get('dtype'));
  if (!batchShape) {
    layer.approximate = true;
    layer.nodes[0].outputs[0].shape = null;
    layer.firstOutput = null;
  }
  return { k: 'tensor', t: layer.nodes[0].outputs[0] };
}

export function inputLayerFromArgs(rt: KerasRuntime, args: CallArgs): LayerObj {
  const tensor = makeInput(rt, args);
  return (tensor as { t: TensorObj }).t.producer!;
}

/**
 * `keras.applications.MobileNetV2(...)`: a whole pretrained architecture. Its hundreds of layers
 * are not listed (the model is opaque); with literal arguments of a recorded architecture, its
 * name, shapes, counts and the names it consumes are exact (keras-applications.ts), so a head built
 * on it is too. Otherwise the name is approximate and shapes and parameters unknown.
 */
export function makeApplication(rt: KerasRuntime, className: string, args: CallArgs): LayerObj {
  const layer = rt.newLayer('layer', 'Functional', rt.interp.rangeOf(args.node));
  const model = rt.newModel('functional', layer);
  model.opaque = `keras.applications.${className}`;
  const build = applicationArgs(args);
  const facts = build && applicationBuild(className, build);
  if (facts) {
    for (const [prefix, count] of Object.entries(facts.counters)) for (let i = 0; i < count; i++) rt.names.consume(prefix, rt.interp.uncertain > 0);
    layer.name = facts.name;
    layer.nameSource = rt.interp.uncertain > 0 ? 'approximate' : 'auto';
    layer.weights = [
      { name: 'trainable weights', shape: [facts.trainable], trainable: true },
      { name: 'non-trainable weights', shape: [facts.nonTrainable], trainable: false },
    ];
    layer.firstOutput = facts.outputShape;
    model.application = { layers: facts.layers, inputShape: facts.inputShape, outputShape: facts.outputShape };
  } else {
    // It builds its own keras.Input (an `input_layer` name, at least): later input names become approximate.
    rt.names.consume('input_layer', true);
    layer.name = className.toLowerCase();
    layer.nameSource = 'approximate';
    layer.approximate = true;
  }
  const name = args.keywords.get('name');
  if (name?.k === 'str') {
    layer.name = name.v;
    layer.nameSource = 'explicit';
  }
  return layer;
}

/** Keyword arguments that change nothing we record (any other one — minimalistic, depth_multiplier, … — may). */
const APPLICATION_KEYWORDS = new Set(['include_top', 'weights', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name', 'alpha', 'include_preprocessing']);

/** The constructor's keyword arguments, when all that matter are literals we recorded (else undefined). */
function applicationArgs(args: CallArgs): ApplicationArgs | undefined {
  if (args.positional.length > 0 || [...args.keywords.keys()].some((k) => !APPLICATION_KEYWORDS.has(k))) return undefined;
  const kw = (name: string) => args.keywords.get(name);
  const alpha = kw('alpha');
  if (alpha && !(alpha.k === 'num' && alpha.v === 1)) return undefined;
  const preprocessing = kw('include_preprocessing');
  if (preprocessing && !(preprocessing.k === 'bool' && preprocessing.v)) return undefined;
  const includeTop = kw('include_top') ?? { k: 'bool', v: true };
  const pooling = kw('pooling');
  const classes = kw('classes') ?? { k: 'num', v: 1000 };
  const inputShape = kw('input_shape');
  if (includeTop.k !== 'bool' || classes.k !== 'num') return undefined;
  if (pooling && pooling.k !== 'none' && !(pooling.k === 'str' && (pooling.v === 'avg' || pooling.v === 'max'))) return undefined;
  const dims = inputShape && inputShape.k !== 'none' ? toDims(inputShape) : null;
  if (inputShape && inputShape.k !== 'none' && !dims) return undefined;
  return { includeTop: includeTop.v, inputShape: dims, pooling: pooling?.k === 'str' ? (pooling.v as 'avg' | 'max') : null, classes: classes.v };
}

export function loadDataset(name: string): Value {
  const d = DATASETS[name];
  if (!d) return unknown(`dataset ${name}`);
  const arr = (shape: Dims, labels: boolean): Value => ({ k: 'array', shape, classes: labels ? d.classes : undefined });
  return tuple([tuple([arr(d.train[0], false), arr(d.train[1], true)]), tuple([arr(d.test[0], false), arr(d.test[1], true)])]);
}

export function toCategorical(args: CallArgs): Value {
  const y = args.positional[0];
  const classesValue = args.keywords.get('num_classes') ?? args.positional[1];
  const classes = classesValue?.k === 'num' ? classesValue.v : y?.k === 'array' ? y.classes : undefined;
  if (y?.k !== 'array' || !y.shape) return { k: 'array', shape: null };
  const base = y.shape.length > 1 && y.shape[y.shape.length - 1] === 1 ? y.shape.slice(0, -1) : y.shape;
  return { k: 'array', shape: [...base, classes ?? null] };
}

/** `parser.add_argument("--hidden", default=[64, 32])` … `parser.parse_args()` → the defaults. */
export function argparseMethod(parser: { k: 'kobj'; cls: string; args: Record<string, Value> }, name: string, args: CallArgs): Value {
  if (name === 'add_argument') {
    const flags = args.positional.filter((v): v is { k: 'str'; v: string } => v.k === 'str').map((v) => v.v);
    const long = flags.find((f) => f.startsWith('--')) ?? flags[0];
    const dest = args.keywords.get('dest');
    const key = dest?.k === 'str' ? dest.v : long?.replace(/^-+/, '').replace(/-/g, '_');
    const action = args.keywords.get('action');
    const fallback: Value = action?.k === 'str' && action.v === 'store_true' ? { k: 'bool', v: false } : action?.k === 'str' && action.v === 'store_false' ? { k: 'bool', v: true } : NONE;
    if (key) parser.args[key] = args.keywords.get('default') ?? fallback;
    return NONE;
  }
  if (name === 'parse_args' || name === 'parse_known_args') {
    const namespace: Value = { k: 'kobj', cls: 'Namespace', args: { ...parser.args } };
    return name === 'parse_args' ? namespace : tuple([namespace, list([])]);
  }
  return NONE;
}
