/**
 * Constructing and calling Keras objects: layers, symbolic ops, Sequential / functional /
 * subclassed models — in the order Keras would, consuming name counters exactly where Keras does.
 */
import type { ConfigValue, Shape } from '../graph/model-graph';
import type { CallArgs } from './interpreter';
import type { SyntaxNode as Node } from './syntax-tree';
import { findClassAttr } from './interpreter';
import { appendCallNode, type CallNode, type LayerObj, type ModelObj, type TensorObj } from './keras-objects';
import type { KerasRuntime } from './keras-runtime';
import { lookupLayerClass, type Config, type LayerSpec } from './layers/catalog';
import { isSequence, list, NONE, tuple, unknown, type ClassValue, type InstanceValue, type Value } from './values';

/** Layers whose build creates unnamed sublayers, consuming Keras name counters. */
const HIDDEN_SUBLAYERS_ON_BUILD: Record<string, string[]> = {
  MultiHeadAttention: ['softmax', 'dropout'],
  GroupedQueryAttention: ['softmax', 'dropout'],
};

export function layerOf(v: Value | undefined): LayerObj | undefined {
  if (!v) return undefined;
  if (v.k === 'layer') return v.layer;
  if (v.k === 'instance') return v.layer;
  return undefined;
}

export function layerValue(layer: LayerObj): Value {
  return layer.instance ?? { k: 'layer', layer };
}

// ───────────── config ─────────────

export function toConfig(v: Value, source: string): ConfigValue {
  switch (v.k) {
    case 'num':
    case 'str':
    case 'bool':
      return v.v;
    case 'none':
      return null;
    case 'tuple':
    case 'list':
      return v.items.map((item) => toConfig(item, source));
    case 'dict': {
      const out: { [key: string]: ConfigValue } = {};
      v.keys.forEach((k, i) => {
        if (k.k === 'str') out[k.v] = toConfig(v.values[i], source);
      });
      return out;
    }
    case 'kobj':
      return { $class: v.cls, args: Object.fromEntries(Object.entries(v.args).map(([k, a]) => [k, toConfig(a, source)])) };
    case 'api':
      return v.path.split('.').pop()!;
    case 'layer':
    case 'instance': {
      const layer = layerOf(v);
      if (layer) return { $class: layer.className, args: layer.config };
      return { $unknown: source };
    }
    default:
      return { $unknown: source };
  }
}

/** Maps positional and keyword arguments to Keras parameter names. */
export function bindConfig(rt: KerasRuntime, spec: LayerSpec | undefined, args: CallArgs): { config: Config; raw: Record<string, Value> } {
  const config: Config = {};
  const raw: Record<string, Value> = {};
  args.positional.forEach((value, i) => {
    const key = spec?.positional[i] ?? `arg${i}`;
    raw[key] = value;
    config[key] = toConfig(value, rt.text(args.positionalNodes[i]));
  });
  for (const [key, value] of args.keywords) {
    raw[key] = value;
    config[key] = toConfig(value, rt.text(args.keywordNodes.get(key)));
  }
  return { config, raw };
}

// ───────────── layers ─────────────

export function constructLayer(rt: KerasRuntime, className: string, args: CallArgs): LayerObj {
  const spec = lookupLayerClass(className);
  const { config, raw } = bindConfig(rt, spec, args);
  const layer = rt.newLayer('layer', spec?.className ?? className, rt.interp.rangeOf(args.node));
  layer.spec = spec;
  layer.args = raw;
  if (spec && (spec.className === 'Bidirectional' || spec.className === 'TimeDistributed')) {
    const inner = layerOf(raw.layer);
    if (inner) config.layer = { $class: inner.className, args: inner.config };
  }
  const { name: _name, input_shape: inputShape, ...rest } = config;
  // `input_dim` is Embedding's vocabulary size, but the legacy input-shape shortcut elsewhere.
  const legacyInputDim = spec?.positional.includes('input_dim') ? undefined : rest.input_dim;
  if (legacyInputDim !== undefined) delete rest.input_dim;
  layer.config = rest;
  if (inputShape !== undefined) layer.inputShapeArg = [null, ...(asDims(inputShape) ?? [])];
  else if (typeof legacyInputDim === 'number') layer.inputShapeArg = [null, legacyInputDim];
  layer.trainable = config.trainable !== false;
  rt.nameLayer(layer, raw.name, args.keywordNodes.get('name'));
  return layer;
}

