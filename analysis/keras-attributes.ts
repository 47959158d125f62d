/** Attributes and methods of Keras objects: layers and models (`.output`, `.get_layer`, `.fit`…), tensors, arrays. */
import { type Shape } from '../graph/model-graph';
import { findClassAttr } from './interpreter';
import { argparseMethod } from './keras-api-calls';
import { buildModel, layerOf, layerValue, shapeValue } from './keras-build';
import { intendedAttribute, maybeRebuild, sequentialAdd } from './keras-models';
import { type LayerObj, type ModelObj, type TensorObj } from './keras-objects';
import { tensorOp } from './keras-ops';
import { reshape, toDims, type Dims } from './keras-shapes';
import { countParams } from './layers/catalog';
import { modelLayers } from './model-layers';
import { NONE, isSequence, list, num, str, tuple, type Value, unknown } from './values';
import type { CallArgs } from './interpreter';
import type { KerasRuntime } from './keras-runtime';
import type { SyntaxNode as Node } from './syntax-tree';

/** Attributes of layers that people reach for on a layer's output tensor by mistake. */
const LAYER_ONLY_ATTRIBUTES = new Set(['get_weights', 'kernel', 'bias', 'weights', 'trainable_weights', 'get_config', 'output', 'input']);

export function attribute(rt: KerasRuntime, obj: Value, attr: string, node: Node): Value {
  switch (obj.k) {
    case 'layer':
      return layerAttr(rt, obj.layer, attr, node, obj);
    case 'tensor':
      if (attr === 'shape') return shapeValue(obj.t.shape);
      if (attr === 'ndim') return obj.t.shape ? num(obj.t.shape.length) : unknown('ndim');
      if (LAYER_ONLY_ATTRIBUTES.has(attr)) return tensorAttributeError(rt, obj.t, attr, node);
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
export function tensorAttributeError(rt: KerasRuntime, t: TensorObj, attr: string, node: Node): Value {
  const producer = t.producer ?? t.eagerProducer;
  const hint = producer ? ` (this is the output tensor of layer '${producer.name}', not the layer; use model.get_layer('${producer.name}').${attr})` : '';
  const message = `'KerasTensor' object has no attribute '${attr}'${hint}`;
  rt.interp.notes.note(node.startPosition.row + 1, 'error', message);
  const where: Record<string, Value> = producer ? { layer: str(producer.name), attr: str(intendedAttribute(producer, attr)) } : {};
  return { k: 'kobj', cls: 'Error', args: { message: str(message), ...where } };
}

function undefinedAttributeError(rt: KerasRuntime, message: string, node: Node): Value {
  rt.interp.notes.note(node.startPosition.row + 1, 'error', `${message} (give it a keras.Input first, or build() it)`);
  return { k: 'kobj', cls: 'Error', args: { message: str(message) } };
}

export function neverCalledError(rt: KerasRuntime, layer: LayerObj, attr: string, node: Node): Value {
  const message = `The layer ${layer.name} has never been called and thus has no defined ${attr} (use ${attr}s, or build a functional model with keras.Input)`;
  rt.interp.notes.note(node.startPosition.row + 1, 'error', message);
  return { k: 'kobj', cls: 'Error', args: { message: str(message) } };
}

export function layerAttr(rt: KerasRuntime, layer: LayerObj, attr: string, node: Node, self: Value): Value {
  const model = layer.model;
  switch (attr) {
    case 'output':
    case 'input': {
      const n = layer.nodes[0];
      const t = attr === 'output' ? n?.outputs : n?.inputs;
      // Keras 3's Sequential has `inputs`/`outputs` but no `input`/`output` until called.
      if (model?.kind === 'sequential' && !n) return neverCalledError(rt, layer, attr, node);
      if (model && model.kind !== 'subclassed') return tensorsValue(attr === 'output' ? model.outputs : model.inputs);
      return t ? tensorsValue(t) : unknown(`${layer.name}.${attr}`);
    }
    case 'outputs':
    case 'inputs':
      // A Sequential without an input shape yet (no keras.Input, not built): Keras 3 raises (checked).
      if (model?.kind === 'sequential' && model.inputs.length === 0 && !rt.interp.uncertain) return undefinedAttributeError(rt, `Sequential model '${layer.name}' has no defined ${attr} yet`, node);
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
      if (model?.opaque) return innerLayersUnknown(model);
      return model ? list(modelLayers(model).map(layerValue)) : unknown('layers');
    case 'trainable':
      return { k: 'bool', v: layer.trainable };
    case 'output_shape':
      return shapeValue(Array.isArray(layer.firstOutput?.[0]) ? null : (layer.firstOutput as Shape | null) ?? null);
    default:
      return { k: 'method', self, name: attr };
  }
}

export function method(rt: KerasRuntime, self: Value, name: string, args: CallArgs): Value {
  if (name === '__noop__') return NONE;
  if (name === '__keras_init__' && self.k === 'instance') return rt.kerasInit(self, args);
  const layer = layerOf(self);
  if (layer) return layerMethod(rt, layer, name, args);
  if (self.k === 'array') return arrayMethod(self, name, args);
  if (self.k === 'tensor') return tensorOp(rt, 'keras.ops', name, { ...args, positional: [self, ...args.positional] });
  if (self.k === 'kobj' && self.cls === 'Dataset') return self;
  if (self.k === 'kobj' && self.cls === 'Error') return self;
  if (self.k === 'kobj' && self.cls === 'ArgumentParser') return argparseMethod(self, name, args);
  return unknown(`method ${name}`);
}

export function layerMethod(rt: KerasRuntime, layer: LayerObj, name: string, args: CallArgs): Value {
  const model = layer.model;
  switch (name) {
    case 'add_weight':
      return addWeight(layer, args);
    case 'add':
      if (model?.kind === 'sequential' && args.positional[0]) sequentialAdd(rt, model, args.positional[0], true, args.node);
      return NONE;
    case 'pop':
      if (model?.kind === 'sequential') {
        model.stack.pop();
        maybeRebuild(rt, model, args.node);
      }
      return NONE;
    case 'get_layer':
      if (model?.opaque) return innerLayersUnknown(model);
      return model ? getLayer(rt, model, args) : unknown('get_layer');
    case 'compile':
      if (model) model.compile = { node: args.node, args: namedArgs(args, ['optimizer', 'loss', 'loss_weights', 'metrics']), file: rt.currentModule?.file };
      return NONE;
    case 'fit':
    case 'evaluate':
    case 'predict':
    case 'train_on_batch':
      if (model) fitLike(rt, model, name, args);
      return name === 'predict' ? unknown('predictions') : unknown('history');
    case 'build':
      if (model) model.buildRequested = true;
      if (model) buildModel(rt, model, toDims(args.positional[0] ?? args.keywords.get('input_shape')), args.node, { explicit: true });
      else if (layer.spec && !layer.weights) {
        const shape = toDims(args.positional[0] ?? args.keywords.get('input_shape'));
        layer.weights = layer.spec.infer(layer.config, [shape], {}).weights;
      } else if (layer.instance && !layer.weights) {
        const build = findClassAttr(layer.instance.cls, 'build');
        layer.weights = [];
        if (build?.k === 'func') rt.inLayerCall(() => rt.interp.callFunction(build, args, layer.instance!));
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

export function addWeight(layer: LayerObj, args: CallArgs): Value {
  const get = (key: string, index: number) => args.keywords.get(key) ?? args.positional[index];
  const shape = toDims(get('shape', 0));
  const nameValue = get('name', 3);
  const trainableValue = args.keywords.get('trainable');
  const name = nameValue?.k === 'str' ? nameValue.v : `variable_${layer.weights?.length ?? 0}`;
  layer.weights ??= [];
  layer.weights.push({ name, shape, trainable: trainableValue?.k === 'bool' ? trainableValue.v && layer.trainable : layer.trainable });
  return { k: 'weight', layer, name };
}

export function getLayer(rt: KerasRuntime, model: ModelObj, args: CallArgs): Value {
  const nameValue = args.keywords.get('name') ?? args.positional[0];
  const nameNode = args.keywordNodes.get('name') ?? args.positionalNodes[0];
  const layers = modelLayers(model);
  if (nameValue?.k === 'str') {
    const found = layers.find((l) => l.name === nameValue.v);
    if (nameNode) rt.addReference('get_layer', nameNode, nameValue.v, model, found);
    return found ? layerValue(found) : unknown(`no layer ${nameValue.v}`);
  }
  const index = args.keywords.get('index') ?? (nameValue?.k === 'num' ? nameValue : undefined);
  if (index?.k === 'num') {
    const found = layers[index.v < 0 ? layers.length + index.v : index.v];
    return found ? layerValue(found) : unknown('layer index');
  }
  return unknown('get_layer');
}

export function fitLike(rt: KerasRuntime, model: ModelObj, method: string, args: CallArgs): void {
  model.buildRequested = true;
  let x = args.keywords.get('x') ?? args.positional[0];
  let y = args.keywords.get('y') ?? args.positional[1];
  if (x?.k === 'kobj' && x.cls === 'Dataset') {
    const data = x.args.data;
    if (data && isSequence(data)) [x, y] = [data.items[0], data.items[1]];
  }
  if (method === 'fit') model.fits.push({ node: args.node, args: namedArgs(args, ['x', 'y', 'batch_size', 'epochs']), positional: args.positional, file: rt.currentModule?.file });
  if (x && (!model.built || (model.kind === 'subclassed' && !model.traced))) {
    const first = isSequence(x) ? x.items[0] : x;
    const shape = first?.k === 'array' && first.shape ? ([null, ...first.shape.slice(1)] as Shape) : null;
    buildModel(rt, model, shape, args.node);
  }
  void y;
}

/**
 * An application's own layers (`base.layers[:100]`, `base.get_layer(...)`) are not listed: what the
 * code does with them is unknown, so is which of its weights stay trainable (fine-tuning loops).
 */
function innerLayersUnknown(model: ModelObj): Value {
  model.layer.weights = model.layer.weights?.map((w) => ({ ...w, trainableUnknown: true }));
  return unknown(`layers of ${model.opaque}`);
}

export function setTrainable(layer: LayerObj, trainable: boolean): void {
  layer.trainable = trainable;
  // `trainable = True` again (fine-tuning after a frozen phase) makes every weight trainable but
  // the statistics Keras never trains.
  if (layer.weights) layer.weights = layer.weights.map((w) => ({ ...w, trainable: trainable && !isNonTrainableStat(w.name) }));
  for (const inner of layer.tracked) setTrainable(inner, trainable);
  if (layer.model) for (const inner of modelLayers(layer.model)) setTrainable(inner, trainable);
}

export function isNonTrainableStat(name: string): boolean {
  // The last: an application's aggregate of its statistics (keras-api-calls.ts#makeApplication).
  return name === 'moving_mean' || name === 'moving_variance' || name === 'non-trainable weights';
}

export function tensorsValue(ts: TensorObj[]): Value {
  const values = ts.map((t): Value => ({ k: 'tensor', t }));
  return values.length === 1 ? values[0] : list(values);
}

export function namedArgs(args: CallArgs, positionalNames: string[]): Record<string, Value> {
  const out: Record<string, Value> = {};
  args.positional.forEach((v, i) => {
    if (positionalNames[i]) out[positionalNames[i]] = v;
  });
  for (const [k, v] of args.keywords) out[k] = v;
  return out;
}

export function arrayMethod(self: { k: 'array'; shape: Dims | null; classes?: number }, name: string, args: CallArgs): Value {
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
