/**
 * What a command is about, in VS Code terms: the document (from the arguments or the active
 * editor), its model graph from the language server, the cursor, a quick pick when the file has
 * several models. The decisions themselves are in model-target.ts (pure, unit-tested).
 */
import * as vscode from 'vscode';
import type { LayerNode, ModelGraph, ModelNode, Position } from '../../../graph/model-graph';
import type { LensContext } from '../lens-context';
import { describeModel, findLayerByName, layerAt, modelKey, parseCommandArgs, requestModelName, resolveModel, type CommandTarget } from '../model-target';

export interface ResolvedDocument {
  uri: vscode.Uri;
  target: CommandTarget;
  graph: ModelGraph | null;
  /** The cursor, when the command is about the active editor's document. */
  cursor?: Position;
}

export interface ResolvedModel {
  uri: vscode.Uri;
  file: string;
  graph: ModelGraph;
  model: ModelNode;
  /** Name for TrainRequest.model (unique in the file). */
  name: string;
  key: string;
}

export class CommandError extends Error {}

/** The document a command is about, and its graph. */
export async function resolveDocument(ctx: LensContext, arg: unknown): Promise<ResolvedDocument> {
  const target = parseCommandArgs(arg);
  const editor = vscode.window.activeTextEditor;
  let uri: vscode.Uri;
  if (target.uri) uri = vscode.Uri.parse(target.uri);
  else if (editor && editor.document.languageId === 'python') uri = editor.document.uri;
  else throw new CommandError('Open a Python file with a Keras model first.');
  const graph = await ctx.lsp.modelGraph(uri);
  const out: ResolvedDocument = { uri, target, graph };
  if (editor && editor.document.uri.toString() === uri.toString()) {
    const p = editor.selection.active;
    out.cursor = { line: p.line, character: p.character };
  }
  return out;
}

async function pickModel(models: ModelNode[], title: string): Promise<ModelNode | undefined> {
  const items = models.map((m) => ({ ...describeModel(m), model: m }));
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Which model?', matchOnDescription: true });
  return picked?.model;
}

/** The model a command is about (code lens argument, cursor, only model, or a quick pick); undefined when the user cancelled. */
export async function resolveModelTarget(ctx: LensContext, arg: unknown, title: string): Promise<ResolvedModel | undefined> {
  const doc = await resolveDocument(ctx, arg);
  const resolution = resolveModel(doc.graph, doc.target, doc.target.modelId || doc.target.modelName ? undefined : doc.cursor);
  let model: ModelNode | undefined;
  if (resolution.kind === 'none') throw new CommandError(`Model Lens: ${resolution.reason}.`);
  if (resolution.kind === 'model') model = resolution.model;
  else model = await pickModel(resolution.models, title);
  if (!model) return undefined;
  return modelTarget(doc.uri, doc.graph!, model);
}

export function modelTarget(uri: vscode.Uri, graph: ModelGraph, model: ModelNode): ResolvedModel {
  if (uri.scheme !== 'file') throw new CommandError('Model Lens trains models from files on disk: save this file first.');
  const file = uri.fsPath;
  const name = requestModelName(graph, model);
  return { uri, file, graph, model, name, key: modelKey(file, name) };
}

export interface ResolvedLayer extends ResolvedModel {
  layer: LayerNode;
}

/** The layer a Tap/Untap command is about: `{ layer, model? }` arguments, else the reference under the cursor. */
export async function resolveLayerTarget(ctx: LensContext, arg: unknown): Promise<ResolvedLayer | undefined> {
  const doc = await resolveDocument(ctx, arg);
  if (!doc.graph) throw new CommandError('Model Lens: the language server has no analysis for this file.');
  if (doc.target.layer) {
    const resolution = resolveModel(doc.graph, doc.target, doc.target.modelId || doc.target.modelName ? undefined : doc.cursor);
    let candidates: ModelNode[];
    if (resolution.kind === 'model') candidates = [resolution.model];
    else if (resolution.kind === 'pick') candidates = resolution.models.filter((m) => findLayerByName(m, doc.target.layer!));
    else throw new CommandError(`Model Lens: ${resolution.reason}.`);
    let model: ModelNode | undefined = candidates[0];
    if (candidates.length > 1) model = await pickModel(candidates, `Tap ${doc.target.layer} in which model?`);
    if (!model) return undefined;
    const layer = findLayerByName(model, doc.target.layer);
    if (!layer) throw new CommandError(`Model Lens: model '${model.name}' has no layer '${doc.target.layer}'.`);
    return { ...modelTarget(doc.uri, doc.graph, model), layer };
  }
  const hit = doc.cursor ? layerAt(doc.graph, doc.cursor) : undefined;
  if (!hit) throw new CommandError('Model Lens: put the cursor on a layer (its construction, its name, a get_layer("…") string or a variable bound to it).');
  return { ...modelTarget(doc.uri, doc.graph, hit.model), layer: hit.layer };
}

/** Runs a command body, turning CommandError into a message (and rethrowing nothing). */
export async function guarded<T>(body: () => Promise<T>): Promise<T | undefined> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof CommandError) {
      void vscode.window.showWarningMessage(error.message);
      return undefined;
    }
    void vscode.window.showErrorMessage(`Model Lens: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
