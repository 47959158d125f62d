/**
 * A plain JavaScript copy of a tree-sitter tree, made in one cursor walk.
 *
 * Why: every property read on a web-tree-sitter `Node` crosses into wasm and allocates a new
 * wrapper; the evaluator reads each node several times. One walk up front (≈15 wasm calls per node)
 * makes evaluation pure JavaScript — several times faster on large files — and the copy offers
 * the same small API the evaluator uses (`type`, `text`, `childForFieldName`, …).
 */
import type { Language, Tree } from 'web-tree-sitter';

export interface Point {
  row: number;
  column: number;
}

/** Line starts of a source text, for turning offsets into positions only when asked (also used by the server). */
export class LineIndex {
  readonly starts: number[] = [0];

  constructor(source: string) {
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  offset(point: Point): number {
    return (this.starts[point.row] ?? this.starts[this.starts.length - 1]) + point.column;
  }

  /** The row of the last lookup: evaluation asks for positions in source order, mostly on the same or next row. */
  private lastRow = 0;

  point(offset: number): Point {
    const starts = this.starts;
    const row = this.lastRow;
    if (starts[row] <= offset && (row + 1 >= starts.length || offset < starts[row + 1])) return { row, column: offset - starts[row] };
    if (row + 2 < starts.length && starts[row + 1] <= offset && offset < starts[row + 2]) {
      this.lastRow = row + 1;
      return { row: row + 1, column: offset - starts[row + 1] };
    }
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.lastRow = lo;
    return { row: lo, column: offset - this.starts[lo] };
  }
}

/** What every node of one tree shares: the text and its line index. */
export interface TreeContext {
  source: string;
  lines: LineIndex;
}

/** The children of every leaf: one frozen array, so a leaf costs no allocation of its own. */
const NO_CHILDREN: SyntaxNode[] = Object.freeze([]) as unknown as SyntaxNode[];

export class SyntaxNode {
  /** Error flags and the named-children cache live on the prototype until a node needs its own. */
  declare hasError: boolean;
  declare isMissing: boolean;
  private declare named?: SyntaxNode[];

  /** `type`, `fieldName` and `parent` are settled by the builder (the fast parser retypes patterns). */
  constructor(
    private readonly context: TreeContext,
    public type: string,
    readonly isNamed: boolean,
    public fieldName: string | null,
    readonly startIndex: number,
    readonly endIndex: number,
    public parent: SyntaxNode | null,
    public children: SyntaxNode[] = NO_CHILDREN,
  ) {}

  /** Adds a child (a leaf gets its own array on its first child). */
  appendChild(child: SyntaxNode): void {
    if (this.children === NO_CHILDREN) this.children = [];
    this.children.push(child);
  }

  insertChild(index: number, child: SyntaxNode): void {
    if (this.children === NO_CHILDREN) this.children = [];
    this.children.splice(index, 0, child);
  }

  get text(): string {
    return this.context.source.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): Point {
    return this.context.lines.point(this.startIndex);
  }

  get endPosition(): Point {
    return this.context.lines.point(this.endIndex);
  }

  get isError(): boolean {
    return this.type === 'ERROR';
  }

  get namedChildren(): SyntaxNode[] {
    this.named ??= this.children.filter((c) => c.isNamed);
    return this.named;
  }

  childForFieldName(name: string): SyntaxNode | null {
    return this.children.find((c) => c.fieldName === name) ?? null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    return this.children.filter((c) => c.fieldName === name);
  }

  /**
   * The smallest node (named or not) spanning `start`…`end`, by tree-sitter's own rule: a child
   * is entered when it starts at or before the range and ends at or after it (and after its start).
   */
  descendantForPosition(start: Point, end: Point = start): SyntaxNode {
    const from = this.context.lines.offset(start);
    const to = this.context.lines.offset(end);
    let node: SyntaxNode = this;
    for (;;) {
      const children = node.children;
      // Children are in source order and do not overlap: skip those ending before the range.
      let lo = 0;
      let hi = children.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const end = children[mid].endIndex;
        if (end < to || end <= from) lo = mid + 1;
        else hi = mid;
      }
      const child = children[lo];
      if (!child || from < child.startIndex) return node;
      node = child;
    }
  }

  descendantsOfType(type: string): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    const stack: SyntaxNode[] = [...this.children].reverse();
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.type === type) out.push(node);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
    }
    return out;
  }
}

Object.assign(SyntaxNode.prototype, { hasError: false, isMissing: false, named: undefined });

/**
 * A node over `children` for the fast parser's builders: it takes the array (an empty one leaves
 * it a leaf) and becomes their parent; its range defaults to theirs.
 */
export function parentNode(context: TreeContext, type: string, isNamed: boolean, children: SyntaxNode[], start = children[0].startIndex, end = children[children.length - 1].endIndex): SyntaxNode {
  const node = new SyntaxNode(context, type, isNamed, null, start, end, null, children.length > 0 ? children : undefined);
  for (const c of children) c.parent = node;
  return node;
}

/** Names the field a child fills in its parent; returns the child. */
export function withField(name: string, node: SyntaxNode): SyntaxNode {
  node.fieldName = name;
  return node;
}

/** Per-grammar tables, so each node costs one type-id read instead of several wasm calls. */
const grammarTables = new WeakMap<Language, { types: string[]; named: boolean[]; fields: (string | null)[] }>();

function tablesFor(language: Language) {
  let tables = grammarTables.get(language);
  if (!tables) {
    const count = language.nodeTypeCount;
    const types: string[] = [];
    const named: boolean[] = [];
    for (let id = 0; id < count; id++) {
      types.push(language.nodeTypeForId(id) ?? 'ERROR');
      named.push(language.nodeTypeIsNamed(id));
    }
    tables = { types, named, fields: [...language.fields] };
    grammarTables.set(language, tables);
  }
  return tables;
}

/** Copies `tree` (parsed from `source`) into SyntaxNodes, iteratively (deep nesting is fine). */
export function toSyntaxTree(tree: Tree, source: string): SyntaxNode {
  const { types, named, fields } = tablesFor(tree.language);
  const context: TreeContext = { source, lines: new LineIndex(source) };
  const checkMissing = tree.rootNode.hasError;
  const cursor = tree.walk();
  const make = (parent: SyntaxNode | null): SyntaxNode => {
    const typeId = cursor.nodeTypeId;
    // ERROR nodes have an id outside the grammar's table.
    const type = types[typeId] ?? 'ERROR';
    const node = new SyntaxNode(context, type, named[typeId] ?? true, fields[cursor.currentFieldId] ?? null, cursor.startIndex, cursor.endIndex, parent);
    if (checkMissing && cursor.nodeIsMissing) node.isMissing = true;
    return node;
  };
  const root = make(null);
  let current = root;
  try {
    for (;;) {
      if (cursor.gotoFirstChild()) {
        const child = make(current);
        current.appendChild(child);
        current = child;
        continue;
      }
      // Leaf: climb until a next sibling exists.
      for (;;) {
        markErrors(current);
        if (cursor.gotoNextSibling()) {
          const sibling = make(current.parent);
          current.parent!.appendChild(sibling);
          current = sibling;
          break;
        }
        if (!cursor.gotoParent()) return root;
        current = current.parent!;
      }
    }
  } finally {
    cursor.delete();
  }
}

function markErrors(node: SyntaxNode): void {
  if (node.isError || node.isMissing || node.children.some((c) => c.hasError)) node.hasError = true;
}
