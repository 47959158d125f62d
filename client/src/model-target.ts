/**
 * Command argument resolution: which model (or layer) a command is about, from what VS Code hands
 * the command (code lens arguments, an editor's Uri, nothing) and the cursor. Pure: works on the
 * model graph the language server returns.
 */
import type { LayerNode, ModelGraph, ModelNode, Position, SourceRange } from '../../graph/model-graph';
import { walkLayers } from '../../graph/model-graph';
import { modelSize } from '../../graph/summary';
import type { ModelCommandArgs } from '../../protocol/protocol';

/** What a command was invoked with, normalised. */
export interface CommandTarget {
  /** Document URI (string form). */
  uri?: string;
  modelId?: string;
  modelName?: string;
  layer?: string;
}

/** A `vscode.Uri`, structurally. */
interface UriLike {
  scheme: string;
  path: string;
  toString(): string;
}

function isUriLike(v: unknown): v is UriLike {
  return !!v && typeof v === 'object' && typeof (v as UriLike).scheme === 'string' && typeof (v as UriLike).path === 'string' && typeof (v as UriLike).toString === 'function';
}

/**
 * Normalises a command's first argument: ModelCommandArgs (code lens), `{ uri, layer, model }`
 * (tests, the panel), a `vscode.Uri` (editor context menu, editor title), a URI string, or nothing.
 */
export function parseCommandArgs(arg: unknown): CommandTarget {
  if (arg === undefined || arg === null) return {};
  if (typeof arg === 'string') return { uri: arg };
  if (isUriLike(arg)) return { uri: arg.toString() };
  if (typeof arg !== 'object') return {};
  const a = arg as Partial<ModelCommandArgs> & { layer?: unknown; model?: unknown };
  const out: CommandTarget = {};
  if (typeof a.uri === 'string') out.uri = a.uri;
  else if (isUriLike(a.uri)) out.uri = (a.uri as UriLike).toString();
  if (typeof a.modelId === 'string') out.modelId = a.modelId;
  if (typeof a.modelName === 'string') out.modelName = a.modelName;
  else if (typeof a.model === 'string') out.modelName = a.model;
  if (typeof a.layer === 'string') out.layer = a.layer;
  return out;
}

export function contains(range: SourceRange, pos: Position): boolean {
  const { start, end } = range;
  if (pos.line < start.line || pos.line > end.line) return false;
  if (pos.line === start.line && pos.character < start.character) return false;
  if (pos.line === end.line && pos.character > end.character) return false;
  return true;
}

/** A measure of range size for "innermost wins". */
function extent(r: SourceRange): number {
  return (r.end.line - r.start.line) * 100000 + (r.end.character - r.start.character);
}

/** Ids of models that appear as a layer of another model (nested models). */
function nestedModelIds(graph: ModelGraph): Set<string> {
  const nested = new Set<string>();
  for (const m of graph.models) for (const l of walkLayers(m)) if (l.model) nested.add(l.model.id);
  return nested;
}

/** The file's models for a quick pick: top-level ones first, then nested ones, each in source order. */
export function pickableModels(graph: ModelGraph): ModelNode[] {
  const nested = nestedModelIds(graph);
  const bySource = (a: ModelNode, b: ModelNode) => (a.file ? 1 : 0) - (b.file ? 1 : 0) || a.range.start.line - b.range.start.line;
  return [...graph.models.filter((m) => !nested.has(m.id)).sort(bySource), ...graph.models.filter((m) => nested.has(m.id)).sort(bySource)];
}

function modelOwningLayer(graph: ModelGraph, layerId: string): ModelNode | undefined {
  const nested = nestedModelIds(graph);
  const owners = graph.models.filter((m) => m.layerId === layerId || [...walkLayers(m)].some((l) => l.id === layerId));
  return owners.find((m) => !nested.has(m.id)) ?? owners[0];
}

/** The model whose own object is `layerId` (a model variable's reference). */
function modelByLayerId(graph: ModelGraph, layerId: string): ModelNode | undefined {
  return graph.models.find((m) => m.layerId === layerId);
}

