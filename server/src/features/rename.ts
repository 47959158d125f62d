/**
 * Rename a layer: its name literal (name="..." or the default/constant it comes from) and every
 * string in the workspace that names it (get_layer, output keys, name lists). Variables are Python
 * names, not layer names, and are left alone. prepareRename refuses automatic names (an explicit
 * name would shift Keras's counters for the layers after it) and names it cannot find written down.
 */
import {
  ErrorCodes,
  ResponseError,
  type CancellationToken,
  type PrepareRenameParams,
  type Range,
  type RenameParams,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { DocumentStore, Snapshot } from '../documents';
import type { LayerInModel } from '../lookup';
import { lineText } from './definition';
import { findLayerLocations, layersAtPosition } from './layer-references';
import { tokenAt } from './token-at';

export async function prepareRename(store: DocumentStore, params: PrepareRenameParams, token: CancellationToken): Promise<{ range: Range; placeholder: string } | null> {
  const target = await renameTarget(store, params, token);
  if (!target) return null;
  return { range: target.range, placeholder: target.name };
}

export async function rename(store: DocumentStore, params: RenameParams, token: CancellationToken): Promise<WorkspaceEdit | null> {
  const target = await renameTarget(store, params, token);
  if (!target) return null;
  const newName = params.newName;
  if (!/^[^\s'"\\/]+$/.test(newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is not a valid Keras layer name (no spaces, quotes, backslashes or '/').`);
  const clash = target.layers.find((e) => e.model.layers.some((l) => l.name === newName && l !== e.layer));
  if (clash) throw new ResponseError(ErrorCodes.InvalidParams, `Model '${clash.model.name}' already has a layer named '${newName}'.`);
  const locations = await findLayerLocations(store, target.snapshot, target.layers, token);
  if (locations.declarations.length === 0) throw new ResponseError(ErrorCodes.InvalidRequest, `Cannot find where the name '${target.name}' is written.`);
  const changes: Record<string, TextEdit[]> = {};
  for (const location of locations.strings) (changes[location.uri] ??= []).push({ range: location.range, newText: newName });
  return { changes };
}

interface Target {
  snapshot: Snapshot;
  layers: LayerInModel[];
  name: string;
  range: Range;
}

async function renameTarget(store: DocumentStore, params: PrepareRenameParams, token: CancellationToken): Promise<Target | undefined> {
  const doc = store.get(params.textDocument.uri);
  if (!doc) return undefined;
  const line = lineText(doc.doc.getText(), params.position.line);
  const tokenHere = tokenAt(line, params.position);
  if (tokenHere?.kind !== 'string') return undefined; // renaming variables is the Python language server's job
  const snapshot = await store.current(params.textDocument.uri, token);
  const found = layersAtPosition(snapshot, line, params.position);
  if (!found) return undefined;
  const notExplicit = found.layers.find((e) => e.layer.nameSource !== 'explicit');
  if (notExplicit) {
    const why = notExplicit.layer.nameSource === 'auto' ? "an automatic name; give the layer name='...' first (an explicit name would renumber the automatic names after it)" : 'an approximate name';
    throw new ResponseError(ErrorCodes.InvalidRequest, `'${notExplicit.layer.name}' is ${why}.`);
  }
  return { snapshot, layers: found.layers, name: found.name, range: tokenHere.range };
}
