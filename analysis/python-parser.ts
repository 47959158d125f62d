/**
 * A fast Python parser that builds the same tree as tree-sitter-python (node types, fields,
 * anonymous tokens, ranges, comment placement), straight into NodeIds.
 *
 * Why: on a 20k-line file tree-sitter's parse plus the copy of its tree out of wasm cost ≈600 ms;
 * this parser does both in a fraction of that. It covers the Python that model code is written
 * in and throws `Unsupported` for anything else (syntax errors included); the caller then uses
 * tree-sitter, whose error recovery it does not try to imitate. The differential test
 * (test/analysis/python-parser.test.ts) holds it to tree-sitter's tree on every Python file of the
 * repository and on generated code.
 */
import { AUGMENTED, ExpressionParser } from './python-expressions';
import { lex, Tok, Unsupported, type Comment } from './python-lexer';
import { SyntaxNode, TreeStore, type NodeId } from './syntax-tree';
import { F, T } from './python-node-types';
import { CommentPlacer } from './python-comments';

export { Unsupported };

/**
 * Parses `source`; throws Unsupported when the fast path cannot vouch for an identical tree.
 * `into` is the store to build in (a shared one, for a streamed parse) and `onStatement` hears of
 * each top-level statement once its subtree is final (comments placed), before the next is parsed.
 */
export function parseFast(source: string, into?: TreeStore, onStatement?: (statement: NodeId) => void): SyntaxNode {
  const lexer = lex(source);
  const tree = into ?? new TreeStore(source);
  const placer = new CommentPlacer(tree, lexer.comments);
  const root = new Parser(tree, lexer).module(lexer.comments, (statement) => {
    placer.statement(statement);
    onStatement?.(statement);
  });
  placer.module(root);
  return tree.view(root);
}

/** Soft keywords that start statements tree-sitter parses differently (print x, match x:, type X = …). */
const SOFT_STATEMENT_KEYWORDS = new Set(['print', 'exec', 'match', 'type']);

class Parser extends ExpressionParser {
  // ───────────── statements ─────────────

  module(comments: Comment[], finished: (statement: NodeId) => void): NodeId {
    const children: NodeId[] = [];
    while (this.tok.kind !== Tok.End) {
      const before = children.length;
      this.statement(children);
      for (let i = before; i < children.length; i++) if (this.ctx.isNamed(children[i])) finished(children[i]);
    }
    const firstToken = this.firstStart === -1 ? this.ctx.source.length : this.firstStart;
    const start = comments.length > 0 ? Math.min(comments[0].start, firstToken) : firstToken === this.ctx.source.length ? 0 : firstToken;
    return this.node(T.module, children, start, this.ctx.source.length);
  }

