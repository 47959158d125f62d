/**
 * Tokens of Python source for the fast parser (python-parser.ts), emulating tree-sitter-python's
 * lexer and external scanner exactly where the tree shows it:
 *
 *   • NEWLINE, INDENT and DEDENT are zero-width, placed at the end of the last token (or of the
 *     comment that ends the line), as the scanner marks them;
 *   • a comment line between a block's last statement and a dedent stays in the block when it is
 *     indented at least as deep as the block (the scanner waits to dedent until such comments are
 *     consumed); otherwise the dedent comes first;
 *   • after a compound header's `:` an INDENT comes without a NEWLINE before it.
 *
 * Anything this lexer does not reproduce exactly (non-ASCII identifiers,
 * inconsistent dedents, tabs mixed into indentation, form feeds, …) throws `Unsupported`, and
 * the caller falls back to tree-sitter: the fast path either matches tree-sitter or steps aside.
 */

import { typeId } from './syntax-tree';

export class Unsupported extends Error {
  constructor(reason: string, readonly offset: number) {
    super(`fast parser: ${reason} at offset ${offset}`);
  }
}

export const enum Tok {
  Name,
  Number,
  String,
  Op,
  Newline,
  Indent,
  Dedent,
  End,
}

export interface Token {
  kind: Tok;
  /** Operator or keyword text; for names, the identifier. */
  text: string;
  start: number;
  end: number;
  /** An operator's node type id (syntax-tree.ts's table); -1 for other tokens. */
  type: number;
}

/** An extra of tree-sitter's grammar: a comment, or a line continuation (backslash-newline). */
export interface Comment {
  start: number;
  end: number;
  type?: 'line_continuation';
}

const OPERATORS = [
  '**=', '//=', '>>=', '<<=', '...', '->', ':=', '**', '//', '<<', '>>', '<=', '>=', '==', '!=', '<>',
  '+=', '-=', '*=', '/=', '%=', '@=', '&=', '|=', '^=',
  '+', '-', '*', '/', '%', '@', '&', '|', '^', '~', '<', '>', '(', ')', '[', ']', '{', '}', ',', ':', ';', '.', '=',
];
/** Operators by their first character's code, longest first (all ASCII), with their node type ids. */
const OPERATORS_BY_FIRST: ({ op: string; type: number }[] | undefined)[] = [];
for (const op of OPERATORS) (OPERATORS_BY_FIRST[op.charCodeAt(0)] ??= []).push({ op, type: typeId(op) });

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A character after digits that makes the number more than a plain integer (or a name, an error). */
const PLAIN_INTEGER_CONTINUES = /[\w.]/;
const INTEGER = /(?:0[xX](?:_?[A-Fa-f0-9]+)+[Ll]?|0[oO](?:_?[0-7]+)+[Ll]?|0[bB](?:_?[01]+)+[Ll]?|(?:[0-9]+_?)+[LljJ]?)/y;
const FLOAT = /(?:(?:[0-9]+_?)+\.(?:[0-9]+_?)*(?:[eE][+-]?(?:[0-9]+_?)+)?|\.(?:[0-9]+_?)+(?:[eE][+-]?(?:[0-9]+_?)+)?|(?:[0-9]+_?)+[eE][+-]?(?:[0-9]+_?)+)[jJ]?/y;

/** A token stream over `source[from, to)`: tokens are made as the parser asks, so they die young. */
export function lex(source: string, from = 0, to = source.length, nested = false): Lexer {
  return new Lexer(source, from, to, nested);
}

export class Lexer {
  /** Tokens made but not yet handed out (a line break makes several at once). */
  private readonly pending: Token[] = [];
  private head = 0;
  private count = 0;
  readonly comments: Comment[] = [];
  private readonly indents = [0];
  private depth = 0;
  private pos: number;
  /** End of the last token or comment on the current logical line; -1 when the line is empty. */
  private lineEnd = -1;
  private last: Token | undefined;
  private ended = false;

  constructor(
    private readonly src: string,
    from: number,
    private readonly to: number,
    /** An f-string interpolation's expression: no statements, no indentation. */
    private readonly nested: boolean,
  ) {
    this.pos = from;
    if (!nested) this.leadingIndent();
  }

  next(): Token {
    while (this.head === this.count) {
      this.head = 0;
      this.count = 0;
      if (this.pos < this.to) this.step();
      else this.finish();
    }
    return this.pending[this.head++];
  }

  private finish(): void {
    if (!this.ended) {
      this.ended = true;
      if (!this.nested) this.endOfInput();
    }
    this.emit({ kind: Tok.End, text: '', start: this.to, end: this.to, type: -1 });
  }

  private fail(reason: string): never {
    throw new Unsupported(reason, this.pos);
  }

