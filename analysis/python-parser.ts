/**
 * A fast Python parser that builds the same tree as tree-sitter-python (node types, fields,
 * anonymous tokens, ranges, comment placement), straight into SyntaxNodes.
 *
 * Why: on a 20k-line file tree-sitter's parse plus the copy of its tree out of wasm cost ≈600 ms;
 * this parser does both in a fraction of that. It covers the Python that model code is written
 * in and throws `Unsupported` for anything else (syntax errors included); the caller then uses
 * tree-sitter, whose error recovery it does not try to imitate. The differential test
 * (test/analysis/python-parser.test.ts) holds it to tree-sitter's tree on every Python file of the
 * repository and on generated code.
 */
import { lex, Tok, Unsupported, type Comment, type Lexer, type Token } from './python-lexer';
import { LineIndex, SyntaxNode, type TreeContext } from './syntax-tree';
import { placeComments } from './python-comments';
import { StringParts } from './python-strings';

export { Unsupported };

/** Parses `source`; throws Unsupported when the fast path cannot vouch for an identical tree. */
export function parseFast(source: string): SyntaxNode {
  const lexer = lex(source);
  const context: TreeContext = { source, lines: new LineIndex(source) };
  const root = new Parser(context, lexer).module(lexer.comments);
  placeComments(root, lexer.comments, context);
  return root;
}

const RESERVED = new Set([
  'False', 'await', 'else', 'import', 'pass', 'None', 'break', 'except', 'in', 'raise', 'True', 'class', 'finally', 'is', 'return',
  'and', 'continue', 'for', 'lambda', 'try', 'as', 'def', 'from', 'nonlocal', 'while', 'assert', 'del', 'global', 'not', 'with',
  'async', 'elif', 'if', 'or', 'yield',
]);

const BINARY_PRECEDENCE: Record<string, number> = {
  '|': 14, '&': 15, '^': 16, '<<': 17, '>>': 17, '+': 18, '-': 18, '*': 19, '@': 19, '/': 19, '%': 19, '//': 19, '**': 21,
};
const COMPARISON = new Set(['<', '<=', '==', '!=', '>=', '>', '<>', 'in', 'is']);
const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '@=', '//=', '%=', '**=', '>>=', '<<=', '&=', '^=', '|=']);
/** Soft keywords that start statements tree-sitter parses differently (print x, match x:, type X = …). */
const SOFT_STATEMENT_KEYWORDS = new Set(['print', 'exec', 'match', 'type']);

class Parser {
  /** The current token and, once asked for, the one after it. */
  private current: Token;
  private ahead: Token | undefined;
  private readonly firstStart: number;
  private readonly stringParts: StringParts;

  constructor(
    private readonly ctx: TreeContext,
    private readonly lexer: Lexer,
  ) {
    this.current = lexer.next();
    this.firstStart = this.current.kind === Tok.End ? -1 : this.current.start;
    this.stringParts = new StringParts(ctx, (from, to) => this.interpolatedExpression(from, to));
  }

  // ───────────── token helpers ─────────────

  private get tok(): Token {
    return this.current;
  }

  /** Moves to the next token; returns the one left. */
  private advance(): Token {
    const t = this.current;
    this.current = this.ahead ?? this.lexer.next();
    this.ahead = undefined;
    return t;
  }

  /** The current token's kind (a call, so checks after a consuming call are not narrowed away). */
  private kind(): Tok {
    return this.current.kind;
  }

  /** The token after the current one. */
  private peek(): Token {
    this.ahead ??= this.lexer.next();
    return this.ahead;
  }

  /** The current token is this operator or keyword. */
  private is(text: string): boolean {
    const t = this.current;
    return (t.kind === Tok.Op || t.kind === Tok.Name) && t.text === text;
  }

  private fail(reason: string): never {
    throw new Unsupported(reason, this.tok.start);
  }

  /** Consumes `text` (an operator or keyword) as an anonymous node. */
  private expect(text: string): SyntaxNode {
    if (!this.is(text)) this.fail(`expected ${JSON.stringify(text)}`);
    return this.anonymous();
  }

  private anonymous(): SyntaxNode {
    const t = this.advance();
    return new SyntaxNode(this.ctx, t.text, false, null, t.start, t.end, null);
  }

  private leaf(type: string): SyntaxNode {
    const t = this.advance();
    return new SyntaxNode(this.ctx, type, true, null, t.start, t.end, null);
  }

  /** A named node that takes ownership of `children` (the array becomes its own). */
  private node(type: string, children: SyntaxNode[], start = children[0].startIndex, end = children[children.length - 1].endIndex): SyntaxNode {
    const n = new SyntaxNode(this.ctx, type, true, null, start, end, null, children);
    for (const c of children) c.parent = n;
    return n;
  }

