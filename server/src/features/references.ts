/**
 * Find references of a layer, from a name string or a variable bound to the layer: every string
 * that names it and every variable bound to it or its output, across the workspace.
 */
import type { CancellationToken, Location, ReferenceParams } from 'vscode-languageserver';
import type { DocumentStore } from '../documents';
import { lineText } from './definition';
import { findLayerLocations, layersAtPosition } from './layer-references';

export async function provideReferences(store: DocumentStore, params: ReferenceParams, token: CancellationToken): Promise<Location[]> {
  const doc = store.get(params.textDocument.uri);
  if (!doc) return [];
  const snapshot = await store.current(params.textDocument.uri, token);
  const found = layersAtPosition(snapshot, lineText(doc.doc.getText(), params.position.line), params.position);
  if (!found) return [];
  const locations = await findLayerLocations(store, snapshot, found.layers, token);
  const declarations = new Set(locations.declarations.map((l) => `${l.uri}#${l.range.start.line}:${l.range.start.character}`));
  const strings = params.context.includeDeclaration
    ? locations.strings
    : locations.strings.filter((l) => !declarations.has(`${l.uri}#${l.range.start.line}:${l.range.start.character}`));
  return dedupe([...strings, ...locations.variables]);
}

function dedupe(locations: Location[]): Location[] {
  const seen = new Set<string>();
  return locations.filter((l) => {
    const key = `${l.uri}#${l.range.start.line}:${l.range.start.character}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