  private statement(out: NodeId[]): void {
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
        case 'async': out.push(this.asyncStatement()); return;
      }
    } else if (this.is('@')) {
      out.push(this.decoratedDefinition());
      return;
    }
    this.simpleStatements(out);
  }

  /** `a; b` up to the newline; returns where the (zero-width) newline sits. */
  private simpleStatements(out: NodeId[]): number {
    for (;;) {
      out.push(this.simpleStatement());
      const semicolon = this.is(';');
      if (semicolon) out.push(this.anonymous());
      if (this.kind() === Tok.Newline) return this.hidden(Tok.Newline).start;
      if (!semicolon) this.fail('expected the end of the statement');
    }
  }

  private simpleStatement(): NodeId {
    const t = this.tok;
    if (t.kind === Tok.Name) {
      switch (t.text) {
        case 'pass': return this.node(T.pass_statement, [this.anonymous()]);
        case 'break': return this.node(T.break_statement, [this.anonymous()]);
        case 'continue': return this.node(T.continue_statement, [this.anonymous()]);
        case 'return': return this.keywordWithOptionalExpressions(T.return_statement);
        case 'del': return this.node(T.delete_statement, [this.anonymous(), this.expressions()]);
        case 'raise': return this.raiseStatement();
        case 'assert': return this.assertStatement();
        case 'global': return this.nameListStatement(T.global_statement);
        case 'nonlocal': return this.nameListStatement(T.nonlocal_statement);
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

  private keywordWithOptionalExpressions(type: number): NodeId {
    const children = [this.anonymous()];
    if (!this.atStatementEnd()) children.push(this.expressions());
    return this.node(type, children);
  }

  private raiseStatement(): NodeId {
    const children = [this.anonymous()];
    if (!this.atStatementEnd() && !this.is('from')) children.push(this.expressions());
    if (this.is('from')) children.push(this.anonymous(), this.field(F.cause, this.expression()));
    return this.node(T.raise_statement, children);
  }

  private assertStatement(): NodeId {
    const children = [this.anonymous(), this.expression()];
    while (this.is(',')) children.push(this.anonymous(), this.expression());
    return this.node(T.assert_statement, children);
  }

  private nameListStatement(type: number): NodeId {
    const children = [this.anonymous(), this.identifier()];
    while (this.is(',')) children.push(this.anonymous(), this.identifier());
    return this.node(type, children);
  }

  private dottedName(): NodeId {
    const parts = [this.identifier()];
    while (this.is('.')) parts.push(this.anonymous(), this.identifier());
    return this.node(T.dotted_name, parts);
  }

  private importName(): NodeId {
    const name = this.dottedName();
    if (!this.is('as')) return this.field(F.name, name);
    const node = this.node(T.aliased_import, [this.field(F.name, name), this.anonymous(), this.field(F.alias, this.identifier())]);
    return this.field(F.name, node);
  }

  /** `_import_list`: names with commas, an optional trailing comma. */
  private importList(children: NodeId[], closing?: string): void {
    children.push(this.importName());
    while (this.is(',')) {
      children.push(this.anonymous());
      if (this.atStatementEnd() || (closing && this.is(closing))) break;
      children.push(this.importName());
    }
  }

  /** `.`, `..models`: an import_prefix of dots (one node per dot), then maybe a dotted name. */
  private relativeImport(): NodeId {
    const dots: NodeId[] = [];
    while (this.is('.') || this.is('...')) {
      const t = this.advance();
      for (let at = t.start; at < t.end; at++) dots.push(this.ctx.add('.', false, at, at + 1));
    }
    const parts = [this.node(T.import_prefix, dots)];
    if (!this.is('import')) parts.push(this.dottedName());
    return this.node(T.relative_import, parts);
  }

  private importStatement(): NodeId {
    const children = [this.anonymous()];
    this.importList(children);
    return this.node(T.import_statement, children);
  }

  private importFromStatement(): NodeId {
    const children = [this.anonymous()];
    const future = this.tok.kind === Tok.Name && this.tok.text === '__future__';
    if (future) children.push(this.anonymous());
    else if (this.is('.') || this.is('...')) children.push(this.field(F.module_name, this.relativeImport()));
    else children.push(this.field(F.module_name, this.dottedName()));
    children.push(this.expect('import'));
    if (this.is('*')) {
      if (future) this.fail('future wildcard');
      children.push(this.node(T.wildcard_import, [this.anonymous()]));
    } else if (this.is('(')) {
      children.push(this.anonymous());
      this.importList(children, ')');
      children.push(this.expect(')'));
    } else {
      this.importList(children);
    }
    return this.node(future ? T.future_import_statement : T.import_from_statement, children);
  }

  private expressionStatement(): NodeId {
    if (this.is('yield')) return this.node(T.expression_statement, [this.yieldExpression()]);
    const first = this.starredOrExpression();
    if (this.is(',')) {
      const items = this.commaList(first);
      if (this.is('=')) return this.node(T.expression_statement, [this.assignment(this.patternList(items))]);
      if (this.atAugmented() || this.is(':')) this.fail('tuple target');
      return this.node(T.expression_statement, items);
    }
    if (this.is('=') || this.is(':') || this.atAugmented()) {
      return this.node(T.expression_statement, [this.assignment(this.toPattern(first))]);
    }
    if (this.ctx.typeOf(first) === 'list_splat') this.fail('starred expression statement');
    return this.node(T.expression_statement, [first]);
  }

  /** `first, b, *c,` up to the end of the statement or an `=`: elements and commas. */
  private commaList(first: NodeId): NodeId[] {
    const items = [first];
    while (this.is(',')) {
      items.push(this.anonymous());
      if (this.atStatementEnd() || this.is('=')) break;
      items.push(this.starredOrExpression());
    }
    return items;
  }

  private patternList(items: NodeId[]): NodeId {
    return this.node(T.pattern_list, items.map((n) => this.toPattern(n)));
  }

  private atAugmented(): boolean {
    return this.kind() === Tok.Op && AUGMENTED.has(this.tok.text);
  }

  /** `left = right`, `left: type [= right]`, `left += right`, with `left` already a pattern. */
  private assignment(left: NodeId): NodeId {
    const children = [this.field(F.left, left)];
    if (this.is('=')) {
      children.push(this.anonymous(), this.field(F.right, this.rightHandSide()));
      return this.node(T.assignment, children);
    }
    if (this.is(':')) {
      children.push(this.anonymous(), this.field(F.type, this.typeNode()));
      if (this.is('=')) children.push(this.anonymous(), this.field(F.right, this.rightHandSide()));
      return this.node(T.assignment, children);
    }
    children.push(this.field(F.operator, this.anonymous()), this.field(F.right, this.rightHandSide()));
    return this.node(T.augmented_assignment, children);
  }

  private rightHandSide(): NodeId {
    if (this.is('yield')) return this.yieldExpression();
    const first = this.starredOrExpression();
    let value = first;
    if (this.is(',')) {
      const items = this.commaList(first);
      if (this.is('=')) return this.assignment(this.patternList(items));
      value = this.node(T.expression_list, items);
    }
    if (this.is('=') || this.atAugmented()) return this.assignment(this.toPattern(value));
    if (this.ctx.typeOf(value) === 'list_splat') this.fail('starred right-hand side');
    return value;
  }

  // ───────────── compound statements ─────────────

  /** `_suite`: an indented block (INDENT … DEDENT) or simple statements on the header's line. */
  private suite(): NodeId {
    if (this.tok.kind === Tok.Indent) {
      this.advance();
      const statements: NodeId[] = [];
      while (this.kind() !== Tok.Dedent) {
        if (this.kind() === Tok.End) this.fail('block at end of input');
        this.statement(statements);
      }
      const dedent = this.hidden(Tok.Dedent);
      return this.node(T.block, statements, this.ctx.starts[statements[0]], dedent.start);
    }
    if (this.tok.kind === Tok.Newline) this.fail('empty block');
    const statements: NodeId[] = [];
    const newline = this.simpleStatements(statements);
    return this.node(T.block, statements, this.ctx.starts[statements[0]], newline);
  }

  private ifStatement(): NodeId {
    const children = [this.anonymous(), this.field(F.condition, this.expression()), this.expect(':'), this.field(F.consequence, this.suite())];
    while (this.is('elif')) {
      const clause = [this.anonymous(), this.field(F.condition, this.expression()), this.expect(':'), this.field(F.consequence, this.suite())];
      children.push(this.field(F.alternative, this.node(T.elif_clause, clause)));
    }
    if (this.is('else')) children.push(this.field(F.alternative, this.elseClause()));
    return this.node(T.if_statement, children);
  }

  private elseClause(): NodeId {
    return this.node(T.else_clause, [this.anonymous(), this.expect(':'), this.field(F.body, this.suite())]);
  }

  /** `async def`, `async for`, `async with`: the same node with the `async` keyword first. */
  private asyncStatement(): NodeId {
    const next = this.peek();
    if (next.kind !== Tok.Name) this.fail('async');
    const async = this.anonymous();
    switch (next.text) {
      case 'def': return this.functionDefinition(async);
      case 'for': return this.forStatement(async);
      case 'with': return this.withStatement(async);
      default: return this.fail('async');
    }
  }

  private forStatement(async?: NodeId): NodeId {
    const children = [...optional(async), this.anonymous(), this.field(F.left, this.targets()), this.expect('in'), this.field(F.right, this.expressions()), this.expect(':'), this.field(F.body, this.suite())];
    if (this.is('else')) children.push(this.field(F.alternative, this.elseClause()));
    return this.node(T.for_statement, children);
  }

  private whileStatement(): NodeId {
    const children = [this.anonymous(), this.field(F.condition, this.expression()), this.expect(':'), this.field(F.body, this.suite())];
    if (this.is('else')) children.push(this.field(F.alternative, this.elseClause()));
    return this.node(T.while_statement, children);
  }

  private tryStatement(): NodeId {
    const children = [this.anonymous(), this.expect(':'), this.field(F.body, this.suite())];
    while (this.is('except')) children.push(this.exceptClause());
    if (this.is('else')) children.push(this.elseClause());
    if (this.is('finally')) children.push(this.node(T.finally_clause, [this.anonymous(), this.expect(':'), this.suite()]));
    if (children.length === 3) this.fail('try without handlers');
    return this.node(T.try_statement, children);
  }

  private exceptClause(): NodeId {
    const children = [this.anonymous()];
    if (this.is('*')) this.fail('except*');
    if (!this.is(':')) {
      const value = this.asPattern(this.expression());
      if (this.is(',')) this.fail('except with a comma');
      children.push(this.field(F.value, value));
    }
    children.push(this.expect(':'), this.suite());
    return this.node(T.except_clause, children);
  }

  /** `expr as target` in with items and except clauses. */
  private asPattern(value: NodeId): NodeId {
    if (!this.is('as')) return value;
    const as = this.anonymous();
    const target = this.expression();
    return this.node(T.as_pattern, [value, as, this.field(F.alias, this.node(T.as_pattern_target, [target]))]);
  }

  private withStatement(async?: NodeId): NodeId {
    const keywords = [...optional(async), this.anonymous()];
    if (this.is('(')) this.fail('parenthesized with');
    const items = [this.node(T.with_item, [this.field(F.value, this.asPattern(this.expression()))])];
    while (this.is(',')) items.push(this.anonymous(), this.node(T.with_item, [this.field(F.value, this.asPattern(this.expression()))]));
    return this.node(T.with_statement, [...keywords, this.node(T.with_clause, items), this.expect(':'), this.field(F.body, this.suite())]);
  }

  private functionDefinition(async?: NodeId): NodeId {
    const children = [...optional(async), this.anonymous(), this.field(F.name, this.identifier())];
    if (this.is('[')) this.fail('type parameters');
    children.push(this.field(F.parameters, this.parameters()));
    if (this.is('->')) children.push(this.anonymous(), this.field(F.return_type, this.typeNode()));
    children.push(this.expect(':'), this.field(F.body, this.suite()));
    return this.node(T.function_definition, children);
  }

  private classDefinition(): NodeId {
    const children = [this.anonymous(), this.field(F.name, this.identifier())];
    if (this.is('[')) this.fail('type parameters');
    if (this.is('(')) children.push(this.field(F.superclasses, this.argumentList()));
    children.push(this.expect(':'), this.field(F.body, this.suite()));
    return this.node(T.class_definition, children);
  }

  private decoratedDefinition(): NodeId {
    const children: NodeId[] = [];
    while (this.is('@')) {
      const at = this.anonymous();
      const expression = this.expression();
      const newline = this.hidden(Tok.Newline);
      children.push(this.node(T.decorator, [at, expression], this.ctx.starts[at], newline.start));
    }
    if (this.is('def')) children.push(this.field(F.definition, this.functionDefinition()));
    else if (this.is('async') && this.peek().kind === Tok.Name && this.peek().text === 'def') children.push(this.field(F.definition, this.functionDefinition(this.anonymous())));
    else if (this.is('class')) children.push(this.field(F.definition, this.classDefinition()));
    else this.fail('decorated statement');
    return this.node(T.decorated_definition, children);
  }
}

/** `[node]`, or nothing for an absent one (the `async` before def, for and with). */
function optional(node: NodeId | undefined): NodeId[] {
  return node === undefined ? [] : [node];
}
