/**
 * Symbolic evaluation of the user's loss code: runs a Python function body over symbolic values
 * (targets, layer activations and weights, numbers), producing a linear combination of loss
 * terms. Anything outside the supported subset becomes an `unknown` value that remembers what
 * and where it was; unknown addends are dropped from sums (and reported), unknown factors make
 * their whole term unknown.
 */
import type { LayerNode, ModelGraph, ModelNode } from '../../graph/model-graph';
import { walkLayers } from '../../graph/model-graph';
import type { TensorKind } from '../../protocol/protocol';
import {
  BINARY_FUNCTIONS,
  IDENTITY_FUNCTIONS,
  LOSS_EXTRA_PARAMS,
  lossClassAt,
  lossFunctionAt,
  REDUCE_FUNCTIONS,
  UNARY_FUNCTIONS,
} from './library';
import type { BinaryFn, BuiltinLoss, BuiltinLossOptions, LossExpr, UnaryFn } from './program';
import { formatNumber, renderExpr } from './program';
import {
  assignmentsIn,
  callArgs,
  canonicalPath,
  classMethods,
  dottedName,
  field,
  functionDef,
  line1,
  named,
  nodeAtRange,
  numberLiteral,
  resolveImport,
  snippet,
  statements,
  stringLiteral,
  type FunctionDef,
  type Node,
} from './python';

export interface Skip {
  text: string;
  line: number;
  reason: string;
}

/** One addend of a linear combination. */
export interface Term {
  coef: number;
  expr: LossExpr;
  line: number;
  text: string;
}

export type Sym =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'none' }
  /** A tensor value: Σ coef·expr, plus addends that were dropped. */
  | { k: 'lin'; terms: Term[]; skipped: Skip[] }
  | { k: 'fn'; def: FunctionDef; env: Env }
  | { k: 'lib'; path: string }
  | { k: 'lossobj'; fn: BuiltinLoss; options: BuiltinLossOptions; reduction: 'mean' | 'sum' | 'none'; text: string }
  | { k: 'model'; model: ModelNode }
  | { k: 'layer'; layer: LayerNode }
  | { k: 'method'; self: Sym; name: string }
  | { k: 'list'; items: Sym[] }
  | { k: 'unknown'; skip: Skip };

export class Env {
  readonly vars = new Map<string, Sym>();
  constructor(readonly parent: Env | undefined) {}
  lookup(name: string): Sym | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
}

export interface TranslateContext {
  root: Node;
  graph: ModelGraph;
  model: ModelNode;
  aliases: Map<string, string>;
  functions: Map<string, Node>;
  classes: Map<string, Node>;
  /** Statement-level skips (reported even when nothing depended on them). */
  skips: Skip[];
  kerasWarnings: string[];
}

const MAX_DEPTH = 24;

export function unknown(node: Node, reason: string): Sym {
  return { k: 'unknown', skip: { text: snippet(node), line: line1(node), reason } };
}

function lin(expr: LossExpr, node: Node): Sym {
  return { k: 'lin', terms: [{ coef: 1, expr, line: line1(node), text: snippet(node) }], skipped: [] };
}

/** Σ coef·expr as one expression. */
export function collapse(terms: Term[]): LossExpr {
  let out: LossExpr | undefined;
  for (const t of terms) {
    const scaled: LossExpr = t.coef === 1 ? t.expr : { op: 'binary', fn: 'mul', a: { op: 'const', value: t.coef }, b: t.expr };
    out = out === undefined ? scaled : { op: 'binary', fn: 'add', a: out, b: scaled };
  }
  return out ?? { op: 'const', value: 0 };
}

function asExpr(s: Sym): LossExpr | undefined {
  if (s.k === 'num') return { op: 'const', value: s.v };
  if (s.k === 'lin') return collapse(s.terms);
  return undefined;
}

function skippedOf(s: Sym): Skip[] {
  return s.k === 'lin' ? s.skipped : [];
}

export class Translator {
  private depth = 0;
  private moduleCache = new Map<string, Sym>();
  private resolving = new Set<string>();
  readonly moduleEnv = new Env(undefined);

  constructor(readonly ctx: TranslateContext) {}

  // ───────────── names ─────────────

  lookup(name: string, env: Env, node: Node): Sym {
    const local = env.lookup(name);
    if (local) return local;
    return this.moduleName(name, node);
  }

  /** A module-level name, resolved lazily. */
  moduleName(name: string, node: Node): Sym {
    const cached = this.moduleCache.get(name);
    if (cached) return cached;
    if (this.resolving.has(name)) return unknown(node, `\`${name}\` refers to itself`);
    this.resolving.add(name);
    const value = this.resolveModuleName(name, node);
    this.resolving.delete(name);
    this.moduleCache.set(name, value);
    return value;
  }

