/**
 * The expression half of the fast parser (see python-parser.ts): tokens, expressions, targets,
 * arguments, parameters, type annotations and strings, as tree-sitter-python builds them.
 * The statement parser extends it.
 */
import { lex, Tok, Unsupported, type Lexer, type Token } from './python-lexer';
import { StringParts } from './python-strings';
import type { NodeId, TreeStore } from './syntax-tree';
import { F, T } from './python-node-types';

const RESERVED = new Set([
  'False', 'await', 'else', 'import', 'pass', 'None', 'break', 'except', 'in', 'raise', 'True', 'class', 'finally', 'is', 'return',
  'and', 'continue', 'for', 'lambda', 'try', 'as', 'def', 'from', 'nonlocal', 'while', 'assert', 'del', 'global', 'not', 'with',
  'async', 'elif', 'if', 'or', 'yield',
]);

const BINARY_PRECEDENCE: Record<string, number> = {
  '|': 14, '&': 15, '^': 16, '<<': 17, '>>': 17, '+': 18, '-': 18, '*': 19, '@': 19, '/': 19, '%': 19, '//': 19, '**': 21,
};
const COMPARISON = new Set(['<', '<=', '==', '!=', '>=', '>', '<>', 'in', 'is']);
export const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '@=', '//=', '%=', '**=', '>>=', '<<=', '&=', '^=', '|=']);

export class ExpressionParser {
  /** The current token and, once asked for, the one after it. */
  protected current: Token;
  protected ahead: Token | undefined;
  protected readonly firstStart: number;
  private readonly stringParts: StringParts;

  constructor(
    protected readonly ctx: TreeStore,
    protected readonly lexer: Lexer,
  ) {
    this.current = lexer.next();
    this.firstStart = this.current.kind === Tok.End ? -1 : this.current.start;
    this.stringParts = new StringParts(ctx, (from, to) => this.interpolatedExpression(from, to));
  }
  // ───────────── token helpers ─────────────

  protected get tok(): Token {
    return this.current;
  }

  /** Moves to the next token; returns the one left. */
  protected advance(): Token {
    const t = this.current;
    this.current = this.ahead ?? this.lexer.next();
    this.ahead = undefined;
    return t;
  }

  /** The current token's kind (a call, so checks after a consuming call are not narrowed away). */
  protected kind(): Tok {
    return this.current.kind;
  }

  /** The token after the current one. */
  protected peek(): Token {
    this.ahead ??= this.lexer.next();
    return this.ahead;
  }

  /** The current token is this operator or keyword. */
  protected is(text: string): boolean {
    const t = this.current;
    return (t.kind === Tok.Op || t.kind === Tok.Name) && t.text === text;
  }

  protected fail(reason: string): never {
    throw new Unsupported(reason, this.tok.start);
  }

  /** Consumes `text` (an operator or keyword) as an anonymous node. */
  protected expect(text: string): NodeId {
    if (!this.is(text)) this.fail(`expected ${JSON.stringify(text)}`);
    return this.anonymous();
  }

  protected anonymous(): NodeId {
    const t = this.advance();
    return this.ctx.add(t.type >= 0 ? t.type : t.text, false, t.start, t.end);
  }

  protected leaf(type: number | string): NodeId {
    const t = this.advance();
    return this.ctx.add(type, true, t.start, t.end);
  }

  /** A named node that takes ownership of `children` (the array becomes its own). */
  protected node(type: number | string, children: NodeId[], start?: number, end?: number): NodeId {
    return this.ctx.node(type, true, children, start, end);
  }

  protected hidden(kind: Tok): Token {
    if (this.tok.kind !== kind) this.fail('unexpected token');
    return this.advance();
  }

  protected identifier(): NodeId {
    const t = this.tok;
    if (t.kind !== Tok.Name || RESERVED.has(t.text)) this.fail('expected a name');
    return this.leaf(T.identifier);
  }

