/**
 * The Keras side of the evaluator: what Keras, TensorFlow and NumPy calls, attributes and methods
 * do to the symbolic objects (layers, tensors, models, data arrays). It records every model and
 * every reference to a layer the language server needs.
 */
import type { ConfigValue, OutputSource, Reference, Shape, SourceRange } from '../graph/model-graph';
import { findClassAttr, type CallArgs, type Interpreter } from './interpreter';
import { execImport, apiValue } from './keras-api';
import {
  buildModel,
  buildSequential,
  callLayer,
  constructLayer,
  layerOf,
  layerValue,
  shapeValue,
  toConfig,
  trackAttribute,
} from './keras-build';
import { NameRegistry, type LayerObj, type ModelObj, type TensorObj } from './keras-objects';
import { modelLayers } from './model-layers';
import { countParams, type Config } from './layers/catalog';
import { tensorOp, numpyCall, binaryOpShape } from './keras-ops';
import { DATASETS, indexShape, reshape, toDims, type Dims } from './keras-shapes';
import type { SyntaxNode as Node } from './syntax-tree';
import type { Scope } from './scope';
import {
  NONE,
  isSequence,
  list,
  num,
  str,
  tuple,
  unknown,
  type ClassValue,
  type FuncValue,
  type InstanceValue,
  type SourceModule,
  type Value,
} from './values';

export interface RuntimeOptions {
  /** Evaluates a module of the user's workspace (`from models import build_model`). */
  loadModule?: (module: string) => Map<string, Value> | undefined;
}

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

/** Attributes of layers that people reach for on a layer's output tensor by mistake. */
const LAYER_ONLY_ATTRIBUTES = new Set(['get_weights', 'kernel', 'bias', 'weights', 'trainable_weights', 'get_config', 'output', 'input']);

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

export class KerasRuntime {
  readonly names = new NameRegistry();
  readonly layers: LayerObj[] = [];
  readonly models: ModelObj[] = [];
  readonly references: Reference[] = [];
  /** > 0 while running a layer's or subclassed model's own call()/build(). */
  insideCall = 0;
  private nextId = 0;
  /** The frames of user methods being run, for zero-argument `super()`. */
  readonly frames: { owner?: ClassValue; self?: Value }[] = [];

  constructor(
    readonly interp: Interpreter,
    private source: string,
    private readonly options: RuntimeOptions,
  ) {
    interp.keras = this;
    this.documentSource = source;
  }

  /** The imported module whose code is running (undefined: the analyzed document). */
  currentModule: SourceModule | undefined;
  private readonly documentSource: string;

  /** Runs `fn` as code of `module`: source text and file of what it builds follow. */
  inModule<T>(module: SourceModule | undefined, fn: () => T): T {
    const saved = this.currentModule;
    this.currentModule = module;
    this.source = module?.text ?? this.documentSource;
    try {
      return fn();
    } finally {
      this.currentModule = saved;
      this.source = saved?.text ?? this.documentSource;
    }
  }

  withModule(file: string, text: string, fn: () => void): void {
    this.inModule({ file, text }, fn);
  }

  // ───────────── helpers used by keras-build ─────────────

  text(node: Node | undefined): string {
    return node ? this.source.slice(node.startIndex, node.endIndex) : '';
  }

  config(value: Value, node: Node | undefined): ConfigValue {
    return toConfig(value, this.text(node));
  }

  newLayer(kind: 'layer' | 'op', className: string, range: SourceRange): LayerObj {
    const layer: LayerObj = {
      id: `L${this.nextId++}`,
      kind,
      className,
      config: {},
      args: {},
      name: '',
      nameSource: 'auto',
      range,
      nodes: [],
      trainable: true,
      approximate: this.interp.uncertain > 0,
      tracked: [],
    };
    if (this.currentModule) layer.file = this.currentModule.file;
    this.layers.push(layer);
    return layer;
  }

  nameLayer(layer: LayerObj, nameValue: Value | undefined, nameNode: Node | undefined): void {
    if (!nameValue || nameValue.k === 'none') {
      const { name, source } = this.names.next(layer.className, this.interp.uncertain > 0);
      layer.name = name;
      layer.nameSource = source;
    } else if (nameValue.k === 'str') {
      layer.name = nameValue.v;
      layer.nameSource = this.interp.uncertain > 0 ? 'approximate' : 'explicit';
      if (nameNode?.type === 'string') {
        layer.nameRange = this.interp.rangeOf(nameNode);
        this.addReference('name_argument', nameNode, nameValue.v, null, layer);
      } else if (nameValue.origin) {
        // Written elsewhere (a constant, a parameter default): that literal spells the name.
        layer.nameRange = nameValue.origin;
        if (nameValue.originFile) layer.nameFile = nameValue.originFile;
      }
    } else {
      layer.name = this.text(nameNode) || '?';
      layer.nameSource = 'approximate';
    }
  }

  /** A layer class we have no shape rule for: say so once, where it is first called. */
  noteUnknownClass(layer: LayerObj, at: Node): void {
    this.interp.notes.note(at.startPosition.row + 1, 'info', `layer '${layer.name}' (${layer.className}): class not known to the analyzer; its output shape and parameters are unknown`);
  }

