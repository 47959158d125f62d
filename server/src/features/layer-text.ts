/**
 * How layers and models read in completions and hovers: one-line details and Markdown tables.
 */
import type { ConfigValue, LayerNode, ModelNode, WeightInfo } from '../../../graph/model-graph';
import { countParams } from '../../../analysis/layers/catalog';
import { formatCount, formatShape, modelSize, summaryTable, UNBUILT_NOTE } from '../../../graph/summary';

/** Configuration keys worth showing first, in this order; others follow when short. */
const KEY_CONFIG = [
  'units', 'filters', 'kernel_size', 'strides', 'padding', 'activation', 'pool_size', 'rate', 'axis',
  'num_heads', 'key_dim', 'input_dim', 'output_dim', 'return_sequences', 'target_shape', 'dims', 'use_bias',
  'kernel_regularizer', 'activity_regularizer', 'bias_regularizer', 'momentum', 'epsilon', 'batch_shape',
];

export function layerDetail(layer: LayerNode): string {
  return `${layer.className} · ${formatShape(layer.outputShape)} · ${formatCount(layer.params)} params`;
}

export function modelLabel(model: ModelNode): string {
  const variable = model.variables[0];
  return variable && variable !== model.name ? `${model.name} (${variable})` : model.name;
}

export function approximateNote(layer: LayerNode): string | undefined {
  return layer.nameSource === 'approximate'
    ? "Approximate name: Keras's automatic counter depends on code that cannot be followed statically, so the real name may differ."
    : undefined;
}

export function formatConfig(value: ConfigValue): string {
  if (value === null) return 'None';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `(${value.map(formatConfig).join(', ')}${value.length === 1 ? ',' : ''})`;
  if ('$unknown' in value) return String(value.$unknown);
  if ('$class' in value && 'args' in value) {
    const args = Object.entries(value.args as Record<string, ConfigValue>).map(([k, v]) => `${k}=${formatConfig(v)}`);
    return `${String(value.$class)}(${args.join(', ')})`;
  }
  return `{${Object.entries(value).map(([k, v]) => `${k}: ${formatConfig(v as ConfigValue)}`).join(', ')}}`;
}

/** The key configuration as `name = value` pairs (at most `limit`). */
export function keyConfig(layer: LayerNode, limit = 8): [string, string][] {
  const keys = Object.keys(layer.config);
  const ordered = [...KEY_CONFIG.filter((k) => keys.includes(k)), ...keys.filter((k) => !KEY_CONFIG.includes(k) && k !== 'name')];
  return ordered
    .map((k): [string, string] => [k, formatConfig(layer.config[k])])
    .filter(([k, v]) => KEY_CONFIG.includes(k) || v.length <= 40)
    .slice(0, limit);
}