  private resolveModuleName(name: string, node: Node): Sym {
    const { ctx } = this;
    if (ctx.model.variables.includes(name)) return { k: 'model', model: ctx.model };
    const other = ctx.graph.models.find((m) => m.variables.includes(name));
    if (other) return { k: 'model', model: other };
    const fn = ctx.functions.get(name);
    if (fn) return { k: 'fn', def: functionDef(fn)!, env: this.moduleEnv };
    const imported = resolveImport(name, ctx.aliases);
    if (imported !== undefined) return { k: 'lib', path: imported };
    if (ctx.classes.has(name)) return unknown(node, `class \`${name}\` is not interpreted in a loss`);
    const assignments = assignmentsIn(ctx.root).filter((a) => a.name === name);
    const last = assignments[assignments.length - 1];
    if (!last) {
      if (['True', 'False', 'None'].includes(name)) return name === 'None' ? { k: 'none' } : { k: 'num', v: name === 'True' ? 1 : 0 };
      return unknown(node, `\`${name}\` is not defined at module level`);
    }
    const bound = this.boundTo(last.target, last.value);
    if (bound) return bound;
    if (assignments.length > 1) {
      // A reassigned module variable: only a constant that is the same everywhere is safe.
      const values = assignments.map((a) => numberLiteral(a.value));
      if (values.every((v) => v !== undefined && v === values[0])) return { k: 'num', v: values[0]! };
    }
    return this.expr(last.value, this.moduleEnv);
  }

  /** What the analyzer bound an assignment target to (a layer, or a layer's output tensor). */
  boundTo(target: Node, value: Node): Sym | undefined {
    const start = target.startPosition;
    const ref = this.ctx.graph.references.find(
      (r) =>
        (r.kind === 'tensor_variable' || r.kind === 'layer_variable') &&
        r.range.start.line === start.row &&
        r.range.start.character === start.column &&
        r.layerId !== null,
    );
    if (ref) {
      const layer = this.layerById(ref.layerId!);
      if (layer) return ref.kind === 'layer_variable' ? { k: 'layer', layer } : lin({ op: 'tensor', layer: layer.name, tensor: 'activation' }, value);
    }
    // The value is the call of a layer the analyzer knows.
    const v = value.startPosition;
    const w = value.endPosition;
    for (const layer of this.allLayers()) {
      if (layer.model) continue;
      for (const call of layer.calls) {
        if (call.range.start.line === v.row && call.range.start.character === v.column && call.range.end.line === w.row && call.range.end.character === w.column) {
          return lin({ op: 'tensor', layer: layer.name, tensor: 'activation' }, value);
        }
      }
    }
    return undefined;
  }

  *allLayers(): Generator<LayerNode> {
    yield* walkLayers(this.ctx.model);
  }

  layerById(id: string): LayerNode | undefined {
    for (const m of this.ctx.graph.models) {
      for (const l of walkLayers(m)) if (l.id === id) return this.layerByName(l.name) ?? l;
    }
    return undefined;
  }

  layerByName(name: string): LayerNode | undefined {
    for (const l of this.allLayers()) if (l.name === name) return l;
    return undefined;
  }

  // ───────────── expressions ─────────────

  expr(node: Node, env: Env): Sym {
    switch (node.type) {
      case 'integer':
      case 'float':
        return { k: 'num', v: numberLiteral(node)! };
      case 'true':
        return { k: 'num', v: 1 };
      case 'false':
        return { k: 'num', v: 0 };
      case 'none':
        return { k: 'none' };
      case 'string': {
        const s = stringLiteral(node);
        return s === undefined ? unknown(node, 'f-strings are not interpreted') : { k: 'str', v: s };
      }
      case 'parenthesized_expression': {
        const inner = named(node)[0];
        return inner ? this.expr(inner, env) : unknown(node, 'empty parentheses');
      }
      case 'identifier':
        return this.lookup(node.text, env, node);
      case 'list':
      case 'tuple':
        return { k: 'list', items: named(node).map((c) => this.expr(c, env)) };
      case 'attribute':
        return this.attribute(node, env);
      case 'subscript':
        return this.subscript(node, env);
      case 'call':
        return this.call(node, env);
      case 'binary_operator':
        return this.binary(node, env);
      case 'unary_operator': {
        const arg = field(node, 'argument');
        const op = node.child(0)?.text;
        if (!arg) return unknown(node, 'malformed expression');
        const v = this.expr(arg, env);
        if (op === '+') return v;
        if (op === '-') return this.scale(v, -1, node);
        return unknown(node, `operator \`${op}\` is not in the supported subset`);
      }
      case 'lambda':
        return { k: 'fn', def: functionDef(node)!, env };
      case 'conditional_expression':
        return unknown(node, 'conditional expressions (`a if c else b`) are not interpreted');
      default:
        return unknown(node, `${node.type.replace(/_/g, ' ')} is not in the supported subset`);
    }
  }

