/**
 * The outline: each model, with its layers (those constructed in this document) as children.
 */
import { SymbolKind, type CancellationToken, type DocumentSymbol, type DocumentSymbolParams, type Range } from 'vscode-languageserver';
import type { ModelNode } from '../../../graph/model-graph';
import { formatShape, modelSize } from '../../../graph/summary';
import type { DocumentStore, Snapshot } from '../documents';
import { comparePositions } from '../positions';
import { anchorOf, firstBinding } from './code-lens';

export async function provideDocumentSymbols(store: DocumentStore, params: DocumentSymbolParams, token: CancellationToken): Promise<DocumentSymbol[]> {
  const snapshot = await store.current(params.textDocument.uri, token);
  const symbols: DocumentSymbol[] = [];
  for (const model of snapshot.graph.models) {
    const anchor = anchorOf(snapshot, model);
    if (!anchor) continue;
    const children: DocumentSymbol[] = model.layers
      .filter((l) => !l.file)
      .map((l) => ({
        name: l.name,
        detail: `${l.className} ${formatShape(l.outputShape)}`,
        kind: l.model ? SymbolKind.Class : SymbolKind.Field,
        range: l.range,
        selectionRange: l.range,
      }));
    const selection = model.file ? anchor : model.range;
    symbols.push({
      name: modelName(snapshot, model),
      detail: `${model.kind} · ${modelSize(model)}`,
      kind: SymbolKind.Class,
      range: enclosing([anchor, selection, ...children.map((c) => c.range)]),
      selectionRange: selection,
      children,
    });
  }
  return symbols;
}

/** `encoder (functional)`: the variable first bound to it here (not the alphabetically first of its names), and Keras's name. */
function modelName(snapshot: Snapshot, model: ModelNode): string {
  const variable = firstBinding(snapshot, model)?.text ?? model.variables[0];
  return variable && variable !== model.name ? `${variable} (${model.name})` : model.name;
}

/** The smallest range containing all of them (a symbol's range must contain its children's). */
function enclosing(ranges: Range[]): Range {
  let start = ranges[0].start;
  let end = ranges[0].end;
  for (const r of ranges) {
    if (comparePositions(r.start, start) < 0) start = r.start;
    if (comparePositions(r.end, end) > 0) end = r.end;
  }
  return { start, end };
}
