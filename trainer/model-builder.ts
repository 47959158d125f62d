/**
 * Model graph → tfjs LayersModel with the same layer names, classes, shapes, activations,
 * initializers, regularizers and wiring (functional graphs, Sequential stacks, shared layers,
 * nested models, which are inlined so their layers can be tapped).
 *
 * The built model's outputs are the graph's outputs followed by the activations of any other
 * layer the trainer needs (tapped layers), so one forward pass yields everything.
 * Every layer's tfjs output shape is checked against the shape the analyzer computed for Keras.
 */
import type { LayerNode, ModelNode, Shape } from '../graph/model-graph';
import type { Node } from '../analysis/loss/python';
import type { Tf } from './backend';
import { planCustomLayer } from './custom-layers';
import { convertLayer, layerLabel, layerLine, ModelBuildError } from './keras-layers';
import { classDefinition, constructorCall, sequentialInputShape } from './source-hints';

export { ModelBuildError };

type TfLayer = import('@tensorflow/tfjs').layers.Layer;
type SymbolicTensor = ReturnType<Tf['input']>;
type LayersModel = ReturnType<Tf['model']>;

export interface BuildOptions {
  /** Layers whose activations the trainer reads (taps, loss terms); they become extra outputs. */
  activations: string[];
  /** The parsed source, for custom layer classes and Sequential input shapes. */
  root: Node;
}

export interface BuiltLayer {
  name: string;
  className: string;
  line: number;
  tfjs: TfLayer;
}

export interface BuiltModel {
  model: LayersModel;
  /** Layer name of each model output, in order. */
  outputLayers: string[];
  /** Trainable layers by name (nested models' layers included). */
  layers: Map<string, BuiltLayer>;
  /** Model inputs; `intMax` when every consumer is an Embedding (token ids below it). */
  inputs: { name: string; shape: Shape; intMax?: number }[];
  /** Keras activity regularizers (tfjs cannot apply them eagerly): added to the loss by the engine. */
  activityRegularizers: { layer: string; l1: number; l2: number }[];
  /** Layer names in execution order (inputs excluded), for non-finite diagnosis. */
  order: string[];
  /** How custom layers and other special cases were built. */
  notes: string[];
  /** A model whose outputs are every layer's output, in `order` (built on first use). */
  diagnostic(): { model: LayersModel; layers: string[] };
}

