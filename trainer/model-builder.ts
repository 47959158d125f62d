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
  inputs: { name: string; shape: Shape }[];
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
  if (graphModel.kind === 'subclassed') {
    throw new ModelBuildError(
      `model '${graphModel.name}' (line ${graphModel.range.start.line + 1}) is a subclassed model (${graphModel.className}); the trainer builds Sequential and functional models only`,
    );
  }
  // graphModel.error (Keras would refuse the model, e.g. a weight passed as an output) is not fatal
  // here: the layers are built from the graph and the loss interpretation says how the intent is read.
  const notes: string[] = [];
  const layers = new Map<string, BuiltLayer>();
  const byId = new Map<string, TfLayer>();
  /** Output tensors of each layer, one per call, in call order. */
  const outputs = new Map<string, SymbolicTensor[]>();
  const order: string[] = [];
  const inputs: { name: string; shape: Shape }[] = [];
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
    let name = layer.name;
    if (usedNames.has(name)) name = `${name}_${layer.id}`;
    usedNames.add(name);
    const built = convertLayer(tf, { name, className, line: layerLine(layer) }, config);
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
  const resolve = (name: string, occurrence: number, consumer: LayerNode): SymbolicTensor => {
    const list = outputs.get(name);
    if (!list?.length) {
      throw new ModelBuildError(`${layerLabel({ name: consumer.name, className: consumer.className, line: layerLine(consumer) })}: its input '${name}' is not built yet (unsupported wiring)`, consumer.name, layerLine(consumer));
    }
    if (list.length > 1 && occurrence === 0 && !notes.some((n) => n.includes(`'${name}' is shared`))) {
      notes.push(`layer '${name}' is shared (${list.length} calls); consumers are matched to its calls by the order they list it, which the model graph does not record`);
    }
    return list[Math.min(occurrence, list.length - 1)]!;
  };

  const makeInput = (name: string, shape: Shape): SymbolicTensor => {
    const t = tf.input({ batchShape: shape as number[], name: usedNames.has(name) ? `${name}_input` : name });
    usedNames.add(name);
    inputs.push({ name, shape });
    inputTensors.push(t);
    return t;
  };

  const functional = (m: ModelNode, given: SymbolicTensor[] | undefined): SymbolicTensor[] => {
    let inputIndex = 0;
    for (const layer of m.layers) {
      if (layer.className === 'InputLayer') {
        const batchShape = layer.config['batch_shape'];
        const shape = Array.isArray(batchShape) ? (batchShape as Shape) : Array.isArray(layer.outputShape) ? (layer.outputShape as Shape) : undefined;
        if (!shape) throw new ModelBuildError(`input '${layer.name}' (line ${layerLine(layer)}) has no known shape`, layer.name, layerLine(layer));
        const t = given ? given[inputIndex++] : makeInput(layer.name, shape);
        if (!t) throw new ModelBuildError(`nested model '${m.name}' has more inputs than it is called with`);
        outputs.set(layer.name, [t]);
        continue;
      }
      const calls = dedupeCalls(layer);
      for (const call of calls) {
        const seen = new Map<string, number>();
        const xs = call.inbound.map((name) => {
          const k = seen.get(name) ?? 0;
          seen.set(name, k + 1);
          return resolve(name, k, layer);
        });
        apply(layer, xs);
      }
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

  const modelOutputs = graphModel.kind === 'sequential' ? [sequential(graphModel, undefined)] : functional(graphModel, undefined);
  const outputLayers = graphModel.kind === 'sequential' ? [graphModel.layers[graphModel.layers.length - 1]!.name] : [...graphModel.outputs];
  const all = [...modelOutputs];
  for (const name of options.activations) {
    if (outputLayers.includes(name)) continue;
    const list = outputs.get(name);
    if (!list?.length) throw new ModelBuildError(`cannot tap '${name}': the model has no layer of that name`);
    outputLayers.push(name);
    all.push(list[list.length - 1]!);
  }
  const model = tf.model({ inputs: inputTensors, outputs: all, name: graphModel.name });

  let diagnostic: { model: LayersModel; layers: string[] } | undefined;
  return {
    model,
    outputLayers,
    layers,
    inputs,
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

/** The analyzer lists a Sequential layer's call once per `model.add`; keep distinct inbound lists for functional layers. */
function dedupeCalls(layer: LayerNode): { inbound: string[] }[] {
  if (layer.calls.length <= 1) return layer.calls.length ? layer.calls : [{ inbound: layer.inbound }];
  const out: { inbound: string[] }[] = [];
  for (const c of layer.calls) {
    // Identical inbound lists at the identical source range are duplicates, not shared calls.
    if (!out.some((o, i) => o.inbound.join('\0') === c.inbound.join('\0') && sameRange(layer.calls[i]!, c))) out.push(c);
  }
  return out;
}

function sameRange(a: { range: LayerNode['range'] }, b: { range: LayerNode['range'] }): boolean {
  return JSON.stringify(a.range) === JSON.stringify(b.range);
}

/** Input shape (without batch) of a Sequential: from the source, else fit's x, else a first Dense's kernel. */
function sequentialShape(root: Node, m: ModelNode): Shape {
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