function asDims(c: ConfigValue): (number | null)[] | null {
  if (typeof c === 'number') return [c];
  if (!Array.isArray(c)) return null;
  return c.map((d) => (typeof d === 'number' ? d : null));
}

/** `layer(x)`: build on first call, record a node when called on symbolic tensors. */
export function callLayer(rt: KerasRuntime, layer: LayerObj, args: CallArgs): Value {
  if (layer.model) return callModel(rt, layer.model, args);
  const spec = layer.spec;
  const tensors = collectCallTensors(spec, args);
  const options: Config = {};
  for (const [key, value] of args.keywords) {
    if (!spec?.callTensors.includes(key) && key !== 'inputs') options[key] = rt.config(value, args.keywordNodes.get(key));
  }
  const shapes = tensors.map((t) => shapeOf(t));
  let outputShape: Shape | Shape[] | null;
  if (spec) {
    const inference = safeInfer(spec, layer.config, shapes, options);
    if (!layer.weights) {
      layer.weights = layer.trainable ? inference.weights : inference.weights.map((w) => ({ ...w, trainable: false }));
      for (const prefix of HIDDEN_SUBLAYERS_ON_BUILD[spec.className] ?? []) rt.names.consume(prefix, rt.interp.uncertain > 0);
    }
    outputShape = inference.outputShape ?? traceLambda(rt, layer, tensors, args);
  } else if (layer.userClass && layer.instance) {
    const firstCall = !layer.weights;
    outputShape = callUserLayer(rt, layer, args, shapes);
    if (firstCall && outputShape === null && shapes.every((sh) => sh !== null)) {
      rt.interp.notes.note(args.node.startPosition.row + 1, 'info', `custom layer '${layer.name}' (${layer.className}): its call() uses code the analyzer does not follow; output shape unknown`);
    }
  } else {
    outputShape = null;
    if (!layer.weights) rt.noteUnknownClass(layer, args.node);
    layer.weights ??= [];
  }
  return emitOutputs(rt, layer, tensors.length > 0 ? nodeInputTensors(args) : tensors, outputShape, args);
}

/** Keras traces a Lambda's function on symbolic inputs to learn its output shape; so do we. */
function traceLambda(rt: KerasRuntime, layer: LayerObj, tensors: Value[], args: CallArgs): Shape | Shape[] | null {
  const fn = layer.args.function ?? layer.args.arg0;
  if (layer.className !== 'Lambda' || !fn || (fn.k !== 'func' && fn.k !== 'api')) return null;
  const input = args.positional[0] ?? tensors[0];
  if (!input) return null;
  const result = rt.inLayerCall(() => rt.interp.call(fn, { ...args, positional: [detach(input)], keywords: new Map() }));
  return outputShapeOf(result);
}

function safeInfer(spec: LayerSpec, config: Config, shapes: (Shape | null)[], options: Config) {
  try {
    return spec.infer(config, shapes, options);
  } catch {
    return { outputShape: null, weights: [] };
  }
}

/** The tensors a layer's shape rule receives, in its call-signature order (lists flattened). */
function collectCallTensors(spec: LayerSpec | undefined, args: CallArgs): Value[] {
  const first = args.positional[0] ?? args.keywords.get('inputs');
  const out: Value[] = [];
  if (!spec || spec.variadic) {
    if (first) flattenInto(first, out);
    return out;
  }
  spec.callTensors.forEach((name, i) => {
    const v = i < args.positional.length ? args.positional[i] : args.keywords.get(name);
    if (v && v.k !== 'none') flattenInto(v, out);
  });
  return out;
}

