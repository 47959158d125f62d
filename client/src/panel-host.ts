/**
 * The Train & Inspect panel's host: one webview panel per model (file + model), restored after a
 * reload by a WebviewPanelSerializer, fed through one typed `post()` that queues until the
 * webview's `ready` (message-queue.ts), with trainer events coalesced per frame.
 *
 * The panel's controls drive the same run manager as the commands (through `PanelActions`).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelNode } from '../../graph/model-graph';
import type { HostToWebview, PanelInit, PanelRunSettings, SavedRun, TrainerEvent, TrainerEventType, WebviewToHost } from '../../protocol/protocol';
import { makeNonce, panelHtml } from '../../webview/src/host-html';
import { PANEL_VIEW_TYPE } from './contributions';
import { EventCoalescer, ReadyQueue, type HostMessage } from './message-queue';
import { modelKey, targetFromPanelState } from './model-target';
import { interruptedRunStamp, type RunArchive } from './run-archive';
import type { Run, RunManager } from './run-manager';

export { PANEL_VIEW_TYPE };
const WEBVIEW_TYPES: ReadonlySet<string> = new Set<keyof WebviewToHost>(['ready', 'startRun', 'stopRun', 'revealSource', 'tapLayer', 'untapLayer', 'openRun', 'exportRun']);

/** What a panel is about. */
export interface PanelTarget {
  /** Absolute path of the Python file (`''` for a restored panel whose state named none). */
  file: string;
  /** The model as the trainer's `--model` takes it (see model-target.ts requestModelName). */
  model: string;
}

/** What the panel asks of the rest of the extension. */
export interface PanelActions {
  /** The analyzer's model for the panel (undefined when the file or model is gone). */
  modelFor(target: PanelTarget): Promise<ModelNode | undefined>;
  /** The run settings the controls start with. */
  runSettings(target: PanelTarget, model: ModelNode | undefined): PanelRunSettings;
  /** Suggestions for the data control. */
  dataChoices(target: PanelTarget): string[];
  /** Start a run with the panel's settings (the same path as the Train & Inspect command). Resolves false when refused. */
  startRun(target: PanelTarget, settings: PanelRunSettings): Promise<boolean>;
  /** Open Saved Run… from the panel's button: answer with `loadRun` to this panel. */
  openRun(panel: ModelPanel): Promise<void>;
  /** Export Run… from the panel's button. */
  exportRun(panel: ModelPanel): Promise<void>;
  log(message: string): void;
}

/** Plain data about a panel (the test API). */
export interface PanelSnapshot {
  key: string;
  modelKey: string;
  file: string;
  model: string;
  visible: boolean;
  active: boolean;
  ready: boolean;
  /** `ready` messages received (a reload or restore sends another). */
  readyCount: number;
  /** Messages delivered to the webview, by type. */
  posted: Partial<Record<keyof HostToWebview, number>>;
  /** Trainer events delivered to the webview, by event type. */
  events: Partial<Record<TrainerEventType, number>>;
  /** Messages waiting for `ready`. */
  queued: number;
  /** The run shown: a live run's id, or `saved` for a loaded file. */
  shows?: number | 'saved';
}

function isWebviewMessage(m: unknown): m is { type: keyof WebviewToHost; payload: unknown } {
  return !!m && typeof m === 'object' && typeof (m as { type?: unknown }).type === 'string' && WEBVIEW_TYPES.has((m as { type: string }).type);
}