  protected atStatementEnd(): boolean {
    const k = this.tok.kind;
    return k === Tok.Newline || k === Tok.End || this.is(';');
  }

  /** An expression parsed as a target becomes tree-sitter's pattern node. */
  protected toPattern(node: NodeId): NodeId {
    const type = this.ctx.typeOf(node);
    switch (type) {
      case 'identifier':
      case 'attribute':
      case 'subscript':
      case ',':
        return node;
      case 'tuple':
      case 'list':
        this.ctx.setType(node, `${type}_pattern`);
        for (const c of this.ctx.kidsOf(node)) if (this.ctx.isNamed(c)) this.toPattern(c);
        return node;
      case 'pattern_list':
        return node;
      case 'list_splat': {
        const inner = this.ctx.kidsOf(node)[1];
        if (!['identifier', 'attribute', 'subscript'].includes(this.ctx.typeOf(inner))) this.fail('starred target');
        this.ctx.setType(node, 'list_splat_pattern');
        return node;
      }
      default:
        this.fail(`target ${type}`);
    }
  }

  /** `_expressions`: an expression or an expression_list. */
  protected expressions(): NodeId {
    const first = this.expression();
    if (!this.is(',')) return first;
    const items = [first];
    while (this.is(',')) {
      items.push(this.anonymous());
      if (this.atStatementEnd() || this.is(':') || this.is('from') || this.is(')')) break;
      items.push(this.expression());
    }
    return this.node(T.expression_list, items);
  }

  protected yieldExpression(): NodeId {
    const children = [this.anonymous()];
    if (this.is('from')) children.push(this.anonymous(), this.expression());
    else if (!this.atStatementEnd() && !this.is(')') && !this.is('=')) children.push(this.expressions());
    return this.node(T.yield, children);
  }

  protected field(field: number, node: NodeId): NodeId {
    return this.ctx.withField(field, node);
  }

  // ───────────── parameters and types ─────────────

  protected parameters(): NodeId {
    const children = [this.expect('(')];
    while (!this.is(')')) {
      children.push(this.parameter(true));
      if (!this.is(',')) break;
      children.push(this.anonymous());
    }
    children.push(this.expect(')'));
    return this.node(T.parameters, children);
  }

  protected parameter(typed: boolean): NodeId {
    if (this.is('*') || this.is('**')) {
      const star = this.anonymous();
      if (this.ctx.typeOf(star) === '*' && (this.is(',') || this.is(')') || this.is(':'))) {
        if (this.is(':') && typed) this.fail('typed keyword separator');
        return this.node(T.keyword_separator, [star]);
      }
      const splat = this.node(this.ctx.typeOf(star) === '*' ? T.list_splat_pattern : T.dictionary_splat_pattern, [star, this.identifier()]);
      if (typed && this.is(':')) return this.node(T.typed_parameter, [splat, this.anonymous(), this.field(F.type, this.typeNode())]);
      return splat;
    }
    if (this.is('/')) return this.node(T.positional_separator, [this.anonymous()]);
    const name = this.identifier();
    if (typed && this.is(':')) {
      const colon = this.anonymous();
      const type = this.field(F.type, this.typeNode());
      if (!this.is('=')) return this.node(T.typed_parameter, [name, colon, type]);
      return this.node(T.typed_default_parameter, [this.field(F.name, name), colon, type, this.anonymous(), this.field(F.value, this.expression())]);
    }
    if (this.is('=')) return this.node(T.default_parameter, [this.field(F.name, name), this.anonymous(), this.field(F.value, this.expression())]);
    return name;
  }