function sameShape(a: Shape, b: (number | null)[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

function fmt(shape: (number | null)[]): string {
  return `(${shape.map((d) => (d === null ? 'None' : d)).join(', ')})`;
}

export function buildModel(tf: Tf, graphModel: ModelNode, options: BuildOptions): BuiltModel {
  assertBuildable(graphModel);
  // graphModel.error (Keras would refuse the model, e.g. a weight passed as an output) is not fatal
  // here: the layers are built from the graph and the loss interpretation says how the intent is read.
  const notes: string[] = [];
  const layers = new Map<string, BuiltLayer>();
  const byId = new Map<string, TfLayer>();
  /** Output tensors of each layer, one per call, in call order. */
  const outputs = new Map<string, SymbolicTensor[]>();
  const order: string[] = [];
  const inputs: { name: string; shape: Shape; intMax?: number }[] = [];
  const activityRegularizers: { layer: string; l1: number; l2: number }[] = [];
  const created: TfLayer[] = [];
  const inputTensors: SymbolicTensor[] = [];
  const usedNames = new Set<string>();

  const tfjsLayer = (layer: LayerNode): TfLayer => {
    const cached = byId.get(layer.id);
    if (cached) return cached;
    let className = layer.className;
    let config = layer.config;
    if (!layer.known && className !== 'InputLayer' && !['Sequential', 'Functional', 'Model'].includes(className)) {
      // Known Keras classes come with known=true; anything else is the user's own class.
      const cls = classDefinition(options.root, className);
      if (cls || !isBuiltin(className)) {
        const plan = planCustomLayer(layer, cls, constructorCall(options.root, layer));
        className = plan.className;
        config = plan.config;
        notes.push(plan.note);
      }
    }
    config = adjustConfig(layer, className, config, activityRegularizers);
    let name = layer.name;
    if (usedNames.has(name)) name = `${name}_${layer.id}`;
    usedNames.add(name);
    const built = convertLayer(tf, { name, className, line: layerLine(layer) }, config);
    created.push(built);
    if (name !== layer.name) notes.push(`${layerLabel({ name: layer.name, className: layer.className, line: layerLine(layer) })} is named '${name}' in tfjs (the name is used twice across nested models)`);
    byId.set(layer.id, built);
    layers.set(layer.name, { name: layer.name, className: layer.className, line: layerLine(layer), tfjs: built });
    return built;
  };

  const record = (layer: LayerNode, out: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => {
    if (Array.isArray(out)) {
      throw new ModelBuildError(`${layerLabel({ name: layer.name, className: layer.className, line: layerLine(layer) })}: layers with several outputs are not supported by the trainer`, layer.name, layerLine(layer));
    }
    const list = outputs.get(layer.name) ?? [];
    list.push(out);
    outputs.set(layer.name, list);
    if (!order.includes(layer.name)) order.push(layer.name);
    const expected = layer.outputShape;
    if (Array.isArray(expected) && !Array.isArray(expected[0])) {
      const got = out.shape;
      if (!sameShape(expected as Shape, got)) {
        throw new ModelBuildError(
          `${layerLabel({ name: layer.name, className: layer.className, line: layerLine(layer) })}: tfjs computes output shape ${fmt(got)} but Keras gives ${fmt(expected as Shape)}`,
          layer.name,
          layerLine(layer),
        );
      }
    }
    return out;
  };

  const apply = (layer: LayerNode, xs: SymbolicTensor[]): SymbolicTensor => {
    if (layer.model) return record(layer, inline(layer.model, xs));
    const l = tfjsLayer(layer);
    let out: SymbolicTensor | SymbolicTensor[];
    try {
      out = l.apply(xs.length === 1 ? xs[0]! : xs) as SymbolicTensor | SymbolicTensor[];
    } catch (error) {
      if (error instanceof ModelBuildError) throw error;
      throw new ModelBuildError(
        `${layerLabel({ name: layer.name, className: layer.className, line: layerLine(layer) })}: tfjs cannot apply it to input${xs.length > 1 ? 's' : ''} of shape ${xs.map((x) => fmt(x.shape)).join(', ')}: ${(error as Error).message}`,
        layer.name,
        layerLine(layer),
      );
    }
    return record(layer, out);
  };

  /** The tensor a consumer reads from `name`; shared layers are matched by occurrence order. */
  const resolve = (name: string, occurrence: number, consumer: LayerNode, callIndex = 0, callCount = 1): SymbolicTensor => {
    const list = outputs.get(name);
    if (!list?.length) {
      throw new ModelBuildError(`${layerLabel({ name: consumer.name, className: consumer.className, line: layerLine(consumer) })}: its input '${name}' is not built yet (unsupported wiring)`, consumer.name, layerLine(consumer));
    }
    if (list.length > 1 && occurrence === 0 && !notes.some((n) => n.includes(`'${name}' is shared`))) {
      notes.push(`layer '${name}' is shared (${list.length} calls); consumers are matched to its calls by the order they list it, which the model graph does not record`);
    }
    // Parallel towers: the c-th call of a shared consumer reads the c-th call of a shared producer.
    if (callCount > 1 && occurrence === 0) return list[Math.min(callIndex, list.length - 1)]!;
    return list[Math.min(occurrence, list.length - 1)]!;
  };

  const makeInput = (name: string, shape: Shape, intMax?: number): SymbolicTensor => {
    const t = tf.input({ batchShape: shape as number[], name: usedNames.has(name) ? `${name}_input` : name });
    usedNames.add(name);
    inputs.push(intMax === undefined ? { name, shape } : { name, shape, intMax });
    inputTensors.push(t);
    return t;
  };

  const functional = (m: ModelNode, given: SymbolicTensor[] | undefined): SymbolicTensor[] => {
    let inputIndex = 0;
    const pendingLayers: LayerNode[] = [];
    for (const layer of m.layers) {
      if (layer.className === 'InputLayer') {
        const batchShape = layer.config['batch_shape'];
        const shape = Array.isArray(batchShape) ? (batchShape as Shape) : Array.isArray(layer.outputShape) ? (layer.outputShape as Shape) : undefined;
        if (!shape) throw new ModelBuildError(`input '${layer.name}' (line ${layerLine(layer)}) has no known shape`, layer.name, layerLine(layer));
        const consumers = m.layers.filter((l) => l.calls.some((c) => c.inbound.includes(layer.name)) || l.inbound.includes(layer.name));
        const dims = consumers.map((c) => (c.className === 'Embedding' && typeof c.config['input_dim'] === 'number' ? c.config['input_dim'] : undefined));
        const intMax = dims.length && dims.every((d) => d !== undefined) ? Math.min(...(dims as number[])) : undefined;
        const t = given ? given[inputIndex++] : makeInput(layer.name, shape, intMax);
        if (!t) throw new ModelBuildError(`nested model '${m.name}' has more inputs than it is called with`);
        outputs.set(layer.name, [t]);
        continue;
      }
      pendingLayers.push(layer);
    }
    // model.layers is construction order, which can differ from call order: apply each layer
    // once everything it reads is built.
    let progress = true;
    while (pendingLayers.length && progress) {
      progress = false;
      for (let i = 0; i < pendingLayers.length; i++) {
        const layer = pendingLayers[i]!;
        const calls = dedupeCalls(layer);
        const done = outputs.get(layer.name)?.length ?? 0;
        if (layer.model ? done >= calls.length : done >= calls.length) {
          pendingLayers.splice(i--, 1);
          continue;
        }
        const call = calls[done]!;
        let xs: SymbolicTensor[];
        if (call.inputs?.length) {
          // Exact wiring: the producer's call (node index) is known.
          if (!call.inputs.every((inp) => (outputs.get(inp.layer)?.length ?? 0) > inp.call)) continue;
          xs = call.inputs.map((inp) => {
            if (inp.output !== 0) {
              throw new ModelBuildError(`${layerLabel({ name: layer.name, className: layer.className, line: layerLine(layer) })}: reads output ${inp.output} of '${inp.layer}'; layers with several outputs are not supported by the trainer`, layer.name, layerLine(layer));
            }
            return outputs.get(inp.layer)![inp.call]!;
          });
        } else {
          if (!call.inbound.every((name) => (outputs.get(name)?.length ?? 0) > 0)) continue;
          const seen = new Map<string, number>();
          xs = call.inbound.map((name) => {
            const k = seen.get(name) ?? 0;
            seen.set(name, k + 1);
            return resolve(name, k, layer, done, calls.length);
          });
        }
        apply(layer, xs);
        progress = true;
        i--;
      }
    }
    if (pendingLayers.length) {
      const layer = pendingLayers[0]!;
      const missing = [...new Set(dedupeCalls(layer)[0]!.inbound.filter((name) => !(outputs.get(name)?.length)))];
      const known = new Set(m.layers.map((l) => l.name));
      const ops = missing.filter((n) => !known.has(n));
      const why = ops.length
        ? `${ops.map((n) => `'${n}'`).join(', ')} ${ops.length > 1 ? 'are' : 'is'} not a layer of the model (a keras.ops operation or an operator on tensors, which the model graph does not describe)`
        : 'they cannot be built (unsupported wiring)';
      throw new ModelBuildError(
        `${layerLabel({ name: layer.name, className: layer.className, line: layerLine(layer) })}: cannot build its input${missing.length > 1 ? 's' : ''} ${missing.map((n) => `'${n}'`).join(', ')}: ${why}`,
        layer.name,
        layerLine(layer),
      );
    }
    return m.outputs.map((name) => {
      const list = outputs.get(name);
      if (!list?.length) throw new ModelBuildError(`model '${m.name}': output '${name}' was not built`);
      return list[list.length - 1]!;
    });
  };

  const sequential = (m: ModelNode, given: SymbolicTensor | undefined): SymbolicTensor => {
    let x = given;
    if (!x) {
      const shape = sequentialShape(options.root, m);
      x = makeInput(m.inputs[0] ?? 'input_layer', [null, ...shape]);
    }
    for (const layer of m.layers) {
      if (layer.className === 'InputLayer') continue;
      x = apply(layer, [x]);
    }
    return x;
  };

  function inline(m: ModelNode, xs: SymbolicTensor[]): SymbolicTensor {
    if (m.kind === 'subclassed') throw new ModelBuildError(`nested model '${m.name}' is a subclassed model; not supported by the trainer`);
    if (m.kind === 'sequential') return sequential(m, xs[0]);
    const outs = functional(m, xs);
    if (outs.length !== 1) throw new ModelBuildError(`nested model '${m.name}' has ${outs.length} outputs; only single-output nested models are supported`);
    return outs[0]!;
  }

  let model: LayersModel;
  let outputLayers: string[];
  try {
    const modelOutputs = graphModel.kind === 'sequential' ? [sequential(graphModel, undefined)] : functional(graphModel, undefined);
    outputLayers = graphModel.kind === 'sequential' ? [graphModel.layers[graphModel.layers.length - 1]!.name] : [...graphModel.outputs];
    const all = [...modelOutputs];
    const wanted = [...options.activations, ...activityRegularizers.map((a) => a.layer)];
    for (const name of wanted) {
      if (outputLayers.includes(name)) continue;
      const list = outputs.get(name);
      if (!list?.length) {
        throw new ModelBuildError(`cannot tap '${name}': model '${graphModel.name}' has no layer of that name${graphModel.error ? ` (${graphModel.error})` : ''}`);
      }
      outputLayers.push(name);
      all.push(list[list.length - 1]!);
    }
    model = tf.model({ inputs: inputTensors, outputs: all, name: graphModel.name });
  } catch (error) {
    // Free the weights of every layer built so far.
    for (const l of created) {
      for (const w of l.weights) {
        try {
          w.dispose();
        } catch {
          // already disposed
        }
      }
    }
    throw error;
  }

  let diagnostic: { model: LayersModel; layers: string[] } | undefined;
  return {
    model,
    outputLayers,
    layers,
    inputs,
    activityRegularizers,
    order,
    notes,
    diagnostic() {
      diagnostic ??= {
        model: tf.model({ inputs: inputTensors, outputs: order.map((n) => outputs.get(n)![0]!), name: `${graphModel.name}_diagnostic` }),
        layers: [...order],
      };
      return diagnostic;
    },
  };
}

/**
 * Keras spellings tfjs does not take as such: upper-case padding, Reshape's -1 (resolved from the
 * shape Keras computes), activity regularizers (moved to the engine, which adds them to the loss
 * as Keras 3 does: regularizer(output) / batch size).
 */
function adjustConfig(layer: LayerNode, className: string, config: LayerNode['config'], activity: { layer: string; l1: number; l2: number }[]): LayerNode['config'] {
  let out = config;
  const copy = (): LayerNode['config'] => (out === config ? { ...config } : out);
  if (typeof out['padding'] === 'string' && out['padding'] !== out['padding'].toLowerCase()) {
    out = copy();
    out['padding'] = (out['padding'] as string).toLowerCase();
  }
  if (className === 'Reshape' && Array.isArray(out['target_shape']) && (out['target_shape'] as unknown[]).includes(-1)) {
    const shape = layer.outputShape;
    if (Array.isArray(shape) && !Array.isArray(shape[0]) && shape.slice(1).every((d) => typeof d === 'number')) {
      out = copy();
      out['target_shape'] = shape.slice(1) as number[];
    }
  }
  const act = out['activity_regularizer'];
  if (act !== undefined && act !== null) {
    const spec = typeof act === 'string' ? { $class: act, args: {} } : (act as { $class?: string; args?: Record<string, unknown> });
    const cls = String(spec.$class ?? '');
    const args = spec.args ?? {};
    const num = (k: string, pos: string, dflt: number): number => Number(args[k] ?? args[pos] ?? dflt);
    let l1 = 0;
    let l2 = 0;
    if (/^(l1|L1)$/.test(cls)) l1 = num('l1', 'arg0', 0.01);
    else if (/^(l2|L2)$/.test(cls)) l2 = num('l2', 'arg0', 0.01);
    else if (/^(l1_l2|l1l2|L1L2)$/.test(cls)) {
      l1 = num('l1', 'arg0', cls === 'L1L2' ? 0 : 0.01);
      l2 = num('l2', 'arg1', cls === 'L1L2' ? 0 : 0.01);
    } else {
      throw new ModelBuildError(`${layerLabel({ name: layer.name, className: layer.className, line: layerLine(layer) })}: activity_regularizer ${JSON.stringify(act)} has no tfjs counterpart`, layer.name, layerLine(layer));
    }
    out = copy();
    delete out['activity_regularizer'];
    activity.push({ layer: layer.name, l1, l2 });
  }
  return out;
}

/** Subclassed models have no static layer graph to build from. */
export function assertBuildable(m: ModelNode): void {
  if (m.kind === 'subclassed') {
    throw new ModelBuildError(
      `model '${m.name}' (line ${m.range.start.line + 1}) is a subclassed model (${m.className}); the trainer builds Sequential and functional models only`,
    );
  }
}

/**
 * A layer's distinct calls. Older graphs listed a Sequential layer's call once per `model.add`
 * (identical inbound at an identical range); graphs with `inputs` (node indices) are exact.
 */
function dedupeCalls(layer: LayerNode): { inbound: string[]; inputs?: LayerNode['calls'][number]['inputs'] }[] {
  if (layer.calls.length <= 1) return layer.calls.length ? layer.calls : [{ inbound: layer.inbound }];
  if (layer.calls.every((c) => Array.isArray(c.inputs))) return layer.calls;
  const out: LayerNode['calls'] = [];
  for (const c of layer.calls) {
    if (!out.some((o) => o.inbound.join('\0') === c.inbound.join('\0') && sameRange(o, c))) out.push(c);
  }
  return out;
}

function sameRange(a: { range: LayerNode['range'] }, b: { range: LayerNode['range'] }): boolean {
  return JSON.stringify(a.range) === JSON.stringify(b.range);
}

/** Input shape (without batch) of a Sequential: from the source, else fit's x, else a first Dense's kernel. */
function sequentialShape(root: Node, m: ModelNode): Shape {
  const known = m.inputShapes?.[0];
  if (known && known.length > 1) return known.slice(1);
  const fromSource = sequentialInputShape(root, m);
  if (fromSource) return fromSource;
  const x = m.fit?.[0]?.xShapes?.[0];
  if (x && x.length > 1 && x.slice(1).every((d) => d !== null)) return x.slice(1);
  const first = m.layers.find((l) => l.className !== 'InputLayer');
  if (first && first.className === 'Dense' && first.kernelShape?.[0]) return [first.kernelShape[0]];
  throw new ModelBuildError(
    `model '${m.name}' (line ${m.range.start.line + 1}): the input shape of this Sequential model is not known; add keras.Input(shape=...) as its first layer`,
  );
}

const KERAS_BUILTINS = new Set([
  'Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'Conv1DTranspose', 'Conv3DTranspose', 'SeparableConv1D', 'SeparableConv2D', 'DepthwiseConv1D', 'DepthwiseConv2D',
  'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalAveragePooling3D',
  'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling3D', 'Flatten', 'Reshape', 'Permute', 'RepeatVector', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D',
  'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'BatchNormalization', 'LayerNormalization', 'GroupNormalization', 'UnitNormalization', 'Embedding', 'LSTM', 'GRU', 'SimpleRNN',
  'Bidirectional', 'TimeDistributed', 'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot', 'Activation', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'Softmax',
  'ZeroPadding1D', 'ZeroPadding2D', 'ZeroPadding3D', 'Cropping1D', 'Cropping2D', 'Cropping3D', 'UpSampling1D', 'UpSampling2D', 'UpSampling3D', 'Masking', 'Rescaling', 'Lambda',
  'MultiHeadAttention', 'Attention', 'AdditiveAttention', 'Normalization', 'Resizing', 'CenterCrop', 'InputLayer', 'Identity', 'ConvLSTM2D', 'ActivityRegularization',
]);

function isBuiltin(className: string): boolean {
  return KERAS_BUILTINS.has(className);
}

/**
 * Disposes a built model, including the dropout masks tfjs RNN cells keep between calls
 * (model.dispose() does not free those).
 */
export function disposeBuiltModel(tf: Tf, built: BuiltModel): void {
  const seen = new Set<unknown>();
  const visit = (layer: unknown): void => {
    if (!layer || typeof layer !== 'object' || seen.has(layer)) return;
    seen.add(layer);
    const l = layer as Record<string, unknown>;
    const cell = l['cell'] as Record<string, unknown> | undefined;
    for (const holder of [l, cell]) {
      if (!holder) continue;
      for (const key of ['dropoutMask', 'recurrentDropoutMask']) {
        const mask = holder[key];
        if (mask) {
          tf.dispose(mask as never);
          holder[key] = null;
        }
      }
      const cells = holder['cells'];
      if (Array.isArray(cells)) cells.forEach(visit);
    }
    for (const key of ['forwardLayer', 'backwardLayer', 'layer']) visit(l[key]);
    if (Array.isArray(l['layers'])) (l['layers'] as unknown[]).forEach(visit);
  };
  for (const layer of built.model.layers) visit(layer);
  built.model.dispose();
}
