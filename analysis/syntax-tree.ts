/**
 * The syntax tree the analysis walks: tree-sitter-python's tree, stored flat.
 *
 * Why flat: a 20k-line file has ≈320k nodes. As one JS object per node (plus a children array) the
 * tree was ≈40 MB that the young-generation GC copied at least twice while the file was parsed and
 * evaluated — about half of the first analysis. Here a tree is a handful of typed arrays (one slot
 * per node, off the GC's heap), and a `SyntaxNode` is a two-field view made when asked for and
 * dropped young. Views have no identity: compare nodes with `same()`, never `===`.
 *
 * Trees come from the fast parser (python-parser.ts, building with node ids) or from a
 * copy of tree-sitter's own tree (`toSyntaxTree`, one cursor walk instead of wasm calls per read).
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

  /** The LSP-shaped position of an offset (line, character). */
  position(offset: number): { line: number; character: number } {
    const row = this.rowOf(offset);
    return { line: row, character: offset - this.starts[row] };
  }

  point(offset: number): Point {
    const row = this.rowOf(offset);
    return { row, column: offset - this.starts[row] };
  }

  /** The row of the last lookup: evaluation asks for positions in source order, mostly on the same or next row. */
  private lastRow = 0;

  private rowOf(offset: number): number {
    const starts = this.starts;
    const row = this.lastRow;
    if (starts[row] <= offset && (row + 1 >= starts.length || offset < starts[row + 1])) return row;
    if (row + 2 < starts.length && starts[row + 1] <= offset && offset < starts[row + 2]) return (this.lastRow = row + 1);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return (this.lastRow = lo);
  }
}

/**
 * A range of a source text as LSP positions, made when read. Why: a 20k-line file's graph keeps
 * ≈25k ranges (layers, references, calls) alive through the whole analysis, and the young-generation
 * GC copies each at least twice; one object of two offsets costs a third of `{start, end}` with
 * two position objects. Serialized (toJSON) as the plain `{start, end}` it stands for.
 */
export class OffsetRange {
  constructor(
    private readonly lines: LineIndex,
    private readonly from: number,
    private readonly to: number,
  ) {}

  get start(): { line: number; character: number } {
    return this.lines.position(this.from);
  }

  get end(): { line: number; character: number } {
    return this.lines.position(this.to);
  }

  toJSON(): { start: { line: number; character: number }; end: { line: number; character: number } } {
    return { start: this.start, end: this.end };
  }
}

/** Node type and field names, interned once per process: a node stores their small ids. */
class Names {
  readonly names: (string | null)[];
  private readonly ids = new Map<string, number>();

  constructor(
    private readonly limit: number,
    first: string | null,
  ) {
    this.names = [first];
    if (first !== null) this.ids.set(first, 0);
  }

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      // Types come from the grammar and the fast parser's fixed tokens; a flood means a bug, not input.
      if (this.names.length >= this.limit) throw new Error(`syntax tree: more than ${this.limit} distinct names`);
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  /** The id of a name, or -1 when no node has ever had it (no lookup can match). */
  find(name: string): number {
    return this.ids.get(name) ?? -1;
  }
}

const TYPES = new Names(0xffff, 'ERROR');
const FIELDS = new Names(0xff, null);

/** The id of a node type name, for builders that resolve their types once (python-node-types.ts). */
export function typeId(name: string): number {
  return TYPES.id(name);
}

/** The id of a field name (see typeId). */
export function fieldId(name: string): number {
  return FIELDS.id(name);
}

const NAMED = 1;
const HAS_ERROR = 2;
const MISSING = 4;

/** A TreeStore's columns: one slot per node (`kids`: the child lists, back to back). */
export interface TreeColumns<B extends ArrayBufferLike = ArrayBufferLike> {
  types: B;
  fields: B;
  flags: B;
  starts: B;
  ends: B;
  parents: B;
  firstKid: B;
  kidCount: B;
  kids: B;
}

/** Columns in shared memory, for a tree one thread builds while another reads it (parse-stream.ts). */
export type SharedTreeColumns = TreeColumns<SharedArrayBuffer>;

/** A node of a TreeStore, by index (the fast parser builds with ids). */
export type NodeId = number;

/** One tree's storage: per-node columns, and the child lists (each node's children contiguous in `kids`). */
export class TreeStore {
  readonly lines: LineIndex;
  count = 0;
  types: Uint16Array;
  fields: Uint8Array;
  flags: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  parents: Int32Array;
  firstKid: Int32Array;
  kidCount: Int32Array;
  kids: Int32Array;
  kidsUsed = 0;

