/**
 * Entry point of the analysis: Python source → ModelGraph.
 *
 *   parse (tree-sitter, error-tolerant) → evaluate (bounded interpreter + Keras runtime)
 *   → build the graph (models in construction order, layers in Keras order)
 */
import type { ModelGraph, Note } from '../graph/model-graph';
import { Budget, BudgetExceeded, DEFAULT_LIMITS, type BudgetLimits } from './budget';
import { buildModelNode } from './graph-builder';
import { Interpreter } from './interpreter';
import { layerOf } from './keras-build';
import { KerasRuntime } from './keras-runtime';
import { StreamFailed, type StatementStream } from './parse-stream';
import { initParser, parsePython, type ParseResult, type Parser, type Tree } from './parser';
import type { SyntaxNode } from './syntax-tree';
import type { Value } from './values';

export interface AnalyzeOptions {
  file: string;
  limits?: Partial<BudgetLimits>;
  /** Source of a module of the user's workspace, by dotted name; undefined when not found. */
  readModule?: (module: string) => { file: string; text: string } | undefined;
  /** The previous tree of this document, for incremental re-parsing. */
  previousTree?: Tree;
  /**
   * A streamed parse of the source already under way in another thread (parse-stream.ts): the
   * evaluation starts with its first statement. If the fast parser steps aside, the source is
   * parsed here after all.
   */
  stream?: StatementStream;
}

export interface AnalysisResult {
  graph: ModelGraph;
  /** The syntax tree that was evaluated (stored flat in typed arrays; see syntax-tree.ts). */
  root: SyntaxNode;
  /** The text that was evaluated (syntax-error statements blanked). */
  parsedText: string;
  /**
   * tree-sitter's tree of `parsedText`, for consumers that walk tree-sitter nodes (trainer, loss
   * interpretation). Made on first access when the fast parser did the parse; the caller deletes it.
   */
  readonly tree: Tree;
  /** tree-sitter's own tree when it did the parse (it can seed an incremental re-parse), else undefined. */
  readonly treeSitterTree: Tree | undefined;
  /** The evaluation ran on a streamed parse (parse-stream.ts). */
  readonly streamed: boolean;
}

/** Files above this size are not evaluated (a note says so). */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

export async function analyzeSource(source: string, options: AnalyzeOptions): Promise<AnalysisResult> {
  const parser = await initParser();
  return analyzeWithParser(parser, source, options);
}

export function analyzeWithParser(parser: Parser, source: string, options: AnalyzeOptions): AnalysisResult {
  if (source.length > MAX_FILE_BYTES) {
    const graph: ModelGraph = { file: options.file, models: [], references: [], notes: [], truncated: true };
    graph.notes.push({ line: 1, severity: 'warning', message: `file is ${(source.length / 1048576).toFixed(1)} MB; files over ${MAX_FILE_BYTES / 1048576} MB are not analyzed` });
    return result(parser, graph, parsePython(parser, ''), false);
  }
  const stream = options.stream;
  if (stream && stream.source === source) {
    try {
      return evaluate(parser, options, source, stream.statements(), () => ({ tree: undefined, root: stream.root(), text: source, skipped: [] }), true);
    } catch (error) {
      // The fast parser stepped aside part-way: what was evaluated is dropped, and tree-sitter parses.
      if (!(error instanceof StreamFailed)) throw error;
    }
  }
  const parsed = parsePython(parser, source, options.previousTree);
  return evaluate(parser, options, parsed.text, parsed.root.children, () => parsed, false);
}

