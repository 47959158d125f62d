/**
 * What is under the cursor in the current text: a string literal's contents or an identifier.
 * Text-based, so it works on a version newer than the last analysis and inside broken code.
 */
import type { Position, Range } from 'vscode-languageserver';
import { maskStringsAndComments } from './name-slot';

export type Token =
  | { kind: 'string'; value: string; range: Range }
  | { kind: 'identifier'; name: string; range: Range; afterDot: boolean };

export function tokenAt(lineText: string, position: Position): Token | undefined {
  const col = position.character;
  const masked = maskStringsAndComments(lineText).masked;
  // Inside (or on the quotes of) a single-line string?
  for (const m of lineText.matchAll(/([rRbBuU]{0,2})(["'])((?:\\.|(?!\2).)*)\2/g)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (masked[start + m[1].length] !== m[2]) continue; // that quote is inside another string or a comment
    if (col >= start && col <= end && col !== end) {
      const contentStart = start + m[1].length + 1;
      return {
        kind: 'string',
        value: m[3],
        range: { start: { line: position.line, character: contentStart }, end: { line: position.line, character: contentStart + m[3].length } },
      };
    }
  }
  if (masked[col] === ' ' && lineText[col] !== ' ' && lineText[col] !== undefined) return undefined; // in a comment or string
  let start = col;
  let end = col;
  while (start > 0 && /\w/.test(lineText[start - 1])) start--;
  while (end < lineText.length && /\w/.test(lineText[end])) end++;
  if (start === end || /^\d/.test(lineText.slice(start, end))) return undefined;
  return {
    kind: 'identifier',
    name: lineText.slice(start, end),
    range: { start: { line: position.line, character: start }, end: { line: position.line, character: end } },
    afterDot: /\.\s*$/.test(lineText.slice(0, start)),
  };
}
