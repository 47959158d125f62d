/**
 * Read-only lookups over one analysis (model graph + syntax index): layers by id or name, the model
 * a receiver like `model` or `encoder` stands for, and which binding of a variable a use refers to.
 * Used by the worker (to build the index and diagnostics) and by the features on the main thread.
 */
import type { Position } from 'vscode-languageserver';
import type { LayerNode, ModelGraph, ModelNode, Reference } from '../../graph/model-graph';
import { comparePositions, rangeContains } from './positions';
import type { FunctionScope, SyntaxIndex } from './snapshot';

export interface LayerInModel {
  layer: LayerNode;
  model: ModelNode;
}

const BINDING_KINDS = new Set<Reference['kind']>(['layer_variable', 'tensor_variable', 'model_variable']);

export class GraphLookup {
  private layersById?: Map<string, LayerInModel[]>;
  private bindingsByName?: Map<string, Reference[]>;
  private modelsById?: Map<string, ModelNode>;

  constructor(
    readonly graph: ModelGraph,
    readonly index: Pick<SyntaxIndex, 'functions' | 'modelOfLayer'>,
  ) {}

  get models(): ModelNode[] {
    return this.graph.models;
  }

  /** Builds the lookup tables now (while the server is idle) rather than in the next request. */
  warm(): void {
    this.layer('');
    this.model('');
    this.bindings('');
  }

  model(id: string | null | undefined): ModelNode | undefined {
    if (!id) return undefined;
    this.modelsById ??= new Map(this.graph.models.map((m) => [m.id, m]));
    return this.modelsById.get(id);
  }

  /** Every (layer, model) pair for a layer id: a shared layer or a nested model's layer is in several. */
  layer(id: string | null | undefined): LayerInModel[] {
    if (!id) return [];
    if (!this.layersById) {
      this.layersById = new Map();
      for (const model of this.graph.models) {
        for (const layer of model.layers) {
          const list = this.layersById.get(layer.id) ?? [];
          list.push({ layer, model });
          this.layersById.set(layer.id, list);
        }
      }
    }
    return this.layersById.get(id) ?? [];
  }

  /** The model that a layer object is (a model variable's reference carries the layer id). */
  modelForLayerId(layerId: string | null | undefined): ModelNode | undefined {
    return layerId ? this.model(this.index.modelOfLayer[layerId]) : undefined;
  }

  layersNamed(name: string, models: ModelNode[] = this.graph.models): LayerInModel[] {
    const out: LayerInModel[] = [];
    for (const model of models) for (const layer of model.layers) if (layer.name === name) out.push({ layer, model });
    return out;
  }

  /** Stable identity of a layer across analyses and files: where it is constructed. */
  layerKey(layer: LayerNode): string {
    return `${layer.file ?? this.graph.file}:${layer.range.start.line}:${layer.range.start.character}`;
  }

  /** The innermost function containing a position (undefined at module level). */
  scopeAt(pos: Position): FunctionScope | undefined {
    let found: FunctionScope | undefined;
    let level = this.index.functions;
    for (;;) {
      const inner = findContaining(level, pos);
      if (!inner) return found;
      found = inner;
      level = inner.children;
    }
  }

  /**
   * The binding (assignment) of `name` that a use at `pos` refers to: the last one before it in the
   * same function, else the module-level one (a function reading a global). Python scoping minus
   * control flow: a binding in a branch counts whether or not the branch runs.
   */
  bindingAt(name: string, pos: Position): Reference | undefined {
    const all = this.bindings(name);
    if (all.length === 0) return undefined;
    const scope = this.scopeAt(pos);
    const local = all.filter((r) => this.scopeAt(r.range.start) === scope);
    if (local.length > 0) return lastBefore(local, pos);
    if (!scope) return undefined;
    const moduleLevel = all.filter((r) => this.scopeAt(r.range.start) === undefined);
    return moduleLevel.length > 0 ? lastBefore(moduleLevel, pos) : undefined;
  }

  /**
   * The model a receiver expression stands for: `model`, `self.model`, `autoencoder.encoder`.
   * Undefined when the code does not say; callers then offer every model.
   */
  modelForReceiver(receiver: string | null, pos: Position): ModelNode | undefined {
    if (!receiver) return undefined;
    if (/^\w+$/.test(receiver)) {
      const binding = this.bindingAt(receiver, pos);
      if (binding) return this.modelForLayerId(binding.layerId);
    }
    const last = /(\w+)\s*$/.exec(receiver)?.[1];
    if (!last) return undefined;
    const byVariable = this.graph.models.filter((m) => m.variables.includes(last));
    if (byVariable.length > 0) return byVariable[byVariable.length - 1];
    const byName = this.graph.models.filter((m) => m.name === last && m.nameSource === 'explicit');
    return byName.length === 1 ? byName[0] : undefined;
  }

  private bindings(name: string): Reference[] {
    if (!this.bindingsByName) {
      this.bindingsByName = new Map();
      for (const ref of this.graph.references) {
        if (!BINDING_KINDS.has(ref.kind)) continue;
        const list = this.bindingsByName.get(ref.text) ?? [];
        list.push(ref);
        this.bindingsByName.set(ref.text, list);
      }
    }
    return this.bindingsByName.get(name) ?? [];
  }
}

/**
 * Whether Keras's layer names in this model are known exactly, so that "no layer named x" is a
 * fact and not an artefact of analysis.
 */
export function namesAreExact(model: ModelNode, graph: ModelGraph): boolean {
  return !model.error && layerNamesAreExact(model, graph);
}

/**
 * The same for a model Keras refuses to build (a weight as an output, say): the names its layers
 * will have once that is fixed, so that the user hears of every other mistake at once.
 */
export function layerNamesAreExact(model: ModelNode, graph: ModelGraph): boolean {
  if (graph.truncated) return false;
  if (model.kind === 'subclassed') return false;
  if (model.kind === 'functional' && (model.outputs.length === 0 || model.outputs.includes('?'))) return false;
  if (model.inputs.includes('?')) return false;
  return model.layers.every((l) => l.nameSource !== 'approximate');
}

function lastBefore(refs: Reference[], pos: Position): Reference {
  let best: Reference | undefined;
  for (const r of refs) if (comparePositions(r.range.start, pos) <= 0) best = r;
  return best ?? refs[refs.length - 1];
}

function findContaining(scopes: FunctionScope[], pos: Position): FunctionScope | undefined {
  let lo = 0;
  let hi = scopes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = scopes[mid];
    if (comparePositions(pos, s.range.start) < 0) hi = mid - 1;
    else if (comparePositions(pos, s.range.end) > 0) lo = mid + 1;
    else return rangeContains(s.range, pos) ? s : undefined;
  }
  return undefined;
}