  private attribute(node: Node, env: Env): Sym {
    const objectNode = field(node, 'object')!;
    const attr = field(node, 'attribute')!.text;
    const object = this.expr(objectNode, env);
    switch (object.k) {
      case 'lib':
        return { k: 'lib', path: canonicalPath(`${object.path}.${attr}`) };
      case 'model':
        return this.modelAttribute(object.model, attr, node);
      case 'layer':
        return this.layerAttribute(object.layer, attr, node);
      case 'lin': {
        // A layer's output tensor used as if it were the layer (a common mistake in the seed).
        const t = object.terms.length === 1 && object.terms[0]!.coef === 1 ? object.terms[0]!.expr : undefined;
        if (t?.op === 'tensor' && t.tensor === 'activation' && ['kernel', 'bias', 'weights', 'get_weights', 'trainable_weights'].includes(attr)) {
          const layer = this.layerByName(t.layer);
          if (layer) {
            this.ctx.kerasWarnings.push(
              `line ${line1(node)}: \`${snippet(node)}\`: ${snippet(objectNode)} is the output tensor of layer '${layer.name}', not the layer; Keras raises AttributeError: 'KerasTensor' object has no attribute '${attr}'. Interpreted as the layer's attribute.`,
            );
            return this.layerAttribute(layer, attr, node);
          }
        }
        return unknown(node, `attribute \`.${attr}\` of a tensor is not interpreted`);
      }
      case 'unknown':
        return object;
      default:
        return unknown(node, `attribute \`.${attr}\` is not interpreted here`);
    }
  }

  private modelAttribute(model: ModelNode, attr: string, node: Node): Sym {
    if (attr === 'get_layer') return { k: 'method', self: { k: 'model', model }, name: 'get_layer' };
    if (attr === 'layers') {
      const items = model.layers.filter((l) => l.className !== 'InputLayer').map((layer): Sym => ({ k: 'layer', layer }));
      return { k: 'list', items };
    }
    if (attr === 'output' || attr === 'outputs') {
      const outs = model.outputs.map((name) => lin({ op: 'tensor', layer: name, tensor: 'activation' }, node));
      if (attr === 'outputs') return { k: 'list', items: outs };
      return outs.length === 1 ? outs[0]! : { k: 'list', items: outs };
    }
    return unknown(node, `model attribute \`.${attr}\` is not interpreted`);
  }

  layerAttribute(layer: LayerNode, attr: string, node: Node): Sym {
    const weight = (name: string): Sym => {
      if (!layer.weights.some((w) => w.name === name)) return unknown(node, `layer '${layer.name}' (${layer.className}) has no ${name}`);
      return lin({ op: 'tensor', layer: layer.name, tensor: name as TensorKind }, node);
    };
    switch (attr) {
      case 'output':
        return lin({ op: 'tensor', layer: layer.name, tensor: 'activation' }, node);
      case 'kernel':
      case 'bias':
        return weight(attr);
      case 'weights':
      case 'trainable_weights':
      case 'trainable_variables':
      case 'variables':
        return {
          k: 'list',
          items: layer.weights
            .filter((w) => attr === 'weights' || attr === 'variables' || w.trainable)
            .map((w) => (w.name === 'kernel' || w.name === 'bias' ? weight(w.name) : unknown(node, `weight '${w.name}' of '${layer.name}' is not a tappable tensor (kernel, bias)`))),
        };
      case 'get_weights':
        return { k: 'method', self: { k: 'layer', layer }, name: 'get_weights' };
      default:
        return unknown(node, `layer attribute \`.${attr}\` is not interpreted`);
    }
  }

  private subscript(node: Node, env: Env): Sym {
    const valueNode = field(node, 'value')!;
    const value = this.expr(valueNode, env);
    const indexNodes = node.childrenForFieldName('subscript').filter((n): n is Node => n !== null);
    if (value.k === 'unknown') return value;
    if (value.k === 'list' && indexNodes.length === 1) {
      const i = numberLiteral(indexNodes[0]!);
      if (i !== undefined && Number.isInteger(i)) {
        const item = value.items[i < 0 ? value.items.length + i : i];
        if (item) return item;
      }
      return unknown(node, 'index out of range or not a constant');
    }
    return unknown(node, 'indexing and slicing tensors is not in the supported subset');
  }

  // ───────────── arithmetic ─────────────

