/**
 * What one analysis of one document version produces, as plain data: the analyzer's model graph
 * plus a small syntax index and the diagnostics, all computed in the analysis worker (which owns
 * the tree-sitter tree) and sent to the main thread, where the LSP features read them.
 */
import type { Diagnostic, Position, Range, WorkspaceEdit } from 'vscode-languageserver';
import type { ModelGraph } from '../../graph/model-graph';
import { GraphLookup } from './lookup';
import { pathToUri } from './uri';

/** Where a string literal names a layer. */
export type StringContext =
  | 'get_layer' // model.get_layer("name") / get_layer(name="name")
  | 'output_key' // keys of compile(loss={...}, loss_weights=, metrics=) and fit(y={...})
  | 'name_list' // a list of layer names: ["encoder", "decoder"]
  | 'name_argument'; // the layer's own name="..."

export interface IndexedString {
  /** The string's contents, without quotes. */
  range: Range;
  text: string;
  context: StringContext;
  /** True when the model was decided by the code (the receiver), not guessed from the name. */
  receiverKnown: boolean;
  /** Models the string is resolved against. */
  modelIds: string[];
  /** Layers it names (one per model where the name exists). */
  layerIds: string[];
}

/** A function body; bindings inside it are local to it. */
export interface FunctionScope {
  range: Range;
  children: FunctionScope[];
}

/** The string literal that spells a layer's name (the name= argument, or the default/constant it comes from). */
export interface NameSite {
  layerId: string;
  range: Range; // contents, without quotes
  /** Set when the literal is in an imported module rather than this document. */
  file?: string;
}

/**
 * A reference recorded while running an imported module's code for this document (a builder
 * function defined in models.py): the range is in `file`; strings are given by their contents.
 */
export interface ForeignReference {
  file: string;
  kind: 'get_layer' | 'output_key' | 'name_argument' | 'layer_variable' | 'tensor_variable' | 'model_variable';
  range: Range;
  text: string;
  layerId: string | null;
}

export interface SyntaxIndex {
  strings: IndexedString[];
  functions: FunctionScope[];
  nameSites: NameSite[];
  /**
   * Model id for the id of the layer object that is the model: references to a model variable
   * carry the latter (the graph does not link them; see notes/analyzer-requests.md).
   */
  modelOfLayer: Record<string, string>;
  foreign: ForeignReference[];
}

/** A quick fix carried in a diagnostic's `data`, so code actions need no second analysis. */
export interface Fix {
  title: string;
  /**
   * `changes` by URI: this document's, and those of imported modules when the fix also edits
   * code there (a layer built by a function in models.py). Other files' edits are computed
   * against the text this analysis read; a change to such a file re-analyses this document.
   */
  edit: WorkspaceEdit;
  isPreferred?: boolean;
}

export interface LensDiagnosticData {
  fixes: Fix[];
}

/** Which parser read the text: the fast parser, or tree-sitter (from scratch or incrementally). */
export type ParserUsed = 'fast' | 'fast streamed' | 'tree-sitter' | 'tree-sitter incremental';

export interface SnapshotData {
  uri: string;
  path: string;
  version: number;
  graph: ModelGraph;
  index: SyntaxIndex;
  diagnostics: Diagnostic[];
  /** Paths of the workspace modules this analysis imported (for dependants invalidation). */
  dependencies: string[];
  timing: { analyzeMs: number; indexMs: number; parser: ParserUsed };
}

/** One finished analysis, with lookups built on first use. */
export class Snapshot {
  private cachedLookup?: GraphLookup;

  constructor(
    readonly data: SnapshotData,
    readonly generation: number,
  ) {}

  get uri(): string {
    return this.data.uri;
  }

  get version(): number {
    return this.data.version;
  }

  get graph() {
    return this.data.graph;
  }

  get index() {
    return this.data.index;
  }

  get lookup(): GraphLookup {
    this.cachedLookup ??= new GraphLookup(this.data.graph, this.data.index);
    return this.cachedLookup;
  }

  /** URI of the file a graph location is in (a layer or model from an imported module has `file`). */
  uriOf(file: string | undefined): string {
    return file ? pathToUri(file) : this.data.uri;
  }
}

/** A snapshot that may be older than the text, with the way back from current positions. */
export interface TypingView {
  snapshot: Snapshot;
  /** Current position → snapshot position; null inside text typed since the snapshot. */
  toSnapshot(pos: Position): Position | null;
  /** Like toSnapshot, but new text maps to where it was typed. */
  toSnapshotClamped(pos: Position): Position;
}