  private hidden(kind: Tok): Token {
    if (this.tok.kind !== kind) this.fail('unexpected token');
    return this.advance();
  }

  private identifier(): SyntaxNode {
    const t = this.tok;
    if (t.kind !== Tok.Name || RESERVED.has(t.text)) this.fail('expected a name');
    return this.leaf('identifier');
  }

  private atStatementEnd(): boolean {
    const k = this.tok.kind;
    return k === Tok.Newline || k === Tok.End || this.is(';');
  }

  // ───────────── statements ─────────────

  module(comments: Comment[]): SyntaxNode {
    const children: SyntaxNode[] = [];
    while (this.tok.kind !== Tok.End) this.statement(children);
    const firstToken = this.firstStart === -1 ? this.ctx.source.length : this.firstStart;
    const start = comments.length > 0 ? Math.min(comments[0].start, firstToken) : firstToken === this.ctx.source.length ? 0 : firstToken;
    return this.node('module', children, start, this.ctx.source.length);
  }

  private statement(out: SyntaxNode[]): void {
    const t = this.tok;
    if (t.kind === Tok.Name) {
      switch (t.text) {
        case 'if': out.push(this.ifStatement()); return;
        case 'for': out.push(this.forStatement()); return;
        case 'while': out.push(this.whileStatement()); return;
        case 'try': out.push(this.tryStatement()); return;
        case 'with': out.push(this.withStatement()); return;
        case 'def': out.push(this.functionDefinition()); return;
        case 'class': out.push(this.classDefinition()); return;
        case 'async': this.fail('async');
      }
    } else if (this.is('@')) {
      out.push(this.decoratedDefinition());
      return;
    }
    this.simpleStatements(out);
  }

  /** `a; b` up to the newline; returns where the (zero-width) newline sits. */
  private simpleStatements(out: SyntaxNode[]): number {
    for (;;) {
      out.push(this.simpleStatement());
      const semicolon = this.is(';');
      if (semicolon) out.push(this.anonymous());
      if (this.kind() === Tok.Newline) return this.hidden(Tok.Newline).start;
      if (!semicolon) this.fail('expected the end of the statement');
    }
  }

  private simpleStatement(): SyntaxNode {
    const t = this.tok;
    if (t.kind === Tok.Name) {
      switch (t.text) {
        case 'pass': return this.node('pass_statement', [this.anonymous()]);
        case 'break': return this.node('break_statement', [this.anonymous()]);
        case 'continue': return this.node('continue_statement', [this.anonymous()]);
        case 'return': return this.keywordWithOptionalExpressions('return_statement');
        case 'del': return this.node('delete_statement', [this.anonymous(), this.expressions()]);
        case 'raise': return this.raiseStatement();
        case 'assert': return this.assertStatement();
        case 'global': return this.nameListStatement('global_statement');
        case 'nonlocal': return this.nameListStatement('nonlocal_statement');
        case 'import': return this.importStatement();
        case 'from': return this.importFromStatement();
      }
      if (SOFT_STATEMENT_KEYWORDS.has(t.text)) {
        const next = this.peek();
        const plainUse = next.kind === Tok.Op && (next.text === '=' || next.text === '.' || AUGMENTED.has(next.text) || ((t.text === 'print' || t.text === 'exec') && next.text === '('));
        if (!plainUse) this.fail(`statement starting with ${t.text}`);
      }
    }
    return this.expressionStatement();
  }

  private keywordWithOptionalExpressions(type: string): SyntaxNode {
    const children = [this.anonymous()];
    if (!this.atStatementEnd()) children.push(this.expressions());
    return this.node(type, children);
  }

  private raiseStatement(): SyntaxNode {
    const children = [this.anonymous()];
    if (!this.atStatementEnd() && !this.is('from')) children.push(this.expressions());
    if (this.is('from')) children.push(this.anonymous(), this.field('cause', this.expression()));
    return this.node('raise_statement', children);
  }

  private assertStatement(): SyntaxNode {
    const children = [this.anonymous(), this.expression()];
    while (this.is(',')) children.push(this.anonymous(), this.expression());
    return this.node('assert_statement', children);
  }

  private nameListStatement(type: string): SyntaxNode {
    const children = [this.anonymous(), this.identifier()];
    while (this.is(',')) children.push(this.anonymous(), this.identifier());
    return this.node(type, children);
  }