  /** Set when the columns live in shared memory (a streamed parse): they cannot be replaced by bigger ones. */
  private readonly shared: boolean;

  constructor(
    readonly source: string,
    // About one node per two characters of Python; grown by doubling when a file is denser.
    columns: TreeColumns = TreeStore.columns(256 + (source.length >> 1)),
  ) {
    this.lines = new LineIndex(source);
    this.shared = columns.types instanceof SharedArrayBuffer;
    this.types = new Uint16Array(columns.types);
    this.fields = new Uint8Array(columns.fields);
    this.flags = new Uint8Array(columns.flags);
    this.starts = new Int32Array(columns.starts);
    this.ends = new Int32Array(columns.ends);
    this.parents = new Int32Array(columns.parents);
    this.firstKid = new Int32Array(columns.firstKid);
    this.kidCount = new Int32Array(columns.kidCount);
    this.kids = new Int32Array(columns.kids);
  }

  /** Fresh (zeroed) columns with room for `nodes` nodes. */
  static columns(nodes: number): TreeColumns<ArrayBuffer> {
    return columnsOf(nodes, (bytes) => new ArrayBuffer(bytes));
  }

  /**
   * Columns in shared memory (they cannot grow). They can be used again for the next tree: `add`
   * clears every slot a node reads.
   */
  static sharedColumns(nodes: number): SharedTreeColumns {
    return columnsOf(nodes, (bytes) => new SharedArrayBuffer(bytes));
  }

  /** Room for the densest Python (about a node per character): a shared tree cannot grow. */
  static sharedCapacity(source: string): number {
    return 256 + source.length + (source.length >> 1);
  }

  static capacityOf(columns: SharedTreeColumns): number {
    return columns.flags.byteLength;
  }

  /** A new node of `type` (an id from `typeId`, or the name), childless until setKids; returns its id. */
  add(type: number | string, named: boolean, start: number, end: number): number {
    if (this.count === this.types.length) this.grow();
    const id = this.count++;
    this.types[id] = typeof type === 'number' ? type : TYPES.id(type);
    this.flags[id] = named ? NAMED : 0;
    this.starts[id] = start;
    this.ends[id] = end;
    this.parents[id] = -1;
    // Fresh columns are zero; shared ones may hold an earlier tree's node here.
    this.fields[id] = 0;
    this.kidCount[id] = 0;
    return id;
  }

  /** Gives `id` these children (in source order) and makes it their parent. */
  setKids(id: number, kids: readonly number[]): void {
    while (this.kidsUsed + kids.length > this.kids.length) this.kids = this.grown(this.kids, this.kids.length * 2);
    const first = this.kidsUsed;
    for (let i = 0; i < kids.length; i++) {
      this.kids[first + i] = kids[i];
      this.parents[kids[i]] = id;
    }
    this.firstKid[id] = first;
    this.kidCount[id] = kids.length;
    this.kidsUsed += kids.length;
  }

  private grow(): void {
    const size = this.types.length * 2;
    this.types = this.grown(this.types, size);
    this.fields = this.grown(this.fields, size);
    this.flags = this.grown(this.flags, size);
    this.starts = this.grown(this.starts, size);
    this.ends = this.grown(this.ends, size);
    this.parents = this.grown(this.parents, size);
    this.firstKid = this.grown(this.firstKid, size);
    this.kidCount = this.grown(this.kidCount, size);
  }

  private grown<T extends Uint8Array | Uint16Array | Int32Array>(array: T, size: number): T {
    // A RangeError, like a stack overflow: the fast parser steps aside and tree-sitter parses.
    if (this.shared) throw new RangeError('syntax tree: shared columns are full');
    const out = new (array.constructor as new (n: number) => T)(size);
    out.set(array);
    return out;
  }

  // ───────────── building (the fast parser works with node ids; views are for readers) ─────────────

  /** A node over `kids` (ids, in source order), which it becomes the parent of; its range defaults to theirs. */
  node(type: number | string, named: boolean, kids: NodeId[], start = this.starts[kids[0]], end = this.ends[kids[kids.length - 1]]): NodeId {
    const id = this.add(type, named, start, end);
    if (kids.length > 0) this.setKids(id, kids);
    return id;
  }

