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
    case 'functional': {
      const operations = functionalOperations(model);
      const walk = model.graphWalk!;
      walk.layers ??= operations.filter((op) => op.kind === 'layer');
      return walk.layers;
    }
  }
}

/** Every operation (layers and ops) of a functional model, Keras-ordered. Functional models never
 * change after construction, so their graph walk is computed once (kept on the model). */
export function functionalOperations(model: ModelObj): LayerObj[] {
  if (!model.graphWalk) model.graphWalk = { operations: computeOperations(model) };
  return model.graphWalk.operations;
}

function computeOperations(model: ModelObj): LayerObj[] {
  const { nodes, ops, indices } = buildMap(model.inputs, model.outputs);
  const inGraph = new Set(nodes);
  // The same walk gives the model's call nodes (nodesInModel).
  model.callNodes ??= inGraph;
  const nodeDepth = new Map<CallNode, number>();
  const opDepth = new Map<LayerObj, number>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    const op = ops[i];
    const depth = Math.max(nodeDepth.get(node) ?? 0, opDepth.get(op) ?? 0);
    opDepth.set(op, depth);
    nodeDepth.set(node, depth);
    for (const t of node.inputs) {
      const parent = t.producer?.nodes[t.nodeIndex];
      if (!parent || !inGraph.has(parent)) continue;
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
  // Decreasing depth, ties by visit order (stable: equal indices keep their order).
  const ordered = [...opDepth.keys()];
  const before = (a: LayerObj, b: LayerObj) => opDepth.get(b)! - opDepth.get(a)! || indices.get(a)! - indices.get(b)!;
  if (ordered.length > 32) return ordered.sort(before);
  // Small models (most): a stable insertion sort, without the work arrays of Array.prototype.sort.
  for (let i = 1; i < ordered.length; i++) {
    const op = ordered[i];
    let j = i - 1;
    for (; j >= 0 && before(ordered[j], op) > 0; j--) ordered[j + 1] = ordered[j];
    ordered[j + 1] = op;
  }
  return ordered;
}

/** Keras's depth-first walk from the outputs: call nodes in finishing order (with their operation), first-visit index per operation. */
function buildMap(inputs: TensorObj[], outputs: TensorObj[]): { nodes: CallNode[]; ops: LayerObj[]; indices: Map<LayerObj, number> } {
  // Visiting → false, finished → true.
  const state = new Map<CallNode, boolean>();
  const nodes: CallNode[] = [];
  const ops: LayerObj[] = [];
  const indices = new Map<LayerObj, number>();
  const visit = (tensor: TensorObj): void => {
    const op = tensor.producer;
    if (!op) return;
    const node = op.nodes[tensor.nodeIndex];
    if (!node) return;
    const seen = state.get(node);
    if (seen !== undefined) return;
    const isInput = node.inputs.length === 0;
    if (!isInput && inputs.includes(tensor)) {
      state.set(node, true);
      return;
    }
    if (!indices.has(op)) indices.set(op, indices.size);
    state.set(node, false);
    if (!isInput) for (const t of node.inputs) visit(t);
    state.set(node, true);
    nodes.push(node);
    ops.push(op);
  };
  for (const output of outputs) visit(output);
  return { nodes, ops, indices };
}

/** The call nodes that belong to this functional model's graph. */
export function nodesInModel(model: ModelObj): Set<CallNode> {
  model.callNodes ??= new Set(buildMap(model.inputs, model.outputs).nodes);
  return model.callNodes;
}