  private dottedName(): SyntaxNode {
    const parts = [this.identifier()];
    while (this.is('.')) parts.push(this.anonymous(), this.identifier());
    return this.node('dotted_name', parts);
  }

  private importName(): SyntaxNode {
    const name = this.dottedName();
    if (!this.is('as')) return this.field('name', name);
    const node = this.node('aliased_import', [this.field('name', name), this.anonymous(), this.field('alias', this.identifier())]);
    return this.field('name', node);
  }

  /** `_import_list`: names with commas, an optional trailing comma. */
  private importList(children: SyntaxNode[], closing?: string): void {
    children.push(this.importName());
    while (this.is(',')) {
      children.push(this.anonymous());
      if (this.atStatementEnd() || (closing && this.is(closing))) break;
      children.push(this.importName());
    }
  }

  /** `.`, `..models`: an import_prefix of dots (one node per dot), then maybe a dotted name. */
  private relativeImport(): SyntaxNode {
    const dots: SyntaxNode[] = [];
    while (this.is('.') || this.is('...')) {
      const t = this.advance();
      for (let at = t.start; at < t.end; at++) dots.push(new SyntaxNode(this.ctx, '.', false, null, at, at + 1, null));
    }
    const parts = [this.node('import_prefix', dots)];
    if (!this.is('import')) parts.push(this.dottedName());
    return this.node('relative_import', parts);
  }

  private importStatement(): SyntaxNode {
    const children = [this.anonymous()];
    this.importList(children);
    return this.node('import_statement', children);
  }

  private importFromStatement(): SyntaxNode {
    const children = [this.anonymous()];
    const future = this.tok.kind === Tok.Name && this.tok.text === '__future__';
    if (future) children.push(this.anonymous());
    else if (this.is('.') || this.is('...')) children.push(this.field('module_name', this.relativeImport()));
    else children.push(this.field('module_name', this.dottedName()));
    children.push(this.expect('import'));
    if (this.is('*')) {
      if (future) this.fail('future wildcard');
      children.push(this.node('wildcard_import', [this.anonymous()]));
    } else if (this.is('(')) {
      children.push(this.anonymous());
      this.importList(children, ')');
      children.push(this.expect(')'));
    } else {
      this.importList(children);
    }
    return this.node(future ? 'future_import_statement' : 'import_from_statement', children);
  }

  private expressionStatement(): SyntaxNode {
    if (this.is('yield')) return this.node('expression_statement', [this.yieldExpression()]);
    const first = this.starredOrExpression();
    if (this.is(',')) {
      const items = [first];
      while (this.is(',')) {
        items.push(this.anonymous());
        if (this.atStatementEnd() || this.is('=')) break;
        items.push(this.starredOrExpression());
      }
      if (this.is('=')) return this.node('expression_statement', [this.assignment(this.node('pattern_list', items.map((n) => this.toPattern(n))))]);
      if (AUGMENTED.has(this.tok.text) || this.is(':')) this.fail('tuple target');
      return this.node('expression_statement', items);
    }
    if (this.is('=') || this.is(':') || (this.tok.kind === Tok.Op && AUGMENTED.has(this.tok.text))) {
      return this.node('expression_statement', [this.assignment(this.toPattern(first))]);
    }
    if (first.type === 'list_splat') this.fail('starred expression statement');
    return this.node('expression_statement', [first]);
  }

  /** `left = right`, `left: type [= right]`, `left += right`, with `left` already a pattern. */
  private assignment(left: SyntaxNode): SyntaxNode {
    const children = [this.field('left', left)];
    if (this.is('=')) {
      children.push(this.anonymous(), this.field('right', this.rightHandSide()));
      return this.node('assignment', children);
    }
    if (this.is(':')) {
      children.push(this.anonymous(), this.field('type', this.typeNode()));
      if (this.is('=')) children.push(this.anonymous(), this.field('right', this.rightHandSide()));
      return this.node('assignment', children);
    }
    children.push(this.field('operator', this.anonymous()), this.field('right', this.rightHandSide()));
    return this.node('augmented_assignment', children);
  }

  private rightHandSide(): SyntaxNode {
    if (this.is('yield')) return this.yieldExpression();
    const first = this.starredOrExpression();
    let value = first;
    if (this.is(',')) {
      const items = [first];
      while (this.is(',')) {
        items.push(this.anonymous());
        if (this.atStatementEnd() || this.is('=')) break;
        items.push(this.starredOrExpression());
      }
      if (this.is('=')) return this.assignment(this.node('pattern_list', items.map((n) => this.toPattern(n))));
      value = this.node('expression_list', items);
    }
    if (this.is('=') || (this.tok.kind === Tok.Op && AUGMENTED.has(this.tok.text))) return this.assignment(this.toPattern(value));
    if (value.type === 'list_splat') this.fail('starred right-hand side');
    return value;
  }