  inLayerCall<T>(fn: () => T): T {
    this.insideCall++;
    try {
      return fn();
    } finally {
      this.insideCall--;
    }
  }

  outsideCall(fn: () => void): void {
    const saved = this.insideCall;
    this.insideCall = 0;
    try {
      fn();
    } finally {
      this.insideCall = saved;
    }
  }

  syntheticArgs(node: Node): CallArgs {
    return { positional: [], keywords: new Map(), node, positionalNodes: [], keywordNodes: new Map() };
  }

  makeInputLayer(batchShape: Shape, nameValue: Value | undefined, range: SourceRange, nameNode?: Node): LayerObj {
    const layer = this.newLayer('layer', 'InputLayer', range);
    layer.config = { batch_shape: batchShape };
    layer.weights = [];
    layer.firstOutput = batchShape;
    this.nameLayer(layer, nameValue, nameNode);
    const output: TensorObj = { shape: batchShape, producer: layer, nodeIndex: 0, outputIndex: 0 };
    layer.nodes.push({ inputs: [], outputs: [output], range });
    return layer;
  }

  // ───────────── interpreter hooks ─────────────

  /** Imports that failed (module not found): a surrounding `try` then runs its `except ImportError`. */
  failedImports = 0;

  execImport(node: Node, scope: Scope): void {
    if (!execImport(node, scope, (module) => this.options.loadModule?.(module))) {
      this.failedImports++;
      const module = node.childForFieldName('module_name')?.text ?? node.namedChildren[0]?.text ?? '';
      this.interp.notes.note(node.startPosition.row + 1, 'info', `module '${module}' is not in the workspace or a known library; what it provides is unknown`);
    }
  }

  wildcard(name: string, scope: Scope): Value | undefined {
    for (const module of scope.module().wildcards) {
      if (module === 'keras.layers' && /^[A-Z]/.test(name)) return apiValue(`${module}.${name}`);
      if (module.startsWith('keras') || module === 'tf' || module === 'np') return apiValue(`${module}.${name}`);
    }
    return undefined;
  }

  kerasBaseOf(bases: Value[]): 'model' | 'layer' | null {
    for (const base of bases) {
      if (base.k === 'class' && base.kerasBase) return base.kerasBase;
      if (base.k === 'api' && /^keras\.(Model|Sequential)$/.test(base.path)) return 'model';
      if (base.k === 'api' && (base.path === 'keras.Layer' || /^keras\.layers\.[A-Z]/.test(base.path))) return 'layer';
    }
    return null;
  }

  onBind(target: Node, value: Value, _scope: Scope): void {
    const layer = layerOf(value);
    if (layer) {
      this.addReference(layer.model ? 'model_variable' : 'layer_variable', target, target.text, null, layer);
    } else if (value.k === 'tensor') {
      const producer = value.t.producer ?? value.t.eagerProducer;
      if (producer && producer.kind === 'layer') this.addReference('tensor_variable', target, target.text, null, producer);
    }
  }

  addReference(kind: Reference['kind'], node: Node, text: string, model: ModelObj | null, layer: LayerObj | undefined): void {
    const reference: Reference = { kind, range: this.interp.rangeOf(node), text, modelId: model?.id ?? null, layerId: layer?.id ?? null };
    if (this.currentModule) reference.file = this.currentModule.file;
    this.references.push(reference);
  }

  onInstanceAttr(instance: InstanceValue, _attr: string, value: Value, _node: Node): void {
    if (instance.layer) trackAttribute(instance.layer, value);
  }

  setLayerAttr(layer: LayerObj, attr: string, value: Value): void {
    if (attr === 'trainable' && value.k === 'bool') setTrainable(layer, value.v);
  }

  // ───────────── user classes ─────────────

  instantiate(cls: ClassValue, args: CallArgs): Value {
    const instance: InstanceValue = { k: 'instance', cls, attrs: new Map() };
    if (cls.kerasBase) {
      const layer = this.newLayer('layer', cls.name, this.interp.rangeOf(args.node));
      layer.userClass = cls;
      layer.instance = instance;
      instance.layer = layer;
      if (cls.kerasBase === 'model') {
        layer.model = this.newModel('subclassed', layer);
        layer.model.built = false;
      }
    }
    const init = findInit(cls);
    if (instance.layer && init?.k === 'func') instance.layer.config = configFromSignature(this, init, args);
    if (init?.k === 'func') this.runMethod(cls, instance, () => this.interp.callFunction(init, args, instance));
    else if (instance.layer) this.kerasInit(instance, args);
    else if (cls.dataclassFields) initDataclass(instance, cls.dataclassFields, args);
    else if (args.positional.length > 0 || args.keywords.size > 0) instance.opaque = true;
    if (instance.layer && !instance.layer.name) this.nameLayer(instance.layer, undefined, undefined);
    return instance;
  }

  runMethod<T>(owner: ClassValue | undefined, self: Value, fn: () => T): T {
    this.frames.push({ owner, self });
    try {
      return fn();
    } finally {
      this.frames.pop();
    }
  }

