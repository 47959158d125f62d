/**
 * Shared pieces of the diagnostic checks (which run in the analysis worker, next to the tree):
 * the stable codes, the context every check reads, and small edit builders for quick fixes.
 */
import {
  DiagnosticSeverity,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type Range,
  type TextEdit,
} from 'vscode-languageserver';
import type { ModelGraph, ModelNode, SourceRange } from '../../../graph/model-graph';
import type { GraphLookup } from '../lookup';
import type { Fix, LensDiagnosticData, SyntaxIndex } from '../snapshot';
import { TextLines } from '../text-lines';
import { callParts, definitions as findDefinitions, functionDefinitions, nodeAtRange, rangeOfNode, type Node } from '../tree';
import { pathToUri } from '../uri';

/** Diagnostic codes: stable, documented, safe to filter on. */
export const Codes = {
  unknownLayer: 'unknown-layer',
  unknownOutput: 'unknown-output',
  duplicateLayerName: 'duplicate-layer-name',
  lossExtraArguments: 'loss-extra-arguments',
  targetCount: 'fit-target-count',
  lossCount: 'compile-loss-count',
  targetShape: 'fit-target-shape',
  sampleCount: 'fit-sample-count',
  inputShape: 'input-shape-mismatch',
  weightAsOutput: 'weight-as-output',
  invalidModelOutput: 'invalid-model-output',
  invalidModelInput: 'invalid-model-input',
  symbolicAddLoss: 'symbolic-add-loss',
  tfOnKerasTensor: 'tf-function-on-keras-tensor',
  lossReadsKerasTensor: 'loss-reads-keras-tensor',
  layerInputRank: 'layer-input-rank',
} as const;

export const SOURCE = 'Model Lens';

/**
 * One Python file a check reads: the analysed document itself, or a workspace module its analysis
 * imported (a builder function in models.py). Edits for a quick fix go to the file's `uri`.
 */
export class SourceFile {
  private byName?: Map<string, Node>;
  private defs?: { functions: Node[]; classes: Node[] };
  private linesCache?: TextLines;
  private tree?: Node;
  private parse?: () => Node;

  constructor(
    readonly uri: string,
    /** The syntax tree, or how to parse it when first needed (an imported module's). */
    root: Node | (() => Node),
    /** The evaluated text (syntax-error statements blanked, positions unchanged). */
    readonly text: string,
    definitions?: { functions: Node[]; classes: Node[] },
  ) {
    if (typeof root === 'function') this.parse = root;
    else this.tree = root;
    this.defs = definitions;
  }

  get root(): Node {
    this.tree ??= this.parse!();
    return this.tree;
  }

  get lines(): TextLines {
    this.linesCache ??= TextLines.of(this.text, this.root);
    return this.linesCache;
  }

  get definitions(): { functions: Node[]; classes: Node[] } {
    this.defs ??= findDefinitions(this.root);
    return this.defs;
  }

  /** Function definitions by name. */
  get functions(): Map<string, Node> {
    this.byName ??= functionDefinitions(this.definitions.functions);
    return this.byName;
  }

