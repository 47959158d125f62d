/**
 * Places comments and line continuations where tree-sitter puts its extras: in the innermost node whose children surround
 * the comment. tree-sitter leaves leading and trailing extras out of a node when it reduces it, so
 * a node's range always starts and ends at real children (including the zero-width NEWLINE,
 * INDENT and DEDENT tokens the lexer positioned), and "surrounded" is plain range containment.
 */
import type { Comment } from './python-lexer';
import { leafNode, type SyntaxNode, type TreeStore } from './syntax-tree';

export function placeComments(root: SyntaxNode, comments: Comment[], context: TreeStore): void {
  for (const comment of comments) {
    let node = root;
    for (;;) {
      const index = firstChildAfter(node.children, comment.start);
      const before = index > 0 ? node.children[index - 1] : undefined;
      if (before && before.children.length > 0 && before.startIndex <= comment.start && comment.end <= before.endIndex) {
        node = before;
        continue;
      }
      const leaf = leafNode(context, comment.type ?? 'comment', true, comment.start, comment.end);
      node.insertChild(index, leaf);
      break;
    }
  }
}

/** Index of the first child starting at or after `offset` (children are in source order). */
function firstChildAfter(children: SyntaxNode[], offset: number): number {
  let lo = 0;
  let hi = children.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (children[mid].startIndex < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
