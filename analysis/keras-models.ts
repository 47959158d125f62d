/** Sequential and functional model construction, as Keras 3 does it (including its name counters). */
import { type OutputSource } from '../graph/model-graph';
import { findClassAttr } from './interpreter';
import { buildSequential, layerOf, layerValue } from './keras-build';
import { type LayerObj, type ModelObj, type TensorObj } from './keras-objects';
import { isSequence, type Value, unknown } from './values';
import type { CallArgs } from './interpreter';
import type { KerasRuntime } from './keras-runtime';
import type { SyntaxNode as Node } from './syntax-tree';

export function makeSequential(rt: KerasRuntime, args: CallArgs): Value {
  const layer = rt.newLayer('layer', 'Sequential', rt.interp.rangeOf(args.node));
  const model = rt.newModel('sequential', layer);
  model.built = false;
  layer.weights = [];
  rt.nameLayer(layer, args.keywords.get('name') ?? args.positional[2], args.keywordNodes.get('name'));
  const trainable = args.keywords.get('trainable');
  if (trainable?.k === 'bool') layer.trainable = trainable.v;
  const items = args.keywords.get('layers') ?? args.positional[0];
  if (items && isSequence(items)) {
    for (const item of items.items) sequentialAdd(rt, model, item, false, args.node);
    maybeRebuild(rt, model, args.node);
  }
  return layerValue(layer);
}

export function sequentialAdd(rt: KerasRuntime, model: ModelObj, item: Value, rebuild: boolean, node: Node): void {
  let layer = layerOf(item);
  if (item.k === 'tensor' && item.t.producer?.className === 'InputLayer') layer = item.t.producer;
  if (!layer) {
    // Something Keras accepted but we could not follow: keep its place so that what follows
    // is unknown rather than shifted.
    model.layer.approximate = true;
    layer = rt.newLayer('layer', '?', rt.interp.rangeOf(node));
    layer.name = '?';
    layer.nameSource = 'approximate';
    layer.approximate = true;
  }
  if (model.stack.length === 0 && layer.inputShapeArg) {
    model.stack.push(rt.makeInputLayer(layer.inputShapeArg, undefined, layer.range));
  }
  model.stack.push(layer);
  model.built = false;
  if (rebuild) maybeRebuild(rt, model, node);
}

export function maybeRebuild(rt: KerasRuntime, model: ModelObj, node: Node): void {
  model.built = false;
  const first = model.stack[0];
  if (!first || model.stack.length < 2) return;
  if (first.className === 'InputLayer') buildSequential(rt, model, first.nodes[0]?.outputs[0]?.shape ?? null, node);
  else if (first.model?.built && first.model.inputs[0]) buildSequential(rt, model, first.model.inputs[0].shape, node);
  // An application with an input shape, as a Sequential's first layer, builds it too.
  else if (first.model?.application) buildSequential(rt, model, first.model.application.inputShape, node);
}

export function makeFunctional(rt: KerasRuntime, args: CallArgs): Value {
  const layer = rt.newLayer('layer', 'Functional', rt.interp.rangeOf(args.node));
  const model = rt.newModel('functional', layer);
  const inputs = args.keywords.get('inputs') ?? args.positional[0] ?? unknown('inputs');
  const outputs = args.keywords.get('outputs') ?? args.positional[1] ?? unknown('outputs');
  initFunctional(rt, model, inputs, outputs, args);
  rt.nameLayer(layer, args.keywords.get('name') ?? args.positional[2], args.keywordNodes.get('name'));
  return layerValue(layer);
}

export function initFunctional(rt: KerasRuntime, model: ModelObj, inputs: Value, outputs: Value, args: CallArgs): void {
  const flatInputs = flattenTensors(inputs);
  model.inputs = flatInputs.tensors;
  // `inputs=seq.input` of a Sequential (Keras 3 has `inputs`, not `input`), a weight, …: Keras raises.
  const badInputs = flatInputs.invalid;
  if (badInputs.length > 0) {
    model.invalidInputs = badInputs;
    rt.interp.notes.note(args.node.startPosition.row + 1, 'error', `model inputs include ${badInputs.join(', ')} (Keras raises when building this model)`);
  }
  const flat = flattenTensors(outputs);
  model.outputs = flat.tensors;
  model.outputSources = flat.sources;
  if (outputs.k === 'dict') model.outputKeys = outputs.keys.map((k) => (k.k === 'str' ? k.v : '?')).sort();
  model.built = true;
  model.layer.weights = [];
  if (flat.invalid.length > 0) {
    model.invalidOutputs = flat.invalid;
    rt.interp.notes.note(args.node.startPosition.row + 1, 'error', `model outputs include ${flat.invalid.join(', ')}: not Keras tensors (Keras raises when building this model)`);
  }
  // Inputs or outputs we could not follow (an opaque application's `.input`, a layer called on an
  // unknown value): the layers between them are not all known, nor are the parameters.
  const unfollowed = model.inputs.length === 0 || model.outputs.length === 0 || [...model.inputs, ...model.outputs].some((t) => !t.producer);
  if (unfollowed) {
    model.layer.approximate = true;
    model.partialGraph = true;
  }
}

export function flattenTensors(v: Value): { tensors: TensorObj[]; invalid: string[]; sources: OutputSource[] } {
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
export function intendedAttribute(layer: LayerObj, attr: string): string {
  if (attr !== 'get_weights' || !layer.userClass) return attr;
  const method = findClassAttr(layer.userClass, 'get_weights');
  return method?.k === 'func' && /return\s+self\.kernel\b/.test(method.node.text) ? 'kernel' : attr;
}

/** What `tensor.kernel` / `tensor.get_weights()` was meant to reach: that layer's weights. */
export function errorSource(args: Record<string, Value>): OutputSource {
  const layer = args.layer?.k === 'str' ? args.layer.v : undefined;
  const attr = args.attr?.k === 'str' ? args.attr.v : undefined;
  if (!layer || !attr) return null;
  if (attr === 'kernel' || attr === 'bias') return { layer, tensor: attr };
  return { layer, tensor: attr === 'get_weights' || attr === 'weights' ? 'weights' : 'activation' };
}

/** Keras flattens dicts (inputs, outputs) in sorted key order. */
export function sortedDictValues(d: { keys: Value[]; values: Value[] }): Value[] {
  const keyOf = (k: Value) => (k.k === 'str' ? k.v : '');
  return d.keys.map((k, i) => [keyOf(k), d.values[i]] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}
