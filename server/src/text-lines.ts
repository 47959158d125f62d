/**
 * A text with its line starts: LSP positions ↔ offsets, and string-literal contents from the
 * text alone (cheaper than asking tree-sitter, whose every node access crosses into wasm).
 */
import type { Position, Range } from 'vscode-languageserver';
import { LineIndex } from '../../analysis/syntax-tree';

export class TextLines {
  private readonly lines: LineIndex;
  private readonly starts: readonly number[];

  /** `lines`: the syntax tree's index of the same text, when there is one (no second scan of a large file). */
  constructor(
    readonly text: string,
    lines?: LineIndex,
  ) {
    this.lines = lines ?? new LineIndex(text);
    this.starts = this.lines.starts;
  }

  /** Lines of `text`, sharing the tree's line index when the tree was parsed from that text. */
  static of(text: string, tree: { store: { source: string; lines: LineIndex } }): TextLines {
    return new TextLines(text, tree.store.source === text ? tree.store.lines : undefined);
  }

  offset(pos: Position): number | undefined {
    const start = this.starts[pos.line];
    if (start === undefined) return undefined;
    const next = this.starts[pos.line + 1] ?? this.text.length + 1;
    return start + pos.character < next ? start + pos.character : undefined;
  }

  position(offset: number): Position {
    return this.lines.position(offset);
  }

  slice(range: Range): string | undefined {
    const start = this.offset(range.start);
    const end = this.offset(range.end);
    return start === undefined || end === undefined || end < start ? undefined : this.text.slice(start, end);
  }

  /** A plain (non-f) string literal spanning exactly `range`: its value and contents range. */
  stringAt(range: Range): { value: string; range: Range } | undefined {
    const literal = this.slice(range);
    const m = literal === undefined ? null : /^([rRbBuU]{0,2})("""|'''|"|')([\s\S]*)\2$/.exec(literal);
    if (!m || m[3].includes(m[2])) return undefined;
    const open = m[1].length + m[2].length;
    return {
      value: m[3],
      range: { start: { line: range.start.line, character: range.start.character + open }, end: { line: range.end.line, character: range.end.character - m[2].length } },
    };
  }
}
