/**
 * Every place in the workspace that refers to a layer: name strings (get_layer, output keys, name
 * lists), the name= literal that defines it, and variables bound to it or to its output. Layers
 * are identified by where they are constructed, so the same layer seen from another file's
 * analysis (an imported builder) matches. Used by references and rename.
 */
import * as fs from 'node:fs';
import type { CancellationToken, Location, Position } from 'vscode-languageserver';
import type { DocumentStore, Snapshot } from '../documents';
import type { LayerInModel } from '../lookup';
import { workspacePythonFiles } from '../workspace';
import { tokenAt } from './token-at';
import { indexedStringAt, layersOfString } from './targets';

export interface LayerLocations {
  /** Strings that name the layer, the defining one included. */
  strings: Location[];
  /** The defining literals only (name= or the default/constant it comes from). */
  declarations: Location[];
  /** Variables bound to the layer or its output. */
  variables: Location[];
}

/** Closed files analysed per request at most, to bound the time a workspace-wide search takes. */
const MAX_CLOSED_FILES = 60;

/** The layers a string or variable at `position` refers to, from the current analysis. */
export function layersAtPosition(snapshot: Snapshot, lineText: string, position: Position): { layers: LayerInModel[]; kind: 'string' | 'variable'; name: string } | undefined {
  const token = tokenAt(lineText, position);
  if (!token) return undefined;
  if (token.kind === 'string') {
    const indexed = indexedStringAt(snapshot, token.range.start);
    const layers = indexed ? layersOfString(snapshot, indexed) : snapshot.lookup.layersNamed(token.value);
    return layers.length > 0 ? { layers, kind: 'string', name: token.value } : undefined;
  }
  if (token.afterDot) return undefined;
  const binding = snapshot.lookup.bindingAt(token.name, position);
  if (!binding || binding.kind === 'model_variable') return undefined;
  const entry = snapshot.lookup.layer(binding.layerId)[0];
  return entry ? { layers: [entry], kind: 'variable', name: entry.layer.name } : undefined;
}

export async function findLayerLocations(store: DocumentStore, origin: Snapshot, layers: LayerInModel[], token: CancellationToken): Promise<LayerLocations> {
  const keys = new Set(layers.map((e) => origin.lookup.layerKey(e.layer)));
  const names = [...new Set(layers.map((e) => e.layer.name))];
  const out: LayerLocations = { strings: [], declarations: [], variables: [] };
  const seen = new Set<string>();
  for await (const snapshot of candidateSnapshots(store, origin, names, token)) collect(snapshot, keys, out, seen);
  return out;
}

function collect(snapshot: Snapshot, keys: Set<string>, out: LayerLocations, seen: Set<string>): void {
  const lookup = snapshot.lookup;
  const matches = (layerId: string | null) => lookup.layer(layerId).some((e) => keys.has(lookup.layerKey(e.layer)));
  const add = (list: Location[], uri: string, range: Location['range']) => {
    const key = `${uri}#${range.start.line}:${range.start.character}`;
    if (seen.has(`${list === out.declarations ? 'd' : list === out.strings ? 's' : 'v'}${key}`)) return;
    seen.add(`${list === out.declarations ? 'd' : list === out.strings ? 's' : 'v'}${key}`);
    list.push({ uri, range });
  };
  for (const site of snapshot.index.nameSites) {
    if (!matches(site.layerId)) continue;
    add(out.declarations, snapshot.uriOf(site.file), site.range);
    add(out.strings, snapshot.uriOf(site.file), site.range);
  }
  for (const s of snapshot.index.strings) if (s.layerIds.some(matches)) add(out.strings, snapshot.uri, s.range);
  for (const ref of snapshot.graph.references) {
    if ((ref.kind === 'layer_variable' || ref.kind === 'tensor_variable') && matches(ref.layerId)) add(out.variables, snapshot.uri, ref.range);
  }
  // What ran in imported modules for this document (a builder function in models.py).
  for (const ref of snapshot.index.foreign) {
    if (!matches(ref.layerId)) continue;
    const uri = snapshot.uriOf(ref.file);
    if (ref.kind === 'layer_variable' || ref.kind === 'tensor_variable') add(out.variables, uri, ref.range);
    else if (ref.kind === 'get_layer' || ref.kind === 'output_key') add(out.strings, uri, ref.range);
  }
}

/** The origin's analysis, then every other open document and workspace file that mentions one of the names. */
async function* candidateSnapshots(store: DocumentStore, origin: Snapshot, names: string[], token: CancellationToken): AsyncGenerator<Snapshot> {
  yield origin;
  const mentions = (text: string) => names.some((n) => text.includes(n));
  const openPaths = new Set<string>();
  for (const doc of store.all()) {
    openPaths.add(doc.path);
    if (doc.uri === origin.uri || !mentions(doc.doc.getText())) continue;
    if (token.isCancellationRequested) return;
    try {
      yield await store.current(doc.uri, token);
    } catch {
      // Being edited right now: its references will be right on the next request.
    }
  }
  let analysed = 0;
  for (const path of workspacePythonFiles(store.roots)) {
    if (openPaths.has(path) || path === origin.data.path || analysed >= MAX_CLOSED_FILES) continue;
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    if (!mentions(text) || token.isCancellationRequested) continue;
    analysed++;
    try {
      yield await store.closedFile(path);
    } catch {
      // Unreadable or failed analysis: skip the file.
    }
  }
}
