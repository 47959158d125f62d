/**
 * Recognises what a custom loss with an extra argument computes, so the quick fix can move the
 * extra term where Keras applies it. Only the shapes the seed Q&A and its readers write:
 *
 *   standard = <keras>.losses.categorical_crossentropy(y_true, y_pred)
 *   penalty  = tf.reduce_mean(tf.math.abs(extra)) * strength      (or square, sum, a helper f(extra))
 *   return standard + penalty
 *
 * Anything else is "not recognised" and the fix falls back to explaining add_loss.
 */
import type { Node } from '../tree';
import { callParts, children } from '../tree';

export interface Penalty {
  norm: 'L1' | 'L2';
  /** mean: averaged over every element of the tensor; sum: summed over it. */
  reduce: 'mean' | 'sum';
  /** The product of the numeric factors around the term (1 when there are none). */
  coefficient: number;
}

export interface LossParts {
  /** The extra (third) parameter the penalty is computed from. */
  parameter: string;
  penalty: Penalty;
  /** What to pass to compile(loss=...) instead: `'categorical_crossentropy'` or `keras.losses.Huber()`. */
  standardLoss: string | undefined;
}

const MEAN = new Set(['reduce_mean', 'mean']);
const SUM = new Set(['reduce_sum', 'sum']);
const ABS = new Set(['abs', 'absolute']);
const SQUARE = new Set(['square']);

/** Parameters a caller must pass: no default, not *args/**kwargs. */
export function requiredParameters(fn: Node): string[] {
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  return children(params)
    .filter((p) => p.type === 'identifier' || p.type === 'typed_parameter')
    .map((p) => (p.type === 'identifier' ? p.text : (p.namedChildren[0]?.text ?? '')));
}

/** Reads a loss function's body; `functions` resolves helper calls like `custom_function(extra)`. */
export function recognizeLoss(fn: Node, functions: Map<string, Node>): LossParts | undefined {
  const params = requiredParameters(fn);
  if (params.length !== 3) return undefined;
  const [yTrue, yPred, extra] = params;
  const body = new FunctionBody(fn);
  const result = body.returned();
  if (!result) return undefined;
  let penalty: Penalty | undefined;
  let standardLoss: string | undefined;
  for (const term of body.terms(result)) {
    if (body.mentions(term, extra)) {
      if (penalty) return undefined; // two terms on the extra input: not a single regulariser
      penalty = penaltyOf(term, extra, body, functions, 0);
      if (!penalty) return undefined;
    } else if (body.mentions(term, yTrue) || body.mentions(term, yPred)) {
      if (standardLoss) return undefined;
      standardLoss = standardLossOf(body.resolve(term), yTrue, yPred) ?? '?';
    }
  }
  if (!penalty) return undefined;
  return { parameter: extra, penalty, standardLoss: standardLoss === '?' ? undefined : standardLoss };
}

/** A function body's local assignments, so `return combined` can be followed to what it sums. */
class FunctionBody {
  private readonly locals = new Map<string, Node>();
  private readonly returns: Node[] = [];

  constructor(readonly fn: Node) {
    for (const stmt of children(fn.childForFieldName('body') ?? fn)) {
      const inner = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : stmt;
      if (inner?.type === 'assignment') {
        const left = inner.childForFieldName('left');
        const right = inner.childForFieldName('right');
        if (left?.type === 'identifier' && right) this.locals.set(left.text, right);
      } else if (inner?.type === 'return_statement' && inner.namedChildren[0]) {
        this.returns.push(inner.namedChildren[0]);
      }
    }
  }

  returned(): Node | undefined {
    return this.returns.length === 1 ? this.returns[0] : undefined;
  }

  /** Follows a local variable to the expression assigned to it. */
  resolve(node: Node, depth = 0): Node {
    let n = node;
    while (n.type === 'parenthesized_expression' && n.namedChildren[0]) n = n.namedChildren[0];
    if (n.type === 'identifier' && this.locals.has(n.text) && depth < 20) return this.resolve(this.locals.get(n.text)!, depth + 1);
    return n;
  }