  /** Names the field `id` fills in its parent; returns `id`. */
  withField(field: number | string, id: NodeId): NodeId {
    this.fields[id] = typeof field === 'number' ? field : FIELDS.id(field);
    return id;
  }

  typeOf(id: NodeId): string {
    return TYPES.names[this.types[id]]!;
  }

  /** The fast parser retypes nodes it learns are patterns. */
  setType(id: NodeId, type: string): void {
    this.types[id] = TYPES.id(type);
  }

  isNamed(id: NodeId): boolean {
    return (this.flags[id] & NAMED) !== 0;
  }

  kidsOf(id: NodeId): NodeId[] {
    return Array.from(this.kids.subarray(this.firstKid[id], this.firstKid[id] + this.kidCount[id]));
  }

  view(id: NodeId): SyntaxNode {
    return new SyntaxNode(this, id);
  }
}

function columnsOf<B extends ArrayBufferLike>(nodes: number, buffer: (bytes: number) => B): TreeColumns<B> {
  const column = (bytes: number) => buffer(nodes * bytes);
  return { types: column(2), fields: column(1), flags: column(1), starts: column(4), ends: column(4), parents: column(4), firstKid: column(4), kidCount: column(4), kids: column(4) };
}

/** A view of one node of a TreeStore (tree-sitter's node API, the part the analysis uses). */
export class SyntaxNode {
  constructor(
    readonly store: TreeStore,
    readonly id: number,
  ) {}

  /** The same node of the same tree (views are made on demand, so `===` says nothing). */
  same(other: SyntaxNode | null | undefined): boolean {
    return !!other && other.id === this.id && other.store === this.store;
  }

  get type(): string {
    return this.store.typeOf(this.id);
  }

  get isNamed(): boolean {
    return this.store.isNamed(this.id);
  }

  get fieldName(): string | null {
    return FIELDS.names[this.store.fields[this.id]];
  }

  get startIndex(): number {
    return this.store.starts[this.id];
  }

  get endIndex(): number {
    return this.store.ends[this.id];
  }

  get hasError(): boolean {
    return (this.store.flags[this.id] & HAS_ERROR) !== 0;
  }

  get isMissing(): boolean {
    return (this.store.flags[this.id] & MISSING) !== 0;
  }

  get isError(): boolean {
    return this.type === 'ERROR';
  }

  get parent(): SyntaxNode | null {
    const parent = this.store.parents[this.id];
    return parent < 0 ? null : new SyntaxNode(this.store, parent);
  }

  get children(): SyntaxNode[] {
    const { kids, firstKid, kidCount } = this.store;
    const first = firstKid[this.id];
    const out = new Array<SyntaxNode>(kidCount[this.id]);
    for (let i = 0; i < out.length; i++) out[i] = new SyntaxNode(this.store, kids[first + i]);
    return out;
  }

  get namedChildren(): SyntaxNode[] {
    return this.namedKids(-1);
  }

  get firstNamedChild(): SyntaxNode | null {
    const { kids, firstKid, kidCount, flags } = this.store;
    for (let i = firstKid[this.id], end = i + kidCount[this.id]; i < end; i++) if (flags[kids[i]] & NAMED) return new SyntaxNode(this.store, kids[i]);
    return null;
  }

  /** Named children other than `type` (the evaluator skips comments): one pass, no view for the rest. */
  namedChildrenExcept(type: string): SyntaxNode[] {
    return this.namedKids(TYPES.find(type));
  }

  /** Views of the named children whose type id is not `skip` (-1: all of them). */
  private namedKids(skip: number): SyntaxNode[] {
    const { kids, firstKid, kidCount, flags, types } = this.store;
    const out: SyntaxNode[] = [];
    for (let i = firstKid[this.id], end = i + kidCount[this.id]; i < end; i++) {
      const kid = kids[i];
      if (flags[kid] & NAMED && types[kid] !== skip) out.push(new SyntaxNode(this.store, kid));
    }
    return out;
  }

  /** The node's range as an LSP range (line, character). */
  get range(): { readonly start: { line: number; character: number }; readonly end: { line: number; character: number } } {
    return new OffsetRange(this.store.lines, this.startIndex, this.endIndex);
  }

  get text(): string {
    return this.store.source.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): Point {
    return this.store.lines.point(this.startIndex);
  }

  get endPosition(): Point {
    return this.store.lines.point(this.endIndex);
  }