  /** An expression parsed as a target becomes tree-sitter's pattern node. */
  private toPattern(node: SyntaxNode): SyntaxNode {
    switch (node.type) {
      case 'identifier':
      case 'attribute':
      case 'subscript':
      case ',':
        return node;
      case 'tuple':
      case 'list':
        node.type = `${node.type}_pattern`;
        for (const c of node.children) if (c.isNamed) this.toPattern(c);
        return node;
      case 'pattern_list':
        return node;
      case 'list_splat': {
        const inner = node.children[1];
        if (!['identifier', 'attribute', 'subscript'].includes(inner.type)) this.fail('starred target');
        node.type = 'list_splat_pattern';
        return node;
      }
      default:
        this.fail(`target ${node.type}`);
    }
  }

  /** `_expressions`: an expression or an expression_list. */
  private expressions(): SyntaxNode {
    const first = this.expression();
    if (!this.is(',')) return first;
    const items = [first];
    while (this.is(',')) {
      items.push(this.anonymous());
      if (this.atStatementEnd() || this.is(':') || this.is('from') || this.is(')')) break;
      items.push(this.expression());
    }
    return this.node('expression_list', items);
  }

  private yieldExpression(): SyntaxNode {
    const children = [this.anonymous()];
    if (this.is('from')) children.push(this.anonymous(), this.expression());
    else if (!this.atStatementEnd() && !this.is(')') && !this.is('=')) children.push(this.expressions());
    return this.node('yield', children);
  }

  // ───────────── compound statements ─────────────

  /** `_suite`: an indented block (INDENT … DEDENT) or simple statements on the header's line. */
  private suite(): SyntaxNode {
    if (this.tok.kind === Tok.Indent) {
      this.advance();
      const statements: SyntaxNode[] = [];
      while (this.kind() !== Tok.Dedent) {
        if (this.kind() === Tok.End) this.fail('block at end of input');
        this.statement(statements);
      }
      const dedent = this.hidden(Tok.Dedent);
      return this.node('block', statements, statements[0].startIndex, dedent.start);
    }
    if (this.tok.kind === Tok.Newline) this.fail('empty block');
    const statements: SyntaxNode[] = [];
    const newline = this.simpleStatements(statements);
    return this.node('block', statements, statements[0].startIndex, newline);
  }

  private field(name: string, node: SyntaxNode): SyntaxNode {
    node.fieldName = name;
    return node;
  }

  private ifStatement(): SyntaxNode {
    const children = [this.anonymous(), this.field('condition', this.expression()), this.expect(':'), this.field('consequence', this.suite())];
    while (this.is('elif')) {
      const clause = [this.anonymous(), this.field('condition', this.expression()), this.expect(':'), this.field('consequence', this.suite())];
      children.push(this.field('alternative', this.node('elif_clause', clause)));
    }
    if (this.is('else')) children.push(this.field('alternative', this.elseClause()));
    return this.node('if_statement', children);
  }

  private elseClause(): SyntaxNode {
    return this.node('else_clause', [this.anonymous(), this.expect(':'), this.field('body', this.suite())]);
  }

  private forStatement(): SyntaxNode {
    const children = [this.anonymous(), this.field('left', this.targets()), this.expect('in'), this.field('right', this.expressions()), this.expect(':'), this.field('body', this.suite())];
    if (this.is('else')) children.push(this.field('alternative', this.elseClause()));
    return this.node('for_statement', children);
  }

  private whileStatement(): SyntaxNode {
    const children = [this.anonymous(), this.field('condition', this.expression()), this.expect(':'), this.field('body', this.suite())];
    if (this.is('else')) children.push(this.field('alternative', this.elseClause()));
    return this.node('while_statement', children);
  }

  private tryStatement(): SyntaxNode {
    const children = [this.anonymous(), this.expect(':'), this.field('body', this.suite())];
    while (this.is('except')) children.push(this.exceptClause());
    if (this.is('else')) children.push(this.elseClause());
    if (this.is('finally')) children.push(this.node('finally_clause', [this.anonymous(), this.expect(':'), this.suite()]));
    if (children.length === 3) this.fail('try without handlers');
    return this.node('try_statement', children);
  }

  private exceptClause(): SyntaxNode {
    const children = [this.anonymous()];
    if (this.is('*')) this.fail('except*');
    if (!this.is(':')) {
      const value = this.asPattern(this.expression());
      if (this.is(',')) this.fail('except with a comma');
      children.push(this.field('value', value));
    }
    children.push(this.expect(':'), this.suite());
    return this.node('except_clause', children);
  }