  superOf(args: CallArgs): Value {
    const [clsArg, selfArg] = args.positional;
    if (clsArg?.k === 'class' && selfArg?.k === 'instance') return { k: 'super', self: selfArg, cls: clsArg };
    const frame = this.frames[this.frames.length - 1];
    if (frame?.owner && frame.self?.k === 'instance') return { k: 'super', self: frame.self, cls: frame.owner };
    return unknown('super()');
  }

  superAttr(self: InstanceValue, attr: string): Value {
    if (attr === '__init__') return { k: 'method', self, name: '__keras_init__' };
    if (attr === 'build' || attr === 'get_config' || attr === 'compute_output_shape') return { k: 'method', self, name: '__noop__' };
    return unknown(`super().${attr}`);
  }

  /** `keras.Layer.__init__` / `keras.Model.__init__` reached through super(). */
  private kerasInit(instance: InstanceValue, args: CallArgs): Value {
    const layer = instance.layer;
    if (!layer) return NONE;
    const trainable = args.keywords.get('trainable');
    if (trainable?.k === 'bool') layer.trainable = trainable.v;
    const inputs = args.keywords.get('inputs') ?? args.positional[0];
    const outputs = args.keywords.get('outputs') ?? args.positional[1];
    if (layer.model && inputs && outputs && layer.model.kind === 'subclassed') {
      this.initFunctional(layer.model, inputs, outputs, args);
      layer.model.kind = 'functional';
    }
    if (!layer.name) this.nameLayer(layer, args.keywords.get('name'), args.keywordNodes.get('name'));
    return NONE;
  }

  instanceAttr(instance: InstanceValue, attr: string, node: Node): Value {
    if (instance.layer) return this.layerAttr(instance.layer, attr, node, instance);
    return unknown(`attribute ${attr}`);
  }

  // ───────────── API calls ─────────────

  apiAttr(path: string, attr: string): Value {
    const full = `${path}.${attr}`;
    if (full === 'np.newaxis') return NONE;
    return apiValue(full);
  }

  callApi(path: string, args: CallArgs): Value {
    if (path === 'keras.Sequential') return this.makeSequential(args);
    if (path === 'keras.Model') return this.makeFunctional(args);
    if (path === 'keras.Input') return this.makeInput(args);
    if (path === 'keras.layers.InputLayer') return layerValue(this.inputLayerFromArgs(args));
    if (path === 'keras.backend.clear_session' || path === 'keras.utils.clear_session') {
      this.names.reset();
      return NONE;
    }
    const application = /^keras\.applications\.(?:[a-z_0-9]+\.)?([A-Z]\w*)$/.exec(path);
    if (application) return layerValue(this.makeApplication(application[1], args));
    const layerClass = /^keras\.layers\.([A-Z]\w*)$/.exec(path);
    if (layerClass) return layerValue(constructLayer(this, layerClass[1], args));
    const merge = /^keras\.layers\.([a-z]+)$/.exec(path);
    if (merge && MERGE_FUNCTIONS[merge[1]]) return this.mergeFunction(MERGE_FUNCTIONS[merge[1]], args);
    const kobj = /^keras\.(regularizers|initializers|constraints|optimizers|losses|metrics|callbacks|optimizers\.schedules)\.(\w+)$/.exec(path);
    if (kobj) return this.kerasObject(kobj[1], kobj[2], args);
    const dataset = /^keras\.datasets\.(\w+)\.load_data$/.exec(path);
    if (dataset) return loadDataset(dataset[1]);
    if (path === 'keras.utils.to_categorical') return toCategorical(args);
    if (path === 'keras.activations.get') {
      const a = args.positional[0];
      return a?.k === 'str' ? apiValue(`keras.activations.${a.v}`) : a?.k === 'none' || !a ? apiValue('keras.activations.linear') : a;
    }
    if (path === 'keras.backend.int_shape') return args.positional[0]?.k === 'tensor' ? shapeValue(args.positional[0].t.shape) : unknown('int_shape');
    const creator = /^(?:keras\.ops|keras\.random|tf|tf\.random)\.(ones|zeros|full|empty|eye|arange|linspace|normal|uniform|random_normal|random_uniform|constant|convert_to_tensor)$/.exec(path);
    if (creator) return numpyCall(this, TENSOR_CREATORS[creator[1]] ?? creator[1], args);
    const op = /^(keras\.ops|keras\.backend|keras\.activations|tf|tf\.math|tf\.nn|tf\.linalg)\.(\w+)$/.exec(path);
    if (op) return tensorOp(this, op[1], op[2], args);
    if (path.startsWith('np.')) return numpyCall(this, path.slice(3), args);
    if (path === 'argparse.ArgumentParser') return { k: 'kobj', cls: 'ArgumentParser', args: {} };
    if (path === 'functools.partial' && args.positional[0]) {
      const [func, ...bound] = args.positional;
      const keywords: Value = { k: 'dict', keys: [...args.keywords.keys()].map(str), values: [...args.keywords.values()] };
      return { k: 'kobj', cls: 'partial', args: { func, args: tuple(bound), keywords } };
    }
    if (path === 'tf.data.Dataset.from_tensor_slices') return { k: 'kobj', cls: 'Dataset', args: { data: args.positional[0] ?? NONE } };
    return unknown(`call ${path}`);
  }