  /** A type annotation: generic types as tree-sitter builds them; other shapes only where unambiguous. */
  protected typeNode(): NodeId {
    if (this.tok.kind === Tok.Name && !RESERVED.has(this.tok.text) && this.peek().text === '[' && this.peek().kind === Tok.Op) {
      const generic = this.node(T.generic_type, [this.identifier(), this.typeParameter()]);
      if (this.kind() === Tok.Op && !this.is('=') && !this.is(':') && !this.is(',') && !this.is(']') && !this.is(')')) this.fail('generic type in an expression');
      return this.node(T.type, [generic]);
    }
    const expression = this.expression();
    if (!plainTypeExpression(this.ctx, expression)) this.fail('type annotation shape');
    return this.node(T.type, [expression]);
  }

  protected typeParameter(): NodeId {
    const children = [this.expect('[')];
    for (;;) {
      if (this.is('[') || this.is('*') || this.is('**')) this.fail('type parameter shape');
      children.push(this.typeNode());
      if (!this.is(',')) break;
      children.push(this.anonymous());
      if (this.is(']')) break;
    }
    children.push(this.expect(']'));
    return this.node(T.type_parameter, children);
  }

  // ───────────── expressions ─────────────

  protected expression(allowConditional = true): NodeId {
    if (this.is('lambda')) return this.lambda(allowConditional);
    if (this.tok.kind === Tok.Name && this.peek().kind === Tok.Op && this.peek().text === ':=') {
      const name = this.field(F.name, this.identifier());
      return this.node(T.named_expression, [name, this.anonymous(), this.field(F.value, this.expression())]);
    }
    const test = this.orTest();
    if (!allowConditional || !this.is('if')) return test;
    const ifToken = this.anonymous();
    const condition = this.orTest();
    const elseToken = this.expect('else');
    return this.node(T.conditional_expression, [test, ifToken, condition, elseToken, this.expression()]);
  }

  protected lambda(allowConditional: boolean): NodeId {
    if (!allowConditional) this.fail('lambda in a comprehension clause');
    const children = [this.anonymous()];
    if (!this.is(':')) {
      const params: NodeId[] = [];
      for (;;) {
        params.push(this.parameter(false));
        if (!this.is(',')) break;
        params.push(this.anonymous());
        if (this.is(':')) break;
      }
      children.push(this.field(F.parameters, this.node(T.lambda_parameters, params)));
    }
    children.push(this.expect(':'), this.field(F.body, this.expression()));
    return this.node(T.lambda, children);
  }

  protected orTest(): NodeId {
    let left = this.andTest();
    while (this.is('or')) left = this.node(T.boolean_operator, [this.field(F.left, left), this.field(F.operator, this.anonymous()), this.field(F.right, this.andTest())]);
    return left;
  }

  protected andTest(): NodeId {
    let left = this.notTest();
    while (this.is('and')) left = this.node(T.boolean_operator, [this.field(F.left, left), this.field(F.operator, this.anonymous()), this.field(F.right, this.notTest())]);
    return left;
  }

  protected notTest(): NodeId {
    if (!this.is('not')) return this.comparison();
    return this.node(T.not_operator, [this.anonymous(), this.field(F.argument, this.notTest())]);
  }

  protected comparison(): NodeId {
    const first = this.binary(14);
    if (!this.atComparisonOperator()) return first;
    const children = [first];
    while (this.atComparisonOperator()) {
      children.push(this.field(F.operators, this.comparisonOperator()));
      children.push(this.binary(14));
    }
    return this.node(T.comparison_operator, children);
  }

  protected atComparisonOperator(): boolean {
    const t = this.tok;
    if (t.kind === Tok.Op) return COMPARISON.has(t.text);
    if (t.kind !== Tok.Name) return false;
    if (t.text === 'in' || t.text === 'is') return true;
    return t.text === 'not' && this.peek().kind === Tok.Name && this.peek().text === 'in';
  }

  protected comparisonOperator(): NodeId {
    if (this.is('not')) {
      const not = this.anonymous();
      const inToken = this.anonymous();
      return this.compound('not in', not, inToken);
    }
    if (this.is('is') && this.peek().kind === Tok.Name && this.peek().text === 'not') {
      const is = this.anonymous();
      return this.compound('is not', is, this.anonymous());
    }
    return this.anonymous();
  }