export class ModelPanel implements vscode.Disposable {
  /** The model's run-manager key: live runs of this key are shown here when this is the model's main panel. */
  readonly modelKey: string;
  private readonly queue: ReadyQueue;
  private readonly coalescer: EventCoalescer;
  private readonly disposables: vscode.Disposable[] = [];
  private model: ModelNode | undefined;
  private modelLoading: Promise<void> | undefined;
  private readyCount = 0;
  private readonly posted: Partial<Record<keyof HostToWebview, number>> = {};
  private readonly eventsPosted: Partial<Record<TrainerEventType, number>> = {};
  /** The run this panel shows: a live run (id) or a loaded saved run. */
  shows: { kind: 'live'; runId: number } | { kind: 'saved'; run: SavedRun } | undefined;
  private disposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly target: PanelTarget,
    /** Unique among panels: the model key for a model's main panel, else the model key with a suffix. */
    readonly key: string,
    private readonly host: PanelHost,
    private readonly actions: PanelActions,
  ) {
    this.modelKey = modelKey(target.file, target.model);
    this.queue = new ReadyQueue<HostMessage>((m) => this.deliver(m));
    this.coalescer = new EventCoalescer((events) => this.queue.post({ type: 'event', payload: events.length === 1 ? events[0]! : events }));
    const webview = panel.webview;
    const root = host.webviewRoot;
    webview.options = { enableScripts: true, localResourceRoots: [root] };
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString(),
      title: `Train & Inspect: ${target.model}`,
    });
    panel.title = `Train & Inspect: ${target.model}`;
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      panel.onDidChangeViewState(({ webviewPanel }) => {
        // Without retained context a hidden webview is torn down: queue until it says `ready` again.
        if (!webviewPanel.visible) this.queue.markNotReady();
        if (webviewPanel.active) host.setActive(this);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    this.loadModel();
  }

  /** The one typed way to talk to the webview (queued until `ready`; events coalesced per frame). */
  post<K extends keyof HostToWebview>(type: K, payload: HostToWebview[K]): void {
    if (this.disposed) return;
    if (type === 'event') {
      const events = payload as HostToWebview['event'];
      for (const e of Array.isArray(events) ? events : [events]) this.coalescer.push(e);
      return;
    }
    this.coalescer.flush();
    this.queue.post({ type, payload } as HostMessage);
  }

  /** Forwards an event of a live run of this panel's model. */
  onRunEvent(run: Run, event: TrainerEvent): void {
    this.shows = { kind: 'live', runId: run.id };
    this.post('event', event);
    if (event.type === 'end') this.postInit();
  }

  /** Shows a run that already has events (a panel opened while, or after, its model trained). */
  replay(run: Run): void {
    this.shows = { kind: 'live', runId: run.id };
    if (run.events.length) this.post('event', [...run.events]);
  }

  loadRun(run: SavedRun): void {
    this.shows = { kind: 'saved', run };
    this.post('loadRun', run);
  }

  private loadModel(): Promise<void> {
    this.modelLoading = this.actions
      .modelFor(this.target)
      .then((m) => {
        this.model = m;
      })
      .catch((error: unknown) => this.actions.log(`panel ${this.key}: could not get the model: ${String(error)}`));
    return this.modelLoading;
  }

  /** Re-reads the model (the file was saved) and tells the webview. */
  async refreshModel(): Promise<void> {
    await this.loadModel();
    this.postInit();
  }

  private init(): PanelInit {
    const running = this.host.runs.active(this.modelKey).length > 0;
    const init: PanelInit = {
      file: this.target.file,
      settings: this.actions.runSettings(this.target, this.model),
      dataChoices: this.actions.dataChoices(this.target),
      running,
    };
    if (this.model) init.model = this.model;
    return init;
  }

  postInit(): void {
    if (this.target.file) this.post('init', this.init());
  }

  private async receive(raw: unknown): Promise<void> {
    if (!isWebviewMessage(raw)) return;
    const m = raw as { [K in keyof WebviewToHost]: { type: K; payload: WebviewToHost[K] } }[keyof WebviewToHost];
    switch (m.type) {
      case 'ready': {
        this.readyCount++;
        // Wait (briefly) for the analyzer's model so that the first init carries it.
        if (this.modelLoading) await Promise.race([this.modelLoading, new Promise((r) => setTimeout(r, 3000))]);
        if (this.disposed) return;
        this.coalescer.flush();
        this.queue.markReady(this.target.file ? { type: 'init', payload: this.init() } : undefined);
        this.post('theme', { kind: themeKind(vscode.window.activeColorTheme.kind) });
        break;
      }
      case 'startRun': {
        const ok = await this.actions.startRun(this.target, m.payload);
        // A refused start: a fresh init clears the panel's "Starting…".
        if (!ok) this.postInit();
        break;
      }
      case 'stopRun':
        this.host.runs.stop({ key: this.modelKey });
        break;
      case 'revealSource':
        await revealSource(m.payload.file ?? this.target.file, m.payload.line, m.payload.layer);
        break;
      case 'tapLayer':
        this.host.fromPanel(this, () => this.host.runs.tap(this.modelKey, m.payload.layer));
        break;
      case 'untapLayer':
        this.host.fromPanel(this, () => this.host.runs.untap(this.modelKey, m.payload.layer));
        break;
      case 'openRun':
        await this.actions.openRun(this);
        break;
      case 'exportRun':
        await this.actions.exportRun(this);
        break;
    }
  }

  private deliver(message: HostMessage): void {
    const type = message.type;
    const events = type === 'event' ? (Array.isArray(message.payload) ? message.payload : [message.payload]) : [];
    let sending: Thenable<boolean>;
    try {
      sending = this.panel.webview.postMessage(message);
    } catch {
      return; // disposed meanwhile
    }
    sending.then(
      (delivered) => {
        if (!delivered) return;
        this.posted[type] = (this.posted[type] ?? 0) + 1;
        for (const e of events as TrainerEvent[]) this.eventsPosted[e.type] = (this.eventsPosted[e.type] ?? 0) + 1;
      },
      () => undefined,
    );
  }

  /** The run to export: the live run shown, else the loaded one. */
  savedRun(): SavedRun | undefined {
    if (this.shows?.kind === 'saved') return this.shows.run;
    const run = this.shows?.kind === 'live' ? this.host.runs.get(this.shows.runId) : this.host.runs.latest(this.modelKey);
    return run?.toSavedRun();
  }

  snapshot(): PanelSnapshot {
    const s: PanelSnapshot = {
      key: this.key,
      modelKey: this.modelKey,
      file: this.target.file,
      model: this.target.model,
      visible: this.panel.visible,
      active: this.panel.active,
      ready: this.queue.ready,
      readyCount: this.readyCount,
      posted: { ...this.posted },
      events: { ...this.eventsPosted },
      queued: this.queue.pending + this.coalescer.size,
    };
    if (this.shows) s.shows = this.shows.kind === 'live' ? this.shows.runId : 'saved';
    return s;
  }

  reveal(preserveFocus = false): void {
    this.panel.reveal(undefined, preserveFocus);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.coalescer.dispose();
    this.queue.clear();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }
}