  scale(v: Sym, factor: number, node: Node): Sym {
    if (v.k === 'num') return { k: 'num', v: v.v * factor };
    if (v.k === 'lin') return { k: 'lin', terms: v.terms.map((t) => ({ ...t, coef: t.coef * factor })), skipped: v.skipped };
    if (v.k === 'unknown') return v;
    return unknown(node, 'arithmetic on a non-numeric value');
  }

  private binary(node: Node, env: Env): Sym {
    const op = field(node, 'operator')?.text ?? '';
    const a = this.expr(field(node, 'left')!, env);
    const b = this.expr(field(node, 'right')!, env);
    return this.arith(op, a, b, node);
  }

  arith(op: string, a: Sym, b: Sym, node: Node): Sym {
    if (a.k === 'num' && b.k === 'num') {
      const x = a.v;
      const y = b.v;
      const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : op === '**' ? x ** y : op === '//' ? Math.floor(x / y) : undefined;
      return r === undefined ? unknown(node, `operator \`${op}\` is not in the supported subset`) : { k: 'num', v: r };
    }
    if (op === '+' || op === '-') {
      const sign = op === '+' ? 1 : -1;
      if (a.k === 'unknown' && b.k === 'unknown') return { k: 'lin', terms: [], skipped: [a.skip, b.skip] };
      if (a.k === 'unknown') return this.addSym(this.scale(b, sign, node), undefined, [a.skip], node);
      if (b.k === 'unknown') return this.addSym(a, undefined, [b.skip], node);
      if (!isNumeric(a) || !isNumeric(b)) return unknown(node, 'arithmetic on a non-numeric value');
      return this.addSym(a, this.scale(b, sign, node), [], node);
    }
    if (a.k === 'unknown') return { k: 'unknown', skip: { ...a.skip, text: snippet(node), line: line1(node), reason: `${a.skip.reason} (in \`${a.skip.text}\`, line ${a.skip.line})` } };
    if (b.k === 'unknown') return { k: 'unknown', skip: { ...b.skip, text: snippet(node), line: line1(node), reason: `${b.skip.reason} (in \`${b.skip.text}\`, line ${b.skip.line})` } };
    if (!isNumeric(a) || !isNumeric(b)) return unknown(node, 'arithmetic on a non-numeric value');
    if (op === '*' && a.k === 'num') return this.scale(b, a.v, node);
    if (op === '*' && b.k === 'num') return this.scale(a, b.v, node);
    if (op === '/' && b.k === 'num') return this.scale(a, 1 / b.v, node);
    const fn: BinaryFn | undefined = op === '*' ? 'mul' : op === '/' ? 'div' : op === '**' ? 'pow' : undefined;
    if (!fn) return unknown(node, `operator \`${op}\` is not in the supported subset`);
    return this.binaryExpr(fn, a, b, node);
  }

  binaryExpr(fn: BinaryFn, a: Sym, b: Sym, node: Node): Sym {
    const ea = asExpr(a);
    const eb = asExpr(b);
    if (!ea || !eb) return unknown(node, 'operands are not tensors or numbers');
    const out = lin({ op: 'binary', fn, a: ea, b: eb }, node) as Extract<Sym, { k: 'lin' }>;
    out.skipped = [...skippedOf(a), ...skippedOf(b)];
    return out;
  }

  private addSym(a: Sym, b: Sym | undefined, skipped: Skip[], node: Node): Sym {
    const terms: Term[] = [];
    const allSkipped: Skip[] = [...skipped];
    for (const s of b === undefined ? [a] : [a, b]) {
      if (s.k === 'num') terms.push({ coef: 1, expr: { op: 'const', value: s.v }, line: line1(node), text: snippet(node) });
      else if (s.k === 'lin') {
        terms.push(...s.terms);
        allSkipped.push(...s.skipped);
      }
    }
    return { k: 'lin', terms, skipped: allSkipped };
  }

  // ───────────── calls ─────────────

  call(node: Node, env: Env): Sym {
    const fnNode = field(node, 'function')!;
    const callee = this.expr(fnNode, env);
    const { positional, keywords, splat } = callArgs(node);
    if (splat) return unknown(node, '`*args` / `**kwargs` in calls are not interpreted');
    const args = positional.map((a) => this.expr(a, env));
    const kwargs = new Map([...keywords].map(([k, v]) => [k, this.expr(v, env)] as const));
    return this.apply(callee, args, kwargs, node, fnNode);
  }