  childForFieldName(name: string): SyntaxNode | null {
    const field = FIELDS.find(name);
    const { kids, firstKid, kidCount, fields } = this.store;
    for (let i = firstKid[this.id], end = i + kidCount[this.id]; i < end; i++) if (fields[kids[i]] === field) return new SyntaxNode(this.store, kids[i]);
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    const field = FIELDS.find(name);
    const { kids, firstKid, kidCount, fields } = this.store;
    const out: SyntaxNode[] = [];
    for (let i = firstKid[this.id], end = i + kidCount[this.id]; i < end; i++) if (fields[kids[i]] === field) out.push(new SyntaxNode(this.store, kids[i]));
    return out;
  }

  /**
   * The smallest node (named or not) spanning `start`…`end`, by tree-sitter's own rule: a child
   * is entered when it starts at or before the range and ends at or after it (and after its start).
   */
  descendantForPosition(start: Point, end: Point = start): SyntaxNode {
    const { lines, kids, firstKid, kidCount, starts, ends } = this.store;
    const from = lines.offset(start);
    const to = lines.offset(end);
    let node = this.id;
    for (;;) {
      // Children are in source order and do not overlap: skip those ending before the range.
      let lo = firstKid[node];
      let hi = lo + kidCount[node];
      const last = hi;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const childEnd = ends[kids[mid]];
        if (childEnd < to || childEnd <= from) lo = mid + 1;
        else hi = mid;
      }
      if (lo === last || from < starts[kids[lo]]) return new SyntaxNode(this.store, node);
      node = kids[lo];
    }
  }

  descendantsOfType(type: string): SyntaxNode[] {
    const wanted = TYPES.find(type);
    const { kids, firstKid, kidCount, types } = this.store;
    const out: SyntaxNode[] = [];
    const stack: number[] = [];
    for (let i = firstKid[this.id] + kidCount[this.id] - 1; i >= firstKid[this.id]; i--) stack.push(kids[i]);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (types[node] === wanted) out.push(new SyntaxNode(this.store, node));
      for (let i = firstKid[node] + kidCount[node] - 1; i >= firstKid[node]; i--) stack.push(kids[i]);
    }
    return out;
  }
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

/** Copies `tree` (parsed from `source`) into a TreeStore, iteratively (deep nesting is fine); returns its root. */
export function toSyntaxTree(tree: Tree, source: string): SyntaxNode {
  const { types, named, fields } = tablesFor(tree.language);
  const store = new TreeStore(source);
  const checkMissing = tree.rootNode.hasError;
  const cursor = tree.walk();
  const make = (): number => {
    const typeId = cursor.nodeTypeId;
    // ERROR nodes have an id outside the grammar's table.
    const id = store.add(types[typeId] ?? 'ERROR', named[typeId] ?? true, cursor.startIndex, cursor.endIndex);
    const field = fields[cursor.currentFieldId];
    if (field) store.fields[id] = FIELDS.id(field);
    if (checkMissing && cursor.nodeIsMissing) store.flags[id] |= MISSING;
    return id;
  };
  // The path from the root to the current node, and the children collected so far at each level.
  const path = [make()];
  const kids: number[][] = [[]];
  try {
    for (;;) {
      if (cursor.gotoFirstChild()) {
        const child = make();
        kids[kids.length - 1].push(child);
        path.push(child);
        kids.push([]);
        continue;
      }
      // No children left here: close nodes until one has a next sibling.
      for (;;) {
        close(store, path.pop()!, kids.pop()!);
        if (path.length === 0) return new SyntaxNode(store, 0);
        if (cursor.gotoNextSibling()) {
          const sibling = make();
          kids[kids.length - 1].push(sibling);
          path.push(sibling);
          kids.push([]);
          break;
        }
        if (!cursor.gotoParent()) {
          while (path.length > 0) close(store, path.pop()!, kids.pop()!);
          return new SyntaxNode(store, 0);
        }
      }
    }
  } finally {
    cursor.delete();
  }
}

function close(store: TreeStore, id: number, kids: number[]): void {
  if (kids.length > 0) store.setKids(id, kids);
  const error = TYPES.names[store.types[id]] === 'ERROR' || (store.flags[id] & MISSING) !== 0 || kids.some((k) => (store.flags[k] & HAS_ERROR) !== 0);
  if (error) store.flags[id] |= HAS_ERROR;
}
