/**
 * `model.layers` in Keras's order. For functional models this replays Keras 3's `map_graph`:
 * a depth-first walk from the outputs numbers operations by first visit, nodes get depths, and
 * operations are listed by decreasing depth, ties by visit order; symbolic ops are dropped.
 */
import type { CallNode, LayerObj, ModelObj, TensorObj } from './keras-objects';

export function modelLayers(model: ModelObj): LayerObj[] {
  switch (model.kind) {
    case 'sequential':
      return model.stack[0]?.className === 'InputLayer' ? model.stack.slice(1) : [...model.stack];
    case 'subclassed':
      return model.layer.tracked;
    case 'functional':
      return functionalOperations(model).filter((op) => op.kind === 'layer');
  }
}

interface GraphNode {
  op: LayerObj;
  node: CallNode;
}

/** Functional models never change after construction, so their graph walk is computed once. */
const operationsCache = new WeakMap<ModelObj, LayerObj[]>();

/** Every operation (layers and ops) of a functional model, Keras-ordered. */
export function functionalOperations(model: ModelObj): LayerObj[] {
  let ops = operationsCache.get(model);
  if (!ops) {
    ops = computeOperations(model);
    operationsCache.set(model, ops);
  }
  return ops;
}

function computeOperations(model: ModelObj): LayerObj[] {
  const { nodes, indices } = buildMap(model.inputs, model.outputs);
  const inGraph = new Set(nodes.map((n) => n.node));
  const nodeDepth = new Map<CallNode, number>();
  const opDepth = new Map<LayerObj, number>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const { op, node } = nodes[i];
    if (!nodeDepth.has(node)) nodeDepth.set(node, 0);
    const depth = Math.max(nodeDepth.get(node)!, opDepth.get(op) ?? 0);
    opDepth.set(op, depth);
    nodeDepth.set(node, depth);
    for (const parent of parentNodes(node)) {
      if (!inGraph.has(parent)) continue;
      nodeDepth.set(parent, Math.max(depth + 1, nodeDepth.get(parent) ?? 0));
    }
  }
  for (const input of model.inputs) {
    const op = input.producer;
    if (op && !opDepth.has(op) && op.className === 'InputLayer') {
      opDepth.set(op, 0);
      indices.set(op, -1);
    }
  }
  const byDepth = new Map<number, LayerObj[]>();
  for (const [op, depth] of opDepth) {
    if (!byDepth.has(depth)) byDepth.set(depth, []);
    byDepth.get(depth)!.push(op);
  }
  const ordered: LayerObj[] = [];
  for (const depth of [...byDepth.keys()].sort((a, b) => b - a)) {
    ordered.push(...byDepth.get(depth)!.sort((a, b) => indices.get(a)! - indices.get(b)!));
  }
  return ordered;
}

function parentNodes(node: CallNode): CallNode[] {
  const parents: CallNode[] = [];
  for (const t of node.inputs) {
    const parent = t.producer?.nodes[t.nodeIndex];
    if (parent) parents.push(parent);
  }
  return parents;
}

function buildMap(inputs: TensorObj[], outputs: TensorObj[]): { nodes: GraphNode[]; indices: Map<LayerObj, number> } {
  const finished = new Set<CallNode>();
  const inProgress = new Set<CallNode>();
  const nodes: GraphNode[] = [];
  const indices = new Map<LayerObj, number>();
  const inputSet = new Set(inputs);
  const visit = (tensor: TensorObj): void => {
    const op = tensor.producer;
    if (!op) return;
    const node = op.nodes[tensor.nodeIndex];
    if (!node || finished.has(node)) return;
    const isInput = node.inputs.length === 0;
    if (!isInput && inputSet.has(tensor)) {
      finished.add(node);
      return;
    }
    if (inProgress.has(node)) return;
    if (!indices.has(op)) indices.set(op, indices.size);
    inProgress.add(node);
    if (!isInput) for (const t of node.inputs) visit(t);
    finished.add(node);
    inProgress.delete(node);
    nodes.push({ op, node });
  };
  for (const output of outputs) visit(output);
  return { nodes, indices };
}

const nodesCache = new WeakMap<ModelObj, Set<CallNode>>();

/** The call nodes that belong to this functional model's graph. */
export function nodesInModel(model: ModelObj): Set<CallNode> {
  let nodes = nodesCache.get(model);
  if (!nodes) {
    nodes = new Set(buildMap(model.inputs, model.outputs).nodes.map((n) => n.node));
    nodesCache.set(model, nodes);
  }
  return nodes;
}