/** The model the cursor is on: a reference to it or into it, its construction, a layer of it, its compile/fit call. */
export function modelAt(graph: ModelGraph, pos: Position): ModelNode | undefined {
  type Hit = { model: ModelNode; size: number };
  const hits: Hit[] = [];
  for (const ref of graph.references) {
    if (ref.file || !contains(ref.range, pos)) continue;
    let model: ModelNode | undefined;
    if (ref.kind === 'model_variable' && ref.layerId) model = modelByLayerId(graph, ref.layerId);
    if (!model && ref.modelId) model = graph.models.find((m) => m.id === ref.modelId);
    if (!model && ref.layerId) model = modelOwningLayer(graph, ref.layerId);
    if (model) hits.push({ model, size: extent(ref.range) });
  }
  if (hits.length === 0) {
    for (const m of graph.models) {
      if (!m.file && contains(m.range, pos)) hits.push({ model: m, size: extent(m.range) });
      for (const c of [m.compile, ...(m.fit ?? [])]) if (c && !c.file && contains(c.range, pos)) hits.push({ model: m, size: extent(c.range) });
    }
  }
  if (hits.length === 0) {
    for (const m of graph.models) {
      for (const l of walkLayers(m)) {
        if (l.file) continue;
        for (const r of [l.range, ...l.calls.map((c) => c.range)]) if (contains(r, pos)) hits.push({ model: modelOwningLayer(graph, l.id) ?? m, size: extent(r) });
      }
    }
  }
  hits.sort((a, b) => a.size - b.size);
  return hits[0]?.model;
}

export function findModel(graph: ModelGraph, target: { modelId?: string; modelName?: string }): ModelNode | undefined {
  if (target.modelId) {
    const byId = graph.models.find((m) => m.id === target.modelId);
    // Ids are stable for one analysis only: check the name agrees when both were given.
    if (byId && (!target.modelName || byId.name === target.modelName)) return byId;
  }
  if (target.modelName) {
    const name = target.modelName;
    const nested = nestedModelIds(graph);
    const named = graph.models.filter((m) => m.name === name || m.variables.includes(name));
    return named.find((m) => !nested.has(m.id)) ?? named[0];
  }
  return undefined;
}

export type ModelResolution =
  | { kind: 'model'; model: ModelNode }
  | { kind: 'pick'; models: ModelNode[] }
  | { kind: 'none'; reason: string };

/**
 * Which model a command is about: the one named in its arguments, else the one under the cursor,
 * else the file's only model, else a choice among the file's models.
 */
export function resolveModel(graph: ModelGraph | null, target: CommandTarget, cursor?: Position): ModelResolution {
  if (!graph) return { kind: 'none', reason: 'the language server has no analysis for this file' };
  const models = pickableModels(graph);
  if (models.length === 0) return { kind: 'none', reason: `no Keras model found in ${baseName(graph.file)}` };
  if (target.modelId || target.modelName) {
    const named = findModel(graph, target);
    if (named) return { kind: 'model', model: named };
    return { kind: 'none', reason: `no model '${target.modelName ?? target.modelId}' in ${baseName(graph.file)} (models: ${models.map((m) => m.name).join(', ')})` };
  }
  if (cursor) {
    const here = modelAt(graph, cursor);
    if (here) return { kind: 'model', model: here };
  }
  const topLevel = models.filter((m) => !nestedModelIds(graph).has(m.id));
  if (topLevel.length === 1) return { kind: 'model', model: topLevel[0]! };
  // Models only an uncalled function builds come second to those the file builds.
  const builtTopLevel = topLevel.filter((m) => !m.speculative);
  if (builtTopLevel.length === 1) return { kind: 'model', model: builtTopLevel[0]! };
  if (models.length === 1) return { kind: 'model', model: models[0]! };
  return { kind: 'pick', models };
}

/**
 * The name to send as `TrainRequest.model`: the trainer re-analyses the file and takes the first
 * model whose name or a variable matches, so use one that selects exactly this model.
 */