  /** The summands of an expression: `a + b * c` → [a, b * c]. */
  terms(node: Node): Node[] {
    const n = this.resolve(node);
    if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '+') {
      return [...this.terms(n.childForFieldName('left')!), ...this.terms(n.childForFieldName('right')!)];
    }
    return [n];
  }

  mentions(node: Node, name: string, depth = 0): boolean {
    if (node.type === 'identifier') {
      if (node.text === name) return true;
      const local = this.locals.get(node.text);
      return !!local && depth < 20 && this.mentions(local, name, depth + 1);
    }
    return children(node).some((c) => this.mentions(c, name, depth));
  }

  /** A number: a literal, or a parameter whose default is one (Keras never passes it, so the default applies). */
  numberOf(node: Node): number | undefined {
    const n = this.resolve(node);
    if (n.type === 'integer' || n.type === 'float') return Number(n.text.replace(/_/g, ''));
    if (n.type === 'unary_operator' && n.text.startsWith('-')) {
      const v = this.numberOf(n.namedChildren[0]!);
      return v === undefined ? undefined : -v;
    }
    if (n.type !== 'identifier') return undefined;
    for (const p of children(this.fn.childForFieldName('parameters') ?? this.fn)) {
      if ((p.type === 'default_parameter' || p.type === 'typed_default_parameter') && p.childForFieldName('name')?.text === n.text) {
        const value = p.childForFieldName('value');
        return value ? this.numberOf(value) : undefined;
      }
    }
    return undefined;
  }
}

function penaltyOf(term: Node, param: string, body: FunctionBody, functions: Map<string, Node>, depth: number): Penalty | undefined {
  const n = body.resolve(term);
  if (n.type === 'binary_operator') {
    const op = n.childForFieldName('operator')?.text;
    const left = n.childForFieldName('left')!;
    const right = n.childForFieldName('right')!;
    if (op === '*' || op === '/') {
      const [factor, rest] = body.mentions(left, param) ? [right, left] : [left, right];
      const value = body.numberOf(factor);
      if (value === undefined || (op === '/' && factor === left)) return undefined;
      const inner = penaltyOf(rest, param, body, functions, depth);
      return inner && { ...inner, coefficient: inner.coefficient * (op === '/' ? 1 / value : value) };
    }
    return undefined;
  }
  if (n.type !== 'call') return undefined;
  const parts = callParts(n);
  if (!parts || parts.positional.length < 1) return undefined;
  const reduce = MEAN.has(parts.name) ? 'mean' : SUM.has(parts.name) ? 'sum' : undefined;
  if (reduce) {
    if (parts.positional.length > 1 || parts.keywords.has('axis')) return undefined; // a partial reduction is not what a regulariser computes
    const norm = normOf(parts.positional[0], param, body);
    return norm && { norm, reduce, coefficient: 1 };
  }
  // A helper: `custom_function(extra)` whose body returns a recognised penalty of its own parameter.
  const helper = functions.get(parts.name);
  if (!helper || depth > 2 || parts.receiver) return undefined;
  const arg = body.resolve(parts.positional[0]);
  const helperParams = requiredParameters(helper);
  if (arg.type !== 'identifier' || arg.text !== param || helperParams.length !== 1) return undefined;
  const helperBody = new FunctionBody(helper);
  const returned = helperBody.returned();
  return returned ? penaltyOf(returned, helperParams[0], helperBody, functions, depth + 1) : undefined;
}

/** `abs(p)` → L1, `square(p)` / `p ** 2` / `p * p` → L2. */
function normOf(node: Node, param: string, body: FunctionBody): 'L1' | 'L2' | undefined {
  const n = body.resolve(node);
  const isParam = (x: Node | null | undefined) => !!x && body.resolve(x).type === 'identifier' && body.resolve(x).text === param;
  if (n.type === 'call') {
    const parts = callParts(n);
    if (!parts || !isParam(parts.positional[0])) return undefined;
    if (ABS.has(parts.name)) return 'L1';
    if (SQUARE.has(parts.name)) return 'L2';
    return undefined;
  }
  if (n.type === 'binary_operator') {
    const op = n.childForFieldName('operator')?.text;
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (op === '**' && isParam(left) && right?.text === '2') return 'L2';
    if (op === '*' && isParam(left) && isParam(right)) return 'L2';
  }
  return undefined;
}

/** `keras.losses.categorical_crossentropy(y_true, y_pred)` → `'categorical_crossentropy'`. */
function standardLossOf(node: Node, yTrue: string, yPred: string): string | undefined {
  if (node.type !== 'call') return undefined;
  const parts = callParts(node);
  if (!parts) return undefined;
  const [a, b] = parts.positional;
  if (a?.text !== yTrue || b?.text !== yPred || parts.positional.length !== 2) return undefined;
  const callee = node.childForFieldName('function')!;
  if (callee.type === 'call') {
    // keras.losses.Huber(delta=2.0)(y_true, y_pred): the loss object itself.
    return /(^|\.)losses\.[A-Z]\w*$/.test(callee.childForFieldName('function')?.text ?? '') ? callee.text : undefined;
  }
  const path = callee.text.replace(/\s+/g, '');
  const match = /(?:^|\.)losses\.([a-z_][a-z0-9_]*)$/.exec(path);
  return match ? `'${match[1]}'` : undefined;
}