  /** `expr as target` in with items and except clauses. */
  private asPattern(value: SyntaxNode): SyntaxNode {
    if (!this.is('as')) return value;
    const as = this.anonymous();
    const target = this.expression();
    return this.node('as_pattern', [value, as, this.field('alias', this.node('as_pattern_target', [target]))]);
  }

  private withStatement(): SyntaxNode {
    const keyword = this.anonymous();
    if (this.is('(')) this.fail('parenthesized with');
    const items = [this.node('with_item', [this.field('value', this.asPattern(this.expression()))])];
    while (this.is(',')) items.push(this.anonymous(), this.node('with_item', [this.field('value', this.asPattern(this.expression()))]));
    return this.node('with_statement', [keyword, this.node('with_clause', items), this.expect(':'), this.field('body', this.suite())]);
  }

  private functionDefinition(): SyntaxNode {
    const children = [this.anonymous(), this.field('name', this.identifier())];
    if (this.is('[')) this.fail('type parameters');
    children.push(this.field('parameters', this.parameters()));
    if (this.is('->')) children.push(this.anonymous(), this.field('return_type', this.typeNode()));
    children.push(this.expect(':'), this.field('body', this.suite()));
    return this.node('function_definition', children);
  }

  private classDefinition(): SyntaxNode {
    const children = [this.anonymous(), this.field('name', this.identifier())];
    if (this.is('[')) this.fail('type parameters');
    if (this.is('(')) children.push(this.field('superclasses', this.argumentList()));
    children.push(this.expect(':'), this.field('body', this.suite()));
    return this.node('class_definition', children);
  }

  private decoratedDefinition(): SyntaxNode {
    const children: SyntaxNode[] = [];
    while (this.is('@')) {
      const at = this.anonymous();
      const expression = this.expression();
      const newline = this.hidden(Tok.Newline);
      children.push(this.node('decorator', [at, expression], at.startIndex, newline.start));
    }
    if (this.is('def')) children.push(this.field('definition', this.functionDefinition()));
    else if (this.is('class')) children.push(this.field('definition', this.classDefinition()));
    else this.fail('decorated statement');
    return this.node('decorated_definition', children);
  }

  // ───────────── parameters and types ─────────────

  private parameters(): SyntaxNode {
    const children = [this.expect('(')];
    while (!this.is(')')) {
      children.push(this.parameter(true));
      if (!this.is(',')) break;
      children.push(this.anonymous());
    }
    children.push(this.expect(')'));
    return this.node('parameters', children);
  }

  private parameter(typed: boolean): SyntaxNode {
    if (this.is('*') || this.is('**')) {
      const star = this.anonymous();
      if (star.type === '*' && (this.is(',') || this.is(')') || this.is(':'))) {
        if (this.is(':') && typed) this.fail('typed keyword separator');
        return this.node('keyword_separator', [star]);
      }
      const splat = this.node(star.type === '*' ? 'list_splat_pattern' : 'dictionary_splat_pattern', [star, this.identifier()]);
      if (typed && this.is(':')) return this.node('typed_parameter', [splat, this.anonymous(), this.field('type', this.typeNode())]);
      return splat;
    }
    if (this.is('/')) return this.node('positional_separator', [this.anonymous()]);
    const name = this.identifier();
    if (typed && this.is(':')) {
      const colon = this.anonymous();
      const type = this.field('type', this.typeNode());
      if (!this.is('=')) return this.node('typed_parameter', [name, colon, type]);
      return this.node('typed_default_parameter', [this.field('name', name), colon, type, this.anonymous(), this.field('value', this.expression())]);
    }
    if (this.is('=')) return this.node('default_parameter', [this.field('name', name), this.anonymous(), this.field('value', this.expression())]);
    return name;
  }

  /** A type annotation: generic types as tree-sitter builds them; other shapes only where unambiguous. */
  private typeNode(): SyntaxNode {
    if (this.tok.kind === Tok.Name && !RESERVED.has(this.tok.text) && this.peek().text === '[' && this.peek().kind === Tok.Op) {
      const generic = this.node('generic_type', [this.identifier(), this.typeParameter()]);
      if (this.kind() === Tok.Op && !this.is('=') && !this.is(':') && !this.is(',') && !this.is(']') && !this.is(')')) this.fail('generic type in an expression');
      return this.node('type', [generic]);
    }
    const expression = this.expression();
    if (!plainTypeExpression(expression)) this.fail('type annotation shape');
    return this.node('type', [expression]);
  }

