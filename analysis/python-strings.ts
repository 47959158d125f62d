/**
 * String literals as tree-sitter-python builds them: string_start, string_content (with
 * escape_sequence, escape_interpolation and lone-backslash children), interpolation nodes of
 * f-strings (expression, `=`, type_conversion, format_specifier), string_end.
 * Shapes it does not reproduce (nested format specs, same-quote nesting, …) throw Unsupported.
 */
import { Unsupported, type Token } from './python-lexer';
import type { NodeId, TreeStore } from './syntax-tree';
import { F, T } from './python-node-types';

const ESCAPE = /\\(?:u[a-fA-F\d]{4}|U[a-fA-F\d]{8}|x[a-fA-F\d]{2}|\d{1,3}|\r?\n|['"abfrntv\\]|N\{[^}]+\})/y;
const BYTES_ESCAPE = /\\(?:x[a-fA-F\d]{2}|\d{1,3}|\r?\n|['"abfrntv\\])/y;

export class StringParts {
  /** The quote character of the literal being split (its content never holds it unescaped). */
  private quote = '"';

  constructor(
    private readonly ctx: TreeStore,
    /** Parses an interpolation's expression between two offsets. */
    private readonly parseExpression: (from: number, to: number) => NodeId,
  ) {}

  private node(type: number | string, children: NodeId[], start?: number, end?: number): NodeId {
    return this.ctx.node(type, true, children, start, end);
  }

  /** One string literal token as tree-sitter's string node. */
  string(t: Token): NodeId {
    const src = this.ctx.source;
    const prefix = t.text;
    const quoteAt = t.start + prefix.length;
    const quote = src[quoteAt];
    this.quote = quote;
    const quoteLength = src.startsWith(quote.repeat(3), quoteAt) && t.end - quoteAt >= 6 ? 3 : 1;
    const contentStart = quoteAt + quoteLength;
    const contentEnd = t.end - quoteLength;
    const raw = prefix.includes('r');
    const children = [this.ctx.add(T.string_start, true, t.start, contentStart)];
    if (prefix.includes('t')) throw new Unsupported('template string', t.start);
    // tree-sitter's scanner steps over raw escapes without counting them as content. A literal of
    // nothing else (r'\\', r'\'') has no string_content, its string_end starting after the prefix; in
    // raw f-strings the same happens to runs before interpolations, which the fast path leaves alone.
    const format = prefix.includes('f');
    if (raw && format && src.slice(contentStart, contentEnd).includes('\\')) throw new Unsupported('raw f-string with backslashes', t.start);
    if (raw && !format && contentEnd > contentStart && rawEscapesOnly(src, contentStart, contentEnd, quote)) {
      children.push(this.ctx.add(T.string_end, true, contentStart, t.end));
      return this.node(T.string, children);
    }
    if (format) this.formatStringParts(children, contentStart, contentEnd, raw);
    else if (contentEnd > contentStart) children.push(this.stringContent(contentStart, contentEnd, raw, prefix.includes('b')));
    children.push(this.ctx.add(T.string_end, true, contentEnd, t.end));
    return this.node(T.string, children);
  }

  /** One string_content node over [start, end), with its escape sequences as children. */
  private stringContent(start: number, end: number, raw: boolean, bytes: boolean, escapedBraces: NodeId[] = []): NodeId {
    const children: NodeId[] = [];
    if (!raw) {
      const src = this.ctx.source;
      const pattern = bytes ? BYTES_ESCAPE : ESCAPE;
      for (let at = start; at < end; ) {
        if (src.charCodeAt(at) !== 92) {
          at++;
          continue;
        }
        pattern.lastIndex = at;
        const m = pattern.exec(src);
        if (m && at + m[0].length <= end) {
          children.push(this.ctx.add(T.escape_sequence, true, at, at + m[0].length));
          at += m[0].length;
        } else if (bytes && 'NuU'.includes(src[at + 1])) {
          at += 2; // not escapes in bytes: plain content
        } else {
          // A backslash that starts no escape is its own anonymous token.
          children.push(this.ctx.add('\\', false, at, at + 1));
          at += 1;
        }
      }
    }
    if (escapedBraces.length > 0) {
      children.push(...escapedBraces);
      children.sort((a, b) => this.ctx.starts[a] - this.ctx.starts[b]);
    }
    return this.node(T.string_content, children, start, end);
  }

  /** The inside of an f-string: content runs (with `{{`/`}}` escapes) and interpolations. */
  private formatStringParts(out: NodeId[], start: number, end: number, raw: boolean): void {
    const src = this.ctx.source;
    let runStart = start;
    let escapes: NodeId[] = [];
    const flush = (at: number) => {
      if (at > runStart) out.push(this.stringContent(runStart, at, raw, false, escapes));
      escapes = [];
    };
    let at = start;
    while (at < end) {
      const c = src[at];
      if (c === '\\' && !raw) {
        at += 2;
      } else if ((c === '{' && src[at + 1] === '{') || (c === '}' && src[at + 1] === '}')) {
        escapes.push(this.ctx.add(T.escape_interpolation, true, at, at + 2));
        at += 2;
      } else if (c === '{') {
        flush(at);
        at = this.interpolation(out, at, end);
        runStart = at;
      } else if (c === '}') {
        throw new Unsupported('single } in an f-string', at);
      } else {
        at++;
      }
    }
    flush(end);
  }

  /** `{expression[=][!c][:spec]}` from `open`; returns the offset after its `}`. */
  private interpolation(out: NodeId[], open: number, limit: number): number {
    const src = this.ctx.source;
    const bounds = interpolationBounds(src, open, limit, this.quote);
    if (!bounds) throw new Unsupported('f-string interpolation', open);
    const { expressionEnd, close } = bounds;
    const expression = this.parseExpression(open + 1, expressionEnd);
    const children = [this.ctx.add('{', false, open, open + 1), this.ctx.withField(F.expression, expression)];
    let at = skipSpaces(src, expressionEnd);
    if (src[at] === '=') {
      children.push(this.ctx.add('=', false, at, at + 1));
      at = skipSpaces(src, at + 1);
    }
    if (src[at] === '!') {
      if (!/[a-z]/.test(src[at + 1] ?? '')) throw new Unsupported('type conversion', at);
      children.push(this.ctx.withField(F.type_conversion, this.ctx.add(T.type_conversion, true, at, at + 2)));
      at = skipSpaces(src, at + 2);
    }
    if (src[at] === ':') {
      if (src.slice(at, close).includes('{') || src.slice(at, close).includes('\n')) throw new Unsupported('nested format spec', at);
      const colon = this.ctx.add(':', false, at, at + 1);
      children.push(this.ctx.withField(F.format_specifier, this.node(T.format_specifier, [colon], at, close)));
      at = close;
    }
    if (at !== close) throw new Unsupported('f-string interpolation tail', at);
    children.push(this.ctx.add('}', false, close, close + 1));
    out.push(this.node(T.interpolation, children));
    return close + 1;
  }
}

/**
 * Whether [start, end) is nothing but what tree-sitter's scanner steps over in a raw string
 * without counting it as content: a backslash, then maybe the quote or another backslash, then
 * maybe a line break.
 */
function rawEscapesOnly(src: string, start: number, end: number, quote: string): boolean {
  let at = start;
  while (at < end) {
    if (src[at] !== '\\') return false;
    at++;
    if (src[at] === quote || src[at] === '\\') at++;
    if (src[at] === '\r') at++;
    if (src[at] === '\n') at++;
  }
  return at === end;
}

function skipSpaces(src: string, at: number): number {
  while (src[at] === ' ') at++;
  return at;
}

/** Where an interpolation's expression ends and where its closing brace is; undefined if unsure. */
function interpolationBounds(src: string, open: number, limit: number, outerQuote: string): { expressionEnd: number; close: number } | undefined {
  let depth = 0;
  let expressionEnd = -1;
  for (let at = open + 1; at < limit; at++) {
    const c = src[at];
    if (c === outerQuote || c === '\\' || c === '#' || c === '\n') return undefined;
    if (c === '"' || c === "'") {
      const closing = src.indexOf(c, at + 1);
      if (closing === -1 || closing >= limit || src.slice(at + 1, closing).includes('\\')) return undefined;
      at = closing;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if (c === '}') {
      if (depth > 0) {
        depth--;
        continue;
      }
      return { expressionEnd: expressionEnd === -1 ? at : expressionEnd, close: at };
    } else if (depth === 0 && expressionEnd === -1) {
      const next = src[at + 1];
      if (c === '!' && next !== '=') expressionEnd = at;
      else if (c === ':' ) expressionEnd = at;
      else if (c === '=' && next !== '=' && !'=!<>'.includes(src[at - 1])) {
        const after = src[skipSpaces(src, at + 1)];
        if (after === '}' || after === '!' || after === ':') expressionEnd = at;
      }
    }
  }
  return undefined;
}
