/**
 * Python parsing with tree-sitter (web-tree-sitter + the grammar wasm shipped in `tree-sitter-python`).
 *
 * Error tolerance: tree-sitter keeps going after a syntax error, but an unclosed bracket can swallow
 * every statement after it. So a broken statement is blanked out (same length, newlines kept, so
 * positions stay valid) and the rest is parsed again, until the tree is clean or the retry budget
 * runs out. Each blanked region becomes a note.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser, type Node as TsNode, type Tree } from 'web-tree-sitter';
import { parseFast, Unsupported } from './python-parser';
import { toSyntaxTree, type SyntaxNode } from './syntax-tree';

/** tree-sitter's own node type; the evaluator walks our own flat tree instead (see syntax-tree.ts). */
export type Node = TsNode;
export type { Parser, Tree, SyntaxNode };

let parserPromise: Promise<Parser> | undefined;

/** Finds a wasm file next to the bundle (dist/) or in node_modules (tests, CLI from source). */
function locateWasm(fileName: string, packageName: string): string {
  const besideBundle = path.join(__dirname, fileName);
  if (fs.existsSync(besideBundle)) return besideBundle;
  // web-tree-sitter's exports hide its files, but its main module sits next to the wasm.
  if (packageName === 'web-tree-sitter') return path.join(path.dirname(require.resolve(packageName)), fileName);
  return require.resolve(`${packageName}/${fileName}`);
}

export function initParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    const runtimeWasm = locateWasm('tree-sitter.wasm', 'web-tree-sitter');
    await Parser.init({ locateFile: () => runtimeWasm });
    const language = await Language.load(locateWasm('tree-sitter-python.wasm', 'tree-sitter-python'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

export interface ParseResult {
  /** tree-sitter's tree when tree-sitter parsed (kept for incremental re-parsing); undefined on the fast path. */
  tree: Tree | undefined;
  /** The syntax tree the evaluator walks (see syntax-tree.ts). */
  root: SyntaxNode;
  /** The text actually parsed: the source with unrecoverable statements blanked out. */
  text: string;
  /** 1-based line ranges that were blanked because of syntax errors. */
  skipped: { startLine: number; endLine: number }[];
}

const MAX_REPAIRS = 25;

/**
 * The fast parser first (it builds tree-sitter's tree or steps aside); tree-sitter with statement
 * blanking for everything else, syntax errors included.
 */
export function parsePython(parser: Parser, source: string, previous?: Tree): ParseResult {
  try {
    return { tree: undefined, root: parseFast(source), text: source, skipped: [] };
  } catch (e) {
    // Nesting deeper than the recursive-descent parser's stack: tree-sitter's parser is not recursive.
    if (!(e instanceof Unsupported) && !(e instanceof RangeError)) throw e;
  }
  return parseWithTreeSitter(parser, source, previous);
}

function parseWithTreeSitter(parser: Parser, source: string, previous?: Tree): ParseResult & { tree: Tree } {
  let text = source;
  let tree = parseOrThrow(parser, text, previous);
  const skipped: ParseResult['skipped'] = [];
  for (let attempt = 0; attempt < MAX_REPAIRS && tree.rootNode.hasError; attempt++) {
    const region = brokenStatementLines(tree.rootNode, text);
    if (!region) break;
    skipped.push({ startLine: region.start + 1, endLine: region.end + 1 });
    text = blankLines(text, region.start, region.end);
    tree.delete();
    tree = parseOrThrow(parser, text);
  }
  return { tree, root: toSyntaxTree(tree, text), text, skipped };
}

function parseOrThrow(parser: Parser, text: string, previous?: Tree): Tree {
  const tree = parser.parse(text, previous ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** 0-based inclusive line range of the statement holding the first error. */
function brokenStatementLines(root: TsNode, text: string): { start: number; end: number } | undefined {
  const error = firstError(root);
  if (!error) return undefined;
  const line = error.startPosition.row;
  // An ERROR node that starts a line but spans many is usually an unclosed bracket: blank the
  // line where it starts; the lines it swallowed get their own chance on the next parse.
  const lines = text.split('\n');
  let start = line;
  // Walk back over continuation lines of the same logical statement (inside open brackets).
  while (start > 0 && isContinuation(lines[start - 1])) start--;
  return { start, end: Math.max(line, Math.min(error.endPosition.row, start)) };
}

function isContinuation(previousLine: string | undefined): boolean {
  if (previousLine === undefined) return false;
  const trimmed = previousLine.trimEnd();
  return trimmed.endsWith('\\') || trimmed.endsWith(',') || trimmed.endsWith('(') || trimmed.endsWith('[');
}

function firstError(node: TsNode): TsNode | undefined {
  if (node.isError || node.isMissing) return node;
  if (!node.hasError) return undefined;
  for (const child of node.children) {
    if (!child) continue;
    const found = firstError(child);
    if (found) return found;
  }
  return node;
}

function blankLines(text: string, startLine: number, endLine: number): string {
  const lines = text.split('\n');
  for (let i = startLine; i <= endLine && i < lines.length; i++) {
    lines[i] = ' '.repeat(lines[i].length);
  }
  return lines.join('\n');
}