/** Keras's node inputs: every tensor among the call's arguments, positional first, then keywords by name. */
function nodeInputTensors(args: CallArgs): Value[] {
  const tensors: Value[] = [];
  for (const v of args.positional) flattenInto(v, tensors, true);
  if (args.keywords.size > 0) {
    const keywords = [...args.keywords.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, v] of keywords) flattenInto(v, tensors, true);
  }
  return tensors;
}

/** Appends the leaves of nested lists, tuples and dict values to `out`, in order (only tensors when asked). */
function flattenInto(v: Value, out: Value[], onlyTensors = false): void {
  if (isSequence(v)) for (const item of v.items) flattenInto(item, out, onlyTensors);
  else if (v.k === 'dict') for (const item of v.values) flattenInto(item, out, onlyTensors);
  else if (!onlyTensors || v.k === 'tensor') out.push(v);
}

/** The shape a layer sees: a Keras tensor's (batch None), or an eager array's concrete shape. */
export function shapeOf(v: Value): Shape | null {
  if (v.k === 'tensor') return v.t.shape;
  if (v.k === 'array') return v.shape;
  return null;
}

function isSymbolic(v: Value): boolean {
  return v.k === 'tensor' && v.t.producer !== null;
}

/** Creates the output tensors; a node is recorded only for symbolic calls outside a layer's own call(). */
function emitOutputs(rt: KerasRuntime, layer: LayerObj, inputs: Value[], outputShape: Shape | Shape[] | null, args: CallArgs): Value {
  const symbolic = rt.insideCall === 0 && inputs.length > 0 && inputs.every(isSymbolic);
  if (layer.firstOutput === undefined) layer.firstOutput = outputShape;
  const shapes = isMulti(outputShape) ? outputShape : [outputShape as Shape | null];
  const node: CallNode | undefined = symbolic
    ? { inputs: inputs.map((v) => (v as { t: TensorObj }).t), outputs: [], range: rt.interp.rangeOf(args.node) }
    : undefined;
  if (symbolic) checkInputRank(rt, layer, inputs, args);
  const nodeIndex = layer.nodes.length;
  const masked = producesMask(layer) || inputs.some((v) => v.k === 'tensor' && v.t.masked);
  if (symbolic && producesMask(layer)) {
    // Keras computes the mask with ops on the Keras tensor, which take `not_equal` and `any` names.
    for (const prefix of ['not_equal', 'any']) rt.names.consume(prefix, rt.interp.uncertain > 0);
  }
  const outputs = shapes.map((shape, i) => {
    const t: TensorObj = { shape, producer: symbolic ? layer : null, nodeIndex, outputIndex: i };
    if (!symbolic) t.eagerProducer = layer;
    if (masked) t.masked = true;
    return t;
  });
  if (node && inputs.some((v) => v.k === 'tensor' && v.t.masked)) node.maskedInputs = true;
  if (node) {
    node.outputs = outputs;
    appendCallNode(layer, node);
  }
  const values = outputs.map((t): Value => ({ k: 'tensor', t }));
  if (!isMulti(outputShape)) return values[0];
  return list(values);
}

/**
 * The input rank (batch included) of layers whose InputSpec fixes it, as Keras 3 checks it
 * (checked: convolutions raise "Kernel shape must have the same length as input" or "expected
 * min_ndim=4", pooling, padding, upsampling and recurrent layers "expected ndim=3").
 */
const INPUT_RANK: Record<string, number> = {
  ...byDimensions(['Conv', 'ConvTranspose', 'SeparableConv', 'DepthwiseConv', 'MaxPooling', 'AveragePooling', 'GlobalMaxPooling', 'GlobalAveragePooling', 'UpSampling', 'ZeroPadding', 'Cropping']),
  LSTM: 3,
  GRU: 3,
  SimpleRNN: 3,
  ConvLSTM1D: 4,
  ConvLSTM2D: 5,
  ConvLSTM3D: 6,
};

/** `Conv1D: 3, Conv2D: 4, Conv3D: 5` for each class family. */
function byDimensions(families: string[]): Record<string, number> {
  return Object.fromEntries(families.flatMap((f) => [1, 2, 3].map((d): [string, number] => [`${f}${d}D`, d + 2])));
}