  /** An anonymous node made of two keywords (`not in`, `is not`). */
  protected compound(type: number | string, a: NodeId, b: NodeId): NodeId {
    return this.ctx.node(type, false, [a, b]);
  }

  protected binary(minPrecedence: number): NodeId {
    let left = this.unary();
    for (;;) {
      const t = this.tok;
      const precedence = t.kind === Tok.Op ? BINARY_PRECEDENCE[t.text] : undefined;
      if (precedence === undefined || precedence < minPrecedence) return left;
      const operator = this.field(F.operator, this.anonymous());
      const right = this.binary(t.text === '**' ? precedence : precedence + 1);
      left = this.node(T.binary_operator, [this.field(F.left, left), operator, this.field(F.right, right)]);
    }
  }

  protected unary(): NodeId {
    if (this.is('+') || this.is('-') || this.is('~')) {
      const operator = this.field(F.operator, this.anonymous());
      return this.node(T.unary_operator, [operator, this.field(F.argument, this.binary(21))]);
    }
    if (this.is('await')) return this.node(T.await, [this.anonymous(), this.binary(21)]);
    return this.postfix(this.atom());
  }

  protected postfix(start: NodeId): NodeId {
    let node = start;
    for (;;) {
      if (this.is('.')) {
        node = this.node(T.attribute, [this.field(F.object, node), this.anonymous(), this.field(F.attribute, this.identifier())]);
      } else if (this.is('(')) {
        node = this.node(T.call, [this.field(F.function, node), this.field(F.arguments, this.argumentList())]);
      } else if (this.is('[')) {
        node = this.subscript(node);
      } else {
        return node;
      }
    }
  }

  protected subscript(value: NodeId): NodeId {
    const children = [this.field(F.value, value), this.anonymous()];
    for (;;) {
      children.push(this.field(F.subscript, this.sliceOrExpression()));
      if (!this.is(',')) break;
      children.push(this.anonymous());
      if (this.is(']')) break;
    }
    children.push(this.expect(']'));
    return this.node(T.subscript, children);
  }

  protected sliceOrExpression(): NodeId {
    const parts: NodeId[] = [];
    if (!this.is(':')) {
      const e = this.expression();
      if (!this.is(':')) return e;
      parts.push(e);
    }
    parts.push(this.anonymous());
    if (!this.is(':') && !this.is(',') && !this.is(']')) parts.push(this.expression());
    if (this.is(':')) {
      parts.push(this.anonymous());
      if (!this.is(',') && !this.is(']')) parts.push(this.expression());
    }
    return this.node(T.slice, parts);
  }

  protected atom(): NodeId {
    const t = this.tok;
    switch (t.kind) {
      case Tok.Name:
        if (t.text === 'True') return this.leaf(T.true);
        if (t.text === 'False') return this.leaf(T.false);
        if (t.text === 'None') return this.leaf(T.none);
        return this.identifier();
      case Tok.Number:
        return this.leaf(t.text === 'integer' ? T.integer : T.float);
      case Tok.String:
        return this.strings();
      case Tok.Op:
        switch (t.text) {
          case '(': return this.parenthesized();
          case '[': return this.bracketed();
          case '{': return this.braced();
          case '...': return this.leaf(T.ellipsis);
        }
    }
    return this.fail(`unexpected ${JSON.stringify(t.text || `token kind ${t.kind}`)}`);
  }

  /** An element of a collection or a starred target: `*x` or an expression. */
  protected starredOrExpression(): NodeId {
    if (this.is('*')) return this.node(T.list_splat, [this.anonymous(), this.expression()]);
    return this.expression();
  }

  protected collectionElement(): NodeId {
    if (this.is('yield')) return this.yieldExpression();
    if (this.is('*')) {
      if (this.peek().text === '(' && this.peek().kind === Tok.Op) this.fail('parenthesized list splat');
      return this.node(T.list_splat, [this.anonymous(), this.expression()]);
    }
    return this.expression();
  }

