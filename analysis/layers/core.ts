/** Core layers: InputLayer, Dense, EinsumDense, Embedding, Activation, Identity, Masking, Lambda. */
import type { ConfigValue, Dim, OutputShape, Shape } from '../../graph/model-graph';
import type { Config, LayerSpec } from './catalog';
import { parseEinsumDense } from './einsum';
import { boolArg, freeze, intArg, isDefault, loraFactors, optionalWeight, ownWeights, passThrough, weight } from './util';

function shapeValue(value: ConfigValue | undefined): Dim[] | null {
  if (!Array.isArray(value)) return null;
  return value.map((d) => (typeof d === 'number' && Number.isInteger(d) && d >= 0 ? d : null));
}

const inputLayer: LayerSpec = {
  className: 'InputLayer',
  positional: ['shape', 'batch_size', 'dtype', 'sparse', 'ragged', 'batch_shape', 'input_tensor', 'optional', 'name'],
  callTensors: [],
  infer(config) {
    // `input_shape` / `batch_input_shape` are the deprecated spellings Keras still accepts.
    const batchShape = config.batch_shape ?? config.batch_input_shape;
    if (batchShape !== undefined && batchShape !== null) return { outputShape: shapeValue(batchShape), weights: [] };
    const shape = shapeValue(config.shape ?? config.input_shape);
    const batch = intArg(config, 'batch_size', null);
    return { outputShape: shape ? [batch, ...shape] : null, weights: [] };
  },
};

const dense: LayerSpec = {
  className: 'Dense',
  positional: [
    'units', 'activation', 'use_bias', 'kernel_initializer', 'bias_initializer', 'kernel_regularizer',
    'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint', 'lora_rank',
    'lora_alpha', 'quantization_config',
  ],
  callTensors: ['inputs'],
  infer(config, [x]) {
    const units = intArg(config, 'units', null);
    const inDim = x ? x[x.length - 1] : null;
    const rank = intArg(config, 'lora_rank', 0);
    const lora = loraFactors(config, 'lora_kernel', [[inDim, rank], [rank, units]]);
    const bias = optionalWeight(boolArg(config, 'use_bias', true), 'bias', [units]);
    const weights = ownWeights(config, [weight('kernel', [inDim, units]), ...bias, ...lora]);
    return { outputShape: x ? [...x.slice(0, -1), units] : null, weights: freeze(weights, 'kernel', lora.length > 0) };
  },
};

const einsumDense: LayerSpec = {
  className: 'EinsumDense',
  positional: [
    'equation', 'output_shape', 'activation', 'bias_axes', 'kernel_initializer', 'bias_initializer',
    'kernel_regularizer', 'bias_regularizer', 'kernel_constraint', 'bias_constraint', 'lora_rank', 'lora_alpha',
    'gptq_unpacked_column_size', 'quantization_config',
  ],
  callTensors: ['inputs'],
  infer(config, [x]) {
    const parsed = x ? parseEinsumDense(config, x) : null;
    const created = [weight('kernel', parsed?.kernel ?? null)];
    if (!isDefault(config, 'bias_axes')) created.push(weight('bias', parsed?.bias ?? null));
    // LoRA factors split the kernel: (kernel[:-1] + (r,)) and (r, kernel[-1]).
    const k = parsed?.kernel ?? null;
    const rank = intArg(config, 'lora_rank', 0);
    const lora = loraFactors(config, 'lora_kernel', k ? [[...k.slice(0, -1), rank], [rank, k[k.length - 1]]] : [null, null]);
    const weights = freeze(ownWeights(config, [...created, ...lora]), 'kernel', lora.length > 0);
    return { outputShape: parsed?.output ?? null, weights };
  },
};

const embedding: LayerSpec = {
  className: 'Embedding',
  positional: [
    'input_dim', 'output_dim', 'embeddings_initializer', 'embeddings_regularizer', 'embeddings_constraint',
    'mask_zero', 'weights', 'lora_rank', 'lora_alpha', 'quantization_config',
  ],
  callTensors: ['inputs'],
  infer(config, [x]) {
    const inputDim = intArg(config, 'input_dim', null);
    const outputDim = intArg(config, 'output_dim', null);
    const rank = intArg(config, 'lora_rank', 0);
    const lora = loraFactors(config, 'lora_embeddings', [[inputDim, rank], [rank, outputDim]]);
    const weights = ownWeights(config, [weight('embeddings', [inputDim, outputDim]), ...lora]);
    return { outputShape: x ? [...x, outputDim] : null, weights: freeze(weights, 'embeddings', lora.length > 0) };
  },
};

/** Lambda's `output_shape` excludes the batch dim; a nested list means several outputs. */
function lambdaOutput(config: Config, inputs: (Shape | null)[]): OutputShape {
  const declared = config.output_shape;
  if (!Array.isArray(declared) || inputs[0] === null || inputs[0] === undefined) return null;
  const batch = inputs[0][0] ?? null;
  if (declared.length > 0 && declared.every(Array.isArray)) {
    const shapes = declared.map(shapeValue);
    return shapes.every((s) => s !== null) ? shapes.map((s) => [batch, ...(s as Dim[])]) : null;
  }
  const shape = shapeValue(declared);
  return shape ? [batch, ...shape] : null;
}

const lambda: LayerSpec = {
  className: 'Lambda',
  positional: ['function', 'output_shape', 'mask', 'arguments'],
  callTensors: ['inputs'],
  // Without a literal output_shape Keras runs the function to find out; statically that is unknown.
  infer: (config, inputs) => ({ outputShape: lambdaOutput(config, inputs), weights: [] }),
};

export const CORE_SPECS: LayerSpec[] = [
  inputLayer,
  dense,
  einsumDense,
  embedding,
  lambda,
  passThrough('Activation', ['activation']),
  passThrough('Identity', []),
  passThrough('Masking', ['mask_value']),
];
