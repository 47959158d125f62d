/** Turns the evaluator's runtime objects into the ModelGraph IR. */
import type {
  CompileInfo,
  ConfigValue,
  FitInfo,
  LayerNode,
  LossSpec,
  ModelNode,
  OutputShape,
  Shape,
  WeightInfo,
} from '../graph/model-graph';
import { layerOf, toConfig } from './keras-build';
import type { LayerObj, ModelObj } from './keras-objects';
import type { KerasRuntime } from './keras-runtime';
import { countParams, kernelShapeOf } from './layers/catalog';
import { functionalOperations, modelLayers, nodesInModel } from './model-layers';
import { isSequence, type Value } from './values';

export function buildModelNode(rt: KerasRuntime, model: ModelObj, variables: string[]): ModelNode {
  const layers = modelLayers(model);
  const inGraph = model.kind === 'functional' ? nodesInModel(model) : undefined;
  const outbound = outboundNames(model, layers);
  const layerNodes = layers.map((layer) => buildLayerNode(rt, layer, model, inGraph, outbound.get(layer) ?? []));
  // A subclassed model may own weights itself (add_weight in its build()).
  const ownWeights = model.kind === 'subclassed' ? (model.layer.weights ?? []) : [];
  const uniqueWeights = [...ownWeights, ...collectWeights(layers, model.kind === 'subclassed' && model.built)];
  const total = (model.built || model.kind !== 'subclassed') && !model.partialGraph ? countParams(uniqueWeights) : null;
  const trainable = total === null ? null : trainableCount(uniqueWeights);
  const unbuilt = isCertainlyUnbuilt(model, layers);
  const node: ModelNode = {
    id: model.id,
    layerId: model.layer.id,
    name: model.layer.name,
    nameSource: model.layer.nameSource,
    kind: model.kind,
    className: model.layer.className,
    variables,
    range: model.layer.range,
    inputs: model.inputs.map((t) => t.producer?.name ?? '?'),
    outputs: model.outputs.map((t) => t.producer?.name ?? '?'),
    inputShapes: model.kind === 'subclassed' ? (model.traceInput ? [model.traceInput] : []) : model.inputs.map((t) => t.shape),
    outputShapes: model.kind === 'subclassed' ? subclassedOutputs(model) : model.outputs.map((t) => t.shape),
    layers: layerNodes,
    totalParams: layers.length === 0 && !model.built ? null : total,
    trainableParams: trainable,
    nonTrainableParams: total === null || trainable === null ? null : total - trainable,
    approximate: model.layer.approximate || layerNodes.some((l) => l.nameSource === 'approximate' || (l.outputShape === null && !unbuilt)),
  };
  if (unbuilt) node.unbuilt = true;
  if (model.speculative) {
    node.speculative = model.speculative;
    node.approximate = true;
  }
  if (model.outputKeys) node.outputKeys = model.outputKeys;
  if (model.outputSources) node.outputSources = model.outputSources;
  if (model.opaque) opaqueModel(node, model);
  if (model.layer.file) node.file = model.layer.file;
  if (model.invalidInputs) {
    node.error = `inputs include ${model.invalidInputs.join(', ')}; Keras raises when building this model`;
    node.errorAt = 'inputs';
  } else if (model.invalidOutputs) node.error = `outputs include ${model.invalidOutputs.join(', ')}; Keras raises when building this model`;
  if (model.compile) node.compile = compileInfo(rt, model);
  if (model.fits.length > 0) node.fit = model.fits.map((f) => fitInfo(rt, f));
  return node;
}

function buildLayerNode(rt: KerasRuntime, layer: LayerObj, model: ModelObj, inGraph: Set<unknown> | undefined, outbound: string[]): LayerNode {
  const weights = layerWeights(layer);
  const firstNode = inGraph ? layer.nodes.find((n) => inGraph.has(n)) : undefined;
  const node: LayerNode = {
    id: layer.id,
    name: layer.name,
    nameSource: layer.nameSource,
    className: layer.className,
    known: !!layer.spec || (!!layer.model && !layer.model.layer.approximate),
    config: layer.config,
    outputShape: layerOutputShape(layer, model),
    params: weights ? countParams(weights) : null,
    trainable: layer.trainable,
    // `layer.kernel` is the layer's own variable: models and sublayers' kernels do not count.
    kernelShape: !layer.model && layer.weights ? kernelShapeOf(layer.weights) : null,
    weights: weights ?? [],
    inbound: model.kind === 'functional' && firstNode ? firstNode.inputs.map((t) => t.producer?.name ?? '?') : [],
    outbound,
    calls: callsIn(layer, model).map((n) => ({
      inbound: n.inputs.map((t) => t.producer?.name ?? '?'),
      inputs: n.inputs.map((t) => ({ layer: t.producer?.name ?? '?', call: t.nodeIndex, output: t.outputIndex })),
      range: n.range,
    })),
    range: layer.range,
  };
  if (layer.nameRange) node.nameRange = layer.nameRange;
  if (layer.nameFile) node.nameFile = layer.nameFile;
  if (layer.file) node.file = layer.file;
  const approximateSource = firstNode?.inputs.some((t) => t.producer?.nameSource === 'approximate');
  if (firstNode?.maskedInputs || approximateSource) node.inboundApproximate = true;
  if (layer.model) node.model = buildModelNode(rt, layer.model, []);
  return node;
}