/** Markdown for one layer: a title, a table of facts, where it is defined. */
export function layerMarkdown(layer: LayerNode, model: ModelNode | undefined, location: string | undefined, lead?: string): string {
  const rows: [string, string][] = [
    ['Output shape', `\`${formatShape(layer.outputShape)}\``],
    ['Params', `${formatCount(layer.params)}${layer.trainable ? nonTrainablePart(layer) : ' (frozen: trainable=False)'}`],
    ['Trainable', layer.trainable ? 'yes' : 'no'],
  ];
  if (layer.kernelShape) rows.push(['Kernel', `\`${formatShape(layer.kernelShape)}\``]);
  for (const [k, v] of keyConfig(layer)) rows.push([k, `\`${escapeTable(v)}\``]);
  const inbound = inboundOf(layer, model);
  const approx = layer.inboundApproximate ? '~' : '';
  const names = (list: string[]) => list.map((n) => `\`${n}\``).join(', ');
  // A shared layer (called more than once): what feeds each call, as Keras's summary lists them.
  if (layer.calls.length > 1) rows.push(['Inbound', layer.calls.map((c, i) => `${approx}${names(c.inbound) || '-'} (call ${i + 1})`).join('; ')]);
  else if (inbound.length) rows.push(['Inbound', `${approx}${names(inbound)}`]);
  if (layer.outbound.length) rows.push(['Outbound', layer.outbound.map((n) => `\`${n}\``).join(', ')]);
  const title = `**\`${layer.nameSource === 'approximate' ? '~' : ''}${layer.name}\`** · \`${layer.className}\`${model ? ` in model \`${modelLabel(model)}\`` : ''}`;
  const parts = [lead, title, '', '| | |', '|:--|:--|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].filter((p) => p !== undefined);
  const note = approximateNote(layer);
  if (note) parts.push('', `_${note}_`);
  if (!layer.known && layer.params === null) parts.push('', '_Custom layer: its shape and parameters could not be computed statically._');
  if (location) parts.push('', location);
  return parts.join('\n');
}

/** Keras's "Connected to"; the graph leaves it empty for Sequential models, where it is the previous layer. */
function inboundOf(layer: LayerNode, model: ModelNode | undefined): string[] {
  if (layer.inbound.length || model?.kind !== 'sequential') return layer.inbound;
  const previous = model.layers[model.layers.indexOf(layer) - 1];
  return previous ? [previous.name] : [];
}

export function modelMarkdown(model: ModelNode, location: string | undefined, withTable: boolean): string {
  const title = `**\`${model.name}\`** · ${model.kind} model${model.variables.length ? ` (\`${model.variables.join('`, `')}\`)` : ''} · ${modelSize(model)}`;
  const parts = [title];
  if (withTable) parts.push('', '```text', summaryTable(model, false), '```');
  if (model.unbuilt) parts.push('', `_${UNBUILT_NOTE}_`);
  if (model.speculative) parts.push('', `_Nothing in this file calls \`${model.speculative}()\`: this is the model a call with its parameter defaults builds; automatic names depend on what runs before the real call._`);
  if (model.approximate) parts.push('', '_Partly approximate: some names or shapes depend on code that cannot be followed statically (marked `~` / `?`)._');
  if (model.error) parts.push('', `**Keras would raise:** ${model.error}`);
  if (location) parts.push('', location);
  return parts.join('\n');
}

function escapeTable(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** The layer argument that regularises each weight (Keras's `*_regularizer` names). */
const REGULARIZER_OF: Record<string, string> = {
  kernel: 'kernel_regularizer',
  bias: 'bias_regularizer',
  embeddings: 'embeddings_regularizer',
  gamma: 'gamma_regularizer',
  beta: 'beta_regularizer',
  recurrent_kernel: 'recurrent_regularizer',
  depthwise_kernel: 'depthwise_regularizer',
  pointwise_kernel: 'pointwise_regularizer',
};

/** ` (128 non-trainable)` for a layer with statistics Keras does not train (BatchNormalization's moving mean and variance). */
function nonTrainablePart(layer: LayerNode): string {
  const frozen = layer.weights.filter((w) => !w.trainable);
  if (frozen.length === 0) return '';
  const count = countParams(frozen);
  return count === null ? ' (some non-trainable)' : ` (${formatCount(count)} non-trainable)`;
}

/** Markdown for one weight of a layer (`dense.kernel`): Keras's variable path, shape, count. */
export function weightMarkdown(weight: WeightInfo, layer: LayerNode, model: ModelNode | undefined, location: string | undefined): string {
  const count = countParams([weight]);
  const title = `**\`${layer.name}/${weight.name}\`** · weight of layer \`${layer.name}\` (\`${layer.className}\`)${model ? ` in model \`${modelLabel(model)}\`` : ''}`;
  const rows: [string, string][] = [
    ['Shape', `\`${formatShape(weight.shape)}\``],
    ['Values', formatCount(count)],
    ['Trainable', weight.trainable ? 'yes' : 'no (updated by the layer, not by gradients)'],
  ];
  const regularizer = REGULARIZER_OF[weight.name];
  const advice = regularizer ? ` To penalise it, pass \`${regularizer}=\` to the layer (Keras adds the penalty to the loss).` : '';
  const parts = [title, '', '| | |', '|:--|:--|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), '', `_A weight (a Keras \`Variable\`), not a Keras tensor: it cannot be a model output.${advice}_`];
  if (location) parts.push('', location);
  return parts.join('\n');
}
