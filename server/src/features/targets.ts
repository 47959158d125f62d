/**
 * From a cursor to the layers it refers to, shared by hover, definition, references and rename.
 */
import type { Position } from 'vscode-languageserver';
import type { LayerNode, ModelNode } from '../../../graph/model-graph';
import type { Snapshot } from '../documents';
import type { LayerInModel } from '../lookup';
import { comparePositions, rangeContains, rangeSpan } from '../positions';
import type { IndexedString } from '../snapshot';

/** The indexed layer-name string at a position (strings are sorted by start). */
export function indexedStringAt(snapshot: Snapshot, pos: Position): IndexedString | undefined {
  const strings = snapshot.index.strings;
  let lo = 0;
  let hi = strings.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (comparePositions(strings[mid].range.start, pos) <= 0) lo = mid + 1;
    else hi = mid - 1;
  }
  const candidate = strings[hi];
  return candidate && rangeContains(candidate.range, pos) ? candidate : undefined;
}

export function layersOfString(snapshot: Snapshot, s: IndexedString): LayerInModel[] {
  const out: LayerInModel[] = [];
  for (const id of s.layerIds) {
    const entries = snapshot.lookup.layer(id);
    // Prefer the model the string was resolved against.
    const preferred = entries.find((e) => s.modelIds.includes(e.model.id)) ?? entries[0];
    if (preferred) out.push(preferred);
  }
  return out;
}

/** The layer whose construction or call expression (in this document) is the innermost around `pos`. */
export function layerAroundPosition(snapshot: Snapshot, pos: Position): (LayerInModel & { span: number }) | undefined {
  let best: { entry: LayerInModel; span: number } | undefined;
  for (const model of snapshot.graph.models) {
    for (const layer of model.layers) {
      if (layer.file) continue;
      for (const range of [layer.range, ...layer.calls.map((c) => c.range)]) {
        if (!rangeContains(range, pos)) continue;
        const span = rangeSpan(range);
        if (!best || span < best.span) best = { entry: { layer, model }, span };
      }
    }
  }
  return best && { ...best.entry, span: best.span };
}

/** The innermost model constructed (in this document) around `pos`. */
export function modelAroundPosition(snapshot: Snapshot, pos: Position): { model: ModelNode; span: number } | undefined {
  let best: { model: ModelNode; span: number } | undefined;
  for (const model of snapshot.graph.models) {
    if (model.file || !rangeContains(model.range, pos)) continue;
    const span = rangeSpan(model.range);
    if (!best || span < best.span) best = { model, span };
  }
  return best;
}

/** Layer keys (construction sites) of a set of layers, deduplicated. */
export function layerKeys(snapshot: Snapshot, layers: LayerNode[]): Set<string> {
  return new Set(layers.map((l) => snapshot.lookup.layerKey(l)));
}

/**
 * The layer a `self.NAME` attribute holds (a subclassed model's or custom layer's sublayer): the
 * nearest `self.NAME = <construction>` at or before the cursor, else the first after, matched to
 * the graph by where the construction starts. Reads the current text; `toSnapshot` maps its
 * positions to the analysis.
 */
export function selfAttributeLayer(snapshot: Snapshot, doc: CurrentText, name: string, cursor: number, toSnapshot: (p: Position) => Position | null): LayerInModel | undefined {
  let chosen: LayerInModel | undefined;
  for (const m of doc.text.matchAll(new RegExp(`\\bself\\.${name}\\s*=(?!=)\\s*`, 'g'))) {
    const start = toSnapshot(doc.positionAt(m.index! + m[0].length));
    const entry = start && layerConstructedAt(snapshot, start);
    if (!entry) continue;
    if (m.index! > cursor && chosen) break;
    chosen = entry;
    if (m.index! > cursor) break;
  }
  return chosen;
}

/**
 * `model.layers[i]` (negative from the end), where the graph lists the model's layers as Keras does:
 * a functional model's with its InputLayers, a Sequential's without (checked in Keras 3). Not for
 * subclassed or approximate models, nor applications whose inner layers are not listed.
 */
function layerAtIndex(snapshot: Snapshot, model: ModelNode | undefined, index: number): LayerInModel | undefined {
  if (!model || model.kind === 'subclassed' || model.approximate || model.opaque || snapshot.graph.truncated) return undefined;
  const layer = model.layers[index < 0 ? model.layers.length + index : index];
  return layer && { layer, model };
}

export interface CurrentText {
  text: string;
  positionAt(offset: number): Position;
}

function layerConstructedAt(snapshot: Snapshot, pos: Position): LayerInModel | undefined {
  for (const model of snapshot.graph.models) {
    for (const layer of model.layers) if (!layer.file && comparePositions(layer.range.start, pos) === 0) return { layer, model };
  }
  return undefined;
}

/**
 * The layer an expression ending a line prefix holds: `dense`, `self.dense`, or
 * `model.get_layer("dense")` (what comes before `.kernel`, say).
 */
export function layerOfReceiver(snapshot: Snapshot, doc: CurrentText, prefix: string, prefixOffset: number, at: Position, toSnapshot: (p: Position) => Position | null): (LayerInModel & { expression: string }) | undefined {
  const withExpression = (entry: LayerInModel | undefined, match: RegExpExecArray) => entry && { ...entry, expression: match[0].trim() };
  const getLayer = /(?:(\w+)\s*\.\s*)?get_layer\(\s*(?:name\s*=\s*)?(["'])(\w+)\2\s*\)\s*$/.exec(prefix);
  if (getLayer) {
    const model = snapshot.lookup.modelForReceiver(getLayer[1] ?? null, at);
    return withExpression(snapshot.lookup.layersNamed(getLayer[3], model ? [model] : undefined)[0], getLayer);
  }
  const attribute = /\bself\s*\.\s*(\w+)\s*$/.exec(prefix);
  if (attribute) return withExpression(selfAttributeLayer(snapshot, doc, attribute[1], prefixOffset, toSnapshot), attribute);
  const indexed = /(?<![.\w])(\w+)\s*\.\s*layers\s*\[\s*(-?\d+)\s*\]\s*$/.exec(prefix);
  if (indexed) return withExpression(layerAtIndex(snapshot, snapshot.lookup.modelForReceiver(indexed[1], at), Number(indexed[2])), indexed);
  const variable = /(?<![.\w])(\w+)\s*$/.exec(prefix);
  const binding = variable ? snapshot.lookup.bindingAt(variable[1], at) : undefined;
  if (!variable || !binding || binding.kind !== 'layer_variable') return undefined;
  return withExpression(snapshot.lookup.layer(binding.layerId)[0], variable);
}