  /** The file name, for messages (`models.py`). */
  get label(): string {
    const path = this.uri.replace(/[?#].*$/, '');
    return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  }

  /**
   * The call node at a range the graph reports, when it is in this file and is a call of `name`.
   * Graph ranges of other files must not be located here: the start must be a call's start.
   */
  callAt(range: SourceRange, name: string): ReturnType<typeof callParts> {
    const node = nodeAtRange(this.root, range, ['call']);
    if (!node || node.startPosition.row !== range.start.line || node.startPosition.column !== range.start.character) return undefined;
    const parts = callParts(node);
    return parts && (parts.name === name || name === '*') ? parts : undefined;
  }

  /** How this file spells the Keras module: `keras`, `tf.keras`, or `keras` plus an import to add. */
  kerasModule(): { prefix: string; importEdit?: TextEdit } {
    const t = this.text;
    if (/^\s*(import keras\b|from tensorflow import (.*\W)?keras\b|import tensorflow\.keras as keras\b|import keras as keras\b)/m.test(t)) return { prefix: 'keras' };
    if (/^\s*import tensorflow as tf\b/m.test(t)) return { prefix: 'tf.keras' };
    return { prefix: 'keras', importEdit: { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'import keras\n' } };
  }
}

/** The workspace modules an analysis read (path → text, as the analyzer saw them) and a parser for them. */
export interface ModuleSources {
  texts: ReadonlyMap<string, string>;
  parse(text: string): Node;
}

export class CheckContext extends SourceFile {
  private readonly modules = new Map<string, SourceFile | null>();

  constructor(
    uri: string,
    readonly graph: ModelGraph,
    readonly index: SyntaxIndex,
    readonly lookup: GraphLookup,
    root: Node,
    text: string,
    definitions: { functions: Node[]; classes: Node[] },
    private readonly sources?: ModuleSources,
  ) {
    super(uri, root, text, definitions);
  }

  /**
   * The file a graph location is in: this document when `path` is unset (the graph's convention),
   * else the imported module's text as the analyzer read it (parsed when its tree is first read). Undefined when
   * the analysis did not read that file.
   */
  file(path: string | undefined): SourceFile | undefined {
    if (!path) return this;
    let found = this.modules.get(path);
    if (found === undefined) {
      const text = this.sources?.texts.get(path);
      found = text === undefined ? null : new SourceFile(pathToUri(path), () => this.sources!.parse(text), text);
      this.modules.set(path, found);
    }
    return found ?? undefined;
  }

  /** URI of the file a graph location is in (`file` unset: this document). */
  uriOf(file: string | undefined): string {
    return file ? pathToUri(file) : this.uri;
  }

  /** Paths of the workspace modules the analysis read. */
  modulePaths(): string[] {
    return this.sources ? [...this.sources.texts.keys()] : [];
  }
}

export function diagnostic(
  range: Range,
  code: string,
  severity: DiagnosticSeverity,
  message: string,
  options: { fixes?: Fix[]; related?: DiagnosticRelatedInformation[] } = {},
): Diagnostic {
  const d: Diagnostic = { range, code, severity, source: SOURCE, message };
  if (options.related?.length) d.relatedInformation = options.related;
  if (options.fixes?.length) d.data = { fixes: options.fixes } satisfies LensDiagnosticData;
  return d;
}

export { DiagnosticSeverity };

export function replaceFix(title: string, uri: string, range: Range, newText: string, isPreferred = false): Fix {
  return { title, isPreferred, edit: { changes: { [uri]: [{ range, newText }] } } };
}

/** Appends `key=value` to a call's arguments, after the last one (a trailing comma stays valid). */
export function appendArgument(call: Node, argument: string): TextEdit | undefined {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return undefined;
  const named = args.namedChildren.filter((c) => c && c.type !== 'comment');
  const last = named[named.length - 1];
  if (!last) {
    const open = rangeOfNode(args).start;
    return { range: { start: { line: open.line, character: open.character + 1 }, end: { line: open.line, character: open.character + 1 } }, newText: argument };
  }
  const end = rangeOfNode(last).end;
  return { range: { start: end, end }, newText: `, ${argument}` };
}

/** Closest names by edit distance, for did-you-mean. */
export function closestNames(name: string, candidates: string[], limit = 3): string[] {
  const max = Math.max(2, Math.floor(name.length / 3));
  return [...new Set(candidates)]
    .map((c) => ({ c, d: editDistance(name.toLowerCase(), c.toLowerCase()) }))
    .filter((x) => x.d <= max || x.c.startsWith(name) || name.startsWith(x.c))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, limit)
    .map((x) => x.c);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

export function formatDims(shape: (number | null)[] | null): string {
  if (!shape) return '?';
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}

export function quoteList(names: string[], max = 8): string {
  const shown = names.slice(0, max).map((n) => `'${n}'`);
  return names.length > max ? `${shown.join(', ')}, … (${names.length} in all)` : shown.join(', ');
}

/** A model as diagnostics name it: `'name'`, with the variable that holds it when that differs. */
export function modelLabel(model: ModelNode): string {
  const variable = model.variables[0];
  return variable && variable !== model.name ? `'${model.name}' (${variable})` : `'${model.name}'`;
}
