/**
 * Small helpers over the analyzer's syntax tree (tree-sitter's shape, stored flat in JS: see
 * analysis/syntax-tree.ts), for the worker's index, diagnostics and fixes.
 * Positions in the tree are UTF-16 based, like LSP's.
 */
import type { Position, Range } from 'vscode-languageserver';
import type { SyntaxNode as Node } from '../../analysis/syntax-tree';
import type { SourceRange } from '../../graph/model-graph';

export type { Node };

export function rangeOfNode(node: Node): Range {
  return node.range;
}

export function toPoint(pos: Position): { row: number; column: number } {
  return { row: pos.line, column: pos.character };
}

/** The smallest node of one of `types` that spans exactly (or contains) a range. */
export function nodeAtRange(root: Node, range: SourceRange, types: string[]): Node | undefined {
  let node: Node | null = root.descendantForPosition(toPoint(range.start), toPoint(range.end));
  while (node && !types.includes(node.type)) node = node.parent;
  return node ?? undefined;
}

/** A plain string literal's contents (no f-string interpolation): value and range without quotes. */
export function stringLiteral(node: Node | null | undefined): { value: string; range: Range } | undefined {
  if (!node || node.type !== 'string') return undefined;
  const parts = node.children;
  const start = parts.find((c) => c.type === 'string_start');
  const end = parts.find((c) => c.type === 'string_end');
  if (!start || !end || start.text.toLowerCase().includes('f')) return undefined;
  if (parts.some((c) => c.type === 'interpolation')) return undefined;
  const content = parts.filter((c) => c.type === 'string_content').map((c) => c.text).join('');
  const lines = node.store.lines;
  return { value: content, range: { start: lines.position(start.endIndex), end: lines.position(end.startIndex) } };
}

export interface CallParts {
  call: Node;
  /** `get_layer` for `model.get_layer(...)`, `Dense` for `layers.Dense(...)`. */
  name: string;
  /** The object the method is called on (`model` in `model.get_layer`), when there is one. */
  receiver: Node | undefined;
  positional: Node[];
  keywords: Map<string, Node>;
  /** The `key=value` nodes, for replacing a whole argument. */
  keywordNodes: Map<string, Node>;
  argumentList: Node | undefined;
}

export function callParts(call: Node): CallParts | undefined {
  if (call.type !== 'call') return undefined;
  const fn = call.childForFieldName('function');
  const args = call.childForFieldName('arguments');
  if (!fn) return undefined;
  let name: string;
  let receiver: Node | undefined;
  if (fn.type === 'attribute') {
    name = fn.childForFieldName('attribute')?.text ?? '';
    receiver = fn.childForFieldName('object') ?? undefined;
  } else if (fn.type === 'identifier') {
    name = fn.text;
  } else {
    name = '';
  }
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  const keywordNodes = new Map<string, Node>();
  if (args?.type === 'argument_list') {
    for (const arg of args.namedChildren) {
      if (!arg || arg.type === 'comment') continue;
      if (arg.type === 'keyword_argument') {
        const key = arg.childForFieldName('name')?.text;
        const value = arg.childForFieldName('value');
        if (key && value) {
          keywords.set(key, value);
          keywordNodes.set(key, arg);
        }
      } else {
        positional.push(arg);
      }
    }
  }
  return { call, name, receiver, positional, keywords, keywordNodes, argumentList: args ?? undefined };
}

/** keyword `name`, else positional argument `index`. */
export function argument(parts: CallParts, name: string, index: number): Node | undefined {
  return parts.keywords.get(name) ?? (index >= 0 ? parts.positional[index] : undefined);
}

/** Elements of a list/tuple literal (parenthesized expressions unwrapped), else the node itself. */
export function sequenceElements(node: Node): Node[] {
  const inner = unwrapParens(node);
  if (inner.type === 'list' || inner.type === 'tuple') return inner.namedChildrenExcept('comment');
  return [inner];
}

export function unwrapParens(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildren[0]) n = n.namedChildren[0]!;
  return n;
}

/** Named children without comments. */
export function children(node: Node): Node[] {
  return node.namedChildrenExcept('comment');
}

export function enclosing(node: Node, type: string): Node | undefined {
  let n = node.parent;
  while (n && n.type !== type) n = n.parent;
  return n ?? undefined;
}

/** The innermost enclosing function definition's name, and whether it is a method of a class. */
export function enclosingFunction(node: Node): { name: string; inClass: boolean } | undefined {
  const fn = enclosing(node, 'function_definition');
  if (!fn) return undefined;
  const name = fn.childForFieldName('name')?.text ?? '';
  const parentBlock = fn.parent?.type === 'decorated_definition' ? fn.parent.parent : fn.parent;
  return { name, inClass: parentBlock?.parent?.type === 'class_definition' };
}

/** Statement kinds whose bodies can hold definitions. */
const COMPOUND = new Set([
  'function_definition', 'class_definition', 'decorated_definition', 'block', 'if_statement', 'elif_clause', 'else_clause',
  'for_statement', 'while_statement', 'try_statement', 'except_clause', 'finally_clause', 'with_statement', 'match_statement', 'case_clause',
]);

/**
 * Every function and class definition, in document order, from one walk over statements only
 * (expressions are never entered: several times cheaper than descendantsOfType on big files).
 */
export function definitions(root: Node): { functions: Node[]; classes: Node[] } {
  const functions: Node[] = [];
  const classes: Node[] = [];
  const visit = (node: Node) => {
    for (const child of node.children) {
      if (child.type === 'function_definition') functions.push(child);
      else if (child.type === 'class_definition') classes.push(child);
      if (COMPOUND.has(child.type)) visit(child);
    }
  };
  visit(root);
  return { functions, classes };
}

/** Function definitions by name (the last definition wins, as in Python). */
export function functionDefinitions(functions: Node[]): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const fn of functions) {
    const name = fn.childForFieldName('name')?.text;
    if (name) out.set(name, fn);
  }
  return out;
}