  private typeParameter(): SyntaxNode {
    const children = [this.expect('[')];
    for (;;) {
      if (this.is('[') || this.is('*') || this.is('**')) this.fail('type parameter shape');
      children.push(this.typeNode());
      if (!this.is(',')) break;
      children.push(this.anonymous());
      if (this.is(']')) break;
    }
    children.push(this.expect(']'));
    return this.node('type_parameter', children);
  }

  // ───────────── expressions ─────────────

  private expression(allowConditional = true): SyntaxNode {
    if (this.is('lambda')) return this.lambda(allowConditional);
    if (this.tok.kind === Tok.Name && this.peek().kind === Tok.Op && this.peek().text === ':=') {
      const name = this.field('name', this.identifier());
      return this.node('named_expression', [name, this.anonymous(), this.field('value', this.expression())]);
    }
    const test = this.orTest();
    if (!allowConditional || !this.is('if')) return test;
    const ifToken = this.anonymous();
    const condition = this.orTest();
    const elseToken = this.expect('else');
    return this.node('conditional_expression', [test, ifToken, condition, elseToken, this.expression()]);
  }

  private lambda(allowConditional: boolean): SyntaxNode {
    if (!allowConditional) this.fail('lambda in a comprehension clause');
    const children = [this.anonymous()];
    if (!this.is(':')) {
      const params: SyntaxNode[] = [];
      for (;;) {
        params.push(this.parameter(false));
        if (!this.is(',')) break;
        params.push(this.anonymous());
        if (this.is(':')) break;
      }
      children.push(this.field('parameters', this.node('lambda_parameters', params)));
    }
    children.push(this.expect(':'), this.field('body', this.expression()));
    return this.node('lambda', children);
  }

  private orTest(): SyntaxNode {
    let left = this.andTest();
    while (this.is('or')) left = this.node('boolean_operator', [this.field('left', left), this.field('operator', this.anonymous()), this.field('right', this.andTest())]);
    return left;
  }

  private andTest(): SyntaxNode {
    let left = this.notTest();
    while (this.is('and')) left = this.node('boolean_operator', [this.field('left', left), this.field('operator', this.anonymous()), this.field('right', this.notTest())]);
    return left;
  }

  private notTest(): SyntaxNode {
    if (!this.is('not')) return this.comparison();
    return this.node('not_operator', [this.anonymous(), this.field('argument', this.notTest())]);
  }

  private comparison(): SyntaxNode {
    const first = this.binary(14);
    if (!this.atComparisonOperator()) return first;
    const children = [first];
    while (this.atComparisonOperator()) {
      children.push(this.field('operators', this.comparisonOperator()));
      children.push(this.binary(14));
    }
    return this.node('comparison_operator', children);
  }

  private atComparisonOperator(): boolean {
    const t = this.tok;
    if (t.kind === Tok.Op) return COMPARISON.has(t.text);
    if (t.kind !== Tok.Name) return false;
    if (t.text === 'in' || t.text === 'is') return true;
    return t.text === 'not' && this.peek().kind === Tok.Name && this.peek().text === 'in';
  }

