/**
 * Small helpers over the tree-sitter Python tree, for the loss analysis: node lookup by range,
 * import aliases, dotted names, module-level definitions and assignments, constant folding.
 */
import type { SourceRange } from '../../graph/model-graph';
import type { Node } from '../parser';

export type { Node };

export function line1(node: Node): number {
  return node.startPosition.row + 1;
}

/** The node's text on one line, shortened for messages. */
export function snippet(node: Node, max = 120): string {
  const text = node.text.replace(/\s*\n\s*/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function field(node: Node, name: string): Node | null {
  return node.childForFieldName(name);
}

export function named(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
}

function samePos(a: { row: number; column: number }, b: { line: number; character: number }): boolean {
  return a.row === b.line && a.column === b.character;
}

/** The smallest node whose range is exactly `range` (and, if given, of type `type`). */
export function nodeAtRange(root: Node, range: SourceRange, type?: string): Node | undefined {
  let found: Node | undefined;
  const visit = (node: Node): void => {
    const s = node.startPosition;
    const e = node.endPosition;
    const startsBefore = s.row < range.start.line || (s.row === range.start.line && s.column <= range.start.character);
    const endsAfter = e.row > range.end.line || (e.row === range.end.line && e.column >= range.end.character);
    if (!startsBefore || !endsAfter) return;
    if (samePos(s, range.start) && samePos(e, range.end) && (type === undefined || node.type === type)) found = node;
    for (const child of node.namedChildren) if (child) visit(child);
  };
  visit(root);
  return found;
}

/** Dotted name of an identifier/attribute chain (`tf.keras.losses.mse`), else undefined. */
export function dottedName(node: Node): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') {
    const object = field(node, 'object');
    const attribute = field(node, 'attribute');
    if (!object || !attribute) return undefined;
    const head = dottedName(object);
    return head === undefined ? undefined : `${head}.${attribute.text}`;
  }
  return undefined;
}

/** Module-level import aliases: local name → full dotted path. */
export function importAliases(root: Node): Map<string, string> {
  const aliases = new Map<string, string>();
  const visit = (node: Node): void => {
    if (node.type === 'import_statement') {
      for (const child of named(node)) {
        if (child.type === 'dotted_name') aliases.set(child.text.split('.')[0]!, child.text.split('.')[0]!);
        else if (child.type === 'aliased_import') {
          const name = field(child, 'name');
          const alias = field(child, 'alias');
          if (name && alias) aliases.set(alias.text, name.text);
        }
      }
    } else if (node.type === 'import_from_statement') {
      const module = field(node, 'module_name');
      if (!module) return;
      for (const child of named(node)) {
        if (child === module || child.id === module.id) continue;
        if (child.type === 'dotted_name') aliases.set(child.text, `${module.text}.${child.text}`);
        else if (child.type === 'aliased_import') {
          const name = field(child, 'name');
          const alias = field(child, 'alias');
          if (name && alias) aliases.set(alias.text, `${module.text}.${name.text}`);
        }
      }
    } else {
      // Imports inside functions or `try:` blocks count too; they rarely conflict.
      for (const child of node.namedChildren) if (child) visit(child);
    }
  };
  visit(root);
  return aliases;
}

/**
 * Canonical form of a library path: `tensorflow.keras.x` and `keras.src.x` become `keras.x`,
 * `tensorflow.math.x` becomes `tensorflow.x`, `keras.metrics.<loss fn>` stays (callers map it).
 */
export function canonicalPath(path: string): string {
  let p = path;
  for (const [from, to] of [
    ['tensorflow.python.keras.', 'keras.'],
    ['tensorflow.keras.', 'keras.'],
    ['tf_keras.', 'keras.'],
    ['keras.src.', 'keras.'],
    ['keras.api.', 'keras.'],
    ['keras.ops.numpy.', 'keras.ops.'],
    ['keras.ops.nn.', 'keras.ops.'],
    ['keras.ops.math.', 'keras.ops.'],
    ['tensorflow.math.', 'tensorflow.'],
    ['keras.losses.losses.', 'keras.losses.'],
  ] as const) {
    if (p.startsWith(from)) p = to + p.slice(from.length);
  }
  return p;
}

/** Resolves the head of a dotted name through the import aliases; undefined when the head is not an import. */
export function resolveImport(dotted: string, aliases: Map<string, string>): string | undefined {
  const [head, ...rest] = dotted.split('.');
  const full = aliases.get(head!);
  if (full === undefined) return undefined;
  return canonicalPath([full, ...rest].join('.'));
}

export interface FunctionDef {
  name: string;
  node: Node; // function_definition or lambda
  params: Param[];
  body: Node; // block, or the lambda's body expression
  isLambda: boolean;
}

export interface Param {
  name: string;
  default?: Node;
  /** `*args` / `**kwargs`. */
  splat?: 'list' | 'dict';
}

