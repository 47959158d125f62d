/**
 * Builds the syntax index of one analysis (in the worker, which has the tree): every string that
 * names a layer and which layer it names, function scopes, the literals that spell layer names,
 * and which model each model variable holds. Strings the analyzer recorded while evaluating come
 * first; strings in code it never ran (a loss function, a callback) are found syntactically and
 * resolved through the receiver variable, or by name.
 */
import type { Range } from 'vscode-languageserver';
import type { LayerNode, ModelGraph, ModelNode } from '../../graph/model-graph';
import type { Attribution } from './file-attribution';
import { GraphLookup } from './lookup';
import { comparePositions } from './positions';
import type { FunctionScope, IndexedString, NameSite, StringContext, SyntaxIndex } from './snapshot';
import { TextLines } from './text-lines';
import { argument, callParts, children, nodeAtRange, rangeOfNode, stringLiteral, toPoint, type Node } from './tree';

export function buildSyntaxIndex(graph: ModelGraph, root: Node, text: string, attribution: Attribution, functionNodes: Node[]): SyntaxIndex {
  const lines = TextLines.of(text, root);
  const index: SyntaxIndex = {
    strings: [],
    functions: functionScopes(functionNodes),
    nameSites: nameSites(graph, root, lines),
    modelOfLayer: modelVariables(graph, root),
    foreign: attribution.foreign,
  };
  index.strings = layerNameStrings(graph, index, root, lines);
  index.nameSites.push(...attribution.foreignNameSites);
  return index;
}

/**
 * Every string that names a layer, most certain first (a later source never overrides an earlier
 * one at the same place): what the analyzer recorded, get_layer calls and output keys resolved
 * through their receiver, the name literals themselves, then lists of names.
 */
function layerNameStrings(graph: ModelGraph, index: SyntaxIndex, root: Node, lines: TextLines): IndexedString[] {
  const lookup = new GraphLookup(graph, index);
  const strings = new StringCollector();
  recordedStrings(graph, lines, strings);
  getLayerCalls(lines, root, lookup, strings);
  outputKeys(lines, root, lookup, strings);
  const names = new Map(graph.models.flatMap((m) => m.layers.map((l): [string, string] => [l.id, l.name])));
  for (const site of index.nameSites) {
    strings.add({ range: site.range, text: names.get(site.layerId) ?? '', context: 'name_argument', receiverKnown: true, modelIds: [], layerIds: [site.layerId] });
  }
  nameLists(lines, root, lookup, strings);
  return strings.sorted();
}

/** Strings keyed by range, merging what several executions of the same code recorded. */
class StringCollector {
  private byRange = new Map<number, IndexedString>();

  has(range: Range): boolean {
    return this.byRange.has(key(range));
  }

  add(s: IndexedString): void {
    const k = key(s.range);
    const existing = this.byRange.get(k);
    if (!existing) {
      // Callers hand over fresh objects: keep them (ids de-duplicated).
      s.modelIds = unique(s.modelIds);
      s.layerIds = unique(s.layerIds);
      this.byRange.set(k, s);
      return;
    }
    existing.modelIds = [...new Set([...existing.modelIds, ...s.modelIds])];
    existing.layerIds = [...new Set([...existing.layerIds, ...s.layerIds])];
    existing.receiverKnown &&= s.receiverKnown;
  }

  sorted(): IndexedString[] {
    return [...this.byRange.values()].sort((a, b) => comparePositions(a.range.start, b.range.start));
  }
}

/** Without repeats (most lists hold one id: no Set for those). */
function unique(ids: string[]): string[] {
  return ids.length < 2 ? ids : [...new Set(ids)];
}

/** A number per start position (exact below 2^53: lines × 2^32 + character). */
function key(r: Range): number {
  return r.start.line * 4294967296 + r.start.character;
}

// ───────────── scopes and model variables ─────────────

function functionScopes(functionNodes: Node[]): FunctionScope[] {
  const top: FunctionScope[] = [];
  const stack: FunctionScope[] = [];
  for (const fn of functionNodes) {
    const scope: FunctionScope = { range: rangeOfNode(fn), children: [] };
    while (stack.length > 0 && comparePositions(stack[stack.length - 1].range.end, scope.range.start) < 0) stack.pop();
    (stack.length > 0 ? stack[stack.length - 1].children : top).push(scope);
    stack.push(scope);
  }
  return top;
}

/**
 * Model variable references carry the id of the layer object the model is; map those to model ids:
 * through nested models, through the assignment's right-hand side constructing the model, or
 * through the module-level variable names the graph lists.
 */
