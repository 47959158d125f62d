/**
 * Go to definition from a layer-name string (get_layer argument, output key, name list) to the
 * expression that constructs the layer, in this file or the workspace module that builds it.
 */
import type { CancellationToken, DefinitionParams, Location } from 'vscode-languageserver';
import type { DocumentStore } from '../documents';
import { layersAtPosition } from './layer-references';

export async function provideDefinition(store: DocumentStore, params: DefinitionParams, token: CancellationToken): Promise<Location[]> {
  const doc = store.get(params.textDocument.uri);
  if (!doc) return [];
  const snapshot = await store.current(params.textDocument.uri, token);
  const line = lineText(doc.doc.getText(), params.position.line);
  const found = layersAtPosition(snapshot, line, params.position);
  if (!found || found.kind !== 'string') return []; // variables: the Python language server's job
  const seen = new Set<string>();
  const out: Location[] = [];
  for (const { layer } of found.layers) {
    const key = snapshot.lookup.layerKey(layer);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ uri: snapshot.uriOf(layer.file), range: layer.range });
  }
  return out;
}

export function lineText(text: string, line: number): string {
  let start = 0;
  for (let i = 0; i < line; i++) {
    const next = text.indexOf('\n', start);
    if (next === -1) return '';
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? text.length : end).replace(/\r$/, '');
}