  private comparisonOperator(): SyntaxNode {
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
  private compound(type: string, a: SyntaxNode, b: SyntaxNode): SyntaxNode {
    const n = new SyntaxNode(this.ctx, type, false, null, a.startIndex, b.endIndex, null, [a, b]);
    a.parent = n;
    b.parent = n;
    return n;
  }

  private binary(minPrecedence: number): SyntaxNode {
    let left = this.unary();
    for (;;) {
      const t = this.tok;
      const precedence = t.kind === Tok.Op ? BINARY_PRECEDENCE[t.text] : undefined;
      if (precedence === undefined || precedence < minPrecedence) return left;
      const operator = this.field('operator', this.anonymous());
      const right = this.binary(t.text === '**' ? precedence : precedence + 1);
      left = this.node('binary_operator', [this.field('left', left), operator, this.field('right', right)]);
    }
  }

  private unary(): SyntaxNode {
    if (this.is('+') || this.is('-') || this.is('~')) {
      const operator = this.field('operator', this.anonymous());
      return this.node('unary_operator', [operator, this.field('argument', this.binary(21))]);
    }
    if (this.is('await')) return this.node('await', [this.anonymous(), this.binary(21)]);
    return this.postfix(this.atom());
  }

  private postfix(start: SyntaxNode): SyntaxNode {
    let node = start;
    for (;;) {
      if (this.is('.')) {
        node = this.node('attribute', [this.field('object', node), this.anonymous(), this.field('attribute', this.identifier())]);
      } else if (this.is('(')) {
        node = this.node('call', [this.field('function', node), this.field('arguments', this.argumentList())]);
      } else if (this.is('[')) {
        node = this.subscript(node);
      } else {
        return node;
      }
    }
  }

  private subscript(value: SyntaxNode): SyntaxNode {
    const children = [this.field('value', value), this.anonymous()];
    for (;;) {
      children.push(this.field('subscript', this.sliceOrExpression()));
      if (!this.is(',')) break;
      children.push(this.anonymous());
      if (this.is(']')) break;
    }
    children.push(this.expect(']'));
    return this.node('subscript', children);
  }

  private sliceOrExpression(): SyntaxNode {
    const parts: SyntaxNode[] = [];
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
    return this.node('slice', parts);
  }

  private atom(): SyntaxNode {
    const t = this.tok;
    switch (t.kind) {
      case Tok.Name:
        if (t.text === 'True') return this.leaf('true');
        if (t.text === 'False') return this.leaf('false');
        if (t.text === 'None') return this.leaf('none');
        return this.identifier();
      case Tok.Number:
        return this.leaf(t.text);
      case Tok.String:
        return this.strings();
      case Tok.Op:
        switch (t.text) {
          case '(': return this.parenthesized();
          case '[': return this.bracketed();
          case '{': return this.braced();
          case '...': return this.leaf('ellipsis');
        }
    }
    return this.fail(`unexpected ${JSON.stringify(t.text || `token kind ${t.kind}`)}`);
  }

  /** An element of a collection or a starred target: `*x` or an expression. */
  private starredOrExpression(): SyntaxNode {
    if (this.is('*')) return this.node('list_splat', [this.anonymous(), this.expression()]);
    return this.expression();
  }

  private collectionElement(): SyntaxNode {
    if (this.is('yield')) return this.yieldExpression();
    if (this.is('*')) {
      if (this.peek().text === '(' && this.peek().kind === Tok.Op) this.fail('parenthesized list splat');
      return this.node('list_splat', [this.anonymous(), this.expression()]);
    }
    return this.expression();
  }

  /** Elements after the first, up to `closing`; commas and a trailing comma included. */
  private restOfCollection(children: SyntaxNode[], closing: string): void {
    while (this.is(',')) {
      children.push(this.anonymous());
      if (this.is(closing)) break;
      children.push(this.collectionElement());
    }
    children.push(this.expect(closing));
  }

  private parenthesized(): SyntaxNode {
    const open = this.anonymous();
    if (this.is(')')) return this.node('tuple', [open, this.anonymous()]);
    const first = this.collectionElement();
    if (this.is('for')) return this.comprehension('generator_expression', open, first, ')');
    if (this.is(')') && first.type !== 'list_splat') return this.node('parenthesized_expression', [open, first, this.anonymous()]);
    if (!this.is(',')) this.fail('parenthesized shape');
    const children = [open, first];
    this.restOfCollection(children, ')');
    return this.node('tuple', children);
  }

  private bracketed(): SyntaxNode {
    const open = this.anonymous();
    if (this.is(']')) return this.node('list', [open, this.anonymous()]);
    const first = this.collectionElement();
    if (this.is('for')) return this.comprehension('list_comprehension', open, first, ']');
    const children = [open, first];
    this.restOfCollection(children, ']');
    return this.node('list', children);
  }

  private braced(): SyntaxNode {
    const open = this.anonymous();
    if (this.is('}')) return this.node('dictionary', [open, this.anonymous()]);
    const first = this.dictionaryElementOrExpression();
    if (first.type === 'pair' || first.type === 'dictionary_splat') {
      if (this.is('for')) {
        if (first.type !== 'pair') this.fail('splat in a comprehension');
        return this.comprehension('dictionary_comprehension', open, first, '}');
      }
      const children = [open, first];
      while (this.is(',')) {
        children.push(this.anonymous());
        if (this.is('}')) break;
        const element = this.dictionaryElementOrExpression();
        if (element.type !== 'pair' && element.type !== 'dictionary_splat') this.fail('mixed dictionary');
        children.push(element);
      }
      children.push(this.expect('}'));
      return this.node('dictionary', children);
    }
    if (this.is('for')) return this.comprehension('set_comprehension', open, first, '}');
    const children = [open, first];
    this.restOfCollection(children, '}');
    return this.node('set', children);
  }

  private dictionaryElementOrExpression(): SyntaxNode {
    if (this.is('**')) return this.node('dictionary_splat', [this.anonymous(), this.expression()]);
    const first = this.collectionElement();
    if (!this.is(':')) return first;
    return this.node('pair', [this.field('key', first), this.anonymous(), this.field('value', this.expression())]);
  }

  private comprehension(type: string, open: SyntaxNode, body: SyntaxNode, closing: string): SyntaxNode {
    if (body.type === 'list_splat' || body.type === 'yield') this.fail('comprehension body');
    const children = [open, this.field('body', body)];
    while (this.is('for') || this.is('if')) {
      if (this.is('for')) {
        const clause = [this.anonymous(), this.field('left', this.targets()), this.expect('in'), this.field('right', this.expression(false))];
        if (this.is(',')) this.fail('comprehension over a tuple');
        children.push(this.node('for_in_clause', clause));
      } else {
        children.push(this.node('if_clause', [this.anonymous(), this.expression(false)]));
      }
    }
    if (this.is('async')) this.fail('async comprehension');
    children.push(this.expect(closing));
    return this.node(type, children);
  }

  /** `_left_hand_side` of `for`: a pattern or a pattern_list. */
  private targets(): SyntaxNode {
    const first = this.target();
    if (!this.is(',')) return first;
    const items = [first];
    while (this.is(',')) {
      items.push(this.anonymous());
      if (this.is('in')) break;
      items.push(this.target());
    }
    return this.node('pattern_list', items);
  }

  private target(): SyntaxNode {
    if (this.is('*')) return this.node('list_splat_pattern', [this.anonymous(), this.targetAtom()]);
    if (this.is('(') || this.is('[')) {
      const closing = this.is('(') ? ')' : ']';
      const children = [this.anonymous()];
      while (!this.is(closing)) {
        children.push(this.target());
        if (!this.is(',')) break;
        children.push(this.anonymous());
      }
      children.push(this.expect(closing));
      return this.node(closing === ')' ? 'tuple_pattern' : 'list_pattern', children);
    }
    return this.targetAtom();
  }

  private targetAtom(): SyntaxNode {
    const node = this.postfix(this.identifier());
    if (node.type === 'call') this.fail('call as a target');
    return node;
  }

  private argumentList(): SyntaxNode {
    const children = [this.expect('(')];
    if (this.is(')')) {
      children.push(this.anonymous());
      return this.node('argument_list', children);
    }
    const first = this.argument();
    if (this.is('for')) {
      if (first.type !== first.type.replace(/_splat$|^keyword_argument$/, '')) this.fail('generator argument');
      return this.comprehension('generator_expression', children[0], first, ')');
    }
    children.push(first);
    while (this.is(',')) {
      children.push(this.anonymous());
      if (this.is(')')) break;
      children.push(this.argument());
    }
    children.push(this.expect(')'));
    return this.node('argument_list', children);
  }

  private argument(): SyntaxNode {
    if (this.is('*')) {
      if (this.peek().text === '(' && this.peek().kind === Tok.Op) this.fail('parenthesized list splat');
      return this.node('list_splat', [this.anonymous(), this.expression()]);
    }
    if (this.is('**')) return this.node('dictionary_splat', [this.anonymous(), this.expression()]);
    const next = this.peek();
    if (this.tok.kind === Tok.Name && next.kind === Tok.Op && next.text === '=') {
      const name = this.field('name', this.identifier());
      return this.node('keyword_argument', [name, this.anonymous(), this.field('value', this.expression())]);
    }
    return this.expression();
  }

  // ───────────── strings ─────────────

  private strings(): SyntaxNode {
    const first = this.stringParts.string(this.advance());
    if (this.kind() !== Tok.String) return first;
    const parts = [first];
    while (this.kind() === Tok.String) parts.push(this.stringParts.string(this.advance()));
    return this.node('concatenated_string', parts);
  }

  /** An f-string interpolation's expression, from its own tokens. */
  private interpolatedExpression(from: number, to: number): SyntaxNode {
    const sub = new Parser(this.ctx, lex(this.ctx.source, from, to, true));
    const expression = sub.expressions();
    if (sub.kind() !== Tok.End) throw new Unsupported('f-string expression', from);
    return expression;
  }
}

/** Annotations whose tree-sitter shape is `type(expression)` without doubt. */
function plainTypeExpression(node: SyntaxNode): boolean {
  switch (node.type) {
    case 'identifier':
    case 'attribute':
    case 'string':
    case 'none':
      return true;
    case 'subscript':
      return node.children[0].type === 'attribute';
    case 'binary_operator':
      return node.children[1].type === '|' && plainTypeExpression(node.children[0]) && plainTypeExpression(node.children[2]) && node.children[0].type !== 'subscript' && node.children[2].type !== 'subscript';
    default:
      return false;
  }
}