/** The trainable part of the weights; unknown where code we could not follow may have changed it. */
function trainableCount(weights: WeightInfo[]): number | null {
  return weights.some((w) => w.trainableUnknown) ? null : countParams(weights.filter((w) => w.trainable));
}

/** An application: its counts and shapes when its build is known (keras-applications.ts), else unknown. */
function opaqueModel(node: ModelNode, model: ModelObj): void {
  node.opaque = model.opaque;
  const app = model.application;
  if (!app) {
    node.totalParams = node.trainableParams = node.nonTrainableParams = null;
    node.approximate = true;
    return;
  }
  const weights = model.layer.weights ?? [];
  node.trainableParams = trainableCount(weights);
  node.totalParams = countParams(weights);
  node.nonTrainableParams = node.totalParams === null || node.trainableParams === null ? null : node.totalParams - node.trainableParams;
  node.layerCount = app.layers;
  node.inputShapes = [app.inputShape];
  node.outputShapes = [app.outputShape];
}

/**
 * Never built, nothing that would build it ran (a call, fit, build) in code that surely ran, and
 * none of its layers has weights (a subclassed model holding built sub-models has a summary).
 */
function isCertainlyUnbuilt(model: ModelObj, layers: LayerObj[]): boolean {
  if (model.kind === 'functional' || model.built || model.buildRequested || model.opaque || model.layer.approximate) return false;
  return model.layer.nodes.length === 0 && layers.every((l) => !l.weights);
}

/**
 * The calls of a layer that matter for this model. A Sequential rebuilt after every `add()` leaves
 * stale calls on its layers (as Keras does); only those of the final build are the model's.
 */
function callsIn(layer: LayerObj, model: ModelObj) {
  if (model.kind !== 'sequential' || !model.built) return layer.nodes;
  const current = nodesInModel(model);
  return layer.nodes.filter((n) => current.has(n));
}

function subclassedOutputs(model: ModelObj): (Shape | null)[] {
  const out = model.layer.firstOutput;
  if (out === undefined || out === null) return model.traceInput ? [null] : [];
  return Array.isArray(out[0]) ? (out as Shape[]) : [out as Shape];
}

function layerOutputShape(layer: LayerObj, model: ModelObj): OutputShape {
  if (layer.nodes.length > 0) {
    const tensors = layer.nodes[0].outputs;
    if (tensors.length === 1) return tensors[0].shape;
    const outputs = tensors.map((t) => t.shape);
    return outputs.every((s) => s) ? (outputs as Shape[]) : null;
  }
  // Layers of a subclassed model run eagerly; Keras reports their shapes with a None batch.
  if (model.kind === 'subclassed') return withNoneBatch(layer.firstOutput ?? null);
  return null;
}

function withNoneBatch(shape: OutputShape): OutputShape {
  if (!shape || shape.length === 0) return shape;
  if (Array.isArray(shape[0])) return (shape as Shape[]).map((s) => [null, ...s.slice(1)]);
  return [null, ...(shape as Shape).slice(1)];
}

/** A layer's weights, including those of layers it tracks (custom layers) or contains (models). */
function layerWeights(layer: LayerObj): WeightInfo[] | null {
  if (layer.model) {
    if (layer.model.opaque) return layer.model.application ? [...(layer.weights ?? [])] : null;
    const inner = modelLayers(layer.model);
    if (!layer.model.built && layer.model.kind !== 'functional') return null;
    return collectWeights(inner);
  }
  if (!layer.weights) return null;
  if (layer.tracked.length === 0) return [...layer.weights];
  const tracked = layer.tracked.map(layerWeights);
  if (tracked.some((w) => w === null)) return null;
  return [...layer.weights, ...tracked.flatMap((w) => w!)];
}

/**
 * The weights Keras counts for a set of layers. In a built subclassed model, layers never called
 * have no weights yet and count as 0 (as `count_params()` does); elsewhere they make it unknown.
 */