function modelVariables(graph: ModelGraph, root: Node): Record<string, string> {
  const out: Record<string, string> = {};
  for (const model of graph.models) for (const layer of model.layers) if (layer.model) out[layer.id] = layer.model.id;
  const byLine = new Map<number, ModelNode[]>();
  for (const m of graph.models) if (!m.file) byLine.set(m.range.start.line, [...(byLine.get(m.range.start.line) ?? []), m]);
  for (const ref of graph.references) {
    if (ref.kind !== 'model_variable' || !ref.layerId || out[ref.layerId]) continue;
    const rhs = nodeAtRange(root, ref.range, ['assignment'])?.childForFieldName('right');
    if (!rhs) continue;
    const rhsRange = rangeOfNode(rhs);
    const built: ModelNode[] = [];
    for (let line = rhsRange.start.line; line <= rhsRange.end.line; line++) for (const m of byLine.get(line) ?? []) if (inside(m.range, rhsRange)) built.push(m);
    if (built.length === 1) out[ref.layerId] = built[0].id;
  }
  // Module-level names: the graph lists the variables that hold each model at the end of the module.
  const modelsByVariable = new Map<string, ModelNode[]>();
  for (const m of graph.models) for (const v of m.variables) modelsByVariable.set(v, [...(modelsByVariable.get(v) ?? []), m]);
  for (const ref of graph.references) {
    if (ref.kind !== 'model_variable' || !ref.layerId || out[ref.layerId]) continue;
    const holders = modelsByVariable.get(ref.text) ?? [];
    if (holders.length === 1) out[ref.layerId] = holders[0].id;
  }
  return out;
}

function inside(inner: Range, outer: Range): boolean {
  return comparePositions(outer.start, inner.start) <= 0 && comparePositions(inner.end, outer.end) <= 0;
}

// ───────────── strings ─────────────

/** get_layer strings the analyzer saw while evaluating (exact model and layer). */
function recordedStrings(graph: ModelGraph, lines: TextLines, strings: StringCollector): void {
  for (const ref of graph.references) {
    if (ref.kind !== 'get_layer' && ref.kind !== 'output_key') continue;
    const literal = lines.stringAt(ref.range);
    if (!literal || literal.value !== ref.text) continue;
    strings.add({
      range: literal.range,
      text: literal.value,
      context: ref.kind,
      receiverKnown: ref.modelId !== null,
      modelIds: ref.modelId ? [ref.modelId] : [],
      layerIds: ref.layerId ? [ref.layerId] : [],
    });
  }
}