  apply(callee: Sym, args: Sym[], kwargs: Map<string, Sym>, node: Node, fnNode?: Node): Sym {
    switch (callee.k) {
      case 'fn':
        return this.callFunction(callee, args, kwargs, node);
      case 'lib':
        return this.callLibrary(callee.path, args, kwargs, node);
      case 'lossobj': {
        const [yt, yp] = [args[0] ?? kwargs.get('y_true'), args[1] ?? kwargs.get('y_pred')];
        if (!yt || !yp) return unknown(node, 'loss object called without y_true and y_pred');
        const perSample = this.lossExpr(callee.fn, yt, yp, callee.options, node);
        if (perSample.k !== 'lin' || callee.reduction === 'none') return perSample;
        return this.reduce(callee.reduction === 'sum' ? 'sum' : 'mean', perSample, null, false, node);
      }
      case 'method':
        return this.callMethod(callee, args, kwargs, node);
      case 'unknown':
        return callee;
      default:
        return unknown(node, `\`${snippet(fnNode ?? node, 60)}\` is not callable here`);
    }
  }

  private callMethod(m: Extract<Sym, { k: 'method' }>, args: Sym[], kwargs: Map<string, Sym>, node: Node): Sym {
    if (m.self.k === 'model' && m.name === 'get_layer') {
      const nameArg = args[0] ?? kwargs.get('name');
      const indexArg = args[1] ?? kwargs.get('index');
      if (nameArg?.k === 'str') {
        const layer = m.self.model === this.ctx.model ? this.layerByName(nameArg.v) : m.self.model.layers.find((l) => l.name === nameArg.v);
        return layer ? { k: 'layer', layer } : unknown(node, `model '${m.self.model.name}' has no layer '${nameArg.v}'`);
      }
      if (indexArg?.k === 'num') {
        const layers = m.self.model.layers.filter((l) => l.className !== 'InputLayer');
        const layer = layers[indexArg.v];
        return layer ? { k: 'layer', layer } : unknown(node, `model has no layer at index ${indexArg.v}`);
      }
      return unknown(node, 'get_layer needs a constant name');
    }
    if (m.self.k === 'layer' && m.name === 'get_weights') {
      const layer = m.self.layer;
      // A user-defined get_weights (the seed's ExposeWeightsDense returns self.kernel).
      const cls = this.ctx.classes.get(layer.className);
      const method = cls ? classMethods(cls).get('get_weights') : undefined;
      if (method) {
        const def = functionDef(method)!;
        const ret = statements(def.body).find((s) => s.type === 'return_statement');
        const value = ret ? named(ret)[0] : undefined;
        const m2 = value ? /^self\.(\w+)$/.exec(value.text) : null;
        if (m2) return this.layerAttribute(layer, m2[1]!, node);
        return unknown(node, `${layer.className}.get_weights (line ${line1(method)}) is not \`return self.<weight>\``);
      }
      this.ctx.kerasWarnings.push(
        `line ${line1(node)}: \`${snippet(node)}\` returns NumPy copies in Keras, so the loss would not depend on the weights (no gradient); interpreted as the live weights.`,
      );
      return this.layerAttribute(layer, 'weights', node);
    }
    return unknown(node, `method \`${m.name}\` is not interpreted`);
  }

  callFunction(fn: Extract<Sym, { k: 'fn' }>, args: Sym[], kwargs: Map<string, Sym>, node: Node, bindings?: string[]): Sym {
    if (this.depth >= MAX_DEPTH) return unknown(node, 'call depth limit reached');
    const { def } = fn;
    const env = new Env(fn.env);
    let i = 0;
    for (const p of def.params) {
      if (p.splat) {
        env.vars.set(p.name, p.splat === 'list' ? { k: 'list', items: args.slice(i) } : unknown(def.node, '**kwargs are not interpreted'));
        i = args.length;
        continue;
      }
      let v = i < args.length ? args[i++] : kwargs.get(p.name);
      let how = 'argument';
      if (v === undefined && p.default) {
        v = this.expr(p.default, fn.env);
        how = 'default';
      }
      if (v === undefined) v = unknown(def.node, `parameter \`${p.name}\` of ${def.name} gets no value`);
      env.vars.set(p.name, v);
      bindings?.push(`${p.name} = ${describeSym(v)}${how === 'default' ? ' (default)' : ''}`);
    }
    this.depth++;
    try {
      if (def.isLambda) return this.expr(def.body, env);
      return this.block(def.body, env) ?? unknown(def.node, `${def.name} returns nothing`);
    } finally {
      this.depth--;
    }
  }