  private kerasObject(module: string, name: string, args: CallArgs): Value {
    const shortcut = module === 'regularizers' ? REGULARIZER_SHORTCUTS[name] : undefined;
    const cls = shortcut?.cls ?? name;
    const params = shortcut?.params ?? KERAS_OBJECT_PARAMS[cls] ?? [];
    const out: Record<string, Value> = {};
    args.positional.forEach((v, i) => (out[params[i] ?? `arg${i}`] = v));
    for (const [k, v] of args.keywords) out[k] = v;
    return { k: 'kobj', cls, args: out };
  }

  private mergeFunction(className: string, args: CallArgs): Value {
    const [inputs, ...rest] = args.positional;
    const ctorArgs: CallArgs = { ...args, positional: rest, positionalNodes: args.positionalNodes.slice(1) };
    const layer = constructLayer(this, className, ctorArgs);
    return callLayer(this, layer, { ...args, positional: [inputs ?? unknown()], keywords: new Map() });
  }

  private makeInput(args: CallArgs): Value {
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
    const layer = this.makeInputLayer(batchShape ?? [null], get('name'), this.interp.rangeOf(args.node), args.keywordNodes.get('name'));
    const dtype = get('dtype');
    if (dtype && dtype.k !== 'none') layer.config.dtype = this.config(dtype, args.keywordNodes.get('dtype'));
    if (!batchShape) {
      layer.approximate = true;
      layer.nodes[0].outputs[0].shape = null;
      layer.firstOutput = null;
    }
    return { k: 'tensor', t: layer.nodes[0].outputs[0] };
  }

  private inputLayerFromArgs(args: CallArgs): LayerObj {
    const tensor = this.makeInput(args);
    return (tensor as { t: TensorObj }).t.producer!;
  }

  // ───────────── models ─────────────

  newModel(kind: ModelObj['kind'], layer: LayerObj): ModelObj {
    const model: ModelObj = { id: `M${this.models.length}`, kind, layer, stack: [], inputs: [], outputs: [], built: kind !== 'subclassed', fits: [] };
    layer.model = model;
    this.models.push(model);
    return model;
  }

  /**
   * `keras.applications.MobileNetV2(...)`: a whole pretrained architecture. Its hundreds of layers
   * are not analyzed; the model is opaque (layers, params and output shape unknown, name approximate).
   */
  private makeApplication(className: string, args: CallArgs): LayerObj {
    const layer = this.newLayer('layer', 'Functional', this.interp.rangeOf(args.node));
    const model = this.newModel('functional', layer);
    model.opaque = `keras.applications.${className}`;
    // It builds its own keras.Input, consuming an `input_layer` name (seen for MobileNetV2; not
    // verified for every application, so later input names become approximate).
    this.names.consume('input_layer', true);
    layer.name = className.toLowerCase();
    layer.nameSource = 'approximate';
    layer.approximate = true;
    const name = args.keywords.get('name');
    if (name?.k === 'str') {
      layer.name = name.v;
      layer.nameSource = 'explicit';
    }
    return layer;
  }

  private makeSequential(args: CallArgs): Value {
    const layer = this.newLayer('layer', 'Sequential', this.interp.rangeOf(args.node));
    const model = this.newModel('sequential', layer);
    model.built = false;
    layer.weights = [];
    this.nameLayer(layer, args.keywords.get('name') ?? args.positional[2], args.keywordNodes.get('name'));
    const trainable = args.keywords.get('trainable');
    if (trainable?.k === 'bool') layer.trainable = trainable.v;
    const items = args.keywords.get('layers') ?? args.positional[0];
    if (items && isSequence(items)) {
      for (const item of items.items) this.sequentialAdd(model, item, false, args.node);
      this.maybeRebuild(model, args.node);
    }
    return layerValue(layer);
  }

  sequentialAdd(model: ModelObj, item: Value, rebuild: boolean, node: Node): void {
    let layer = layerOf(item);
    if (item.k === 'tensor' && item.t.producer?.className === 'InputLayer') layer = item.t.producer;
    if (!layer) {
      // Something Keras accepted but we could not follow: keep its place so that what follows
      // is unknown rather than shifted.
      model.layer.approximate = true;
      layer = this.newLayer('layer', '?', this.interp.rangeOf(node));
      layer.name = '?';
      layer.nameSource = 'approximate';
      layer.approximate = true;
    }
    if (model.stack.length === 0 && layer.inputShapeArg) {
      model.stack.push(this.makeInputLayer(layer.inputShapeArg, undefined, layer.range));
    }
    model.stack.push(layer);
    model.built = false;
    if (rebuild) this.maybeRebuild(model, node);
  }

  private maybeRebuild(model: ModelObj, node: Node): void {
    model.built = false;
    const first = model.stack[0];
    if (!first || model.stack.length < 2) return;
    if (first.className === 'InputLayer') buildSequential(this, model, first.nodes[0]?.outputs[0]?.shape ?? null, node);
    else if (first.model?.built && first.model.inputs[0]) buildSequential(this, model, first.model.inputs[0].shape, node);
  }

