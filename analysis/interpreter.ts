/**
 * A bounded, side-effect-free Python evaluator over the tree-sitter tree. It follows the code the
 * way Python would run it (module top to bottom, functions at their call sites, loops unrolled),
 * so that Keras objects are constructed in execution order — which is what Keras auto-naming
 * depends on. What it cannot know becomes `unknown`; code whose execution is uncertain runs in
 * "uncertain" mode, which marks names and layers built there approximate.
 */
import type { SourceRange } from '../graph/model-graph';
import { Budget, BudgetExceeded } from './budget';
import { callBuiltin, getBuiltin, valueMethod } from './builtins';
import type { SyntaxNode as Node } from './syntax-tree';
import { Scope } from './scope';
import type { KerasRuntime } from './keras-runtime';
import {
  NONE,
  UNKNOWN,
  bool,
  dictSet,
  isSequence,
  list,
  num,
  pyEquals,
  str,
  truthy,
  tuple,
  unknown,
  type ClassValue,
  type FuncValue,
  type Value,
} from './values';
import { binaryOp, compareOp } from './operators';
import { formatValue, parseInteger, subscriptValue, unescapePython } from './python-literals';

class ReturnSignal {
  constructor(readonly value: Value) {}
}
class BreakSignal {}
class ContinueSignal {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

/**
 * How a statement ended abruptly (`return`, `raise`, `break`, `continue`): returned up the statement
 * chain rather than thrown. (A `break`/`continue` at the top of an imported module still leaves it
 * as an exception, as it always did; loops, calls and runModule catch that too.)
 */
type Signal = ReturnSignal | BreakSignal | ContinueSignal;

export interface CallArgs {
  positional: Value[];
  /** Read-only: calls without keywords share one empty map. */
  keywords: ReadonlyMap<string, Value>;
  /** The call expression, for source ranges. */
  node: Node;
  /** Nodes of the positional/keyword argument expressions, parallel to the values. */
  positionalNodes: Node[];
  keywordNodes: ReadonlyMap<string, Node>;
}

const NO_KEYWORDS: ReadonlyMap<string, Value> = new Map();
const NO_KEYWORD_NODES: ReadonlyMap<string, Node> = new Map();
const NO_DEFAULTS: ReadonlyMap<string, Value> = new Map();

export interface NoteSink {
  note(line: number, severity: 'info' | 'warning' | 'error', message: string): void;
}

export class Interpreter {
  /** > 0 while executing code whose execution is not certain. */
  uncertain = 0;
  private depth = 0;
  keras!: KerasRuntime;
  readonly moduleScope = new Scope(null, 'module');

  constructor(
    readonly budget: Budget,
    readonly notes: NoteSink,
    readonly file: string,
  ) {
    this.moduleScope.vars.set('__name__', str('__main__'));
  }

  // ───────────── statements ─────────────

  /** Runs the statements of a block (or module), skipping comments; stops at the first signal. */
  execBlock(block: Node, scope: Scope): Signal | undefined {
    const statements = block.namedChildrenExcept('comment');
    for (let i = 0; i < statements.length; i++) {
      const signal = this.execStmt(statements[i], scope);
      if (signal) return signal;
    }
    return undefined;
  }

  execStmt(node: Node, scope: Scope): Signal | undefined {
    this.budget.step();
    switch (node.type) {
      case 'expression_statement':
        for (const child of node.namedChildren) {
          if (child.type === 'assignment' || child.type === 'augmented_assignment') this.execStmt(child, scope);
          else this.evalExpr(child, scope);
        }
        return undefined;
      case 'assignment':
        this.execAssignment(node, scope);
        return undefined;
      case 'augmented_assignment':
        this.execAugmented(node, scope);
        return undefined;
      case 'import_statement':
      case 'import_from_statement':
        this.keras.execImport(node, scope);
        return undefined;
      case 'function_definition':
        this.defineFunction(node, scope);
        return undefined;
      case 'class_definition':
        return this.defineClass(node, scope);
      case 'decorated_definition': {
        const def = field(node, 'definition');
        if (!def) return undefined;
        if (def.type === 'class_definition' && node.children.some((c) => c.type === 'decorator' && /\bdataclass\b/.test(c.text))) {
          return this.defineClass(def, scope, true);
        }
        return this.execStmt(def, scope);
      }
      case 'if_statement':
        return this.execIf(node, scope);
      case 'for_statement':
        return this.execFor(node, scope);
      case 'while_statement':
        return this.execWhile(node, scope);
      case 'with_statement':
        return this.execWith(node, scope);
      case 'try_statement':
        return this.execTry(node, scope);
      case 'return_statement': {
        const expr = node.firstNamedChild;
        return new ReturnSignal(expr ? this.evalExpr(expr, scope) : NONE);
      }
      case 'break_statement':
        return BREAK;
      case 'continue_statement':
        return CONTINUE;
      case 'global_statement':
        for (const id of node.namedChildren) if (id) scope.declareGlobal(id.text);
        return undefined;
      case 'raise_statement': {
        // `raise SystemExit(main())` runs main() first; then the raise ends the current function.
        const raised = node.namedChildren[0];
        if (raised) this.evalExpr(raised, scope);
        return new ReturnSignal(unknown('raised'));
      }
      case 'block':
        return this.execBlock(node, scope);
      default:
        // pass, nonlocal, assert, delete, match, print, comments, ...: nothing to model.
        return undefined;
    }
  }

