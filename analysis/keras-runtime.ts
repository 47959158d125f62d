/**
 * The Keras side of the evaluator: what Keras, TensorFlow and NumPy calls, attributes and methods
 * do to the symbolic objects (layers, tensors, models, data arrays). It records every model and
 * every reference to a layer the language server needs.
 */
import type { ConfigValue, Reference, Shape, SourceRange } from '../graph/model-graph';
import { type CallArgs, type Interpreter } from './interpreter';
import { execImport, apiValue, canonicalPath } from './keras-api';
import { callLayer, layerOf, toConfig, trackAttribute } from './keras-build';
import { appendCallNode, NameRegistry, type LayerObj, type ModelObj, type TensorObj } from './keras-objects';
import { callApi } from './keras-api-calls';
import { initFunctional } from './keras-models';
import { attribute, layerAttr, method, setTrainable } from './keras-attributes';
import { type Config } from './layers/catalog';
import { tensorOp, binaryOpShape } from './keras-ops';
import { indexShape } from './keras-shapes';
import type { SyntaxNode as Node } from './syntax-tree';
import type { Scope } from './scope';
import { NONE, num, unknown, type ClassValue, type FuncValue, type InstanceValue, type SourceModule, type Value } from './values';

export interface RuntimeOptions {
  /** Evaluates a module of the user's workspace (`from models import build_model`). */
  loadModule?: (module: string) => Map<string, Value> | undefined;
}






export class KerasRuntime {
  readonly names = new NameRegistry();
  readonly layers: LayerObj[] = [];
  readonly models: ModelObj[] = [];
  readonly references: Reference[] = [];
  /** > 0 while running a layer's or subclassed model's own call()/build(). */
  insideCall = 0;
  /** See ModelGraph.tfOnKerasTensors. */
  readonly tfOnKerasTensors: { node: Node; path: string; file?: string }[] = [];
  /** See ModelGraph.inputRankErrors. */
  readonly inputRankErrors: { node: Node; layer: string; className: string; expected: number; received: Shape; file?: string }[] = [];
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
      // Declared up front (undefined until set), so every layer has one shape and setting them allocates nothing.
      spec: undefined,
      userClass: undefined,
      instance: undefined,
      file: this.currentModule?.file,
      nameRange: undefined,
      nameFile: undefined,
      weights: undefined,
      firstOutput: undefined,
      model: undefined,
      inputShapeArg: undefined,
    };
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
        // One range object for both: the graph reaches consumers as JSON, and nothing mutates ranges.
        const range = this.interp.rangeOf(nameNode);
        layer.nameRange = range;
        this.addReferenceAt('name_argument', range, nameValue.v, null, layer);
      } else if (nameValue.origin) {
        // Written elsewhere (a constant, a parameter default): that literal spells the name.
        layer.nameRange = this.interp.rangeOf(nameValue.origin);
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
    appendCallNode(layer, { inputs: [], outputs: [output], range });
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

  /** `name = value` ran (`target` is the identifier, `name` its text). */
  onBind(target: Node, name: string, value: Value): void {
    const layer = layerOf(value);
    if (layer) {
      this.addReference(layer.model ? 'model_variable' : 'layer_variable', target, name, null, layer);
    } else if (value.k === 'tensor') {
      const producer = value.t.producer ?? value.t.eagerProducer;
      if (producer && producer.kind === 'layer') this.addReference('tensor_variable', target, name, null, producer);
    }
  }

  addReference(kind: Reference['kind'], node: Node, text: string, model: ModelObj | null, layer: LayerObj | undefined): void {
    this.addReferenceAt(kind, this.interp.rangeOf(node), text, model, layer);
  }

  addReferenceAt(kind: Reference['kind'], range: SourceRange, text: string, model: ModelObj | null, layer: LayerObj | undefined): void {
    const reference: Reference = { kind, range, text, modelId: model?.id ?? null, layerId: layer?.id ?? null };
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
  kerasInit(instance: InstanceValue, args: CallArgs): Value {
    const layer = instance.layer;
    if (!layer) return NONE;
    const trainable = args.keywords.get('trainable');
    if (trainable?.k === 'bool') layer.trainable = trainable.v;
    const inputs = args.keywords.get('inputs') ?? args.positional[0];
    const outputs = args.keywords.get('outputs') ?? args.positional[1];
    if (layer.model && inputs && outputs && layer.model.kind === 'subclassed') {
      initFunctional(this, layer.model, inputs, outputs, args);
      layer.model.kind = 'functional';
    }
    if (!layer.name) this.nameLayer(layer, args.keywords.get('name'), args.keywordNodes.get('name'));
    return NONE;
  }

  instanceAttr(instance: InstanceValue, attr: string, node: Node): Value {
    if (instance.layer) return layerAttr(this, instance.layer, attr, node, instance);
    return unknown(`attribute ${attr}`);
  }

  // ───────────── API calls ─────────────

  apiAttr(path: string, attr: string): Value {
    // `layers.Dense`, `keras.Input`…: the canonical path of (path, attr) is looked up without
    // building and hashing the joined string each time (null: np.newaxis).
    let byAttr = attributePaths.get(path);
    if (!byAttr) {
      if (attributePaths.size >= 1000) attributePaths.clear();
      attributePaths.set(path, (byAttr = new Map()));
    }
    let canonical = byAttr.get(attr);
    if (canonical === undefined) {
      const full = `${path}.${attr}`;
      canonical = full === 'np.newaxis' ? null : canonicalPath(full);
      if (byAttr.size >= 1000) byAttr.clear();
      byAttr.set(attr, canonical);
    }
    return canonical === null ? NONE : { k: 'api', path: canonical };
  }






  // ───────────── models ─────────────

  // ───────────── API calls, models, attributes (keras-api-calls.ts, keras-models.ts, keras-attributes.ts) ─────────────

  callApi(path: string, args: CallArgs): Value {
    return callApi(this, path, args);
  }

  attr(obj: Value, attr: string, node: Node): Value {
    return attribute(this, obj, attr, node);
  }

  method(self: Value, name: string, args: CallArgs): Value {
    return method(this, self, name, args);
  }

  newModel(kind: ModelObj['kind'], layer: LayerObj): ModelObj {
    const model: ModelObj = { id: `M${this.models.length}`, kind, layer, stack: [], inputs: [], outputs: [], built: kind !== 'subclassed', fits: [], graphWalk: undefined, callNodes: undefined };
    layer.model = model;
    this.models.push(model);
    return model;
  }







  // ───────────── attributes and methods ─────────────










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

/** apiAttr's answers: API path → attribute → canonical path of `path.attr` (null for np.newaxis). */
const attributePaths = new Map<string, Map<string, string | null>>();

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













export type { InstanceValue };