  private makeFunctional(args: CallArgs): Value {
    const layer = this.newLayer('layer', 'Functional', this.interp.rangeOf(args.node));
    const model = this.newModel('functional', layer);
    const inputs = args.keywords.get('inputs') ?? args.positional[0] ?? unknown('inputs');
    const outputs = args.keywords.get('outputs') ?? args.positional[1] ?? unknown('outputs');
    this.initFunctional(model, inputs, outputs, args);
    this.nameLayer(layer, args.keywords.get('name') ?? args.positional[2], args.keywordNodes.get('name'));
    return layerValue(layer);
  }

  initFunctional(model: ModelObj, inputs: Value, outputs: Value, args: CallArgs): void {
    model.inputs = flattenTensors(inputs).tensors;
    const flat = flattenTensors(outputs);
    model.outputs = flat.tensors;
    model.outputSources = flat.sources;
    if (outputs.k === 'dict') model.outputKeys = outputs.keys.map((k) => (k.k === 'str' ? k.v : '?')).sort();
    model.built = true;
    model.layer.weights = [];
    if (flat.invalid.length > 0) {
      model.invalidOutputs = flat.invalid;
      this.interp.notes.note(args.node.startPosition.row + 1, 'error', `model outputs include ${flat.invalid.join(', ')}: not Keras tensors (Keras raises when building this model)`);
    }
    if (model.inputs.some((t) => !t.producer) || model.outputs.length === 0) model.layer.approximate = true;
  }

  // ───────────── attributes and methods ─────────────

  attr(obj: Value, attr: string, node: Node): Value {
    switch (obj.k) {
      case 'layer':
        return this.layerAttr(obj.layer, attr, node, obj);
      case 'tensor':
        if (attr === 'shape') return shapeValue(obj.t.shape);
        if (attr === 'ndim') return obj.t.shape ? num(obj.t.shape.length) : unknown('ndim');
        if (LAYER_ONLY_ATTRIBUTES.has(attr)) return this.tensorAttributeError(obj.t, attr, node);
        return { k: 'method', self: obj, name: attr };
      case 'array':
        if (attr === 'shape') return obj.shape ? tuple(obj.shape.map((d) => (d === null ? unknown('dim') : num(d)))) : unknown('shape');
        if (attr === 'T') return { k: 'array', shape: obj.shape ? [...obj.shape].reverse() : null };
        if (attr === 'ndim') return obj.shape ? num(obj.shape.length) : unknown('ndim');
        return { k: 'method', self: obj, name: attr };
      case 'weight': {
        const w = obj.layer.weights?.find((x) => x.name === obj.name);
        if (attr === 'shape') return shapeValue(w?.shape ?? null);
        return { k: 'method', self: obj, name: attr };
      }
      case 'kobj':
        // argparse: a script run without flags gets each argument's default.
        if (obj.cls === 'Namespace') return obj.args[attr] ?? unknown(`args.${attr}`);
        return { k: 'method', self: obj, name: attr };
      default:
        return { k: 'method', self: obj, name: attr };
    }
  }

  /** `tensor.get_weights()` / `tensor.kernel`: the classic mix-up of a layer's output with the layer. */
  private tensorAttributeError(t: TensorObj, attr: string, node: Node): Value {
    const producer = t.producer ?? t.eagerProducer;
    const hint = producer ? ` (this is the output tensor of layer '${producer.name}', not the layer; use model.get_layer('${producer.name}').${attr})` : '';
    const message = `'KerasTensor' object has no attribute '${attr}'${hint}`;
    this.interp.notes.note(node.startPosition.row + 1, 'error', message);
    const where: Record<string, Value> = producer ? { layer: str(producer.name), attr: str(intendedAttribute(producer, attr)) } : {};
    return { k: 'kobj', cls: 'Error', args: { message: str(message), ...where } };
  }

  private neverCalledError(layer: LayerObj, attr: string, node: Node): Value {
    const message = `The layer ${layer.name} has never been called and thus has no defined ${attr} (use ${attr}s, or build a functional model with keras.Input)`;
    this.interp.notes.note(node.startPosition.row + 1, 'error', message);
    return { k: 'kobj', cls: 'Error', args: { message: str(message) } };
  }

  private layerAttr(layer: LayerObj, attr: string, node: Node, self: Value): Value {
    const model = layer.model;
    switch (attr) {
      case 'output':
      case 'input': {
        const n = layer.nodes[0];
        const t = attr === 'output' ? n?.outputs : n?.inputs;
        // Keras 3's Sequential has `inputs`/`outputs` but no `input`/`output` until called.
        if (model?.kind === 'sequential' && !n) return this.neverCalledError(layer, attr, node);
        if (model && model.kind !== 'subclassed') return tensorsValue(attr === 'output' ? model.outputs : model.inputs);
        return t ? tensorsValue(t) : unknown(`${layer.name}.${attr}`);
      }
      case 'outputs':
      case 'inputs':
        return model ? list((attr === 'outputs' ? model.outputs : model.inputs).map((t): Value => ({ k: 'tensor', t }))) : unknown(attr);
      case 'name':
        return layer.nameSource === 'approximate' ? unknown('approximate name') : str(layer.name);
      case 'kernel':
      case 'bias':
      case 'embeddings':
      case 'gamma':
      case 'beta':
      case 'depthwise_kernel':
      case 'recurrent_kernel':
        return { k: 'weight', layer, name: attr };
      case 'weights':
      case 'trainable_weights':
      case 'trainable_variables':
        return layer.weights ? list(layer.weights.map((w): Value => ({ k: 'weight', layer, name: w.name }))) : unknown(attr);
      case 'layers':
        return model ? list(modelLayers(model).map(layerValue)) : unknown('layers');
      case 'trainable':
        return { k: 'bool', v: layer.trainable };
      case 'output_shape':
        return shapeValue(Array.isArray(layer.firstOutput?.[0]) ? null : (layer.firstOutput as Shape | null) ?? null);
      default:
        return { k: 'method', self, name: attr };
    }
  }