  private execAssignment(node: Node, scope: Scope): void {
    const right = field(node, 'right');
    const left = field(node, 'left');
    if (!right || !left) return; // annotation only (`x: int`)
    // Chained assignment `a = b = value` nests in tree-sitter: the right side is itself an assignment.
    if (right.type === 'assignment') {
      this.execAssignment(right, scope);
      const innerLeft = field(right, 'left');
      if (innerLeft) this.assignTarget(left, this.evalExpr(innerLeft, scope), scope);
      return;
    }
    this.assignTarget(left, this.evalExpr(right, scope), scope);
  }

  private execAugmented(node: Node, scope: Scope): void {
    const left = field(node, 'left');
    const right = field(node, 'right');
    const op = field(node, 'operator')?.text ?? '';
    if (!left || !right) return;
    const current = this.evalExpr(left, scope);
    const value = this.evalExpr(right, scope);
    // `list += [...]` mutates in place, like Python.
    if (op === '+=' && current.k === 'list' && isSequence(value)) {
      current.items.push(...value.items);
      return;
    }
    this.assignTarget(left, binaryOp(this, op.slice(0, -1), current, value, node), scope);
  }

  assignTarget(target: Node, value: Value, scope: Scope): void {
    switch (target.type) {
      case 'identifier': {
        const name = target.text;
        scope.assign(name, value);
        this.keras.onBind(target, name, value);
        return;
      }
      case 'attribute': {
        const obj = this.evalExpr(field(target, 'object')!, scope);
        const attr = field(target, 'attribute')?.text ?? '';
        this.setAttr(obj, attr, value, target);
        return;
      }
      case 'subscript': {
        const obj = this.evalExpr(field(target, 'value')!, scope);
        const index = field(target, 'subscript');
        if (!index) return;
        const key = this.evalExpr(index, scope);
        if (obj.k === 'dict') dictSet(obj, key, value);
        else if (obj.k === 'list' && key.k === 'num') {
          const i = key.v < 0 ? obj.items.length + key.v : key.v;
          if (i >= 0 && i < obj.items.length) obj.items[i] = value;
        }
        return;
      }
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list':
      case 'parenthesized_expression':
        return this.assignPattern(target, value, scope);
      default:
        return;
    }
  }

  private assignPattern(target: Node, value: Value, scope: Scope): void {
    const targets = target.namedChildren.filter((n): n is Node => !!n && n.type !== 'comment');
    if (target.type === 'parenthesized_expression') {
      if (targets[0]) this.assignTarget(targets[0], value, scope);
      return;
    }
    const items = this.iterate(value, target);
    const starIndex = targets.findIndex((t) => t.type === 'list_splat_pattern');
    targets.forEach((t, i) => {
      if (!items) return this.assignTarget(t, unknown('unpacking'), scope);
      if (t.type === 'list_splat_pattern') {
        const rest = items.slice(i, items.length - (targets.length - i - 1));
        const name = t.namedChildren[0];
        if (name) this.assignTarget(name, list(rest), scope);
        return;
      }
      const index = starIndex >= 0 && i > starIndex ? items.length - (targets.length - i) : i;
      this.assignTarget(t, items[index] ?? unknown('unpacking'), scope);
    });
  }

  setAttr(obj: Value, attr: string, value: Value, node: Node): void {
    if (obj.k === 'instance') {
      obj.attrs.set(attr, value);
      this.keras.onInstanceAttr(obj, attr, value, node);
    } else if (obj.k === 'class') {
      obj.attrs.set(attr, value);
    } else if (obj.k === 'layer') {
      this.keras.setLayerAttr(obj.layer, attr, value);
    }
  }

  private execIf(node: Node, scope: Scope): Signal | undefined {
    const cond = truthy(this.evalExpr(field(node, 'condition')!, scope));
    const consequence = field(node, 'consequence');
    if (cond === true) return consequence ? this.execStmt(consequence, scope) : undefined;
    if (cond === undefined) {
      // Unknown condition: follow the first branch, but everything built there is approximate.
      return consequence ? this.uncertainly(() => this.execStmt(consequence, scope)) : undefined;
    }
    for (const alt of node.childrenForFieldName('alternative')) {
      if (!alt) continue;
      if (alt.type === 'else_clause') {
        const body = field(alt, 'body');
        return body ? this.execStmt(body, scope) : undefined;
      }
      const altCond = truthy(this.evalExpr(field(alt, 'condition')!, scope));
      const altBody = field(alt, 'consequence');
      if (altCond === true) return altBody ? this.execStmt(altBody, scope) : undefined;
      if (altCond === undefined) return altBody ? this.uncertainly(() => this.execStmt(altBody, scope)) : undefined;
    }
    return undefined;
  }

