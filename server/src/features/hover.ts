/**
 * Hover on a layer-name string, a variable bound to a layer, a Keras tensor or a model, or a layer
 * constructor/call: the layer's class, key config, shapes, params, where it is defined, its
 * neighbours; for a model, its summary table. Answers from the last finished analysis (with edits
 * since mapped back), so it stays fast while typing.
 */
import { MarkupKind, type CancellationToken, type Hover, type HoverParams, type Position } from 'vscode-languageserver';
import type { LayerNode, ModelNode } from '../../../graph/model-graph';
import { formatShape } from '../../../graph/summary';
import type { DocumentStore, Snapshot, TypingView } from '../documents';
import { rangeContains } from '../positions';
import type { Settings } from '../settings';
import { layerMarkdown, modelMarkdown, weightMarkdown } from './layer-text';
import { indexedStringAt, layerAroundPosition, layerOfReceiver, layersOfString, modelAroundPosition, selfAttributeLayer, type CurrentText } from './targets';
import { tokenAt, type Token } from './token-at';

export async function provideHover(store: DocumentStore, settings: Settings, params: HoverParams, token: CancellationToken): Promise<Hover | null> {
  const doc = store.get(params.textDocument.uri);
  if (!doc) return null;
  const { position } = params;
  const line = doc.doc.getText({ start: { line: position.line, character: 0 }, end: { line: position.line + 1, character: 0 } }).replace(/\r?\n$/, '');
  const target = tokenAt(line, position);
  if (!target) return null;
  const view = await store.typingViewOrFirst(params.textDocument.uri, token);
  const current = { text: doc.doc.getText(), positionAt: (offset: number) => doc.doc.positionAt(offset), lineOffset: doc.doc.offsetAt({ line: position.line, character: 0 }), line };
  const content = target.kind === 'string' ? stringHover(view, target) : identifierHover(view, target, current);
  if (!content) return null;
  const markdown = typeof content === 'string' ? content : modelMarkdown(content.model, locationOf(view.snapshot, content.model.range, content.model.file), (await settings.for(params.textDocument.uri)).hover.summaryTable);
  return { contents: { kind: MarkupKind.Markdown, value: markdown }, range: target.range };
}

type HoverContent = string | { model: ModelNode };

function stringHover(view: TypingView, target: Extract<Token, { kind: 'string' }>): HoverContent | undefined {
  const snapshot = view.snapshot;
  const at = view.toSnapshot(target.range.start);
  // `keras.Model(..., name="classifier")`: the model's own name.
  const named = at && snapshot.graph.models.find((m) => !m.file && m.name === target.value && rangeContains(m.range, at));
  if (named) return { model: named };
  const indexed = at ? indexedStringAt(snapshot, at) : undefined;
  const entries = indexed && indexed.text === target.value ? layersOfString(snapshot, indexed) : snapshot.lookup.layersNamed(target.value);
  if (entries.length === 0) return undefined;
  const [first] = entries;
  if (first.layer.model && first.layer.model.layers.length > 0) return { model: first.layer.model };
  const others = [...new Set(entries.slice(1).map((e) => e.model.name))];
  const also = others.length ? `\n\n_A layer of this name is also in model${others.length > 1 ? 's' : ''} ${others.map((n) => `\`${n}\``).join(', ')}._` : '';
  return layerMarkdown(first.layer, first.model, locationOf(snapshot, first.layer.range, first.layer.file)) + also;
}

/** The current text of the document, and the hovered line. */
type HoverText = CurrentText & { lineOffset: number; line: string };

function identifierHover(view: TypingView, target: Extract<Token, { kind: 'identifier' }>, current: HoverText): HoverContent | undefined {
  const snapshot = view.snapshot;
  const lookup = snapshot.lookup;
  const at = view.toSnapshot(target.range.start);
  if (!at) return undefined; // typed since the last analysis: nothing is known about it yet
  if (target.afterDot) {
    const attribute = attributeHover(view, target, current, at);
    if (attribute) return attribute;
  }
  if (!target.afterDot) {
    const binding = lookup.bindingAt(target.name, at);
    if (binding) {
      const model = lookup.modelForLayerId(binding.layerId);
      if (model) return { model };
      const entry = lookup.layer(binding.layerId)[0];
      if (entry?.layer.model) return { model: entry.layer.model };
      if (entry) return layerMarkdown(entry.layer, entry.model, locationOf(snapshot, entry.layer.range, entry.layer.file), bindingLead(binding.kind, target.name, entry.layer));
    }
    const byVariable = lookup.models.filter((m) => m.variables.includes(target.name));
    if (byVariable.length > 0) return { model: byVariable[byVariable.length - 1] };
  }
  // On a constructor or call: `layers.Dense(64)(x)`, `keras.Model(...)`: the innermost wins.
  const layer = layerAroundPosition(snapshot, at);
  const model = modelAroundPosition(snapshot, at);
  if (model && (!layer || model.span <= layer.span)) return { model: model.model };
  if (layer) return layerMarkdown(layer.layer, layer.model, locationOf(snapshot, layer.layer.range, layer.layer.file));
  return undefined;
}

/** `dense.kernel`, `model.get_layer("x").bias`: the weight; `self.dense` in a subclassed model: the layer. */
function attributeHover(view: TypingView, target: Extract<Token, { kind: 'identifier' }>, current: HoverText, at: Position): HoverContent | undefined {
  const snapshot = view.snapshot;
  const before = current.line.slice(0, target.range.start.character);
  const prefix = before.replace(/\.\s*$/, '');
  const receiver = layerOfReceiver(snapshot, current, prefix, current.lineOffset + prefix.length, at, view.toSnapshot);
  const weight = receiver?.layer.weights.find((w) => w.name === target.name);
  if (receiver && weight) return weightMarkdown(weight, receiver.layer, receiver.model, locationOf(snapshot, receiver.layer.range, receiver.layer.file));
  if (receiver && target.name === 'output' && !receiver.layer.model) {
    const lead = `Keras tensor \`${receiver.expression}.output\` · shape \`${formatShape(receiver.layer.outputShape)}\` · output of:\n`;
    return layerMarkdown(receiver.layer, receiver.model, locationOf(snapshot, receiver.layer.range, receiver.layer.file), lead);
  }
  if (!/\bself\s*\.\s*$/.test(before)) return undefined;
  const held = selfAttributeLayer(snapshot, current, target.name, current.lineOffset + target.range.start.character, view.toSnapshot);
  if (!held) return undefined;
  if (held.layer.model && held.layer.model.layers.length > 0) return { model: held.layer.model };
  return layerMarkdown(held.layer, held.model, locationOf(snapshot, held.layer.range, held.layer.file));
}

function bindingLead(kind: string, variable: string, layer: LayerNode): string | undefined {
  if (kind !== 'tensor_variable') return undefined;
  return `Keras tensor \`${variable}\` · shape \`${formatShape(layer.outputShape)}\` · output of:\n`;
}

function locationOf(snapshot: Snapshot, range: { start: { line: number } }, file: string | undefined): string {
  const line = range.start.line + 1;
  if (!file) return `Defined at line ${line}.`;
  const name = file.split(/[\\/]/).pop();
  return `Defined in [${name}:${line}](${snapshot.uriOf(file)}#L${line}).`;
}