export function requestModelName(graph: ModelGraph, model: ModelNode): string {
  const first = (wanted: string) => graph.models.find((m) => m.name === wanted || m.variables.includes(wanted));
  for (const candidate of [...model.variables, model.name]) if (first(candidate) === model) return candidate;
  return model.name;
}

export interface LayerHit {
  layer: LayerNode;
  model: ModelNode;
}

function layerById(graph: ModelGraph, layerId: string): LayerHit | undefined {
  const nested = nestedModelIds(graph);
  const ordered = [...graph.models.filter((m) => !nested.has(m.id)), ...graph.models.filter((m) => nested.has(m.id))];
  for (const m of ordered) for (const l of walkLayers(m)) if (l.id === layerId) return { layer: l, model: m };
  return undefined;
}

/** The layer the cursor is on: a reference to it (get_layer string, variable, name argument) or its construction. */
export function layerAt(graph: ModelGraph, pos: Position): LayerHit | undefined {
  const refs = graph.references
    .filter((r) => !r.file && r.layerId && r.kind !== 'model_variable' && contains(r.range, pos))
    .sort((a, b) => extent(a.range) - extent(b.range));
  for (const ref of refs) {
    const hit = layerById(graph, ref.layerId!);
    if (!hit) continue;
    const model = (ref.modelId && graph.models.find((m) => m.id === ref.modelId)) || hit.model;
    return { layer: hit.layer, model };
  }
  let best: (LayerHit & { size: number }) | undefined;
  for (const m of pickableModels(graph)) {
    for (const l of walkLayers(m)) {
      if (l.file || l.className === 'InputLayer') continue;
      for (const r of [l.range, ...(l.nameRange && !l.nameFile ? [l.nameRange] : [])]) {
        if (contains(r, pos) && (!best || extent(r) < best.size)) best = { layer: l, model: m, size: extent(r) };
      }
    }
  }
  return best && { layer: best.layer, model: best.model };
}

/** A layer by name in a model (nested models' layers included). */
export function findLayerByName(model: ModelNode, name: string): LayerNode | undefined {
  for (const l of walkLayers(model)) if (l.name === name) return l;
  return undefined;
}

/** The run manager's key for a model of a file. */
export function modelKey(file: string, model: string): string {
  return `${file}#${model}`;
}

export function parseModelKey(key: string): { file: string; model: string } {
  const i = key.lastIndexOf('#');
  return i < 0 ? { file: key, model: '' } : { file: key.slice(0, i), model: key.slice(i + 1) };
}

/** One line for a quick pick: `model (functional) · 6 layers · 12,345 params`. */
export function describeModel(model: ModelNode): { label: string; description: string; detail?: string } {
  const vars = model.variables.length ? `${model.variables.join(', ')} = ` : '';
  return {
    label: model.name,
    description: `${vars}${model.className} · ${modelSize(model)}`,
    ...(model.file ? { detail: `from ${model.file}` } : { detail: `line ${model.range.start.line + 1}` }),
  };
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/**
 * Which file and model a restored panel was about, from the state the webview kept with
 * `setState` (webview/src/persist.ts PersistedState; read defensively, it may be from an older version).
 */
export function targetFromPanelState(state: unknown): { file: string; model?: string } | undefined {
  if (!state || typeof state !== 'object') return undefined;
  const s = state as {
    file?: unknown;
    ui?: { init?: { file?: unknown; model?: { name?: unknown; variables?: unknown } } | null };
    run?: { file?: unknown; request?: { model?: unknown }; model?: { name?: unknown } } | null;
  };
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const file = str(s.file) ?? str(s.ui?.init?.file) ?? str(s.run?.file);
  if (!file) return undefined;
  const initModel = s.ui?.init?.model;
  const variables = Array.isArray(initModel?.variables) ? (initModel!.variables as unknown[]).filter((v): v is string => typeof v === 'string') : [];
  const model = str(s.run?.request?.model) ?? variables[0] ?? str(initModel?.name) ?? str(s.run?.model?.name);
  return model ? { file, model } : { file };
}