  private callLibrary(path: string, args: Sym[], kwargs: Map<string, Sym>, node: Node): Sym {
    const reduce = REDUCE_FUNCTIONS[path];
    if (reduce) {
      const x = args[0] ?? kwargs.get('input_tensor') ?? kwargs.get('x');
      if (!x) return unknown(node, 'reduction without an argument');
      const axisSym = args[1] ?? kwargs.get('axis');
      const keepSym = args[2] ?? kwargs.get('keepdims') ?? kwargs.get('keep_dims');
      let axis: number[] | null = null;
      if (axisSym && axisSym.k !== 'none') {
        if (axisSym.k === 'num') axis = [axisSym.v];
        else if (axisSym.k === 'list' && axisSym.items.every((s) => s.k === 'num')) axis = axisSym.items.map((s) => (s as { v: number }).v);
        else return unknown(node, 'reduction axis is not a constant');
      }
      const keepdims = keepSym?.k === 'num' ? keepSym.v !== 0 : false;
      return this.reduce(reduce, x, axis, keepdims, node);
    }
    const unary = UNARY_FUNCTIONS[path];
    if (unary) {
      const x = args[0] ?? kwargs.get('x');
      return x ? this.unary(unary, x, node) : unknown(node, `${path} without an argument`);
    }
    const binary = BINARY_FUNCTIONS[path];
    if (binary) {
      const a = args[0] ?? kwargs.get('x') ?? kwargs.get('x1');
      const b = args[1] ?? kwargs.get('y') ?? kwargs.get('x2');
      if (!a || !b) return unknown(node, `${path} needs two arguments`);
      if (binary === 'add' || binary === 'sub' || binary === 'mul' || binary === 'div') {
        return this.arith({ add: '+', sub: '-', mul: '*', div: '/' }[binary], a, b, node);
      }
      if (binary === 'pow') return this.arith('**', a, b, node);
      return this.binaryExpr(binary, a, b, node);
    }
    if (IDENTITY_FUNCTIONS.has(path)) {
      const x = args[0] ?? kwargs.get('x') ?? kwargs.get('value');
      return x ?? unknown(node, `${path} without an argument`);
    }
    if (path === 'tensorflow.nn.l2_loss') {
      const x = args[0] ?? kwargs.get('t');
      if (!x) return unknown(node, 'l2_loss without an argument');
      return this.scale(this.reduce('sum', this.unary('square', x, node), null, false, node), 0.5, node);
    }
    if (path === 'tensorflow.squared_difference') {
      const [a, b] = [args[0] ?? kwargs.get('x'), args[1] ?? kwargs.get('y')];
      if (!a || !b) return unknown(node, 'squared_difference needs two arguments');
      return this.unary('square', this.arith('-', a, b, node), node);
    }
    if (path === 'tensorflow.nn.softmax_cross_entropy_with_logits') {
      const labels = kwargs.get('labels') ?? args[0];
      const logits = kwargs.get('logits') ?? args[1];
      if (!labels || !logits) return unknown(node, 'softmax_cross_entropy_with_logits needs labels= and logits=');
      return this.lossExpr('categorical_crossentropy', labels, logits, { fromLogits: true }, node);
    }
    if (path === 'tensorflow.nn.sparse_softmax_cross_entropy_with_logits') {
      const labels = kwargs.get('labels') ?? args[0];
      const logits = kwargs.get('logits') ?? args[1];
      if (!labels || !logits) return unknown(node, 'sparse_softmax_cross_entropy_with_logits needs labels= and logits=');
      return this.lossExpr('sparse_categorical_crossentropy', labels, logits, { fromLogits: true }, node);
    }
    const lossFn = lossFunctionAt(path);
    if (lossFn) {
      const yt = args[0] ?? kwargs.get('y_true');
      const yp = args[1] ?? kwargs.get('y_pred');
      if (!yt || !yp) return unknown(node, `${path} needs y_true and y_pred`);
      const options = this.lossOptions(lossFn, args.slice(2), kwargs, node);
      if ('unsupported' in options) return unknown(node, options.unsupported);
      return this.lossExpr(lossFn, yt, yp, options, node);
    }
    const lossClass = lossClassAt(path);
    if (lossClass) {
      const options = this.lossOptions(lossClass, [], kwargs, node);
      if ('unsupported' in options) return unknown(node, options.unsupported);
      const red = kwargs.get('reduction');
      const reduction = red === undefined || red.k !== 'str' ? 'mean' : red.v === 'sum' ? 'sum' : red.v === 'none' || red.v === null ? 'none' : 'mean';
      return { k: 'lossobj', fn: lossClass, options, reduction, text: snippet(node) };
    }
    return unknown(node, `\`${path.replace(/^tensorflow\./, 'tf.')}\` is not in the supported subset`);
  }

