/**
 * Completion of layer names wherever Keras takes one (see name-slot.ts for the places). Answers
 * from the last finished analysis so it stays fast while typing; items carry class, output shape
 * and params, and approximate auto-names say so. `model.get_layer` offers that model's layers; an
 * unknown receiver offers every model's layers, grouped by model.
 */
import {
  CompletionItemKind,
  MarkupKind,
  type CancellationToken,
  type CompletionItem,
  type CompletionList,
  type CompletionParams,
} from 'vscode-languageserver';
import type { LayerNode, ModelNode } from '../../../graph/model-graph';
import { formatCount, formatShape } from '../../../graph/summary';
import type { DocumentStore, Snapshot, TypingView } from '../documents';
import { layerMarkdown, modelLabel } from './layer-text';
import { nameSlotAt, type NameSlot } from './name-slot';

export const COMPLETION_TRIGGERS = ['"', "'", '(', '{', '[', ',', '='];

const EMPTY: CompletionList = { isIncomplete: false, items: [] };

interface ItemData {
  uri: string;
  layerId: string;
  modelId: string;
}

export async function provideCompletion(store: DocumentStore, params: CompletionParams, token: CancellationToken): Promise<CompletionList> {
  const doc = store.get(params.textDocument.uri);
  if (!doc) return EMPTY;
  const slot = nameSlotAt(doc.doc.getText(), doc.doc.offsetAt(params.position), params.position);
  if (!slot) return EMPTY;
  const view = await store.typingViewOrFirst(params.textDocument.uri, token);
  return { isIncomplete: false, items: itemsFor(slot, view, params.position) };
}

function itemsFor(slot: NameSlot, view: TypingView, position: CompletionParams['position']): CompletionItem[] {
  const { snapshot } = view;
  const lookup = snapshot.lookup;
  const at = view.toSnapshotClamped(position);
  const model = lookup.modelForReceiver(slot.receiver, at);
  switch (slot.kind) {
    case 'get_layer':
      return receiverLayerItems(slot, snapshot, model);
    case 'output_key': {
      const models = model ? [model] : modelsWithLayers(snapshot).filter((m) => m.outputs.length > 1 || m.outputKeys);
      return outputItems(slot, snapshot, models, !model);
    }
    case 'name_list': {
      if (slot.loopGetLayer) return receiverLayerItems(slot, snapshot, model);
      const known = new Set(lookup.models.flatMap((m) => m.layers.map((l) => l.name)));
      const looksLikeNames = slot.siblings?.some((s) => known.has(s)) || /layer|name/i.test(slot.listVariable ?? '');
      return looksLikeNames ? layerItems(slot, snapshot, modelsWithLayers(snapshot), true) : [];
    }
  }
}

/** The receiver's model's layers, or, when it is unknown, every model's, grouped. */
function receiverLayerItems(slot: NameSlot, snapshot: Snapshot, model: ModelNode | undefined): CompletionItem[] {
  return model ? layerItems(slot, snapshot, [model], false) : layerItems(slot, snapshot, modelsWithLayers(snapshot), true);
}

function modelsWithLayers(snapshot: Snapshot): ModelNode[] {
  return snapshot.graph.models.filter((m) => m.layers.length > 0);
}

function layerItems(slot: NameSlot, snapshot: Snapshot, models: ModelNode[], grouped: boolean): CompletionItem[] {
  const items: CompletionItem[] = [];
  models.forEach((model, m) => model.layers.forEach((layer, l) => items.push(layerItem(slot, snapshot, model, layer, grouped, `${pad(m, 4)}.${pad(l, 5)}`))));
  return items;
}

function outputItems(slot: NameSlot, snapshot: Snapshot, models: ModelNode[], grouped: boolean): CompletionItem[] {
  const items: CompletionItem[] = [];
  models.forEach((model, m) => {
    const keys = model.outputKeys ?? model.outputs;
    keys.forEach((key, k) => {
      const layer = model.layers.find((l) => l.name === model.outputs[k]);
      if (layer && !model.outputKeys) items.push(layerItem(slot, snapshot, model, layer, grouped, `${pad(m, 4)}.${pad(k, 5)}`));
      else items.push(plainItem(slot, key, `output ${k + 1} of ${modelLabel(model)}`, `${pad(m, 4)}.${pad(k, 5)}`));
    });
  });
  return items;
}

function layerItem(slot: NameSlot, snapshot: Snapshot, model: ModelNode, layer: LayerNode, grouped: boolean, sortText: string): CompletionItem {
  const approximate = layer.nameSource === 'approximate';
  const shape = `${formatShape(layer.outputShape)} · ${formatCount(layer.params)} params`;
  const data: ItemData = { uri: snapshot.uri, layerId: layer.id, modelId: model.id };
  return {
    label: layer.name,
    labelDetails: { detail: ` ${layer.className}`, description: `${approximate ? '~approximate name · ' : ''}${grouped ? `${modelLabel(model)} · ` : ''}${shape}` },
    kind: CompletionItemKind.Field,
    detail: `${layer.className} · ${shape}${approximate ? ' · approximate name' : ''} · model ${modelLabel(model)}`,
    sortText,
    filterText: layer.name,
    textEdit: { range: slot.replace, newText: slot.quote ? layer.name : `"${layer.name}"` },
    data,
  };
}

function plainItem(slot: NameSlot, name: string, detail: string, sortText: string): CompletionItem {
  return { label: name, kind: CompletionItemKind.Field, detail, sortText, filterText: name, textEdit: { range: slot.replace, newText: slot.quote ? name : `"${name}"` } };
}

/** completionItem/resolve: the layer's full description, computed only for the item the user looks at. */
export function resolveCompletion(store: DocumentStore, item: CompletionItem): CompletionItem {
  const data = item.data as ItemData | undefined;
  if (!data?.layerId) return item;
  const snapshot = store.typingView(data.uri)?.snapshot;
  const entry = snapshot?.lookup.layer(data.layerId).find((e) => e.model.id === data.modelId);
  if (!entry) return item;
  return { ...item, documentation: { kind: MarkupKind.Markdown, value: layerMarkdown(entry.layer, entry.model, undefined) } };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