  uncertainly<T>(fn: () => T): T {
    this.uncertain++;
    try {
      return fn();
    } finally {
      this.uncertain--;
    }
  }

  private execFor(node: Node, scope: Scope): Signal | undefined {
    const left = field(node, 'left')!;
    const body = field(node, 'body');
    const iterable = this.evalExpr(field(node, 'right')!, scope);
    const items = this.iterate(iterable, node);
    if (!body) return undefined;
    if (!items) {
      // Unknown iteration count: run the body once, approximately.
      return this.uncertainly(() => {
        this.assignTarget(left, unknown('loop variable'), scope);
        return loopExit(this.runLoopBody(body, scope));
      });
    }
    const limit = this.budget.limits.loopIterations;
    for (let i = 0; i < items.length; i++) {
      if (i >= limit) {
        this.truncateLoop(node, `loop cut after ${limit} iterations`);
        return undefined;
      }
      this.assignTarget(left, items[i], scope);
      const signal = this.runLoopBody(body, scope);
      if (signal) return loopExit(signal);
    }
    const alternative = field(node, 'alternative');
    return alternative ? this.execStmt(alternative, scope) : undefined;
  }

  private execWhile(node: Node, scope: Scope): Signal | undefined {
    const condNode = field(node, 'condition')!;
    const body = field(node, 'body');
    if (!body) return undefined;
    const limit = Math.min(this.budget.limits.loopIterations, 1000);
    for (let i = 0; ; i++) {
      const cond = truthy(this.evalExpr(condNode, scope));
      if (cond === false) return undefined;
      if (cond === undefined) return this.uncertainly(() => loopExit(this.runLoopBody(body, scope)));
      if (i >= limit) {
        this.truncateLoop(node, `while loop cut after ${limit} iterations`);
        return undefined;
      }
      const signal = this.runLoopBody(body, scope);
      if (signal) return loopExit(signal);
    }
  }

  /** After a loop is cut short, nothing later can be trusted to be exact. */
  private truncateLoop(node: Node, message: string): void {
    this.notes.note(node.startPosition.row + 1, 'warning', `${message}; later names and shapes are approximate`);
    this.keras.names.allInexact = true;
  }

  /** One pass of a loop body: BREAK, a ReturnSignal, or undefined to go on (`continue` included). */
  private runLoopBody(body: Node, scope: Scope): ReturnSignal | BreakSignal | undefined {
    let signal: Signal | undefined;
    try {
      signal = this.execStmt(body, scope);
    } catch (thrown) {
      if (thrown instanceof BreakSignal) return BREAK;
      if (!(thrown instanceof ContinueSignal)) throw thrown;
    }
    return signal === CONTINUE ? undefined : (signal as ReturnSignal | BreakSignal | undefined);
  }

  private execWith(node: Node, scope: Scope): Signal | undefined {
    for (const item of node.descendantsOfType('with_item')) {
      const value = field(item, 'value');
      if (!value) continue;
      if (value.type === 'as_pattern') {
        const expr = value.namedChildren[0];
        const alias = field(value, 'alias');
        const v = expr ? this.evalExpr(expr, scope) : UNKNOWN;
        const target = alias?.namedChildren[0] ?? alias;
        if (target) this.assignTarget(target, v, scope);
      } else this.evalExpr(value, scope);
    }
    const body = field(node, 'body');
    return body ? this.execStmt(body, scope) : undefined;
  }

  private execTry(node: Node, scope: Scope): Signal | undefined {
    const body = field(node, 'body');
    const failedBefore = this.keras.failedImports;
    const signal = body ? this.execStmt(body, scope) : undefined;
    if (signal) return signal;
    if (this.keras.failedImports > failedBefore) {
      // `try: import optional_lib / except ImportError: fallback`: the import failed, run the fallback.
      const handler = node.namedChildren.find((c) => c?.type === 'except_clause');
      const block = handler?.namedChildren.find((c) => c?.type === 'block');
      const fallback = block ? this.execStmt(block, scope) : undefined;
      if (fallback) return fallback;
    }
    for (const child of node.namedChildren) {
      if (child?.type === 'else_clause' || child?.type === 'finally_clause') {
        const block = child.namedChildren.find((c) => c?.type === 'block');
        const clause = block ? this.execStmt(block, scope) : undefined;
        if (clause) return clause;
      }
    }
    return undefined;
  }

  private defineFunction(node: Node, scope: Scope): void {
    const name = field(node, 'name')?.text ?? '<lambda>';
    const closure = scope.kind === 'class' ? scope.parent! : scope;
    const defaults = this.evalDefaults(node, scope);
    scope.assign(name, { k: 'func', name, node, closure, isLambda: false, defaults, module: this.keras.currentModule, called: false });
  }

  /** Default values are evaluated once, when `def` runs — as in Python. */
  private evalDefaults(node: Node, scope: Scope): ReadonlyMap<string, Value> {
    let defaults: Map<string, Value> | undefined;
    const params = field(node, 'parameters');
    for (const p of params?.namedChildren ?? []) {
      if (p.type !== 'default_parameter' && p.type !== 'typed_default_parameter') continue;
      const name = field(p, 'name')?.text;
      const value = field(p, 'value');
      if (name && value) (defaults ??= new Map()).set(name, this.evalExpr(value, scope));
    }
    return defaults ?? NO_DEFAULTS;
  }

