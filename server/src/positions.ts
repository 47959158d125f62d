/**
 * Position arithmetic (LSP positions: 0-based line, UTF-16 character) and the edit log that maps a
 * position in the current text back to the text an older analysis saw, so completion and hover can
 * answer from the last analysis while a newer one is still running.
 */
import type { Position, Range } from 'vscode-languageserver';

export function comparePositions(a: Position, b: Position): number {
  return a.line !== b.line ? a.line - b.line : a.character - b.character;
}

export function rangeContains(range: Range, pos: Position): boolean {
  return comparePositions(range.start, pos) <= 0 && comparePositions(pos, range.end) <= 0;
}

export function rangeInside(inner: Range, outer: Range): boolean {
  return comparePositions(outer.start, inner.start) <= 0 && comparePositions(inner.end, outer.end) <= 0;
}

export function rangesOverlap(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.end) <= 0 && comparePositions(b.start, a.end) <= 0;
}

export function sameRange(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.start) === 0 && comparePositions(a.end, b.end) === 0;
}

/** Size of a range, for picking the innermost of several containing ranges. */
export function rangeSpan(r: Range): number {
  return (r.end.line - r.start.line) * 100_000 + (r.end.character - r.start.character);
}

/** Where a text inserted at `start` ends. */
export function endOfInsertedText(start: Position, text: string): Position {
  const lines = text.split('\n');
  if (lines.length === 1) return { line: start.line, character: start.character + text.length };
  return { line: start.line + lines.length - 1, character: lines[lines.length - 1].length };
}

/** One text replacement as applied to a document: `range` in the text before, `text` inserted. */
export interface AppliedChange {
  /** The document version this change produced. */
  version: number;
  range: Range;
  text: string;
}

/**
 * Maps a position in the text after `changes` to the text before them, or null when the
 * position lies inside newly inserted text (it has no counterpart in the older text).
 */
export function mapBack(pos: Position, changes: readonly AppliedChange[]): Position | null {
  let p: Position = pos;
  for (let i = changes.length - 1; i >= 0; i--) {
    const { range, text } = changes[i];
    const insertedEnd = endOfInsertedText(range.start, text);
    if (comparePositions(p, range.start) < 0) continue;
    if (comparePositions(p, insertedEnd) < 0 && comparePositions(p, range.start) > 0) return null;
    if (comparePositions(p, range.start) === 0) continue;
    // At or after the end of the inserted text: shift by what the change added.
    p = p.line === insertedEnd.line
      ? { line: range.end.line, character: range.end.character + (p.character - insertedEnd.character) }
      : { line: p.line - (insertedEnd.line - range.end.line), character: p.character };
  }
  return p;
}

/** Like mapBack, but a position inside new text maps to where that text was inserted. */
export function mapBackClamped(pos: Position, changes: readonly AppliedChange[]): Position {
  let p: Position = pos;
  for (let i = changes.length - 1; i >= 0; i--) {
    const mapped = mapBack(p, [changes[i]]);
    p = mapped ?? changes[i].range.start;
  }
  return p;
}
