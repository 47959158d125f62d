/**
 * Facts the trainer reads from the source where the model graph does not carry them:
 * a Sequential model's input shape, the Keras dataset the code loads, how it scales pixels,
 * and the constructor call / class definition of custom layers.
 * (See /work/notes/analyzer-requests.md: the graph should eventually carry these.)
 */
import type { LayerNode, ModelNode, Shape } from '../graph/model-graph';
import { assignmentsIn, callArgs, dottedName, field, moduleDefinitions, named, nodeAtRange, numberLiteral, type Node } from '../analysis/loss/python';

/** Numeric module-level constants (`IMG_ROWS = 28`), for evaluating shapes. */
function constants(root: Node): (name: string) => number | undefined {
  const all = assignmentsIn(root);
  return (name) => {
    const found = all.filter((a) => a.name === name);
    if (found.length !== 1) return undefined;
    return numberLiteral(found[0]!.value);
  };
}

function shapeOf(node: Node | undefined, lookup: (name: string) => number | undefined, depth = 0): number[] | undefined {
  if (!node || depth > 8) return undefined;
  if (node.type === 'identifier') {
    const found = assignmentsIn(node.tree.rootNode).filter((a) => a.name === node.text);
    if (found.length === 1 && (found[0]!.value.type === 'tuple' || found[0]!.value.type === 'list')) return shapeOf(found[0]!.value, lookup, depth + 1);
  }
  if (node.type === 'call' && /^(list|tuple)$/.test(field(node, 'function')?.text ?? '')) {
    const arg = callArgs(node).positional[0];
    return shapeOf(arg, lookup, depth + 1);
  }
  if (node.type === 'tuple' || node.type === 'list') {
    const dims = named(node).map((d) => (d.type === 'none' ? -1 : numberLiteral(d, lookup)));
    if (dims.some((d) => d === undefined)) return undefined;
    return dims as number[];
  }
  const n = numberLiteral(node, lookup);
  return n === undefined ? undefined : [n];
}

/** Input shape (without batch) declared in a Sequential's source: Input(shape=), input_shape=, input_dim=. */
export function sequentialInputShape(root: Node, model: ModelNode): Shape | undefined {
  const lookup = constants(root);
  const fromCall = (call: Node): Shape | undefined => {
    const { keywords, positional } = callArgs(call);
    const fn = field(call, 'function')?.text ?? '';
    if (/(^|\.)(Input|InputLayer)$/.test(fn)) {
      const batch = shapeOf(keywords.get('batch_shape') ?? keywords.get('batch_input_shape'), lookup);
      if (batch) return batch.slice(1).map((d) => (d < 0 ? null : d));
      const s = shapeOf(keywords.get('shape') ?? keywords.get('input_shape') ?? positional[0], lookup);
      return s?.map((d) => (d < 0 ? null : d));
    }
    const s = shapeOf(keywords.get('input_shape'), lookup);
    if (s) return s.map((d) => (d < 0 ? null : d));
    const b = shapeOf(keywords.get('batch_input_shape'), lookup);
    if (b) return b.slice(1).map((d) => (d < 0 ? null : d));
    const dim = keywords.get('input_dim');
    const n = dim ? numberLiteral(dim, lookup) : undefined;
    return n === undefined ? undefined : [n];
  };
  const call = nodeAtRange(root, model.range, 'call');
  if (call) {
    const first = callArgs(call).positional[0] ?? callArgs(call).keywords.get('layers');
    const el = first && (first.type === 'list' || first.type === 'tuple') ? named(first)[0] : undefined;
    if (el?.type === 'call') {
      const s = fromCall(el);
      if (s) return s;
    }
  }
  const firstLayer = model.layers[0];
  if (firstLayer) {
    const ctor = nodeAtRange(root, firstLayer.range, 'call');
    if (ctor) return fromCall(ctor);
  }
  return undefined;
}

/** `keras.datasets.<name>.load_data()` calls in the file, by dataset name. */
export function kerasDatasets(root: Node): { name: string; line: number }[] {
  const out: { name: string; line: number }[] = [];
  for (const call of root.descendantsOfType('call')) {
    if (!call) continue;
    const name = dottedName(field(call, 'function')!);
    const m = name ? /(?:^|\.)datasets\.(\w+)\.load_data$/.exec(name) : null;
    if (m && !out.some((o) => o.name === m[1])) out.push({ name: m[1]!, line: call.startPosition.row + 1 });
  }
  return out;
}

/** True when the code divides by 255 (pixel scaling to [0, 1]). */
export function scalesBy255(root: Node): boolean {
  for (const op of root.descendantsOfType(['binary_operator', 'augmented_assignment'])) {
    if (!op) continue;
    const operator = field(op, 'operator')?.text;
    if (operator !== '/' && operator !== '/=') continue;
    const right = field(op, 'right');
    if (right && numberLiteral(right) === 255) return true;
  }
  return false;
}

export function classDefinition(root: Node, name: string): Node | undefined {
  return moduleDefinitions(root).classes.get(name);
}

export function constructorCall(root: Node, layer: LayerNode): Node | undefined {
  return nodeAtRange(root, layer.range, 'call');
}