function collectWeights(layers: LayerObj[], unbuiltCountsAsZero = false): WeightInfo[] {
  const seen = new Set<LayerObj>();
  const out: WeightInfo[] = [];
  for (const layer of layers) {
    if (seen.has(layer)) continue;
    seen.add(layer);
    const w = layerWeights(layer);
    if (w === null && unbuiltCountsAsZero) continue;
    if (w === null) return [{ name: '?', shape: null, trainable: true }];
    out.push(...w);
  }
  return out;
}

/** For each layer, the names of the layers/ops of this model that consume its outputs. */
function outboundNames(model: ModelObj, layers: LayerObj[]): Map<LayerObj, string[]> {
  // Few consumers per layer: a list with a membership test beats a Set per layer.
  const out = new Map<LayerObj, string[]>();
  const add = (from: LayerObj, to: string) => {
    const names = out.get(from);
    if (!names) out.set(from, [to]);
    else if (!names.includes(to)) names.push(to);
  };
  if (model.kind === 'sequential') layers.forEach((l, i) => layers[i + 1] && add(l, layers[i + 1].name));
  if (model.kind === 'functional') {
    const inGraph = nodesInModel(model);
    for (const op of functionalOperations(model)) {
      for (const n of op.nodes) if (inGraph.has(n)) for (const t of n.inputs) if (t.producer) add(t.producer, op.name);
    }
  }
  return out;
}

function compileInfo(rt: KerasRuntime, model: ModelObj): CompileInfo {
  const { node, args, file } = model.compile!;
  const range = rt.interp.rangeOf(node);
  const optimizer = cfg(args.optimizer);
  const loss = lossSpec(rt, args.loss);
  const lossWeights = cfg(args.loss_weights);
  const metrics = cfg(args.metrics);
  // Two literals rather than spreading an optional `file` in (same keys, same order).
  return file ? { file, range, optimizer, loss, lossWeights, metrics } : { range, optimizer, loss, lossWeights, metrics };
}

function lossSpec(rt: KerasRuntime, v: Value | undefined): CompileInfo['loss'] {
  if (!v || v.k === 'none') return null;
  if (isSequence(v)) return v.items.map((item) => single(rt, item));
  if (v.k === 'dict') {
    const out: { [output: string]: LossSpec } = {};
    v.keys.forEach((k, i) => {
      if (k.k === 'str') out[k.v] = single(rt, v.values[i]);
    });
    return out;
  }
  return single(rt, v);
}

function single(rt: KerasRuntime, v: Value): LossSpec {
  if (v.k === 'str') return { kind: 'builtin', name: v.v };
  if (v.k === 'api') return { kind: 'builtin', name: v.path.split('.').pop()! };
  if (v.k === 'kobj') return { kind: 'builtin', name: v.cls, args: Object.fromEntries(Object.entries(v.args).map(([k, a]) => [k, cfg(a)])) };
  if (v.k === 'func') return { kind: 'function', name: v.name, range: rt.interp.rangeOf(v.node), ...(v.module ? { file: v.module.file } : {}) };
  return { kind: 'unknown', text: v.k };
}

function fitInfo(rt: KerasRuntime, fit: ModelObj['fits'][number]): FitInfo {
  const x = fit.args.x;
  const y = fit.args.y;
  const shapes = (v: Value | undefined): (Shape | null)[] | null => {
    if (!v) return null;
    if (isSequence(v)) return v.items.map(dataShape);
    if (v.k === 'dict') return v.values.map(dataShape);
    return [dataShape(v)];
  };
  const args: { [key: string]: ConfigValue } = {};
  for (const [k, v] of Object.entries(fit.args)) if (k !== 'x' && k !== 'y') args[k] = cfg(v);
  const targetCount = (v: Value | undefined) => (!v ? null : isSequence(v) ? v.items.length : v.k === 'dict' ? v.keys.length : v.k === 'unknown' ? null : 1);
  const validation = fit.args.validation_data;
  const [xVal, yVal] = validation && isSequence(validation) && validation.items.length >= 2 ? validation.items : [];
  return {
    ...(fit.file ? { file: fit.file } : {}),
    range: rt.interp.rangeOf(fit.node),
    xShapes: shapes(x),
    yShapes: shapes(y),
    targetCount: targetCount(y),
    ...(xVal ? { validation: { xShapes: shapes(xVal), yShapes: shapes(yVal), targetCount: targetCount(yVal) } } : {}),
    args,
  };
}

function dataShape(v: Value): Shape | null {
  if (v.k === 'array') return v.shape;
  if (v.k === 'tensor') return v.t.shape;
  return null;
}

function cfg(v: Value | undefined): ConfigValue {
  return v ? toConfig(v, v.k) : null;
}

export { layerOf };