  private leadingIndent(): void {
    const next = this.scanBlankAndCommentLines(this.pos);
    if (next.indent !== 0 && next.offset < this.to) this.fail('indented first line');
    for (const c of next.comments) this.comments.push(c);
    this.pos = next.offset;
  }

  private step(): void {
    const src = this.src;
    const c = src.charCodeAt(this.pos);
    if (c === SPACE || c === TAB || c === CR) {
      this.pos++;
    } else if (c === NL) {
      if (this.depth > 0 || this.nested) this.pos++;
      else this.lineBreak();
    } else if (c === HASH) {
      if (this.nested) this.fail('comment in an f-string');
      const end = this.commentEnd(this.pos);
      this.comments.push({ start: this.pos, end });
      this.lineEnd = end;
      this.pos = end;
    } else if (isIdentStart(c)) {
      this.nameOrString();
    } else if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(this.pos + 1)))) {
      this.number();
    } else if (c === 34 || c === 39) {
      this.string(this.pos, this.pos);
    } else if (c === 92) {
      this.lineContinuation();
    } else {
      this.operator(c);
    }
  }

  private emit(token: Token): void {
    this.pending[this.count++] = token;
    this.last = token;
  }

  /**
   * `\\` then a newline: an extra, and the logical line goes on. Before a string, the scanner
   * (looking for a string start) skips continuations as whitespace: then they are no nodes.
   */
  private lineContinuation(): void {
    const runStart = this.pos;
    const run: Comment[] = [];
    let at = this.pos;
    while (this.src.charCodeAt(at) === 92) {
      let end = at + 1;
      if (this.src.charCodeAt(end) === CR) end++;
      if (this.src.charCodeAt(end) !== NL || this.lineEnd < 0) throw new Unsupported('backslash', at);
      run.push({ start: at, end: end + 1, type: 'line_continuation' });
      at = end + 1;
      while (this.src.charCodeAt(at) === SPACE || this.src.charCodeAt(at) === TAB) at++;
    }
    const next = this.src.charCodeAt(at);
    if (next === NL || next === CR || next === HASH || at >= this.to) throw new Unsupported('continuation before a blank line', runStart);
    if (!this.startsString(at)) for (const c of run) this.comments.push(c);
    this.pos = at;
  }

  private startsString(at: number): boolean {
    let i = at;
    while (i < at + 2 && /[rRbBuUfF]/.test(this.src[i] ?? '')) i++;
    return this.src[i] === '"' || this.src[i] === "'";
  }

  private push(kind: Tok, text: string, start: number, end: number, type = -1): void {
    this.emit({ kind, text, start, end, type });
    this.lineEnd = end;
    this.pos = end;
  }

  private nameOrString(): void {
    const src = this.src;
    let end = this.pos + 1;
    while (end < this.to && isIdentPart(src.charCodeAt(end))) end++;
    const next = src.charCodeAt(end);
    if ((next === 34 || next === 39) && /^[rRbBuUfF]{1,2}$/.test(src.slice(this.pos, end))) {
      this.string(this.pos, end);
      return;
    }
    if (next > 127) this.fail('non-ASCII identifier');
    this.push(Tok.Name, src.slice(this.pos, end), this.pos, end);
  }

  private number(): void {
    // Most numbers are plain decimal integers: no regex for those.
    let digitsEnd = this.pos;
    while (isDigit(this.src.charCodeAt(digitsEnd))) digitsEnd++;
    if (digitsEnd > this.pos && digitsEnd < this.to && !PLAIN_INTEGER_CONTINUES.test(this.src[digitsEnd]) && (digitsEnd - this.pos === 1 || this.src.charCodeAt(this.pos) !== 48)) {
      this.push(Tok.Number, 'integer', this.pos, digitsEnd);
      return;
    }
    FLOAT.lastIndex = this.pos;
    const float = FLOAT.exec(this.src);
    INTEGER.lastIndex = this.pos;
    const integer = INTEGER.exec(this.src);
    const floatEnd = float ? this.pos + float[0].length : -1;
    const intEnd = integer ? this.pos + integer[0].length : -1;
    const end = Math.max(floatEnd, intEnd);
    if (end <= this.pos) this.fail('number');
    if (isIdentPart(this.src.charCodeAt(end))) this.fail('number followed by a name');
    this.push(Tok.Number, floatEnd >= intEnd ? 'float' : 'integer', this.pos, end);
  }

  /** A whole string literal as one token; the parser splits it into tree-sitter's nodes. */
  private string(start: number, quoteAt: number): void {
    const src = this.src;
    const quote = src.charCodeAt(quoteAt);
    const triple = src.charCodeAt(quoteAt + 1) === quote && src.charCodeAt(quoteAt + 2) === quote;
    const prefix = src.slice(start, quoteAt).toLowerCase();
    const raw = prefix.includes('r');
    let i = quoteAt + (triple ? 3 : 1);
    for (;;) {
      if (i >= this.to) this.fail('unterminated string');
      const c = src.charCodeAt(i);
      if (c === 92) {
        i += 2;
        if (raw && src.charCodeAt(i - 1) === CR && src.charCodeAt(i) === NL) i++;
        continue;
      }
      if (c === NL && !triple) this.fail('newline in a string');
      if (c === quote) {
        if (!triple) {
          i++;
          break;
        }
        if (src.charCodeAt(i + 1) === quote && src.charCodeAt(i + 2) === quote) {
          if (src.charCodeAt(i + 3) === quote) this.fail('quote before a closing triple quote');
          i += 3;
          break;
        }
      }
      i++;
    }
    this.push(Tok.String, prefix, start, i);
  }

  private operator(c: number): void {
    const candidates = OPERATORS_BY_FIRST[c];
    if (!candidates) this.fail(`unexpected character ${JSON.stringify(String.fromCharCode(c))}`);
    let op: string | undefined;
    let type = -1;
    for (const candidate of candidates) {
      if (this.src.startsWith(candidate.op, this.pos) && this.pos + candidate.op.length <= this.to) {
        op = candidate.op;
        type = candidate.type;
        break;
      }
    }
    if (op === undefined) this.fail('operator');
    if (op === '(' || op === '[' || op === '{') this.depth++;
    else if (op === ')' || op === ']' || op === '}') {
      if (this.depth === 0) this.fail('unbalanced bracket');
      this.depth--;
    }
    this.push(Tok.Op, op, this.pos, this.pos + op.length, type);
  }

  private commentEnd(from: number): number {
    const nl = this.src.indexOf('\n', from);
    return nl === -1 || nl > this.to ? this.to : nl;
  }

  /** From the start of a line: skips blank and comment-only lines; their comments are returned. */
  private scanBlankAndCommentLines(from: number): { offset: number; indent: number; comments: (Comment & { indent: number })[] } {
    const src = this.src;
    const comments: (Comment & { indent: number })[] = [];
    let i = from;
    for (;;) {
      let indent = 0;
      const lineStart = i;
      while (i < this.to) {
        const c = src.charCodeAt(i);
        if (c === SPACE) indent++;
        else if (c === TAB) indent += 8;
        else if (c === CR) indent = 0;
        else if (c === 12) this.fail('form feed');
        else break;
        i++;
      }
      if (i >= this.to) return { offset: this.to, indent: 0, comments };
      const c = src.charCodeAt(i);
      if (c === NL) {
        i++;
        continue;
      }
      if (c === HASH) {
        const end = this.commentEnd(i);
        comments.push({ start: i, end, indent });
        i = end;
        continue;
      }
      if (src.slice(lineStart, i).includes('\t')) this.fail('tab in indentation');
      return { offset: i, indent, comments };
    }
  }

  /** A newline outside brackets: ends a logical line, maybe opens or closes blocks. */
  private lineBreak(): void {
    const hadTokens = this.lineEnd >= 0;
    const next = this.scanBlankAndCommentLines(this.pos + 1);
    if (!hadTokens) {
      this.pos = next.offset;
      return;
    }
    const atEnd = next.offset >= this.to;
    this.closeLine(atEnd ? 0 : next.indent, next.comments);
    this.pos = next.offset;
    this.lineEnd = -1;
  }

  private endOfInput(): void {
    if (this.depth > 0) this.fail('unclosed bracket');
    if (this.lineEnd >= 0) this.closeLine(0, []);
  }

  private closeLine(nextIndent: number, comments: (Comment & { indent: number })[]): void {
    let at = this.lineEnd;
    if (this.lastTokenIs(':')) {
      if (nextIndent <= this.indent) this.fail('expected an indented block');
      this.indents.push(nextIndent);
      this.emit({ kind: Tok.Indent, text: '', start: at, end: at, type: -1 });
      for (const c of comments) this.comments.push(c);
      return;
    }
    this.emit({ kind: Tok.Newline, text: '', start: at, end: at, type: -1 });
    if (nextIndent > this.indent) this.fail('unexpected indent');
    for (const c of comments) {
      while (this.indent > nextIndent && c.indent < this.indent) this.dedent(at);
      this.comments.push(c);
      at = c.end;
    }
    while (this.indent > nextIndent) this.dedent(at);
    if (this.indent !== nextIndent) this.fail('inconsistent dedent');
  }

  /** The indentation of the innermost open block. */
  private get indent(): number {
    return this.indents[this.indents.length - 1];
  }

  private lastTokenIs(op: string): boolean {
    const last = this.last;
    return !!last && last.kind === Tok.Op && last.text === op;
  }

  private dedent(at: number): void {
    this.indents.pop();
    this.emit({ kind: Tok.Dedent, text: '', start: at, end: at, type: -1 });
  }
}