  lossOptions(fn: BuiltinLoss, extra: Sym[], kwargs: Map<string, Sym>, _node: Node): BuiltinLossOptions | { unsupported: string } {
    const names = LOSS_EXTRA_PARAMS[fn] ?? [];
    const get = (name: string): Sym | undefined => {
      const i = names.indexOf(name);
      return kwargs.get(name) ?? (i >= 0 ? extra[i] : undefined);
    };
    const options: BuiltinLossOptions = {};
    const fl = get('from_logits');
    if (fl) {
      if (fl.k !== 'num') return { unsupported: 'from_logits is not a constant' };
      options.fromLogits = fl.v !== 0;
    }
    const ls = get('label_smoothing');
    if (ls) {
      if (ls.k !== 'num') return { unsupported: 'label_smoothing is not a constant' };
      if (ls.v !== 0) options.labelSmoothing = ls.v;
    }
    const delta = get('delta');
    if (delta) {
      if (delta.k !== 'num') return { unsupported: 'delta is not a constant' };
      options.delta = delta.v;
    }
    const axis = get('axis');
    if (axis && !(axis.k === 'num' && axis.v === -1)) return { unsupported: 'a class axis other than -1 is not supported' };
    const ignore = get('ignore_class');
    if (ignore && ignore.k !== 'none') return { unsupported: 'ignore_class is not supported' };
    return options;
  }

  lossExpr(fn: BuiltinLoss, yt: Sym, yp: Sym, options: BuiltinLossOptions, node: Node): Sym {
    if (yt.k === 'unknown') return yt;
    if (yp.k === 'unknown') return yp;
    const a = asExpr(yt);
    const b = asExpr(yp);
    if (!a || !b) return unknown(node, 'loss arguments are not tensors');
    const out = lin({ op: 'loss', fn, yTrue: a, yPred: b, options }, node) as Extract<Sym, { k: 'lin' }>;
    out.skipped = [...skippedOf(yt), ...skippedOf(yp)];
    return out;
  }

  reduce(fn: 'mean' | 'sum' | 'max' | 'min', x: Sym, axis: number[] | null, keepdims: boolean, node: Node): Sym {
    if (x.k === 'unknown') return x;
    if (x.k === 'num') return x;
    const e = asExpr(x);
    if (!e) return unknown(node, 'reduction of a non-tensor value');
    const out = lin({ op: 'reduce', fn, x: e, axis, keepdims }, node) as Extract<Sym, { k: 'lin' }>;
    out.skipped = skippedOf(x);
    return out;
  }

  unary(fn: UnaryFn, x: Sym, node: Node): Sym {
    if (x.k === 'unknown') return x;
    if (x.k === 'num') {
      const v = x.v;
      const r: Record<UnaryFn, number> = {
        abs: Math.abs(v),
        square: v * v,
        sqrt: Math.sqrt(v),
        log: Math.log(v),
        exp: Math.exp(v),
        neg: -v,
        relu: Math.max(0, v),
        sigmoid: 1 / (1 + Math.exp(-v)),
        tanh: Math.tanh(v),
        log1p: Math.log1p(v),
        stop_gradient: v,
      };
      return { k: 'num', v: r[fn] };
    }
    const e = asExpr(x);
    if (!e) return unknown(node, `${fn} of a non-tensor value`);
    const out = lin({ op: 'unary', fn, x: e }, node) as Extract<Sym, { k: 'lin' }>;
    out.skipped = skippedOf(x);
    return out;
  }

  // ───────────── statements ─────────────

  /** Runs a block; returns the value of the first `return` reached, else undefined. */
  block(block: Node, env: Env): Sym | undefined {
    for (const s of statements(block)) {
      const result = this.statement(s, env);
      if (result) return result;
    }
    return undefined;
  }

  private statement(s: Node, env: Env): Sym | undefined {
    switch (s.type) {
      case 'return_statement': {
        const value = named(s)[0];
        return value ? this.expr(value, env) : { k: 'none' };
      }
      case 'expression_statement': {
        const inner = named(s)[0];
        if (!inner) return undefined;
        if (inner.type === 'assignment') this.assign(inner, env);
        else if (inner.type === 'augmented_assignment') this.augAssign(inner, env);
        else if (inner.type === 'string') return undefined; // docstring
        else if (inner.type === 'call') {
          // A call for its side effect (print, tf.debugging...): nothing to interpret.
          const name = dottedName(field(inner, 'function')!) ?? '';
          if (!/^(print|tf\.print|tf\.debugging\.|logging\.|logger\.)/.test(name)) this.skip(s, 'a call whose result is not used is ignored');
        }
        return undefined;
      }
      case 'function_definition': {
        const def = functionDef(s)!;
        env.vars.set(def.name, { k: 'fn', def, env });
        return undefined;
      }
      case 'pass_statement':
      case 'import_statement':
      case 'import_from_statement':
      case 'comment':
        return undefined;
      case 'if_statement':
        return this.ifStatement(s, env);
      default:
        this.skip(s, `${s.type.replace(/_/g, ' ')} is not interpreted`);
        this.unbindAssigned(s, env, 'assigned in a statement that was not interpreted');
        return undefined;
    }
  }

