/**
 * Attention layers: MultiHeadAttention (weights live in EinsumDense sublayers named query, key,
 * [gate], value, attention_output), Attention and AdditiveAttention (list input: [query, value, key?]).
 */
import type { ConfigValue, Dim, Shape } from '../../graph/model-graph';
import type { Config, LayerSpec } from './catalog';
import { boolArg, intArg, isDefault, nested, optionalWeight, ownWeights, strArg, weight, type CatalogWeight } from './util';

const last = (s: Shape | null): Dim => (s ? s[s.length - 1] : null);

/** One EinsumDense projection: kernel (in..., out...) and, with use_bias, bias over the output axes. */
function projection(name: string, useBias: boolean | null, inDims: Dim[], outDims: Dim[]): CatalogWeight[] {
  return nested(name, [weight('kernel', [...inDims, ...outDims]), ...optionalWeight(useBias, 'bias', outDims)]);
}

/** MHA `output_shape`: an int or a tuple of trailing dims; falsy (None) means the query's last dim. */
function mhaOutputDims(value: ConfigValue | undefined, query: Shape | null): Dim[] | null {
  if (value === undefined || value === null || value === 0) return [last(query)];
  if (typeof value === 'number') return [value];
  if (!Array.isArray(value)) return null;
  return value.length === 0 ? [last(query)] : value.map((d) => (typeof d === 'number' ? d : null));
}

const multiHeadAttention: LayerSpec = {
  className: 'MultiHeadAttention',
  positional: [
    'num_heads', 'key_dim', 'value_dim', 'dropout', 'use_bias', 'output_shape', 'attention_axes', 'sliding_window',
    'flash_attention', 'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer',
    'activity_regularizer', 'kernel_constraint', 'bias_constraint', 'use_gate', 'seed',
  ],
  callTensors: ['query', 'value', 'key'],
  infer(config, [query, value, keyInput], options) {
    const key = keyInput === undefined ? value : keyInput;
    const heads = intArg(config, 'num_heads', null);
    const keyDim = intArg(config, 'key_dim', null);
    const valueDim = isDefault(config, 'value_dim') ? keyDim : intArg(config, 'value_dim', null);
    const useBias = boolArg(config, 'use_bias', true);
    const outDims = mhaOutputDims(config.output_shape, query ?? null);
    const gate = boolArg(config, 'use_gate', false);
    const sublayers = [
      ...projection('query', useBias, [last(query ?? null)], [heads, keyDim]),
      ...projection('key', useBias, [last(key ?? null)], [heads, keyDim]),
      ...(gate === false ? [] : projection('gate', useBias, [last(query ?? null)], [heads, gate === null ? null : valueDim])),
      ...projection('value', useBias, [last(value ?? null)], [heads, valueDim]),
      ...projection('attention_output', useBias, [heads, valueDim], outDims ?? [null]),
    ];
    // The projections are built as separate sublayers: a constructor trainable=False does not freeze them.
    const weights = sublayers;
    const output = query && outDims ? [...query.slice(0, -1), ...outDims] : null;
    if (options.return_attention_scores !== true) return { outputShape: output, weights };
    // Keras's symbolic scores shape is (batch, heads, Tq, Tq): it reuses the query length for the key axis.
    const scores = query && output ? [query[0], heads, query[1], query[1]] : null;
    return { outputShape: output && scores ? [output, scores] : null, weights };
  },
};

/**
 * GroupedQueryAttention (exported as keras.layers.GroupQueryAttention): query/gate project to
 * num_query_heads, key/value to num_key_value_heads; the output keeps the query's shape.
 */
const groupedQueryAttention: LayerSpec = {
  className: 'GroupedQueryAttention',
  positional: [
    'head_dim', 'num_query_heads', 'num_key_value_heads', 'dropout', 'use_bias', 'sliding_window', 'flash_attention',
    'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer', 'activity_regularizer',
    'kernel_constraint', 'bias_constraint', 'use_gate', 'seed',
  ],
  callTensors: ['query', 'value', 'key'],
  infer(config, [query, value, keyInput], options) {
    const key = keyInput === undefined ? value : keyInput;
    const headDim = intArg(config, 'head_dim', null);
    const qHeads = intArg(config, 'num_query_heads', null);
    const kvHeads = intArg(config, 'num_key_value_heads', null);
    const useBias = boolArg(config, 'use_bias', true);
    const gate = boolArg(config, 'use_gate', false);
    const feature = last(query ?? null);
    const sublayers = [
      ...projection('query', useBias, [feature], [qHeads, headDim]),
      ...projection('key', useBias, [last(key ?? null)], [kvHeads, headDim]),
      ...(gate === false ? [] : projection('gate', useBias, [feature], [qHeads, gate === null ? null : headDim])),
      ...projection('value', useBias, [last(value ?? null)], [kvHeads, headDim]),
      ...projection('attention_output', useBias, [qHeads, headDim], [feature]),
    ];
    // The projections are built as separate sublayers: a constructor trainable=False does not freeze them.
    const weights = sublayers;
    const output = query ? [...query] : null;
    if (options.return_attention_scores !== true) return { outputShape: output, weights };
    const scores = query && key ? [query[0], qHeads, query[1], key[1]] : null;
    return { outputShape: output && scores ? [output, scores] : null, weights };
  },
};

/** Attention / AdditiveAttention outputs: (*query[:-1], value[-1]) and scores (*query[:-1], key[-2]). */
function attentionOutputs(inputs: (Shape | null)[], options: Config) {
  const [query, value] = inputs;
  const key = inputs[2] ?? value;
  if (!query || !value || !key) return null;
  const output = [...query.slice(0, -1), last(value)];
  if (options.return_attention_scores !== true) return output;
  return [output, [...query.slice(0, -1), key[key.length - 2] ?? null]];
}

const attention: LayerSpec = {
  className: 'Attention',
  positional: ['use_scale', 'score_mode', 'dropout', 'seed'],
  callTensors: ['inputs'],
  variadic: true,
  infer(config, inputs, options) {
    const useScale = boolArg(config, 'use_scale', false);
    const mode = strArg(config, 'score_mode', 'dot');
    const concat = mode === null ? null : mode === 'concat';
    const created = [...optionalWeight(useScale, 'scale', []), ...optionalWeight(concat, 'concat_score_weight', [])];
    return { outputShape: attentionOutputs(inputs, options), weights: ownWeights(config, created) };
  },
};

const additiveAttention: LayerSpec = {
  className: 'AdditiveAttention',
  positional: ['use_scale', 'dropout'],
  callTensors: ['inputs'],
  variadic: true,
  infer(config, inputs, options) {
    const useScale = boolArg(config, 'use_scale', true);
    const scale = optionalWeight(useScale, 'scale', [last(inputs[0] ?? null)]);
    return { outputShape: attentionOutputs(inputs, options), weights: ownWeights(config, scale) };
  },
};

export const ATTENTION_SPECS: LayerSpec[] = [multiHeadAttention, groupedQueryAttention, attention, additiveAttention];