/** `x.get_layer("name")` anywhere, including code the analyzer did not run (only those are looked up in the tree). */
function getLayerCalls(lines: TextLines, root: Node, lookup: GraphLookup, strings: StringCollector): void {
  for (const match of lines.text.matchAll(/\.\s*get_layer\s*\(\s*(?:name\s*=\s*)?(["'])(\w*)\1/g)) {
    const quote = match.index! + match[0].length - match[2].length - 2;
    const start = lines.position(quote + 1);
    const contents = { start, end: { line: start.line, character: start.character + match[2].length } };
    if (strings.has(contents)) continue;
    let call: Node | null = root.descendantForPosition(toPoint(start));
    while (call && call.type !== 'call') call = call.parent;
    const parts = call ? callParts(call) : undefined;
    if (!parts || parts.name !== 'get_layer') continue;
    const literal = stringLiteral(argument(parts, 'name', 0));
    if (!literal || strings.has(literal.range)) continue;
    const model = lookup.modelForReceiver(parts.receiver?.text ?? null, literal.range.start);
    strings.add(resolveByName(lookup, literal, 'get_layer', model));
  }
}

/** Keys of `compile(loss={...}, loss_weights={...}, metrics={...})` and `fit(y={...})`. */
function outputKeys(lines: TextLines, root: Node, lookup: GraphLookup, strings: StringCollector): void {
  // Up to two levels of parentheses before the `{` (`fit(np.zeros((8, 4)), {...})`).
  for (const call of callsMatching(lines, root, /\.\s*(?:compile|fit|evaluate|train_on_batch)\s*\((?=[^()]*(?:\((?:[^()]|\([^()]*\))*\)[^()]*)*\{)/g)) {
    const parts = callParts(call);
    if (!parts) continue;
    const dicts =
      parts.name === 'compile'
        ? [parts.keywords.get('loss') ?? parts.positional[1], parts.keywords.get('loss_weights'), parts.keywords.get('metrics')]
        : ['fit', 'evaluate', 'train_on_batch'].includes(parts.name)
          ? [argument(parts, 'y', 1)]
          : [];
    const model = lookup.modelForReceiver(parts.receiver?.text ?? null, rangeOfNode(call).start);
    for (const dict of dicts) {
      if (dict?.type !== 'dictionary') continue;
      for (const pair of children(dict)) {
        const literal = stringLiteral(pair.type === 'pair' ? pair.childForFieldName('key') : null);
        if (literal) strings.add(outputKeyString(lookup, literal, model));
      }
    }
  }
}

function outputKeyString(lookup: GraphLookup, literal: { value: string; range: Range }, model: ModelNode | undefined): IndexedString {
  // Output names are layer names, unless the model's outputs were given as a dict (then they are its keys).
  if (model?.outputKeys) return { range: literal.range, text: literal.value, context: 'output_key', receiverKnown: true, modelIds: [model.id], layerIds: [] };
  const models = model ? [model] : lookup.models;
  const layers = lookup.layersNamed(literal.value, models).filter((e) => e.model.outputs.includes(e.layer.name));
  return {
    range: literal.range,
    text: literal.value,
    context: 'output_key',
    receiverKnown: !!model,
    modelIds: model ? [model.id] : layers.map((e) => e.model.id),
    layerIds: layers.map((e) => e.layer.id),
  };
}

/** String elements of list literals that name layers: `["encoder", "decoder"]`. */
function nameLists(lines: TextLines, root: Node, lookup: GraphLookup, strings: StringCollector): void {
  const names = new Set(lookup.models.flatMap((m) => m.layers.map((l) => l.name)));
  if (names.size === 0) return;
  // A list element: `[` or `,` before it and `,` or `]` after it (cheap text test before the tree).
  const quoted = /([[,]\s*)(["'])(\w+)\2(?=\s*[,\]])/g;
  for (const match of lines.text.matchAll(quoted)) {
    if (!names.has(match[3])) continue;
    const start = lines.position(match.index! + match[1].length);
    const node = root.descendantForPosition(toPoint(start));
    const str = node?.type === 'string' ? node : node?.parent?.type === 'string' ? node.parent : undefined;
    if (!str || (str.parent?.type !== 'list' && str.parent?.type !== 'tuple')) continue;
    const literal = stringLiteral(str);
    if (!literal || strings.has(literal.range)) continue;
    strings.add(resolveByName(lookup, literal, 'name_list', undefined));
  }
}

function resolveByName(lookup: GraphLookup, literal: { value: string; range: Range }, context: StringContext, model: ModelNode | undefined): IndexedString {
  const layers = lookup.layersNamed(literal.value, model ? [model] : lookup.models);
  return {
    range: literal.range,
    text: literal.value,
    context,
    receiverKnown: !!model,
    modelIds: model ? [model.id] : [...new Set(layers.map((e) => e.model.id))],
    layerIds: layers.map((e) => e.layer.id),
  };
}

/** Call nodes whose text matches `pattern` at the callee (a cheap text scan before touching the tree). */
function callsMatching(lines: TextLines, root: Node, pattern: RegExp): Node[] {
  const out: Node[] = [];
  const seen = new Set<number>(); // node ids (nodes are views: see syntax-tree.ts)
  for (const match of lines.text.matchAll(pattern)) {
    const paren = match[0].lastIndexOf('(');
    const pos = lines.position(match.index! + paren);
    let node: Node | null = root.descendantForPosition(toPoint(pos));
    while (node && node.type !== 'call') node = node.parent;
    if (node && !seen.has(node.id)) {
      seen.add(node.id);
      out.push(node);
    }
  }
  return out;
}

// ───────────── name literals ─────────────

/**
 * Where each explicitly named layer of this file spells its name: the `name="..."` literal, or,
 * for `name=some_param`, the parameter's default or the module constant it holds.
 */
function nameSites(graph: ModelGraph, root: Node, lines: TextLines): NameSite[] {
  const out: NameSite[] = [];
  const seen = new Set<string>();
  for (const model of graph.models) {
    for (const layer of model.layers) {
      if (layer.file || layer.nameSource !== 'explicit' || seen.has(layer.id)) continue;
      seen.add(layer.id);
      const range = nameLiteralOf(layer, root, lines);
      if (range) out.push({ layerId: layer.id, range });
    }
  }
  return out;
}

function nameLiteralOf(layer: LayerNode, root: Node, lines: TextLines): Range | undefined {
  // A name spelled by a constant of another file is not in this document's text.
  if (layer.nameFile && layer.nameFile !== layer.file) return undefined;
  if (layer.nameRange) return lines.stringAt(layer.nameRange)?.range;
  const call = nodeAtRange(root, layer.range, ['call']);
  const parts = call ? callParts(call) : undefined;
  const nameArg = parts?.keywords.get('name');
  if (nameArg?.type !== 'identifier') return undefined;
  const literal = parameterDefault(nameArg) ?? moduleConstant(root, nameArg.text, nameArg);
  return literal?.value === layer.name ? literal.range : undefined;
}

function parameterDefault(identifier: Node): { value: string; range: Range } | undefined {
  let fn = identifier.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  const params = fn?.childForFieldName('parameters');
  for (const param of params ? children(params) : []) {
    if ((param.type === 'default_parameter' || param.type === 'typed_default_parameter') && param.childForFieldName('name')?.text === identifier.text) {
      return stringLiteral(param.childForFieldName('value'));
    }
  }
  return undefined;
}

function moduleConstant(root: Node, name: string, use: Node): { value: string; range: Range } | undefined {
  let found: { value: string; range: Range } | undefined;
  for (const stmt of children(root)) {
    if (stmt.startIndex > use.startIndex && found) break;
    const assignment = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.text !== name) continue;
    found = stringLiteral(assignment.childForFieldName('right'));
  }
  return found;
}