  private ifStatement(s: Node, env: Env): Sym | undefined {
    const cond = this.expr(field(s, 'condition')!, env);
    const truth = cond.k === 'num' ? cond.v !== 0 : cond.k === 'none' ? false : cond.k === 'str' ? cond.v !== '' : undefined;
    if (truth === undefined) {
      this.skip(s, 'an `if` whose condition is not a constant is not interpreted');
      this.unbindAssigned(s, env, 'assigned under a condition that was not interpreted');
      return undefined;
    }
    if (truth) return this.block(field(s, 'consequence')!, env);
    for (const alt of s.childrenForFieldName('alternative')) {
      if (!alt) continue;
      if (alt.type === 'else_clause') return this.block(field(alt, 'body')!, env);
      if (alt.type === 'elif_clause') {
        const c = this.expr(field(alt, 'condition')!, env);
        const t = c.k === 'num' ? c.v !== 0 : c.k === 'none' ? false : undefined;
        if (t === undefined) {
          this.skip(alt, 'an `elif` whose condition is not a constant is not interpreted');
          return undefined;
        }
        if (t) return this.block(field(alt, 'consequence')!, env);
      }
    }
    return undefined;
  }

  /** Names assigned inside a skipped statement keep an earlier value, or become unknown. */
  private unbindAssigned(s: Node, env: Env, reason: string): void {
    for (const a of s.descendantsOfType(['assignment', 'augmented_assignment'])) {
      const left = a ? field(a, 'left') : null;
      if (left?.type === 'identifier' && !env.vars.has(left.text)) env.vars.set(left.text, unknown(s, reason));
    }
  }

  private assign(a: Node, env: Env): void {
    const left = field(a, 'left')!;
    const right = field(a, 'right');
    if (!right) return;
    const value = this.expr(right, env);
    this.bindTarget(left, value, env, a);
  }

  private bindTarget(left: Node, value: Sym, env: Env, a: Node): void {
    if (left.type === 'identifier') env.vars.set(left.text, value);
    else if (left.type === 'pattern_list' || left.type === 'tuple_pattern' || left.type === 'list_pattern') {
      const targets = named(left);
      targets.forEach((t, i) => {
        const item = value.k === 'list' ? value.items[i] : undefined;
        this.bindTarget(t, item ?? (value.k === 'unknown' ? value : unknown(a, 'unpacking a non-list value')), env, a);
      });
    } else this.skip(a, 'assignment to an attribute or subscript is not interpreted');
  }

  private augAssign(a: Node, env: Env): void {
    const left = field(a, 'left')!;
    const right = field(a, 'right')!;
    const op = (field(a, 'operator')?.text ?? '').replace('=', '');
    if (left.type !== 'identifier') {
      this.skip(a, 'augmented assignment to an attribute or subscript is not interpreted');
      return;
    }
    const current = this.lookup(left.text, env, left);
    env.vars.set(left.text, this.arith(op, current, this.expr(right, env), a));
  }

  skip(node: Node, reason: string): void {
    const entry = { text: snippet(node), line: line1(node), reason };
    if (!this.ctx.skips.some((s) => s.line === entry.line && s.text === entry.text)) this.ctx.skips.push(entry);
  }
}

function isNumeric(s: Sym): boolean {
  return s.k === 'num' || s.k === 'lin';
}

/** Short description of a symbolic value for binding notes. */
export function describeSym(s: Sym): string {
  switch (s.k) {
    case 'num':
      return formatNumber(s.v);
    case 'str':
      return JSON.stringify(s.v);
    case 'none':
      return 'None';
    case 'lin':
      if (s.terms.length === 1 && s.terms[0]!.coef === 1) return s.terms[0]!.expr.op === 'target' ? s.terms[0]!.text : describeExpr(s.terms[0]!.expr);
      return renderExpr(collapse(s.terms));
    case 'fn':
      return `function ${s.def.name}`;
    case 'lib':
      return s.path;
    case 'lossobj':
      return s.text;
    case 'model':
      return `model ${s.model.name}`;
    case 'layer':
      return `layer ${s.layer.name}`;
    case 'method':
      return `method ${s.name}`;
    case 'list':
      return `[${s.items.map(describeSym).join(', ')}]`;
    case 'unknown':
      return `unknown (${s.skip.reason})`;
  }
}

export function describeExpr(e: LossExpr): string {
  if (e.op === 'tensor') return e.tensor === 'activation' ? `the activation of ${e.layer}` : `the ${e.tensor} of ${e.layer}`;
  if (e.op === 'target') return 'y_true';
  return renderExpr(e);
}

/** The node of a model's constructor call (`keras.Model(...)`), when the range is known. */
export function modelCallNode(root: Node, model: ModelNode): Node | undefined {
  return nodeAtRange(root, model.range, 'call') ?? nodeAtRange(root, model.range);
}