function checkInputRank(rt: KerasRuntime, layer: LayerObj, inputs: Value[], args: CallArgs): void {
  const expected = INPUT_RANK[layer.className];
  const received = inputs.length === 1 ? shapeOf(inputs[0]) : null;
  if (!expected || !received || received.length === expected) return;
  rt.inputRankErrors.push({ node: args.node, layer: layer.name, className: layer.className, expected, received, file: rt.currentModule?.file });
}

function producesMask(layer: LayerObj): boolean {
  return layer.className === 'Masking' || (layer.className === 'Embedding' && layer.config.mask_zero === true);
}

export function isMulti(shape: Shape | Shape[] | null): shape is Shape[] {
  return Array.isArray(shape) && shape.length > 0 && Array.isArray(shape[0]);
}

// ───────────── user-defined Layer subclasses ─────────────

/** First call of a custom layer: run its build(input_shape), then compute_output_shape or call(). */
function callUserLayer(rt: KerasRuntime, layer: LayerObj, args: CallArgs, shapes: (Shape | null)[]): Shape | Shape[] | null {
  const instance = layer.instance!;
  const shapeArg = shapes.length === 1 ? shapeValue(shapes[0]) : list(shapes.map(shapeValue));
  if (!layer.weights) {
    layer.weights = [];
    const build = findClassAttr(instance.cls, 'build');
    if (build?.k === 'func') rt.inLayerCall(() => rt.interp.callFunction(build, { ...args, positional: [shapeArg], keywords: new Map() }, instance));
  }
  const computeShape = findClassAttr(instance.cls, 'compute_output_shape');
  if (computeShape?.k === 'func') {
    const result = rt.inLayerCall(() => rt.interp.callFunction(computeShape, { ...args, positional: [shapeArg], keywords: new Map() }, instance));
    const dims = dimsOfShapeValue(result);
    if (dims) return dims;
  }
  const call = findClassAttr(instance.cls, 'call');
  if (call?.k !== 'func') return null;
  const eagerArgs = { ...args, positional: args.positional.map(detach), keywords: new Map([...args.keywords].map(([k, v]) => [k, detach(v)])) };
  const result = rt.inLayerCall(() => rt.interp.callFunction(call, eagerArgs, instance));
  return outputShapeOf(result);
}

/** A tensor as seen inside a layer's call(): same shape, no symbolic history. */
function detach(v: Value): Value {
  if (v.k === 'tensor') return { k: 'tensor', t: { ...v.t, producer: null } };
  if (isSequence(v)) return { ...v, items: v.items.map(detach) };
  return v;
}

export function outputShapeOf(result: Value): Shape | Shape[] | null {
  if (result.k === 'tensor') return result.t.shape;
  if (isSequence(result)) {
    const shapes = result.items.map((item) => (item.k === 'tensor' ? item.t.shape : null));
    return shapes.every((s) => s) ? (shapes as Shape[]) : null;
  }
  return null;
}

export function shapeValue(shape: Shape | null): Value {
  if (!shape) return unknown('shape');
  return tuple(shape.map((d): Value => (d === null ? NONE : { k: 'num', v: d, int: true })));
}

function dimsOfShapeValue(v: Value): Shape | null {
  if (!isSequence(v)) return null;
  const dims: Shape = [];
  for (const item of v.items) {
    if (item.k === 'num') dims.push(item.v);
    else if (item.k === 'none') dims.push(null);
    else return null;
  }
  return dims;
}

// ───────────── models ─────────────

export function callModel(rt: KerasRuntime, model: ModelObj, args: CallArgs): Value {
  const input = args.positional[0] ?? args.keywords.get('inputs') ?? unknown('model input');
  const inputs = isSequence(input) ? input.items : [input];
  buildModel(rt, model, shapeOf(inputs[0]), args.node);
  let outputShape: Shape | Shape[] | null;
  if (model.opaque) outputShape = model.application?.outputShape ?? null;
  else if (model.kind === 'subclassed') outputShape = model.layer.firstOutput ?? null;
  else {
    const shapes = model.outputs.map((t) => t.shape);
    outputShape = shapes.length === 1 ? shapes[0] : shapes.every((s) => s) ? (shapes as Shape[]) : null;
  }
  model.layer.weights ??= [];
  return emitOutputs(rt, model.layer, inputs, outputShape, args);
}