export function functionDef(node: Node): FunctionDef | undefined {
  if (node.type !== 'function_definition' && node.type !== 'lambda') return undefined;
  const params: Param[] = [];
  const parameters = field(node, 'parameters');
  for (const p of parameters ? named(parameters) : []) {
    if (p.type === 'identifier') params.push({ name: p.text });
    else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
      const name = field(p, 'name');
      const value = field(p, 'value');
      if (name) params.push(value ? { name: name.text, default: value } : { name: name.text });
    } else if (p.type === 'typed_parameter') {
      const id = named(p).find((c) => c.type === 'identifier');
      if (id) params.push({ name: id.text });
    } else if (p.type === 'list_splat_pattern') params.push({ name: p.text.replace(/^\*/, ''), splat: 'list' });
    else if (p.type === 'dictionary_splat_pattern') params.push({ name: p.text.replace(/^\*\*/, ''), splat: 'dict' });
  }
  const body = field(node, 'body');
  if (!body) return undefined;
  const name = node.type === 'lambda' ? '<lambda>' : (field(node, 'name')?.text ?? '<def>');
  return { name, node, params, body, isLambda: node.type === 'lambda' };
}

/** Statements of a block, with `decorated_definition` unwrapped. */
export function statements(block: Node): Node[] {
  return named(block).map((s) => (s.type === 'decorated_definition' ? (field(s, 'definition') ?? s) : s));
}

/** Module-level `def`s and `class`es by name (the last definition wins, as in Python). */
export function moduleDefinitions(root: Node): { functions: Map<string, Node>; classes: Map<string, Node> } {
  const functions = new Map<string, Node>();
  const classes = new Map<string, Node>();
  for (const s of statements(root)) {
    if (s.type === 'function_definition') functions.set(field(s, 'name')!.text, s);
    else if (s.type === 'class_definition') classes.set(field(s, 'name')!.text, s);
  }
  return { functions, classes };
}

/** `name = value` assignments directly in a block (module or function body), in order. */
export function assignmentsIn(block: Node): { name: string; target: Node; value: Node; statement: Node }[] {
  const out: { name: string; target: Node; value: Node; statement: Node }[] = [];
  for (const s of statements(block)) {
    if (s.type !== 'expression_statement') continue;
    const a = named(s)[0];
    if (!a || a.type !== 'assignment') continue;
    const left = field(a, 'left');
    const right = field(a, 'right');
    if (left?.type === 'identifier' && right) out.push({ name: left.text, target: left, value: right, statement: s });
  }
  return out;
}

/** Methods of a class definition by name. */
export function classMethods(classNode: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  const body = field(classNode, 'body');
  for (const s of body ? statements(body) : []) {
    if (s.type === 'function_definition') out.set(field(s, 'name')!.text, s);
  }
  return out;
}

/** The enclosing function definition (or the module) of a node. */
export function enclosingScope(node: Node): Node {
  let n: Node | null = node.parent;
  while (n && n.type !== 'function_definition' && n.type !== 'module') n = n.parent;
  return n ?? node.tree.rootNode;
}

/** Numeric value of a literal or a constant expression of literals; undefined otherwise. */
export function numberLiteral(node: Node, lookup?: (name: string) => number | undefined): number | undefined {
  switch (node.type) {
    case 'integer':
      return Number(node.text.replace(/_/g, '').replace(/[lL]$/, ''));
    case 'float':
      return Number(node.text.replace(/_/g, ''));
    case 'true':
      return 1;
    case 'false':
      return 0;
    case 'parenthesized_expression': {
      const inner = named(node)[0];
      return inner ? numberLiteral(inner, lookup) : undefined;
    }
    case 'unary_operator': {
      const arg = field(node, 'argument');
      const v = arg ? numberLiteral(arg, lookup) : undefined;
      if (v === undefined) return undefined;
      const op = node.child(0)?.text;
      return op === '-' ? -v : op === '+' ? v : undefined;
    }
    case 'binary_operator': {
      const l = field(node, 'left');
      const r = field(node, 'right');
      const a = l ? numberLiteral(l, lookup) : undefined;
      const b = r ? numberLiteral(r, lookup) : undefined;
      if (a === undefined || b === undefined) return undefined;
      const op = field(node, 'operator')?.text;
      if (op === '+') return a + b;
      if (op === '-') return a - b;
      if (op === '*') return a * b;
      if (op === '/') return a / b;
      if (op === '**') return a ** b;
      if (op === '//') return Math.floor(a / b);
      return undefined;
    }
    case 'identifier':
      return lookup?.(node.text);
    default:
      return undefined;
  }
}

/** The string value of a plain string literal (no f-string interpolation), else undefined. */
export function stringLiteral(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  if (named(node).some((c) => c.type === 'interpolation')) return undefined;
  const content = named(node).filter((c) => c.type === 'string_content').map((c) => c.text).join('');
  return content;
}

/** Positional and keyword arguments of a call. */
export function callArgs(call: Node): { positional: Node[]; keywords: Map<string, Node>; splat: boolean } {
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  let splat = false;
  const args = field(call, 'arguments');
  for (const a of args ? named(args) : []) {
    if (a.type === 'keyword_argument') {
      const name = field(a, 'name');
      const value = field(a, 'value');
      if (name && value) keywords.set(name.text, value);
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') splat = true;
    else positional.push(a);
  }
  return { positional, keywords, splat };
}

/** All nodes of a type under a node (depth first, source order). */
export function descendants(node: Node, type: string | string[]): Node[] {
  return node.descendantsOfType(type).filter((n): n is Node => n !== null);
}
