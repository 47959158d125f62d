/**
 * Places comments and line continuations where tree-sitter puts its extras: in the innermost node whose children surround
 * the comment. tree-sitter leaves leading and trailing extras out of a node when it reduces it, so
 * a node's range always starts and ends at real children (including the zero-width NEWLINE,
 * INDENT and DEDENT tokens the lexer positioned), and "surrounded" is plain range containment.
 */
import type { Comment } from './python-lexer';
import type { NodeId, TreeStore } from './syntax-tree';

export function placeComments(root: NodeId, comments: Comment[], store: TreeStore): void {
  // Find each comment's parent among the code nodes first, then give each parent its comments in
  // one pass (inserting one at a time would move a long child list once per comment).
  const byParent = new Map<number, number[]>();
  for (const comment of comments) {
    let node = root;
    for (;;) {
      const index = firstChildAfter(store, node, comment.start);
      const before = index > 0 ? store.kids[store.firstKid[node] + index - 1] : -1;
      if (before >= 0 && store.kidCount[before] > 0 && store.starts[before] <= comment.start && comment.end <= store.ends[before]) {
        node = before;
        continue;
      }
      const leaf = store.add(comment.type ?? 'comment', true, comment.start, comment.end);
      const list = byParent.get(node);
      if (list) list.push(leaf);
      else byParent.set(node, [leaf]);
      break;
    }
  }
  for (const [parent, leaves] of byParent) store.setKids(parent, mergeByStart(store, parent, leaves));
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
