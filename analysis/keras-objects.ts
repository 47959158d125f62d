/**
 * The Keras runtime objects the evaluator builds while "executing" a file: layers (and symbolic
 * operations, which Keras names with the same counters), Keras tensors with their history, and
 * models. graph-builder.ts turns them into the ModelGraph IR.
 */
import type { NameSource, Shape, SourceRange, WeightInfo } from '../graph/model-graph';
import type { Config, LayerSpec } from './layers/catalog';
import type { ClassValue, InstanceValue, Value } from './values';

export interface CallNode {
  inputs: TensorObj[];
  outputs: TensorObj[];
  range: SourceRange;
  /** Fed by a masked tensor: Keras also lists mask ops among this node's inbound, which we do not model. */
  maskedInputs?: boolean;
}

export interface LayerObj {
  id: string;
  /** 'layer' for Keras layers (and models); 'op' for symbolic ops like `keras.ops.add` (not in model.layers). */
  kind: 'layer' | 'op';
  className: string;
  spec?: LayerSpec;
  userClass?: ClassValue;
  instance?: InstanceValue;
  config: Config;
  /** Raw argument values, for what the config cannot hold (inner layers, call options). */
  args: Record<string, Value>;
  name: string;
  nameSource: NameSource;
  range: SourceRange;
  /** Set when the layer was constructed in another (imported) file. */
  file?: string;
  nameRange?: SourceRange;
  /** File of `nameRange` when the literal is in another module. */
  nameFile?: string;
  /** Keras's `_inbound_nodes`: one per symbolic call. */
  nodes: CallNode[];
  /** Set at first build: null shape entries mean unknown. `undefined` = not built. */
  weights?: WeightInfo[];
  /** Output shape of the first call (also set for layers called only eagerly / inside a subclassed call). */
  firstOutput?: Shape | Shape[] | null;
  trainable: boolean;
  approximate: boolean;
  /** Layers tracked by a custom layer / subclassed model (attributes assigned on self). */
  tracked: LayerObj[];
  model?: ModelObj;
  /** `input_shape=` given to the constructor (legacy Sequential style). */
  inputShapeArg?: Shape;
}

export interface TensorObj {
  shape: Shape | null;
  producer: LayerObj | null;
  nodeIndex: number;
  outputIndex: number;
  /** The layer that computed this tensor outside the symbolic graph (inside a call(), eagerly). */
  eagerProducer?: LayerObj;
  /** Carries a Keras mask (Embedding(mask_zero=True), Masking): Keras wires mask ops into later nodes. */
  masked?: boolean;
}

export interface ModelObj {
  id: string;
  kind: 'sequential' | 'functional' | 'subclassed';
  layer: LayerObj;
  /** Sequential: the `_layers` list, InputLayer included when present. */
  stack: LayerObj[];
  inputs: TensorObj[];
  outputs: TensorObj[];
  /** Output names when `outputs` was a dict. */
  outputKeys?: string[];
  built: boolean;
  /**
   * fit/evaluate/predict/train_on_batch or build() ran on this model: Keras built it then, even
   * where the input shape is unknown here.
   */
  buildRequested?: boolean;
  /** Set for architectures we do not analyze (keras.applications.*): what it is. */
  opaque?: string;
  /** A subclassed model whose call() has run (its layers are built). */
  traced?: boolean;
  /** Model outputs that are not Keras tensors (Keras raises at construction). */
  invalidOutputs?: string[];
  /** An opaque application whose build is known: its layer count and shapes. */
  application?: { layers: number; inputShape: Shape; outputShape: Shape };
  /** Built only by running this file's uncalled function of that name with its defaults. */
  speculative?: string;
  /** A functional model whose inputs or outputs could not be followed: its layers and counts are partial. */
  partialGraph?: boolean;
  /** Model inputs Keras cannot compute (e.g. a Sequential's `.input`; Keras raises at construction). */
  invalidInputs?: string[];
  compile?: { node: import('./syntax-tree').SyntaxNode; args: Record<string, Value>; file?: string };
  fits: { node: import('./syntax-tree').SyntaxNode; args: Record<string, Value>; positional: Value[]; file?: string }[];
  /** The `outputs=` argument position by position (see ModelNode.outputSources). */
  outputSources?: import('../graph/model-graph').OutputSource[];
  /** Input shape a subclassed model was traced (built by a call) with. */
  traceInput?: Shape;
  /** model-layers.ts's walk of a functional model, computed once: its operations and layers. */
  graphWalk?: { operations: LayerObj[]; layers?: LayerObj[] };
  /** model-layers.ts's nodesInModel, computed once. */
  callNodes?: Set<CallNode>;
}

/**
 * Records a call node on its layer. The first goes in as `[node]`: a push on an empty array reserves
 * room for 16, which would stay allocated as long as the layer (most layers are called once).
 */
export function appendCallNode(layer: LayerObj, node: CallNode): void {
  if (layer.nodes.length === 0) layer.nodes = [node];
  else layer.nodes.push(node);
}

const snakeCache = new Map<string, string>();

/** Keras 3 `to_snake_case`, used for automatic names (remembered: every auto-named layer asks). */
export function toSnakeCase(name: string): string {
  let snake = snakeCache.get(name);
  if (snake === undefined) {
    snake = computeSnakeCase(name);
    if (snakeCache.size >= 10_000) snakeCache.clear();
    snakeCache.set(name, snake);
  }
  return snake;
}

function computeSnakeCase(name: string): string {
  let s = name.replace(/\W+/g, '');
  s = s.replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  s = s.replace(/([a-z])([A-Z])/g, '$1_$2');
  return s.toLowerCase();
}

/**
 * Keras's global `object_name_uids`: one counter per prefix, shared by every layer, op and model
 * built in the process. A counter touched inside code whose execution is uncertain (unknown loop
 * count, unknown branch) stops being exact, and every later name with that prefix is approximate.
 */
export class NameRegistry {
  private counts = new Map<string, number>();
  private inexact = new Set<string>();
  allInexact = false;
  /** Set while running code no caller in the file runs: its auto-names depend on the caller. */
  speculative = false;

  next(className: string, uncertainCode: boolean): { name: string; source: NameSource } {
    const uncertain = uncertainCode || this.speculative;
    const prefix = toSnakeCase(className);
    const count = this.counts.get(prefix) ?? 0;
    this.counts.set(prefix, count + 1);
    const exact = !uncertain && !this.allInexact && !this.inexact.has(prefix);
    if (uncertain) this.inexact.add(prefix);
    return { name: count === 0 ? prefix : `${prefix}_${count}`, source: exact ? 'auto' : 'approximate' };
  }

  /** Consumes a counter without naming anything we track (hidden sublayers Keras creates). */
  consume(prefix: string, uncertain: boolean): void {
    this.next(prefix, uncertain);
  }

  /** Later names with these prefixes are approximate (code we do not follow may have used them). */
  markInexact(prefixes: string[]): void {
    for (const p of prefixes) this.inexact.add(p);
  }

  /** `keras.backend.clear_session()` resets every counter. */
  reset(): void {
    this.counts.clear();
    this.inexact.clear();
  }
}
