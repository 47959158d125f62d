/**
 * The analysis worker thread. It owns the tree-sitter parser and each open document's last tree
 * (edited with tree.edit and handed to the parser for incremental re-parsing), runs the analyzer,
 * and builds everything else that needs the tree (syntax index, diagnostics with their fixes), so
 * that the main thread never blocks on analysis and keeps answering completion and hover.
 */
import { parentPort } from 'node:worker_threads';
import { analyzeWithParser } from '../../analysis/analyze';
import { initParser, parsePython, type Parser, type Tree } from '../../analysis/parser';
import { CheckContext } from './features/diagnostic-kit';
import { attributeFiles } from './file-attribution';
import { computeDiagnostics } from './features/diagnostics';
import { GraphLookup } from './lookup';
import { ParseHelper } from './parse-worker';
import type { SnapshotData } from './snapshot';
import { buildSyntaxIndex } from './syntax-index';
import { TextLines } from './text-lines';
import { lowerThreadPriority } from './thread-priority';
import { definitions } from './tree';
import { ModuleResolver } from './workspace';

/** tree-sitter's edit, in UTF-16 offsets and positions (what web-tree-sitter uses). */
export interface TreeEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: { row: number; column: number };
  oldEndPosition: { row: number; column: number };
  newEndPosition: { row: number; column: number };
}

export interface AnalyzeJob {
  type: 'analyze';
  id: number;
  uri: string;
  path: string;
  version: number;
  text: string;
  /** The version the worker's tree for this uri is at, and the edits from it to `version`. */
  baseVersion: number | null;
  edits: TreeEdit[];
  /** Open documents' texts that changed since the last job (null: closed, read from disk again). */
  overlays: [string, string | null][];
  roots: string[];
  timeBudgetMs: number;
  /** Keep the tree for incremental re-parsing (open documents only). */
  keepTree: boolean;
}

export type WorkerRequest = AnalyzeJob | { type: 'forget'; uri: string };

export type WorkerResponse = { type: 'done'; id: number; json: string } | { type: 'failed'; id: number; message: string } | { type: 'log'; message: string };

export function runAnalysisWorker(script: string): void {
  const port = parentPort;
  if (!port) return;
  lowerThreadPriority();
  const trees = new Map<string, { version: number; tree: Tree }>();
  const resolver = new ModuleResolver();
  const parser = initParser();
  const helper = new ParseHelper(script, (message) => port.postMessage({ type: 'log', message } satisfies WorkerResponse));

  port.on('message', async (message: WorkerRequest) => {
    if (message.type === 'forget') {
      trees.get(message.uri)?.tree.delete();
      trees.delete(message.uri);
      helper.forget(message.uri);
      return;
    }
    try {
      const json = JSON.stringify(analyze(await parser, message, trees, resolver, helper));
      port.postMessage({ type: 'done', id: message.id, json } satisfies WorkerResponse);
    } catch (error) {
      trees.get(message.uri)?.tree.delete();
      trees.delete(message.uri);
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      port.postMessage({ type: 'failed', id: message.id, message: text } satisfies WorkerResponse);
    }
  });
}

function analyze(parser: Parser, job: AnalyzeJob, trees: Map<string, { version: number; tree: Tree }>, resolver: ModuleResolver, helper: ParseHelper): SnapshotData {
  resolver.roots = job.roots;
  for (const [file, text] of job.overlays) {
    if (text === null) resolver.overlays.delete(file);
    else resolver.overlays.set(file, text);
  }
  if (job.keepTree) resolver.overlays.set(job.path, job.text);

  const previous = trees.get(job.uri);
  trees.delete(job.uri);
  let previousTree: Tree | undefined;
  if (previous && previous.version === job.baseVersion) {
    for (const edit of job.edits) previous.tree.edit(edit);
    previousTree = previous.tree;
  } else {
    previous?.tree.delete();
  }

  const used = new Map<string, string>();
  const started = performance.now();
  const stream = helper.stream(job.uri, job.text);
  const result = analyzeWithParser(parser, job.text, {
    file: job.path,
    previousTree,
    stream,
    limits: { timeMs: job.timeBudgetMs },
    readModule: (module) => resolver.read(module, job.path, used),
  });
  previousTree?.delete();
  const attribution = attributeFiles(result.graph, TextLines.of(result.parsedText, result.root), [...used].map(([file, text]) => ({ file, text })));
  const analyzed = performance.now();

  const defs = definitions(result.root);
  const index = buildSyntaxIndex(result.graph, result.root, result.parsedText, attribution, defs.functions);
  const lookup = new GraphLookup(result.graph, index);
  // Quick fixes may edit the imported modules too (a layer built in models.py): their texts, parsed on demand.
  const modules = { texts: used, parse: (text: string) => parseModule(parser, text) };
  const diagnostics = computeDiagnostics(new CheckContext(job.uri, result.graph, index, lookup, result.root, result.parsedText, defs, modules));
  const indexed = performance.now();

  // Only tree-sitter's tree of the document's own text can seed the next parse (not one with
  // blanked lines). The fast parser leaves none: it re-parses a whole file faster than
  // tree-sitter's incremental parse plus the copy of its tree.
  const tree = result.treeSitterTree;
  helper.parsed(job.uri, !tree);
  if (tree && job.keepTree && result.parsedText === job.text) trees.set(job.uri, { version: job.version, tree });
  else tree?.delete();

  return {
    uri: job.uri,
    path: job.path,
    version: job.version,
    graph: result.graph,
    index,
    diagnostics,
    dependencies: [...used.keys()],
    timing: { analyzeMs: round(analyzed - started), indexMs: round(indexed - analyzed), parser: !tree ? (result.streamed ? 'fast streamed' : 'fast') : previousTree ? 'tree-sitter incremental' : 'tree-sitter' },
  };
}

/** A module's syntax tree (ours; tree-sitter's, if one was made, freed at once). */
function parseModule(parser: Parser, text: string) {
  const parsed = parsePython(parser, text);
  parsed.tree?.delete();
  return parsed.root;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