  private defineClass(node: Node, scope: Scope, isDataclass = false): Signal | undefined {
    const name = field(node, 'name')?.text ?? '<class>';
    const bases: Value[] = [];
    for (const arg of field(node, 'superclasses')?.namedChildren ?? []) {
      if (arg && arg.type !== 'keyword_argument') bases.push(this.evalExpr(arg, scope));
    }
    const cls: ClassValue = { k: 'class', name, node, bases, attrs: new Map(), kerasBase: this.keras.kerasBaseOf(bases) };
    const body = new Scope(scope, 'class');
    const block = field(node, 'body');
    // A return/break in a class body leaves it before the class is bound (as the exception it was).
    const signal = block ? this.execBlock(block, body) : undefined;
    if (signal) return signal;
    for (const [key, value] of body.vars) {
      cls.attrs.set(key, value.k === 'func' ? { ...value, owner: cls } : value);
    }
    if (isDataclass) cls.dataclassFields = annotatedFields(block);
    scope.assign(name, cls);
    return undefined;
  }

  // ───────────── expressions ─────────────

  evalExpr(node: Node, scope: Scope): Value {
    switch (node.type) {
      case 'identifier':
        return this.lookup(node.text, scope);
      case 'integer':
        return parseInteger(node.text);
      case 'float':
        return num(Number(node.text.replace(/_/g, '')), false);
      case 'true':
        return bool(true);
      case 'false':
        return bool(false);
      case 'none':
        return NONE;
      case 'string':
        return this.evalString(node, scope);
      case 'concatenated_string': {
        const parts = node.namedChildren.map((c) => (c ? this.evalString(c, scope) : UNKNOWN));
        if (parts.every((p) => p.k === 'str')) return str(parts.map((p) => (p as { v: string }).v).join(''));
        return unknown('string');
      }
      case 'parenthesized_expression': {
        const inner = node.children.find((c) => c.isNamed && c.type !== 'comment');
        return inner ? this.evalExpr(inner, scope) : NONE;
      }
      case 'tuple':
      case 'expression_list':
        return tuple(this.evalItems(node, scope));
      case 'list':
        return list(this.evalItems(node, scope));
      case 'set':
        return list(this.evalItems(node, scope));
      case 'dictionary':
        return this.evalDict(node, scope);
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
        return list(this.evalComprehension(node, scope));
      case 'dictionary_comprehension':
        return this.evalDictComprehension(node, scope);
      case 'attribute':
        return this.getAttr(this.evalExpr(field(node, 'object')!, scope), field(node, 'attribute')!.text, node);
      case 'call':
        return this.evalCall(node, scope);
      case 'subscript':
        return this.evalSubscript(node, scope);
      case 'binary_operator':
        return binaryOp(
          this,
          field(node, 'operator')!.text,
          this.evalExpr(field(node, 'left')!, scope),
          this.evalExpr(field(node, 'right')!, scope),
          node,
        );
      case 'unary_operator':
        return this.evalUnary(node, scope);
      case 'not_operator': {
        const t = truthy(this.evalExpr(field(node, 'argument')!, scope));
        return t === undefined ? unknown('not') : bool(!t);
      }
      case 'boolean_operator':
        return this.evalBoolean(node, scope);
      case 'comparison_operator':
        return this.evalComparison(node, scope);
      case 'conditional_expression':
        return this.evalConditional(node, scope);
      case 'lambda':
        return { k: 'func', name: '<lambda>', node, closure: scope, isLambda: true, defaults: this.evalDefaults(node, scope), module: this.keras.currentModule, called: false };
      case 'named_expression': {
        const value = this.evalExpr(field(node, 'value')!, scope);
        this.assignTarget(field(node, 'name')!, value, scope);
        return value;
      }
      case 'ellipsis':
        return { k: 'builtin', name: 'Ellipsis' };
      case 'keyword_argument':
        return this.evalExpr(field(node, 'value')!, scope);
      default:
        return unknown(node.type);
    }
  }

  lookup(name: string, scope: Scope): Value {
    return scope.lookup(name) ?? getBuiltin(name) ?? this.keras.wildcard(name, scope) ?? unknown(`name ${name}`);
  }

  private evalItems(node: Node, scope: Scope): Value[] {
    const elements = node.namedChildrenExcept('comment');
    const count = oneValueCount(elements);
    if (count !== undefined) {
      // No splat: the items are the elements, one each (tuples and lists often live on in configs).
      const items = new Array<Value>(count);
      for (let i = 0; i < count; i++) items[i] = this.evalExpr(elements[i], scope);
      return items;
    }
    const items: Value[] = [];
    for (const child of elements) {
      if (child.type === 'list_splat') {
        const spread = this.iterate(this.evalExpr(child.namedChildren[0]!, scope), child);
        if (spread) items.push(...spread);
        else items.push(unknown('splat'));
      } else items.push(this.evalExpr(child, scope));
    }
    return items;
  }

