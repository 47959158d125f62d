/**
 * Places comments and line continuations where tree-sitter puts its extras: in the innermost node whose children surround
 * the comment. tree-sitter leaves leading and trailing extras out of a node when it reduces it, so
 * a node's range always starts and ends at real children (including the zero-width NEWLINE,
 * INDENT and DEDENT tokens the lexer positioned), and "surrounded" is plain range containment.
 *
 * Placement goes one top-level statement at a time, as the parser finishes each (a streamed parse
 * hands a statement to the evaluator only once its subtree is final); what no statement surrounds
 * belongs to the module and is placed when the module node exists.
 */
import type { Comment } from './python-lexer';
import type { NodeId, TreeStore } from './syntax-tree';

export class CommentPlacer {
  /** The next comment not yet placed (comments come in source order). */
  private next = 0;
  private readonly moduleLevel: number[] = [];

  constructor(
    private readonly store: TreeStore,
    /** The lexer's list: it grows as the lexer goes, always past the statement just parsed. */
    private readonly comments: Comment[],
  ) {}

  /** Places the comments inside this just-finished top-level statement (and those before it, at module level). */
  statement(statement: NodeId): void {
    const { store, comments } = this;
    const start = store.starts[statement];
    const end = store.ends[statement];
    while (this.next < comments.length && comments[this.next].end <= start) this.moduleLevel.push(this.leaf(comments[this.next++]));
    const byParent = new Map<number, number[]>();
    while (this.next < comments.length && comments[this.next].end <= end && store.kidCount[statement] > 0) {
      const comment = comments[this.next++];
      const parent = this.parentWithin(statement, comment);
      const leaf = this.leaf(comment);
      const list = byParent.get(parent);
      if (list) list.push(leaf);
      else byParent.set(parent, [leaf]);
    }
    // One pass per parent (inserting one at a time would move a long child list once per comment).
    for (const [parent, leaves] of byParent) store.setKids(parent, mergeByStart(store, parent, leaves));
  }

  /** Places what is left (comments between and after statements) in the module node. */
  module(root: NodeId): void {
    while (this.next < this.comments.length) this.moduleLevel.push(this.leaf(this.comments[this.next++]));
    if (this.moduleLevel.length > 0) this.store.setKids(root, mergeByStart(this.store, root, this.moduleLevel));
  }

  private leaf(comment: Comment): number {
    return this.store.add(comment.type ?? 'comment', true, comment.start, comment.end);
  }

  /** The innermost node under `node` whose children surround the comment. */
  private parentWithin(node: NodeId, comment: Comment): NodeId {
    const store = this.store;
    for (;;) {
      const index = firstChildAfter(store, node, comment.start);
      const before = index > 0 ? store.kids[store.firstKid[node] + index - 1] : -1;
      if (before >= 0 && store.kidCount[before] > 0 && store.starts[before] <= comment.start && comment.end <= store.ends[before]) {
        node = before;
        continue;
      }
      return node;
    }
  }
}

/** The parent's children with `leaves` (in source order) placed before the first child starting at or after each. */
function mergeByStart(store: TreeStore, parent: number, leaves: number[]): number[] {
  const first = store.firstKid[parent];
  const count = store.kidCount[parent];
  const out: number[] = [];
  let i = 0;
  for (const leaf of leaves) {
    while (i < count && store.starts[store.kids[first + i]] < store.starts[leaf]) out.push(store.kids[first + i++]);
    out.push(leaf);
  }
  while (i < count) out.push(store.kids[first + i++]);
  return out;
}

/** Index of the first child of `node` starting at or after `offset` (children are in source order). */
function firstChildAfter(store: TreeStore, node: number, offset: number): number {
  const first = store.firstKid[node];
  let lo = 0;
  let hi = store.kidCount[node];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (store.starts[store.kids[first + mid]] < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
