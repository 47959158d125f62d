/**
 * Two views of a model graph: the `summary --json` contract (what tests compare to real Keras)
 * and a Keras-style text table. Approximate values are marked `~`, unknown ones `?`.
 */
import type { LayerNode, ModelGraph, ModelNode, Note, OutputShape } from './model-graph';

export interface SummaryLayer {
  name: string;
  nameSource: LayerNode['nameSource'];
  className: string;
  outputShape: OutputShape;
  params: number | null;
  trainable: boolean;
  kernelShape: LayerNode['kernelShape'];
  inbound: string[];
  inboundApproximate?: boolean;
  line: number;
  /** A nested model whose layers are not analyzed. */
  opaque?: string;
  layers?: SummaryLayer[];
}

export interface SummaryModel {
  name: string;
  nameSource: ModelNode['nameSource'];
  kind: ModelNode['kind'];
  className: string;
  variables: string[];
  line: number;
  inputs: string[];
  outputs: string[];
  totalParams: number | null;
  trainableParams: number | null;
  approximate: boolean;
  error?: string;
  opaque?: string;
  layers: SummaryLayer[];
}

export interface SummaryJson {
  file: string;
  models: SummaryModel[];
  notes: Note[];
  truncated: boolean;
}

export function summaryJson(graph: ModelGraph): SummaryJson {
  return { file: graph.file, models: graph.models.map(summaryModel), notes: graph.notes, truncated: graph.truncated };
}

function summaryModel(m: ModelNode): SummaryModel {
  const out: SummaryModel = {
    name: m.name,
    nameSource: m.nameSource,
    kind: m.kind,
    className: m.className,
    variables: m.variables,
    line: m.range.start.line + 1,
    inputs: m.inputs,
    outputs: m.outputs,
    totalParams: m.totalParams,
    trainableParams: m.trainableParams,
    approximate: m.approximate,
    layers: m.layers.map(summaryLayer),
  };
  if (m.error) out.error = m.error;
  if (m.opaque) out.opaque = m.opaque;
  return out;
}

function summaryLayer(l: LayerNode): SummaryLayer {
  const out: SummaryLayer = {
    name: l.name,
    nameSource: l.nameSource,
    className: l.className,
    outputShape: l.outputShape,
    params: l.params,
    trainable: l.trainable,
    kernelShape: l.kernelShape,
    inbound: l.inbound,
    line: l.range.start.line + 1,
  };
  if (l.inboundApproximate) out.inboundApproximate = true;
  if (l.model?.opaque) out.opaque = l.model.opaque;
  if (l.model) out.layers = l.model.layers.map(summaryLayer);
  return out;
}

// ───────────── text table ─────────────

export function formatShape(shape: OutputShape): string {
  if (shape === null) return '?';
  const one = (s: (number | null)[]) => `(${s.map((d) => (d === null ? 'None' : String(d))).join(', ')}${s.length === 1 ? ',' : ''})`;
  if (shape.length > 0 && Array.isArray(shape[0])) return `[${(shape as (number | null)[][]).map(one).join(', ')}]`;
  return one(shape as (number | null)[]);
}

export function formatCount(n: number | null): string {
  return n === null ? '?' : n.toLocaleString('en-US');
}

/** `4 layers · 52,485 params`; `~` where approximate; `unbuilt` for a model Keras has not built. */
export function modelSize(model: ModelNode): string {
  const approx = model.approximate ? '~' : '';
  const count = model.layerCount ?? model.layers.length;
  const layers = `${approx}${count} layer${count === 1 ? '' : 's'}`;
  return model.unbuilt ? `${layers} · unbuilt` : `${layers} · ${approx}${formatCount(model.totalParams)} params`;
}

/** What Keras knows of an unbuilt model, and how the user gets it built. */
export const UNBUILT_NOTE = 'Not built yet: Keras knows no shapes or parameters until the model gets an input shape (a `keras.Input(shape=...)` first, `model.build(input_shape)`, or a first call or `fit()`).';

/** `notes`: end with the model's error and unbuilt state (callers that show them otherwise pass false). */
export function summaryTable(model: ModelNode, notes = true): string {
  const functional = model.kind === 'functional';
  const header = ['Layer (type)', 'Output Shape', 'Param #', ...(functional ? ['Connected to'] : [])];
  const rows = model.layers.map((l) => [
    `${l.nameSource === 'approximate' ? '~' : ''}${l.name} (${l.className})`,
    formatShape(l.outputShape),
    l.params === null && model.unbuilt ? '0 (unbuilt)' : formatCount(l.params),
    ...(functional ? [`${l.inboundApproximate ? '~' : ''}${l.inbound.join(', ') || '-'}`] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const state = `${model.approximate ? ', approximate' : model.unbuilt ? ', unbuilt' : ''}${model.speculative ? `, as ${model.speculative}() builds it with its defaults` : ''}`;
  const title = `Model: "${model.name}" (${model.kind}${state}) line ${model.range.start.line + 1}`;
  const lines = [title, rule, line(header), rule, ...rows.map(line), rule];
  const count = (n: number | null) => (n === null && model.unbuilt ? '0 (unbuilt)' : formatCount(n));
  lines.push(` Total params: ${count(model.totalParams)}`);
  lines.push(` Trainable params: ${count(model.trainableParams)}`);
  lines.push(` Non-trainable params: ${count(model.nonTrainableParams)}`);
  if (notes && model.unbuilt) lines.push(` ${UNBUILT_NOTE.replace(/`/g, '')}`);
  if (notes && model.error) lines.push(` Error: ${model.error}`);
  if (model.opaque) {
    const known = model.layerCount !== undefined;
    lines.push(known ? ` ${model.opaque}: its ${model.layerCount} layers are not listed one by one (counts and shapes as Keras builds it).` : ` ${model.opaque}: its layers are not analyzed (shapes and params unknown).`);
    if (known) lines.push(` Input ${formatShape(model.inputShapes[0] ?? null)} → output ${formatShape(model.outputShapes[0] ?? null)}`);
  }
  return lines.join('\n');
}

export function summaryText(graph: ModelGraph): string {
  const parts = graph.models.map((m) => summaryTable(m));
  if (parts.length === 0) parts.push(`No Keras models found in ${graph.file}.`);
  if (graph.notes.length > 0) parts.push(['Notes:', ...graph.notes.map((n) => `  line ${n.line}: ${n.severity}: ${n.message}`)].join('\n'));
  if (graph.models.some((m) => m.approximate)) parts.push('~ marks approximate names; ? marks values that cannot be known without running the code.');
  return parts.join('\n\n');
}