  private evalDict(node: Node, scope: Scope): Value {
    const dict: Value = { k: 'dict', keys: [], values: [] };
    for (const child of node.namedChildren) {
      if (child.type === 'pair') {
        dictSet(dict, this.evalExpr(field(child, 'key')!, scope), this.evalExpr(field(child, 'value')!, scope));
      } else if (child.type === 'dictionary_splat') {
        const other = this.evalExpr(child.namedChildren[0]!, scope);
        if (other.k === 'dict') other.keys.forEach((k, i) => dictSet(dict, k, other.values[i]));
      }
    }
    return dict;
  }

  private evalComprehension(node: Node, scope: Scope): Value[] {
    const body = field(node, 'body')!;
    const results: Value[] = [];
    this.runComprehension(node, scope, (inner) => results.push(this.evalExpr(body, inner)));
    return results;
  }

  private evalDictComprehension(node: Node, scope: Scope): Value {
    const pair = field(node, 'body')!;
    const dict: Value = { k: 'dict', keys: [], values: [] };
    this.runComprehension(node, scope, (inner) =>
      dictSet(dict, this.evalExpr(field(pair, 'key')!, inner), this.evalExpr(field(pair, 'value')!, inner)),
    );
    return dict;
  }

  /** Runs nested `for ... in ... if ...` clauses, calling `emit` for each surviving binding. */
  private runComprehension(node: Node, scope: Scope, emit: (inner: Scope) => void): void {
    const clauses = node.namedChildren.filter((c): c is Node => !!c && (c.type === 'for_in_clause' || c.type === 'if_clause'));
    const inner = new Scope(scope, 'function');
    const run = (index: number): void => {
      this.budget.step();
      if (index === clauses.length) return emit(inner);
      const clause = clauses[index];
      if (clause.type === 'if_clause') {
        const cond = truthy(this.evalExpr(clause.namedChildren[0]!, inner));
        if (cond === false) return;
        if (cond === undefined) return this.uncertainly(() => run(index + 1));
        return run(index + 1);
      }
      const items = this.iterate(this.evalExpr(field(clause, 'right')!, inner), clause);
      const left = field(clause, 'left')!;
      if (!items) {
        this.uncertainly(() => {
          this.assignTarget(left, unknown('loop variable'), inner);
          run(index + 1);
        });
        return;
      }
      for (const item of items.slice(0, this.budget.limits.loopIterations)) {
        this.assignTarget(left, item, inner);
        run(index + 1);
      }
    };
    run(0);
  }

  private evalString(node: Node, scope: Scope): Value {
    if (node.type === 'concatenated_string') return this.evalExpr(node, scope);
    const start = node.children[0]?.text ?? '"';
    // The prefix (`f`, `rb`, …) is what precedes the quote; a plain `"` or `'` has none.
    const plain = start === '"' || start === "'" || start === '"""' || start === "'''";
    const isF = !plain && /f/i.test(start);
    const isBytes = !plain && /b/i.test(start);
    const raw = !plain && /r/i.test(start);
    let out = '';
    let hasInterpolation = false;
    for (const child of node.children) {
      if (!child) continue;
      if (child.type === 'string_content') out += raw ? child.text : unescapePython(child.text);
      else if (child.type === 'escape_sequence') out += raw ? child.text : unescapePython(child.text);
      else if (child.type === 'interpolation') {
        hasInterpolation = true;
        if (!isF) return unknown('string');
        const expr = field(child, 'expression') ?? child.namedChildren[0];
        const value = expr ? this.evalExpr(expr, scope) : UNKNOWN;
        const spec = field(child, 'format_specifier')?.text.replace(/^:/, '');
        const text = formatValue(value, spec);
        if (text === undefined) return unknown('f-string');
        out += text;
      }
    }
    if (isBytes) return unknown('bytes');
    // A plain literal remembers where it was written, so a name passed through variables and
    // parameters can still be renamed at its source.
    return hasInterpolation ? str(out) : { k: 'str', v: out, origin: node, originFile: this.keras.currentModule?.file };
  }

  private evalUnary(node: Node, scope: Scope): Value {
    const op = field(node, 'operator')?.text;
    const arg = this.evalExpr(field(node, 'argument')!, scope);
    if (arg.k === 'num' || arg.k === 'bool') {
      const v = Number(arg.v);
      if (op === '-') return num(-v, arg.k === 'bool' || arg.int);
      if (op === '+') return num(v, arg.k === 'bool' || arg.int);
      if (op === '~') return num(~v, true);
    }
    if (arg.k === 'tensor' || arg.k === 'array') return this.keras.elementwise(arg, [], node, 'negative');
    return unknown('unary');
  }

  private evalBoolean(node: Node, scope: Scope): Value {
    const op = field(node, 'operator')?.text;
    const left = this.evalExpr(field(node, 'left')!, scope);
    const t = truthy(left);
    if (t === undefined) return unknown('boolean');
    if ((op === 'and' && !t) || (op === 'or' && t)) return left;
    return this.evalExpr(field(node, 'right')!, scope);
  }

