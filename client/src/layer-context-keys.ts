/**
 * Keeps the `modelLens.onLayerReference` / `modelLens.onTappedLayer` context keys (contributions.ts)
 * in step with the active Python editor's cursor, so that the editor context menu offers Tap Layer
 * only on an untapped layer and Untap Layer only on a tapped one.
 *
 * Cheap: the model graph comes from the same language-server request the Tap command uses
 * (`modelGraph`), asked once per document version (cached); cursor moves within a version are a
 * pure lookup (layer-context.ts). Keyboard moves are debounced; mouse clicks and tap changes
 * update at once when the graph is cached. A key is sent to VS Code (`setContext`) only when its
 * value changes.
 *
 * A right-click moves the cursor and opens the menu at once, in the workbench: the menu is built
 * before the extension host hears of the new cursor. So the keys also follow the mouse when it
 * rests on the text (VS Code asks hover providers then; this one only notes the position and
 * shows nothing): a right-click where the mouse rested finds them right. The latest of the two
 * (a cursor move, a mouse rest) decides.
 */
import * as vscode from 'vscode';
import type { ModelGraph } from '../../graph/model-graph';
import { ContextKeys } from './contributions';
import { layerContextAt, NO_LAYER, type LayerContext } from './layer-context';
import type { RunManager } from './run-manager';

export interface GraphSource {
  modelGraph(uri: vscode.Uri, token?: vscode.CancellationToken): Promise<ModelGraph | null>;
}

export class LayerContextKeys implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private current: LayerContext = NO_LAYER;
  /** What VS Code was last told, per key (undefined: nothing sent yet). */
  private readonly sent = new Map<string, boolean>();
  private cache: { uri: string; version: number; graph: ModelGraph | null } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending: vscode.CancellationTokenSource | undefined;
  private generation = 0;
  private disposed = false;
  /** Where the mouse last rested in the active document, when that came after the last cursor move. */
  private pointer: { doc: vscode.TextDocument; position: vscode.Position } | undefined;

  constructor(
    private readonly graphs: GraphSource,
    private readonly runs: Pick<RunManager, 'tapsOf' | 'onDidChangeTaps'>,
    private readonly options: { debounceMs?: number; log?: (message: string) => void } = {},
  ) {
    this.disposables.push(
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor !== vscode.window.activeTextEditor) return;
        this.pointer = undefined;
        this.schedule(e.kind === vscode.TextEditorSelectionChangeKind.Mouse);
      }),
      vscode.window.onDidChangeActiveTextEditor(() => {
        this.pointer = undefined;
        this.schedule(true);
      }),
      vscode.languages.registerHoverProvider(
        { language: 'python', scheme: 'file' },
        {
          provideHover: (doc, position) => {
            if (doc !== vscode.window.activeTextEditor?.document) return undefined;
            if (this.pointer?.doc !== doc || !this.pointer.position.isEqual(position)) {
              this.pointer = { doc, position };
              this.schedule(true);
            }
            return undefined;
          },
        },
      ),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0) return;
        // Another file may hold a model this one uses: any Python edit invalidates the graph.
        if (e.document.languageId === 'python') this.cache = undefined;
        if (e.document === vscode.window.activeTextEditor?.document) this.schedule(false);
      }),
      vscode.workspace.onDidSaveTextDocument(() => {
        this.cache = undefined;
        this.schedule(false);
      }),
    );
    const taps = this.runs.onDidChangeTaps(() => this.schedule(true));
    this.disposables.push({ dispose: () => taps.dispose() });
    this.schedule(true);
  }

  /** The values last computed (what the menus see once VS Code has them). */
  values(): Record<string, boolean> {
    return { [ContextKeys.onLayerReference]: this.current.onLayerReference, [ContextKeys.onTappedLayer]: this.current.onTappedLayer };
  }

  /** The layer the keys are about (tests, logs). */
  context(): LayerContext {
    return this.current;
  }

  /** Recomputes now (`immediate`) or after the debounce delay. */
  schedule(immediate: boolean): void {
    if (this.disposed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (immediate) void this.update();
    else this.timer = setTimeout(() => void this.update(), this.options.debounceMs ?? 120);
  }

  private async update(): Promise<void> {
    this.timer = undefined;
    const generation = ++this.generation;
    this.pending?.cancel();
    this.pending = undefined;
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'python' || editor.document.uri.scheme !== 'file') {
      this.apply(NO_LAYER);
      return;
    }
    const doc = editor.document;
    const uri = doc.uri.toString();
    let graph: ModelGraph | null;
    if (this.cache && this.cache.uri === uri && this.cache.version === doc.version) {
      graph = this.cache.graph;
    } else {
      const version = doc.version;
      const source = (this.pending = new vscode.CancellationTokenSource());
      try {
        graph = await this.graphs.modelGraph(doc.uri, source.token);
      } catch (error) {
        if (generation === this.generation && !source.token.isCancellationRequested) this.options.log?.(`context keys: no model graph for ${doc.uri.fsPath}: ${String(error)}`);
        return;
      } finally {
        source.dispose();
        if (this.pending === source) this.pending = undefined;
      }
      if (generation !== this.generation || this.disposed) return; // a newer update is under way
      this.cache = { uri, version, graph };
    }
    const active = vscode.window.activeTextEditor;
    if (active?.document !== doc) return; // the next update (active editor changed) decides
    const p = this.pointer?.doc === doc ? this.pointer.position : active.selection.active;
    this.apply(layerContextAt(graph, doc.uri.fsPath, { line: p.line, character: p.character }, (key) => this.runs.tapsOf(key)));
  }

  private apply(next: LayerContext): void {
    this.current = next;
    for (const [key, value] of Object.entries(this.values())) {
      if (this.sent.get(key) === value) continue;
      this.sent.set(key, value);
      void vscode.commands.executeCommand('setContext', key, value);
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.pending?.cancel();
    for (const d of this.disposables) d.dispose();
  }
}