export class PanelHost implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private readonly panels = new Map<string, ModelPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private active: ModelPanel | undefined;
  private tapsFrom: ModelPanel | undefined;
  private unnamed = 0;
  private extra = 0;
  readonly webviewRoot: vscode.Uri;

  constructor(
    extensionUri: vscode.Uri,
    readonly runs: RunManager,
    private readonly actions: PanelActions,
    /** Resolves a restored panel's model to the current canonical name (undefined: keep what the state says). */
    private readonly canonicalTarget: (file: string, model: string | undefined) => Promise<PanelTarget | undefined>,
    /** Finished runs kept across reloads (a run that ended while its panel was hidden). */
    private readonly archive?: RunArchive,
  ) {
    this.webviewRoot = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, this),
      runs.onDidStart((run) => {
        const panel = this.panels.get(run.key);
        if (panel) panel.shows = { kind: 'live', runId: run.id };
      }),
      runs.onDidEvent(({ run, event }) => this.panels.get(run.key)?.onRunEvent(run, event)),
      runs.onDidChangeTaps(({ key }) => {
        // The panel that changed them already shows them; others (and command-driven changes) get a fresh init.
        for (const p of this.panels.values()) if (p.modelKey === key && p !== this.tapsFrom) p.postInit();
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        for (const p of this.panels.values()) if (p.target.file === doc.uri.fsPath) void p.refreshModel();
      }),
      vscode.window.onDidChangeActiveColorTheme((theme) => {
        for (const p of this.panels.values()) p.post('theme', { kind: themeKind(theme.kind) });
      }),
    );
  }

  /** Runs `change` as coming from `panel` (its webview already reflects it). */
  fromPanel(panel: ModelPanel, change: () => void): void {
    this.tapsFrom = panel;
    try {
      change();
    } finally {
      this.tapsFrom = undefined;
    }
  }

  setActive(panel: ModelPanel): void {
    this.active = panel;
  }

  /** The panel last focused (editor/title commands act on it). */
  activePanel(): ModelPanel | undefined {
    for (const p of this.panels.values()) if (p.panel.active) return p;
    return this.active && this.panels.get(this.active.key) === this.active ? this.active : undefined;
  }

  get(key: string): ModelPanel | undefined {
    return this.panels.get(key);
  }

  list(): ModelPanel[] {
    return [...this.panels.values()];
  }

  /**
   * Reveals the model's panel, creating it (and showing its latest run) when needed. `separate`:
   * a new panel beside the model's main one (a saved run opened while the model trains).
   */
  show(target: PanelTarget, options: { preserveFocus?: boolean; column?: vscode.ViewColumn; separate?: boolean } = {}): ModelPanel {
    const key = modelKey(target.file, target.model);
    const existing = this.panels.get(key);
    if (existing && !options.separate) {
      existing.reveal(options.preserveFocus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      `Train & Inspect: ${target.model}`,
      { viewColumn: options.column ?? vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus ?? false },
      { enableScripts: true, localResourceRoots: [this.webviewRoot] },
    );
    if (options.separate) return this.adopt(panel, target, `${key}#${++this.extra}`);
    const model = this.adopt(panel, target, key);
    const latest = this.runs.latest(key);
    if (latest) model.replay(latest);
    return model;
  }

  private adopt(panel: vscode.WebviewPanel, target: PanelTarget, key: string): ModelPanel {
    const model = new ModelPanel(panel, target, key, this, this.actions);
    this.panels.set(model.key, model);
    this.active = model;
    model.onDidDispose(() => {
      if (this.panels.get(model.key) === model) this.panels.delete(model.key);
      if (this.active === model) this.active = undefined;
    });
    return model;
  }

  /** WebviewPanelSerializer: a panel comes back after a reload, with the webview's setState state. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const fromState = targetFromPanelState(state);
    let target: PanelTarget | undefined;
    if (fromState) {
      try {
        target = await this.canonicalTarget(fromState.file, fromState.model);
      } catch {
        target = undefined;
      }
      target ??= { file: fromState.file, model: fromState.model ?? path.basename(fromState.file) };
    } else {
      target = { file: '', model: `run ${++this.unnamed}` };
    }
    const key = modelKey(target.file, target.model);
    const model = this.adopt(panel, target, this.panels.has(key) ? `${key}#${++this.extra}` : key);
    // The webview kept a run as it last saw it; if that run finished meanwhile, show how it ended.
    const interrupted = interruptedRunStamp(state);
    const finished = interrupted === undefined ? undefined : await this.archive?.finished(key, interrupted);
    if (finished) model.loadRun(finished);
  }

  snapshot(): PanelSnapshot[] {
    return this.list().map((p) => p.snapshot());
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function themeKind(kind: vscode.ColorThemeKind): HostToWebview['theme']['kind'] {
  switch (kind) {
    case vscode.ColorThemeKind.Light:
      return 'light';
    case vscode.ColorThemeKind.HighContrast:
      return 'highContrast';
    case vscode.ColorThemeKind.HighContrastLight:
      return 'highContrastLight';
    default:
      return 'dark';
  }
}

/** Opens `file` at a 1-based line, selecting the layer's name on that line when it is there. */
export async function revealSource(file: string, line: number, layer?: string): Promise<void> {
  if (!file) return;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const l = Math.min(Math.max(0, line - 1), Math.max(0, doc.lineCount - 1));
  const text = doc.lineAt(l).text;
  let start = text.length - text.trimStart().length;
  let end = start;
  if (layer) {
    const at = text.indexOf(layer);
    if (at >= 0) {
      start = at;
      end = at + layer.length;
    }
  }
  const range = new vscode.Range(l, start, l, end);
  // Beside the panel when the panel has the first column, else in the first column.
  await vscode.window.showTextDocument(doc, { selection: range, viewColumn: vscode.ViewColumn.One, preserveFocus: false });
}