  private evalComparison(node: Node, scope: Scope): Value {
    const operands = node.namedChildren.filter((c): c is Node => !!c);
    const operators = node.childrenForFieldName('operators').map((o) => o?.text ?? '');
    let left = this.evalExpr(operands[0], scope);
    let result: boolean | undefined = true;
    for (let i = 1; i < operands.length; i++) {
      const right = this.evalExpr(operands[i], scope);
      const r = compareOp(operators[i - 1] ?? '==', left, right);
      if (r === false) return bool(false);
      if (r === undefined) result = undefined;
      left = right;
    }
    return result === undefined ? unknown('comparison') : bool(true);
  }

  private evalConditional(node: Node, scope: Scope): Value {
    const [whenTrue, cond, whenFalse] = node.namedChildren.filter((c): c is Node => !!c);
    const t = truthy(this.evalExpr(cond, scope));
    if (t === true) return this.evalExpr(whenTrue, scope);
    if (t === false) return this.evalExpr(whenFalse, scope);
    return this.uncertainly(() => this.evalExpr(whenTrue, scope));
  }

  private evalSubscript(node: Node, scope: Scope): Value {
    const obj = this.evalExpr(field(node, 'value')!, scope);
    const subs = node.childrenForFieldName('subscript').filter((s): s is Node => !!s);
    const keys = subs.map((s) => (s.type === 'slice' ? this.evalSlice(s, scope) : this.evalExpr(s, scope)));
    return this.keras.subscript(obj, keys, node) ?? subscriptValue(obj, keys);
  }

  private evalSlice(node: Node, scope: Scope): Value {
    // tree-sitter gives `start:stop:step` children with ':' tokens in between.
    const parts: (Value | null)[] = [null, null, null];
    let slot = 0;
    for (const child of node.children) {
      if (!child) continue;
      if (child.type === ':') slot++;
      else parts[slot] = this.evalExpr(child, scope);
    }
    return { k: 'slice', parts };
  }

  // ───────────── calls and attributes ─────────────

  evalArgs(node: Node, scope: Scope): CallArgs {
    // Most calls pass no keywords: they share one empty map instead of making two.
    let keywords: Map<string, Value> | undefined;
    let keywordNodes: Map<string, Node> | undefined;
    const argList = field(node, 'arguments');
    if (argList?.type === 'generator_expression') {
      return { positional: [this.evalExpr(argList, scope)], keywords: NO_KEYWORDS, node, positionalNodes: [argList], keywordNodes: NO_KEYWORD_NODES };
    }
    const argNodes = argList ? argList.namedChildrenExcept('comment') : [];
    // Sized up front when no `*args` makes the count unknown (a first push reserves room for 16).
    const count = oneValueCount(argNodes);
    const positional: Value[] = count === undefined ? [] : new Array<Value>(count);
    const positionalNodes: Node[] = count === undefined ? [] : new Array<Node>(count);
    let index = 0;
    for (const arg of argNodes) {
      if (arg.type === 'keyword_argument') {
        const name = field(arg, 'name')!.text;
        const valueNode = field(arg, 'value')!;
        (keywords ??= new Map()).set(name, this.evalExpr(valueNode, scope));
        (keywordNodes ??= new Map()).set(name, valueNode);
      } else if (arg.type === 'list_splat') {
        const items = this.iterate(this.evalExpr(arg.namedChildren[0]!, scope), arg);
        for (const item of items ?? [unknown('*args')]) {
          positional[index] = item;
          positionalNodes[index++] = arg;
        }
      } else if (arg.type === 'dictionary_splat') {
        const dict = this.evalExpr(arg.namedChildren[0]!, scope);
        if (dict.k === 'dict') {
          dict.keys.forEach((k, i) => {
            if (k.k === 'str') {
              (keywords ??= new Map()).set(k.v, dict.values[i]);
              (keywordNodes ??= new Map()).set(k.v, arg);
            }
          });
        }
      } else {
        positional[index] = this.evalExpr(arg, scope);
        positionalNodes[index++] = arg;
      }
    }
    return { positional, keywords: keywords ?? NO_KEYWORDS, node, positionalNodes, keywordNodes: keywordNodes ?? NO_KEYWORD_NODES };
  }

  private evalCall(node: Node, scope: Scope): Value {
    const fnNode = field(node, 'function')!;
    const callee = this.evalExpr(fnNode, scope);
    const args = this.evalArgs(node, scope);
    return this.call(callee, args);
  }