  method(self: Value, name: string, args: CallArgs): Value {
    if (name === '__noop__') return NONE;
    if (name === '__keras_init__' && self.k === 'instance') return this.kerasInit(self, args);
    const layer = layerOf(self);
    if (layer) return this.layerMethod(layer, name, args);
    if (self.k === 'array') return arrayMethod(self, name, args);
    if (self.k === 'tensor') return tensorOp(this, 'keras.ops', name, { ...args, positional: [self, ...args.positional] });
    if (self.k === 'kobj' && self.cls === 'Dataset') return self;
    if (self.k === 'kobj' && self.cls === 'Error') return self;
    if (self.k === 'kobj' && self.cls === 'ArgumentParser') return argparseMethod(self, name, args);
    return unknown(`method ${name}`);
  }

  private layerMethod(layer: LayerObj, name: string, args: CallArgs): Value {
    const model = layer.model;
    switch (name) {
      case 'add_weight':
        return this.addWeight(layer, args);
      case 'add':
        if (model?.kind === 'sequential' && args.positional[0]) this.sequentialAdd(model, args.positional[0], true, args.node);
        return NONE;
      case 'pop':
        if (model?.kind === 'sequential') {
          model.stack.pop();
          this.maybeRebuild(model, args.node);
        }
        return NONE;
      case 'get_layer':
        return model ? this.getLayer(model, args) : unknown('get_layer');
      case 'compile':
        if (model) model.compile = { node: args.node, args: namedArgs(args, ['optimizer', 'loss', 'loss_weights', 'metrics']), file: this.currentModule?.file };
        return NONE;
      case 'fit':
      case 'evaluate':
      case 'predict':
      case 'train_on_batch':
        if (model) this.fitLike(model, name, args);
        return name === 'predict' ? unknown('predictions') : unknown('history');
      case 'build':
        if (model) buildModel(this, model, toDims(args.positional[0] ?? args.keywords.get('input_shape')), args.node, { explicit: true });
        else if (layer.spec && !layer.weights) {
          const shape = toDims(args.positional[0] ?? args.keywords.get('input_shape'));
          layer.weights = layer.spec.infer(layer.config, [shape], {}).weights;
        } else if (layer.instance && !layer.weights) {
          const build = findClassAttr(layer.instance.cls, 'build');
          layer.weights = [];
          if (build?.k === 'func') this.inLayerCall(() => this.interp.callFunction(build, args, layer.instance!));
        }
        return NONE;
      case 'count_params': {
        const count = layer.weights ? countParams(layer.weights) : null;
        return count === null ? unknown('count_params') : num(count);
      }
      case 'summary':
      case 'save':
      case 'save_weights':
      case 'load_weights':
        return NONE;
      case 'get_weights':
        return { k: 'kobj', cls: 'WeightsList', args: {} };
      default:
        return unknown(`${layer.className}.${name}`);
    }
  }

  private addWeight(layer: LayerObj, args: CallArgs): Value {
    const get = (key: string, index: number) => args.keywords.get(key) ?? args.positional[index];
    const shape = toDims(get('shape', 0));
    const nameValue = get('name', 3);
    const trainableValue = args.keywords.get('trainable');
    const name = nameValue?.k === 'str' ? nameValue.v : `variable_${layer.weights?.length ?? 0}`;
    layer.weights ??= [];
    layer.weights.push({ name, shape, trainable: trainableValue?.k === 'bool' ? trainableValue.v && layer.trainable : layer.trainable });
    return { k: 'weight', layer, name };
  }

  private getLayer(model: ModelObj, args: CallArgs): Value {
    const nameValue = args.keywords.get('name') ?? args.positional[0];
    const nameNode = args.keywordNodes.get('name') ?? args.positionalNodes[0];
    const layers = modelLayers(model);
    if (nameValue?.k === 'str') {
      const found = layers.find((l) => l.name === nameValue.v);
      if (nameNode) this.addReference('get_layer', nameNode, nameValue.v, model, found);
      return found ? layerValue(found) : unknown(`no layer ${nameValue.v}`);
    }
    const index = args.keywords.get('index') ?? (nameValue?.k === 'num' ? nameValue : undefined);
    if (index?.k === 'num') {
      const found = layers[index.v < 0 ? layers.length + index.v : index.v];
      return found ? layerValue(found) : unknown('layer index');
    }
    return unknown('get_layer');
  }