  /** Elements after the first, up to `closing`; commas and a trailing comma included. */
  protected restOfCollection(children: NodeId[], closing: string): void {
    while (this.is(',')) {
      children.push(this.anonymous());
      if (this.is(closing)) break;
      children.push(this.collectionElement());
    }
    children.push(this.expect(closing));
  }

  protected parenthesized(): NodeId {
    const open = this.anonymous();
    if (this.is(')')) return this.node(T.tuple, [open, this.anonymous()]);
    const first = this.collectionElement();
    if (this.is('for')) return this.comprehension(T.generator_expression, open, first, ')');
    if (this.is(')') && this.ctx.typeOf(first) !== 'list_splat') return this.node(T.parenthesized_expression, [open, first, this.anonymous()]);
    if (!this.is(',')) this.fail('parenthesized shape');
    const children = [open, first];
    this.restOfCollection(children, ')');
    return this.node(T.tuple, children);
  }

  protected bracketed(): NodeId {
    const open = this.anonymous();
    if (this.is(']')) return this.node(T.list, [open, this.anonymous()]);
    const first = this.collectionElement();
    if (this.is('for')) return this.comprehension(T.list_comprehension, open, first, ']');
    const children = [open, first];
    this.restOfCollection(children, ']');
    return this.node(T.list, children);
  }

  protected braced(): NodeId {
    const open = this.anonymous();
    if (this.is('}')) return this.node(T.dictionary, [open, this.anonymous()]);
    const first = this.dictionaryElementOrExpression();
    if (this.ctx.typeOf(first) === 'pair' || this.ctx.typeOf(first) === 'dictionary_splat') {
      if (this.is('for')) {
        if (this.ctx.typeOf(first) !== 'pair') this.fail('splat in a comprehension');
        return this.comprehension(T.dictionary_comprehension, open, first, '}');
      }
      const children = [open, first];
      while (this.is(',')) {
        children.push(this.anonymous());
        if (this.is('}')) break;
        const element = this.dictionaryElementOrExpression();
        if (this.ctx.typeOf(element) !== 'pair' && this.ctx.typeOf(element) !== 'dictionary_splat') this.fail('mixed dictionary');
        children.push(element);
      }
      children.push(this.expect('}'));
      return this.node(T.dictionary, children);
    }
    if (this.is('for')) return this.comprehension(T.set_comprehension, open, first, '}');
    const children = [open, first];
    this.restOfCollection(children, '}');
    return this.node(T.set, children);
  }

  protected dictionaryElementOrExpression(): NodeId {
    if (this.is('**')) return this.node(T.dictionary_splat, [this.anonymous(), this.expression()]);
    const first = this.collectionElement();
    if (!this.is(':')) return first;
    return this.node(T.pair, [this.field(F.key, first), this.anonymous(), this.field(F.value, this.expression())]);
  }

  protected comprehension(type: number, open: NodeId, body: NodeId, closing: string): NodeId {
    if (this.ctx.typeOf(body) === 'list_splat' || this.ctx.typeOf(body) === 'yield') this.fail('comprehension body');
    const children = [open, this.field(F.body, body)];
    while (this.is('for') || this.is('if')) {
      if (this.is('for')) {
        const clause = [this.anonymous(), this.field(F.left, this.targets()), this.expect('in'), this.field(F.right, this.expression(false))];
        if (this.is(',')) this.fail('comprehension over a tuple');
        children.push(this.node(T.for_in_clause, clause));
      } else {
        children.push(this.node(T.if_clause, [this.anonymous(), this.expression(false)]));
      }
    }
    if (this.is('async')) this.fail('async comprehension');
    children.push(this.expect(closing));
    return this.node(type, children);
  }