  call(callee: Value, args: CallArgs): Value {
    switch (callee.k) {
      case 'func':
        return this.callFunction(callee, args, undefined);
      case 'bound':
        if (callee.func.k === 'func') return this.callFunction(callee.func, args, callee.self);
        return this.call(callee.func, { ...args, positional: [callee.self, ...args.positional] });
      case 'class':
        return this.keras.instantiate(callee, args);
      case 'builtin':
        return callBuiltin(this, callee.name, args);
      case 'method':
        return valueMethod(this, callee.self, callee.name, args);
      case 'api':
        return this.keras.callApi(callee.path, args);
      case 'layer':
        return this.keras.callLayer(callee.layer, args);
      case 'super':
        return unknown('super call');
      case 'kobj':
        if (callee.cls === 'partial') return this.callPartial(callee.args, args);
        // Calling the result of an attribute error keeps the error (it is what Keras raises).
        return callee.cls === 'Error' ? callee : unknown('call');
      case 'instance': {
        if (callee.layer) return this.keras.callLayer(callee.layer, args);
        const callMethod = findClassAttr(callee.cls, '__call__');
        if (callMethod?.k === 'func') return this.callFunction(callMethod, args, callee);
        return unknown('instance call');
      }
      default:
        return unknown('call');
    }
  }

  /** `functools.partial(f, *a, **kw)(*b, **kw2)` is `f(*a, *b, **{**kw, **kw2})`. */
  private callPartial(partial: Record<string, Value>, args: CallArgs): Value {
    const bound = partial.args?.k === 'tuple' ? partial.args.items : [];
    const keywords = new Map<string, Value>();
    const boundKeywords = partial.keywords;
    if (boundKeywords?.k === 'dict') boundKeywords.keys.forEach((k, i) => k.k === 'str' && keywords.set(k.v, boundKeywords.values[i]));
    for (const [k, v] of args.keywords) keywords.set(k, v);
    const keywordNodes = new Map(args.keywordNodes);
    return this.call(partial.func, { ...args, positional: [...bound, ...args.positional], positionalNodes: [...bound.map(() => args.node), ...args.positionalNodes], keywords, keywordNodes });
  }

  callFunction(fn: FuncValue, args: CallArgs, self: Value | undefined): Value {
    if (this.depth >= this.budget.limits.callDepth) {
      this.notes.note(args.node.startPosition.row + 1, 'warning', `call depth limit (${this.budget.limits.callDepth}) reached; result unknown`);
      this.keras.names.allInexact = true;
      return unknown('recursion');
    }
    // Code of an imported module runs "in" that module: what it builds is located in its file.
    if (fn.module !== this.keras.currentModule) return this.keras.inModule(fn.module, () => this.callFunction(fn, args, self));
    fn.called = true;
    const local = new Scope(fn.closure, 'function');
    this.bindParameters(fn, args, self, local);
    this.depth++;
    try {
      const body = field(fn.node, 'body');
      if (!body) return NONE;
      if (fn.isLambda) return this.evalExpr(body, local);
      const signal = this.execStmt(body, local);
      return signal instanceof ReturnSignal ? signal.value : NONE;
    } catch (signal) {
      if (signal instanceof ReturnSignal) return signal.value;
      if (signal instanceof BreakSignal || signal instanceof ContinueSignal) return NONE;
      throw signal;
    } finally {
      this.depth--;
    }
  }

  private bindParameters(fn: FuncValue, args: CallArgs, self: Value | undefined, local: Scope): void {
    const positional = self ? [self, ...args.positional] : args.positional;
    // Keywords are consumed as parameters bind (what is left goes to **kwargs): copy only when there are any.
    const keywords = args.keywords.size > 0 ? new Map(args.keywords) : undefined;
    const defaults = fn.defaults;
    let index = 0;
    let keywordOnly = false;
    for (const p of field(fn.node, 'parameters')?.namedChildren ?? []) {
      switch (p.type) {
        case 'list_splat_pattern':
          local.vars.set(p.namedChildren[0]?.text ?? 'args', tuple(positional.slice(index)));
          index = positional.length;
          keywordOnly = true;
          continue;
        case 'dictionary_splat_pattern': {
          const rest: Value = { k: 'dict', keys: [], values: [] };
          if (keywords) for (const [k, v] of keywords) dictSet(rest, str(k), v);
          keywords?.clear();
          local.vars.set(p.namedChildren[0]?.text ?? 'kwargs', rest);
          continue;
        }
        case 'keyword_separator':
          keywordOnly = true;
          continue;
        case 'positional_separator':
          continue;
      }
      const name = p.type === 'identifier' ? p.text : (field(p, 'name')?.text ?? p.firstNamedChild?.text ?? '');
      let value: Value | undefined;
      if (!keywordOnly && index < positional.length) value = positional[index++];
      else if (keywords?.has(name)) {
        value = keywords.get(name);
        keywords.delete(name);
      } else value = defaults.get(name);
      local.vars.set(name, value ?? unknown(`parameter ${name}`));
    }
  }