/** Evaluates the module's statements (as they come, for a streamed parse) and builds the graph. */
function evaluate(parser: Parser, options: AnalyzeOptions, text: string, statements: Iterable<SyntaxNode>, parsedTree: () => ParseResult, streamed: boolean): AnalysisResult {
  const notes: Note[] = [];
  const graph: ModelGraph = { file: options.file, models: [], references: [], notes, truncated: false };
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const muted = { on: false };
  const sink = { note: (line: number, severity: Note['severity'], message: string) => muted.on || notes.push({ line, severity, message }) };
  const interp = new Interpreter(new Budget(limits), sink, options.file);
  const runtime = new KerasRuntime(interp, text, { loadModule: moduleLoader(parser, interp, options) });
  const completed = interp.runModule(statements);
  const parsed = parsedTree();
  for (const s of parsed.skipped) {
    notes.push({ line: s.startLine, severity: 'warning', message: `syntax error: line${s.endLine > s.startLine ? `s ${s.startLine}-${s.endLine}` : ` ${s.startLine}`} skipped` });
  }
  if (completed) runUncalledFunctions(interp, runtime, muted);
  graph.truncated = !completed;
  const variables = moduleVariables(interp.moduleScope.vars);
  graph.models = runtime.models.map((m) => buildModelNode(runtime, m, variables.get(m.layer.id) ?? []));
  graph.references = runtime.references;
  attachKerasErrors(graph, runtime, interp);
  notes.sort((a, b) => a.line - b.line);
  return result(parser, graph, parsed, streamed);
}

/** Calls Keras 3 raises at that the evaluation went past (see ModelGraph), with their source ranges. */
function attachKerasErrors(graph: ModelGraph, runtime: KerasRuntime, interp: Interpreter): void {
  if (runtime.inputRankErrors.length > 0) graph.inputRankErrors = runtime.inputRankErrors.map(({ node, ...error }) => ({ ...error, range: interp.rangeOf(node) }));
  if (runtime.tfOnKerasTensors.length > 0) graph.tfOnKerasTensors = runtime.tfOnKerasTensors.map(({ node, ...call }) => ({ ...call, range: interp.rangeOf(node) }));
}

function result(parser: Parser, graph: ModelGraph, parsed: ParseResult, streamed: boolean): AnalysisResult {
  let tree = parsed.tree;
  return {
    graph,
    streamed,
    root: parsed.root,
    parsedText: parsed.text,
    treeSitterTree: parsed.tree,
    get tree(): Tree {
      tree ??= parser.parse(parsed.text)!;
      return tree;
    },
  };
}

/**
 * Functions of this file that nothing in it calls (a models.py of builders imported elsewhere) still
 * show their models: after the module, each runs once with its parameter defaults (unknown where it
 * has none), its auto-names approximate (they depend on what ran before the real call), its notes
 * muted. The models it builds are marked with its name.
 */
function runUncalledFunctions(interp: Interpreter, runtime: KerasRuntime, muted: { on: boolean }): void {
  for (const fn of [...interp.moduleScope.vars.values()]) {
    if (fn.k !== 'func' || fn.isLambda || fn.module || fn.called) continue;
    const before = runtime.models.length;
    muted.on = runtime.names.speculative = true;
    try {
      interp.callFunction(fn, runtime.syntheticArgs(fn.node), undefined);
    } catch (error) {
      if (error instanceof BudgetExceeded) return; // what is left of the budget is spent: stop quietly
      if (!(error instanceof RangeError)) throw error;
    } finally {
      muted.on = runtime.names.speculative = false;
    }
    for (const model of runtime.models.slice(before)) model.speculative = fn.name;
  }
}

function moduleVariables(vars: Map<string, Value>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, value] of vars) {
    const layer = layerOf(value);
    if (!layer?.model) continue;
    out.set(layer.id, [...(out.get(layer.id) ?? []), name].sort());
  }
  return out;
}

/** Evaluates imported workspace modules in the same interpreter (Python runs them at import). */
function moduleLoader(parser: Parser, interp: Interpreter, options: AnalyzeOptions) {
  const cache = new Map<string, Map<string, Value> | undefined>();
  return (module: string): Map<string, Value> | undefined => {
    if (cache.has(module)) return cache.get(module);
    cache.set(module, undefined); // import cycles resolve to "unknown"
    const found = options.readModule?.(module);
    if (!found) return undefined;
    const parsed = parsePython(parser, found.text);
    const scope = interp.runImportedModule(parsed.root, parsed.text, found.file);
    parsed.tree?.delete();
    cache.set(module, scope);
    return scope;
  };
}
