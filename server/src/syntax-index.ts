/**
 * Builds the syntax index of one analysis (in the worker, which has the tree): every string that
 * names a layer and which layer it names, function scopes, the literals that spell layer names,
 * and which model each model variable holds. Strings the analyzer recorded while evaluating come
 * first; strings in code it never ran (a loss function, a callback) are found syntactically and
 * resolved through the receiver variable, or by name.
 */
import type { Range } from 'vscode-languageserver';
import type { LayerNode, ModelGraph, ModelNode } from '../../graph/model-graph';
import type { Tree } from '../../analysis/parser';
import type { Attribution } from './file-attribution';
import { GraphLookup } from './lookup';
import { comparePositions } from './positions';
import type { FunctionScope, IndexedString, NameSite, StringContext, SyntaxIndex } from './snapshot';
import { argument, callParts, children, nodeAtRange, rangeOfNode, stringLiteral, toPoint, type Node } from './tree';

export function buildSyntaxIndex(graph: ModelGraph, tree: Tree, text: string, attribution: Attribution): SyntaxIndex {
  const root = tree.rootNode;
  const functions = functionScopes(root);
  const modelOfLayer = modelVariables(graph, root);
  const index: SyntaxIndex = { strings: [], functions, nameSites: [], modelOfLayer, foreign: attribution.foreign };
  const lookup = new GraphLookup(graph, index);
  const strings = new StringCollector();
  const lines = lineStartsOf(text);
  recordedStrings(graph, root, strings);
  getLayerCalls(text, lines, root, lookup, strings);
  outputKeys(text, lines, root, lookup, strings);
  index.nameSites = nameSites(graph, root);
  for (const site of index.nameSites) strings.add({ range: site.range, text: textOfSite(graph, site), context: 'name_argument', receiverKnown: true, modelIds: [], layerIds: [site.layerId] });
  nameLists(text, lines, root, lookup, strings);
  index.strings = strings.sorted();
  index.nameSites.push(...attribution.foreignNameSites);
  return index;
}

/** Strings keyed by range, merging what several executions of the same code recorded. */
class StringCollector {
  private byRange = new Map<string, IndexedString>();

  has(range: Range): boolean {
    return this.byRange.has(key(range));
  }

  add(s: IndexedString): void {
    const existing = this.byRange.get(key(s.range));
    if (!existing) {
      this.byRange.set(key(s.range), { ...s, modelIds: [...new Set(s.modelIds)], layerIds: [...new Set(s.layerIds)] });
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

function key(r: Range): string {
  return `${r.start.line}:${r.start.character}`;
}

// ───────────── scopes and model variables ─────────────

function functionScopes(root: Node): FunctionScope[] {
  const top: FunctionScope[] = [];
  const stack: FunctionScope[] = [];
  for (const fn of root.descendantsOfType('function_definition')) {
    if (!fn) continue;
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
  const localModels = graph.models.filter((m) => !m.file);
  for (const ref of graph.references) {
    if (ref.kind !== 'model_variable' || !ref.layerId || out[ref.layerId]) continue;
    const assignment = nodeAtRange(root, ref.range, ['assignment']);
    const rhs = assignment?.childForFieldName('right');
    const built = rhs ? localModels.filter((m) => inside(m.range, rangeOfNode(rhs))) : [];
    if (built.length === 1) out[ref.layerId] = built[0].id;
  }
  // Module-level names: the graph lists the variables that hold each model at the end of the module.
  for (const ref of graph.references) {
    if (ref.kind !== 'model_variable' || !ref.layerId || out[ref.layerId]) continue;
    const holders = graph.models.filter((m) => m.variables.includes(ref.text));
    if (holders.length === 1) out[ref.layerId] = holders[0].id;
  }
  return out;
}

function inside(inner: Range, outer: Range): boolean {
  return comparePositions(outer.start, inner.start) <= 0 && comparePositions(inner.end, outer.end) <= 0;
}

// ───────────── strings ─────────────

/** get_layer and name= strings the analyzer saw while evaluating (exact model and layer). */
function recordedStrings(graph: ModelGraph, root: Node, strings: StringCollector): void {
  for (const ref of graph.references) {
    if (ref.kind !== 'get_layer' && ref.kind !== 'output_key') continue;
    const literal = stringLiteral(nodeAtRange(root, ref.range, ['string']));
    if (!literal) continue;
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

/** `x.get_layer("name")` anywhere, including code the analyzer did not run. */
function getLayerCalls(text: string, lines: number[], root: Node, lookup: GraphLookup, strings: StringCollector): void {
  for (const call of callsMatching(text, lines, root, /\.\s*get_layer\s*\(/g)) {
    const parts = callParts(call);
    if (!parts || parts.name !== 'get_layer') continue;
    const literal = stringLiteral(argument(parts, 'name', 0));
    if (!literal || strings.has(literal.range)) continue;
    const model = lookup.modelForReceiver(parts.receiver?.text ?? null, literal.range.start);
    strings.add(resolveByName(lookup, literal, 'get_layer', model));
  }
}

/** Keys of `compile(loss={...}, loss_weights={...}, metrics={...})` and `fit(y={...})`. */
function outputKeys(text: string, lines: number[], root: Node, lookup: GraphLookup, strings: StringCollector): void {
  for (const call of callsMatching(text, lines, root, /\.\s*(?:compile|fit|evaluate|train_on_batch)\s*\(/g)) {
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
function nameLists(text: string, lines: number[], root: Node, lookup: GraphLookup, strings: StringCollector): void {
  const names = new Set(lookup.models.flatMap((m) => m.layers.map((l) => l.name)));
  if (names.size === 0) return;
  const quoted = /(["'])(\w+)\1/g;
  for (const match of text.matchAll(quoted)) {
    if (!names.has(match[2])) continue;
    const start = positionFromStarts(lines, match.index!);
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
function callsMatching(text: string, lineStarts: number[], root: Node, pattern: RegExp): Node[] {
  const out: Node[] = [];
  const seen = new Set<number>();
  for (const match of text.matchAll(pattern)) {
    const end = match.index! + match[0].length - 1; // the "("
    const pos = positionFromStarts(lineStarts, end);
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
function nameSites(graph: ModelGraph, root: Node): NameSite[] {
  const out: NameSite[] = [];
  const seen = new Set<string>();
  for (const model of graph.models) {
    for (const layer of model.layers) {
      if (layer.file || layer.nameSource !== 'explicit' || seen.has(layer.id)) continue;
      seen.add(layer.id);
      const range = nameLiteralOf(layer, root);
      if (range) out.push({ layerId: layer.id, range });
    }
  }
  return out;
}

function nameLiteralOf(layer: LayerNode, root: Node): Range | undefined {
  if (layer.nameRange) return stringLiteral(nodeAtRange(root, layer.nameRange, ['string']))?.range;
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

function textOfSite(graph: ModelGraph, site: NameSite): string {
  for (const model of graph.models) for (const layer of model.layers) if (layer.id === site.layerId) return layer.name;
  return '';
}

// ───────────── text positions ─────────────

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function positionFromStarts(starts: number[], offset: number): { line: number; character: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