  getAttr(obj: Value, attr: string, node: Node): Value {
    switch (obj.k) {
      case 'instance': {
        const own = obj.attrs.get(attr);
        if (own !== undefined) return own;
        if (obj.opaque && findClassAttr(obj.cls, attr)?.k !== 'func') return unknown(`attribute ${attr}`);
        // Keras wraps build(): calling it marks the layer built, so route it through the runtime.
        if (attr === 'build' && obj.layer) return { k: 'method', self: obj, name: 'build' };
        const fromClass = findClassAttr(obj.cls, attr);
        if (fromClass?.k === 'func') return { k: 'bound', self: obj, func: fromClass };
        if (fromClass !== undefined) return fromClass;
        return this.keras.instanceAttr(obj, attr, node);
      }
      case 'class': {
        const found = findClassAttr(obj, attr);
        return found ?? unknown(`attribute ${attr}`);
      }
      case 'super': {
        for (const base of obj.cls.bases) {
          if (base.k === 'class') {
            const found = findClassAttr(base, attr);
            if (found?.k === 'func') return { k: 'bound', self: obj.self, func: found };
          }
        }
        return this.keras.superAttr(obj.self, attr);
      }
      case 'api':
        return this.keras.apiAttr(obj.path, attr);
      case 'pymodule':
        return obj.vars.get(attr) ?? unknown(`${obj.name}.${attr}`);
      case 'layer':
      case 'tensor':
      case 'array':
      case 'weight':
      case 'kobj':
        return this.keras.attr(obj, attr, node);
      case 'unknown':
        return unknown(`attribute ${attr}`);
      default:
        return { k: 'method', self: obj, name: attr };
    }
  }

  /** Python iteration over a value; undefined when the items are not statically known. */
  iterate(value: Value, _node: Node): Value[] | undefined {
    switch (value.k) {
      case 'tuple':
      case 'list':
        return value.items;
      case 'dict':
        return value.keys;
      case 'str':
        return [...value.v].map(str);
      default:
        return this.keras.iterate(value);
    }
  }

  rangeOf(node: Node): SourceRange {
    return node.range;
  }

  /**
   * Runs an imported workspace module in a fresh module scope (same name counters: Python runs
   * imported modules in the same process) and returns its globals.
   */
  runImportedModule(root: Node, text: string, file: string): Map<string, Value> {
    const scope = new Scope(null, 'module');
    scope.vars.set('__name__', str(file));
    this.keras.withModule(file, text, () => {
      let signal: Signal | undefined;
      try {
        signal = this.execBlock(root, scope);
      } catch (error) {
        if (!(error instanceof ReturnSignal)) throw error;
      }
      // A top-level break/continue leaves the imported module as an exception, as before.
      if (signal instanceof BreakSignal || signal instanceof ContinueSignal) throw signal;
    });
    return scope.vars;
  }

  /**
   * Runs the module's top-level statements (its children, in order; they may arrive as a streamed
   * parse finishes them), turning a budget overrun into a note.
   */
  runModule(statements: Iterable<Node>): boolean {
    try {
      // Statement by statement, so that one nested too deeply for the evaluator's stack is skipped
      // (with a note) and the rest of the module still runs.
      for (const statement of statements) {
        if (!statement.isNamed || statement.type === 'comment') continue;
        try {
          if (this.execStmt(statement, this.moduleScope)) return true;
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          this.notes.note(statement.startPosition.row + 1, 'warning', 'code nested too deeply to evaluate: statement skipped');
        }
      }
      return true;
    } catch (error) {
      if (error instanceof BudgetExceeded) {
        this.notes.note(1, 'warning', error.reason);
        return false;
      }
      if (error instanceof ReturnSignal || error instanceof BreakSignal || error instanceof ContinueSignal) return true;
      throw error;
    }
  }
}

/** What a loop passes up when its body ends it: `break` stops only the loop, `return` goes on up. */
function loopExit(signal: ReturnSignal | BreakSignal | undefined): ReturnSignal | undefined {
  return signal instanceof ReturnSignal ? signal : undefined;
}

/** `x: int = 3` / `x: int` lines of a class body, in order: a dataclass's fields. */
function annotatedFields(block: Node | null): string[] {
  const fields: string[] = [];
  for (const stmt of block ? children(block) : []) {
    const assignment = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    const left = assignment?.type === 'assignment' && field(assignment, 'type') ? field(assignment, 'left') : null;
    if (left?.type === 'identifier') fields.push(left.text);
  }
  return fields;
}

/**
 * How many values a list of argument / element nodes gives, one per named non-comment node (keyword
 * arguments and `**` splats aside); undefined when a `*` splat makes the count unknown.
 */
function oneValueCount(argNodes: Node[]): number | undefined {
  let count = 0;
  for (const arg of argNodes) {
    if (!arg.isNamed) continue;
    const type = arg.type;
    if (type === 'list_splat') return undefined;
    if (type !== 'comment' && type !== 'keyword_argument' && type !== 'dictionary_splat') count++;
  }
  return count;
}

/** `node.childForFieldName(name)`: the evaluator's most frequent tree query. */
export function field(node: Node, name: string): Node | null {
  return node.childForFieldName(name);
}

export function children(node: Node): Node[] {
  return node.namedChildrenExcept('comment');
}

export function findClassAttr(cls: ClassValue, attr: string, seen = new Set<ClassValue>()): Value | undefined {
  if (seen.has(cls)) return undefined;
  seen.add(cls);
  const own = cls.attrs.get(attr);
  if (own !== undefined) return own;
  for (const base of cls.bases) {
    if (base.k === 'class') {
      const found = findClassAttr(base, attr, seen);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export { pyEquals };