  private fitLike(model: ModelObj, method: string, args: CallArgs): void {
    let x = args.keywords.get('x') ?? args.positional[0];
    let y = args.keywords.get('y') ?? args.positional[1];
    if (x?.k === 'kobj' && x.cls === 'Dataset') {
      const data = x.args.data;
      if (data && isSequence(data)) [x, y] = [data.items[0], data.items[1]];
    }
    if (method === 'fit') model.fits.push({ node: args.node, args: namedArgs(args, ['x', 'y', 'batch_size', 'epochs']), positional: args.positional, file: this.currentModule?.file });
    if (x && (!model.built || (model.kind === 'subclassed' && !model.traced))) {
      const first = isSequence(x) ? x.items[0] : x;
      const shape = first?.k === 'array' && first.shape ? ([null, ...first.shape.slice(1)] as Shape) : null;
      buildModel(this, model, shape, args.node);
    }
    void y;
  }

  // ───────────── tensors and data ─────────────

  subscript(obj: Value, keys: Value[], node: Node): Value | undefined {
    if (obj.k === 'array') return { k: 'array', shape: indexShape(obj.shape, keys), classes: keys.length === 1 && keys[0].k === 'slice' ? obj.classes : undefined };
    if (obj.k === 'tensor') return tensorOp(this, 'keras.ops', 'get_item', { ...this.syntheticArgs(node), positional: [obj] }, indexShape(obj.t.shape, keys));
    return undefined;
  }

  elementwise(value: Value, _others: Value[], node: Node, opName: string): Value {
    return tensorOp(this, 'keras.ops', opName, { ...this.syntheticArgs(node), positional: [value] });
  }

  binaryTensorOp(opName: string, a: Value, b: Value, node: Node): Value {
    return tensorOp(this, 'keras.ops', opName, { ...this.syntheticArgs(node), positional: [a, b] }, binaryOpShape(opName, a, b));
  }

  iterate(value: Value): Value[] | undefined {
    if (value.k === 'tensor' && value.t.shape && value.t.shape[0] !== null) return undefined;
    return undefined;
  }

  len(value: Value | undefined): Value {
    if (value?.k === 'array' && value.shape && value.shape[0] !== null) return num(value.shape[0]);
    return unknown('len()');
  }

  callLayer(layer: LayerObj, args: CallArgs): Value {
    return callLayer(this, layer, args);
  }
}

// ───────────── module-private helpers ─────────────

/** A custom layer's constructor arguments by parameter name (as Keras's get_config would list them). */
function configFromSignature(rt: KerasRuntime, init: FuncValue, args: CallArgs): Config {
  const params = (init.node.childForFieldName('parameters')?.namedChildren ?? [])
    .filter((p) => p.type === 'identifier' || p.type === 'default_parameter' || p.type === 'typed_parameter' || p.type === 'typed_default_parameter')
    .map((p) => (p.type === 'identifier' ? p.text : (p.childForFieldName('name')?.text ?? p.namedChildren[0]?.text ?? '')))
    .slice(1); // self
  const config: Config = {};
  args.positional.forEach((v, i) => {
    if (params[i]) config[params[i]] = rt.config(v, args.positionalNodes[i]);
  });
  for (const [key, v] of args.keywords) if (key !== 'name') config[key] = rt.config(v, args.keywordNodes.get(key));
  return config;
}

/** The `__init__` a dataclass generates: fields from arguments, else their class-level defaults. */
function initDataclass(instance: InstanceValue, fields: string[], args: CallArgs): void {
  fields.forEach((field, i) => {
    const value = i < args.positional.length ? args.positional[i] : args.keywords.get(field);
    if (value) instance.attrs.set(field, value);
  });
}

function findInit(cls: ClassValue): Value | undefined {
  const seen = new Set<ClassValue>();
  const walk = (c: ClassValue): Value | undefined => {
    if (seen.has(c)) return undefined;
    seen.add(c);
    const own = c.attrs.get('__init__');
    if (own) return own;
    for (const base of c.bases) if (base.k === 'class') {
      const found = walk(base);
      if (found) return found;
    }
    return undefined;
  };
  return walk(cls);
}

function setTrainable(layer: LayerObj, trainable: boolean): void {
  layer.trainable = trainable;
  if (layer.weights) layer.weights = layer.weights.map((w) => ({ ...w, trainable: trainable && w.trainable !== false && (trainable ? !isNonTrainableStat(w.name) : false) }));
  for (const inner of layer.tracked) setTrainable(inner, trainable);
  if (layer.model) for (const inner of modelLayers(layer.model)) setTrainable(inner, trainable);
}

function isNonTrainableStat(name: string): boolean {
  return name === 'moving_mean' || name === 'moving_variance';
}