/** Builds an unbuilt model for an input shape, as `fit`, `build()` or a first call would. */
/**
 * Builds an unbuilt model for an input shape, as `fit`, a first call or `build()` would.
 * An explicit `build()` on a subclassed model without its own build() only marks it built (Keras
 * 3 does not run call() then); its layers get built by the first real call.
 */
export function buildModel(rt: KerasRuntime, model: ModelObj, inputShape: Shape | null, at: Node, how: { explicit?: boolean } = {}): void {
  if (model.kind === 'sequential') {
    if (!model.built && inputShape) buildSequential(rt, model, inputShape, at);
  } else if (model.kind === 'subclassed') {
    if (!model.built) runUserBuild(rt, model, inputShape, at);
    if (!how.explicit) traceSubclassed(rt, model, inputShape, at);
  }
}

export function buildSequential(rt: KerasRuntime, model: ModelObj, inputShape: Shape | null, at: Node): void {
  let stack = model.stack;
  if (stack.length === 0) return;
  if (stack[0].className !== 'InputLayer') {
    if (!inputShape) return;
    const input = rt.makeInputLayer(inputShape, undefined, model.layer.range);
    stack = [input, ...stack];
    model.stack = stack;
  }
  const inputTensor = stack[0].nodes[0]?.outputs[0];
  if (!inputTensor) return;
  let x: Value = { k: 'tensor', t: inputTensor };
  const fakeArgs = rt.syntheticArgs(at);
  // Sequential.build always wires its layers symbolically (on Keras tensors), even when the
  // Sequential is first called inside another layer's call().
  rt.outsideCall(() => {
    for (const layer of stack.slice(1)) {
      x = callLayer(rt, layer, { ...fakeArgs, positional: [x] });
      if (x.k !== 'tensor') break;
    }
  });
  model.inputs = [inputTensor];
  model.outputs = x.k === 'tensor' ? [x.t] : [];
  model.built = true;
  // Keras builds the Sequential through an internal Functional, which takes a `functional` name.
  rt.names.consume('functional', rt.interp.uncertain > 0);
}

function runUserBuild(rt: KerasRuntime, model: ModelObj, inputShape: Shape | null, at: Node): void {
  const instance = model.layer.instance!;
  model.built = true;
  const build = findClassAttr(instance.cls, 'build');
  if (build?.k === 'func' && inputShape) {
    model.layer.weights ??= [];
    rt.inLayerCall(() => rt.interp.callFunction(build, { ...rt.syntheticArgs(at), positional: [shapeValue(inputShape)] }, instance));
  }
}

/** The first real call of a subclassed model runs call(), building its layers. */
function traceSubclassed(rt: KerasRuntime, model: ModelObj, inputShape: Shape | null, at: Node): void {
  if (model.traced || !inputShape) return;
  const instance = model.layer.instance!;
  const call = findClassAttr(instance.cls, 'call');
  if (call?.k !== 'func') return;
  model.traced = true;
  model.traceInput = [null, ...inputShape.slice(1)];
  const input: Value = { k: 'tensor', t: { shape: inputShape, producer: null, nodeIndex: 0, outputIndex: 0 } };
  const result = rt.inLayerCall(() => rt.interp.callFunction(call, { ...rt.syntheticArgs(at), positional: [input] }, instance));
  model.layer.firstOutput = outputShapeOf(result);
}

/** The names Keras tracks on a subclassed model/custom layer, in assignment order. */
export function trackAttribute(owner: LayerObj, value: Value): void {
  const layers: LayerObj[] = [];
  const collect = (v: Value) => {
    const layer = layerOf(v);
    if (layer && layer !== owner) layers.push(layer);
    else if (isSequence(v)) v.items.forEach(collect);
    else if (v.k === 'dict') v.values.forEach(collect);
  };
  collect(value);
  for (const layer of layers) if (!owner.tracked.includes(layer)) owner.tracked.push(layer);
}

export type { ClassValue, InstanceValue };