  /** `_left_hand_side` of `for`: a pattern or a pattern_list. */
  protected targets(): NodeId {
    const first = this.target();
    if (!this.is(',')) return first;
    const items = [first];
    while (this.is(',')) {
      items.push(this.anonymous());
      if (this.is('in')) break;
      items.push(this.target());
    }
    return this.node(T.pattern_list, items);
  }

  protected target(): NodeId {
    if (this.is('*')) return this.node(T.list_splat_pattern, [this.anonymous(), this.targetAtom()]);
    if (this.is('(') || this.is('[')) {
      const closing = this.is('(') ? ')' : ']';
      const children = [this.anonymous()];
      while (!this.is(closing)) {
        children.push(this.target());
        if (!this.is(',')) break;
        children.push(this.anonymous());
      }
      children.push(this.expect(closing));
      return this.node(closing === ')' ? T.tuple_pattern : T.list_pattern, children);
    }
    return this.targetAtom();
  }

  protected targetAtom(): NodeId {
    const node = this.postfix(this.identifier());
    if (this.ctx.typeOf(node) === 'call') this.fail('call as a target');
    return node;
  }

  protected argumentList(): NodeId {
    const children = [this.expect('(')];
    if (this.is(')')) {
      children.push(this.anonymous());
      return this.node(T.argument_list, children);
    }
    const first = this.argument();
    if (this.is('for')) {
      if (this.ctx.typeOf(first) !== this.ctx.typeOf(first).replace(/_splat$|^keyword_argument$/, '')) this.fail('generator argument');
      return this.comprehension(T.generator_expression, children[0], first, ')');
    }
    children.push(first);
    while (this.is(',')) {
      children.push(this.anonymous());
      if (this.is(')')) break;
      children.push(this.argument());
    }
    children.push(this.expect(')'));
    return this.node(T.argument_list, children);
  }

  protected argument(): NodeId {
    if (this.is('*')) {
      if (this.peek().text === '(' && this.peek().kind === Tok.Op) this.fail('parenthesized list splat');
      return this.node(T.list_splat, [this.anonymous(), this.expression()]);
    }
    if (this.is('**')) return this.node(T.dictionary_splat, [this.anonymous(), this.expression()]);
    const next = this.peek();
    if (this.tok.kind === Tok.Name && next.kind === Tok.Op && next.text === '=') {
      const name = this.field(F.name, this.identifier());
      return this.node(T.keyword_argument, [name, this.anonymous(), this.field(F.value, this.expression())]);
    }
    return this.expression();
  }

  // ───────────── strings ─────────────

  protected strings(): NodeId {
    const first = this.stringParts.string(this.advance());
    if (this.kind() !== Tok.String) return first;
    const parts = [first];
    while (this.kind() === Tok.String) parts.push(this.stringParts.string(this.advance()));
    return this.node(T.concatenated_string, parts);
  }

  /** An f-string interpolation's expression, from its own tokens. */
  protected interpolatedExpression(from: number, to: number): NodeId {
    const sub = new ExpressionParser(this.ctx, lex(this.ctx.source, from, to, true));
    const expression = sub.expressions();
    if (sub.kind() !== Tok.End) throw new Unsupported('f-string expression', from);
    return expression;
  }
}

/** Annotations whose tree-sitter shape is `type(expression)` without doubt. */
function plainTypeExpression(tree: TreeStore, node: NodeId): boolean {
  switch (tree.typeOf(node)) {
    case 'identifier':
    case 'attribute':
    case 'string':
    case 'none':
      return true;
    case 'subscript':
      return tree.typeOf(tree.kidsOf(node)[0]) === 'attribute';
    case 'binary_operator': {
      const [left, operator, right] = tree.kidsOf(node);
      return tree.typeOf(operator) === '|' && plainTypeExpression(tree, left) && plainTypeExpression(tree, right) && tree.typeOf(left) !== 'subscript' && tree.typeOf(right) !== 'subscript';
    }
    default:
      return false;
  }
}