function flattenTensors(v: Value): { tensors: TensorObj[]; invalid: string[]; sources: OutputSource[] } {
  const tensors: TensorObj[] = [];
  const invalid: string[] = [];
  const sources: OutputSource[] = [];
  const walk = (x: Value) => {
    if (x.k === 'tensor') {
      tensors.push(x.t);
      sources.push(x.t.producer ? { layer: x.t.producer.name, tensor: 'activation' } : null);
    } else if (isSequence(x)) x.items.forEach(walk);
    else if (x.k === 'dict') sortedDictValues(x).forEach(walk);
    else if (x.k === 'weight') {
      invalid.push(`the ${x.name} of layer '${x.layer.name}' (a weight variable)`);
      sources.push({ layer: x.layer.name, tensor: x.name === 'kernel' || x.name === 'bias' ? x.name : 'weights' });
    } else if (x.k === 'kobj' && x.cls === 'WeightsList') {
      invalid.push('the result of get_weights() (NumPy arrays)');
      sources.push(null);
    } else if (x.k === 'kobj' && x.cls === 'Error') {
      invalid.push(`a value Keras cannot compute: ${(x.args.message as { v: string }).v}`);
      sources.push(errorSource(x.args));
    } else if (layerOf(x)) {
      invalid.push(`the layer object '${layerOf(x)!.name}' (call it on a tensor, or use .output)`);
      sources.push({ layer: layerOf(x)!.name, tensor: 'activation' });
    } else sources.push(null);
  };
  walk(v);
  return { tensors, invalid, sources };
}

/** A custom layer whose own get_weights() returns `self.kernel` means its kernel (seed example 2). */
function intendedAttribute(layer: LayerObj, attr: string): string {
  if (attr !== 'get_weights' || !layer.userClass) return attr;
  const method = findClassAttr(layer.userClass, 'get_weights');
  return method?.k === 'func' && /return\s+self\.kernel\b/.test(method.node.text) ? 'kernel' : attr;
}

/** What `tensor.kernel` / `tensor.get_weights()` was meant to reach: that layer's weights. */
function errorSource(args: Record<string, Value>): OutputSource {
  const layer = args.layer?.k === 'str' ? args.layer.v : undefined;
  const attr = args.attr?.k === 'str' ? args.attr.v : undefined;
  if (!layer || !attr) return null;
  if (attr === 'kernel' || attr === 'bias') return { layer, tensor: attr };
  return { layer, tensor: attr === 'get_weights' || attr === 'weights' ? 'weights' : 'activation' };
}

/** Keras flattens dicts (inputs, outputs) in sorted key order. */
function sortedDictValues(d: { keys: Value[]; values: Value[] }): Value[] {
  const keyOf = (k: Value) => (k.k === 'str' ? k.v : '');
  return d.keys.map((k, i) => [keyOf(k), d.values[i]] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

function tensorsValue(ts: TensorObj[]): Value {
  const values = ts.map((t): Value => ({ k: 'tensor', t }));
  return values.length === 1 ? values[0] : list(values);
}

function namedArgs(args: CallArgs, positionalNames: string[]): Record<string, Value> {
  const out: Record<string, Value> = {};
  args.positional.forEach((v, i) => {
    if (positionalNames[i]) out[positionalNames[i]] = v;
  });
  for (const [k, v] of args.keywords) out[k] = v;
  return out;
}

/** `parser.add_argument("--hidden", default=[64, 32])` … `parser.parse_args()` → the defaults. */
function argparseMethod(parser: { k: 'kobj'; cls: string; args: Record<string, Value> }, name: string, args: CallArgs): Value {
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

function loadDataset(name: string): Value {
  const d = DATASETS[name];
  if (!d) return unknown(`dataset ${name}`);
  const arr = (shape: Dims, labels: boolean): Value => ({ k: 'array', shape, classes: labels ? d.classes : undefined });
  return tuple([tuple([arr(d.train[0], false), arr(d.train[1], true)]), tuple([arr(d.test[0], false), arr(d.test[1], true)])]);
}

function toCategorical(args: CallArgs): Value {
  const y = args.positional[0];
  const classesValue = args.keywords.get('num_classes') ?? args.positional[1];
  const classes = classesValue?.k === 'num' ? classesValue.v : y?.k === 'array' ? y.classes : undefined;
  if (y?.k !== 'array' || !y.shape) return { k: 'array', shape: null };
  const base = y.shape.length > 1 && y.shape[y.shape.length - 1] === 1 ? y.shape.slice(0, -1) : y.shape;
  return { k: 'array', shape: [...base, classes ?? null] };
}

function arrayMethod(self: { k: 'array'; shape: Dims | null; classes?: number }, name: string, args: CallArgs): Value {
  switch (name) {
    case 'reshape': {
      const dims = args.positional.length === 1 ? toDims(args.positional[0]) : toDims(tuple(args.positional));
      if (!dims || dims.some((d) => d === null)) return { k: 'array', shape: null };
      return { k: 'array', shape: reshape(self.shape, dims as number[], false) };
    }
    case 'astype':
    case 'copy':
    case 'clip':
    case 'round':
      return { ...self };
    case 'flatten':
    case 'ravel': {
      const total = self.shape?.reduce<number | null>((a, b) => (a === null || b === null ? null : a * b), 1) ?? null;
      return { k: 'array', shape: [total] };
    }
    case 'squeeze':
      return { k: 'array', shape: self.shape?.filter((d) => d !== 1) ?? null };
    case 'mean':
    case 'std':
    case 'sum':
    case 'max':
    case 'min':
      return unknown('statistic');
    default:
      return { k: 'array', shape: null };
  }
}

export type { InstanceValue };
