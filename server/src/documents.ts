/**
 * The document store: open documents (incremental sync), their analyses, and the scheduling of
 * analysis jobs on the worker.
 *
 * - One analysis per document version, shared by every request that waits for it (`current`);
 *   a request whose version is superseded before its analysis lands is cancelled (ContentModified).
 * - Typing-time requests (completion, hover) use `typingView`: the last finished analysis, with
 *   the edits made since then mapped back, so they never wait for the analyzer (which runs in a
 *   worker); its results are adopted between keystrokes, because parsing them blocks.
 * - Edits are forwarded to the worker as tree edits, so it re-parses incrementally.
 * - An analysis records the workspace modules it imported; a change to one of them (open document
 *   or file on disk) re-analyses its dependants.
 */
import * as fs from 'node:fs';
import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type {
  DidChangeTextDocumentParams,
  DidOpenTextDocumentParams,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver';
import type { AnalyzeJob, TreeEdit } from './analysis-worker';
import { endOfInsertedText, mapBack, mapBackClamped, type AppliedChange } from './positions';
import { Snapshot, type SnapshotData, type TypingView } from './snapshot';
import { pathToUri, uriToPath } from './uri';
import type { WorkerClient } from './worker-client';

export type { Snapshot, TypingView };

interface Waiter {
  version: number;
  resolve: (s: Snapshot) => void;
  reject: (e: unknown) => void;
}

export class OpenDocument {
  latest: Snapshot | undefined;
  /** When `latest` was adopted (performance.now()). */
  latestAt = 0;
  /** Changes since `latest` (for mapping positions); null after a change that cannot be mapped. */
  changes: AppliedChange[] | null = [];
  /** Tree edits since the version the worker's tree is at. */
  treeEdits: TreeEdit[] = [];
  workerVersion: number | null = null;
  /** Bumped when an imported module changes: the same version must be analysed again. */
  generation = 0;
  waiters: Waiter[] = [];
  timer: NodeJS.Timeout | undefined;
  /** The version and generation the worker is analysing right now. */
  inFlight: { version: number; generation: number } | undefined;

  constructor(
    readonly uri: string,
    readonly path: string,
    public doc: TextDocument,
  ) {}

  get version(): number {
    return this.doc.version;
  }

  isCurrent(s: Snapshot | undefined): s is Snapshot {
    return !!s && s.version === this.doc.version && s.generation === this.generation;
  }
}

export interface StoreOptions {
  worker: WorkerClient;
  /** Analysis time budget for a document (read from its settings). */
  timeBudget(uri: string): Promise<number>;
  /** Called with each analysis that is current for its document (publish diagnostics). */
  onSnapshot(snapshot: Snapshot): void;
  log(message: string): void;
  /** Quiet time after an edit before re-analysing. */
  debounceMs: number;
}

const MAX_LOGGED_CHANGES = 2000;
/** An analysis result is adopted when the client has been quiet this long (between keystrokes)… */
const QUIET_MS = 25;
/** …or after this long at the latest. */
const MAX_ADOPTION_DELAY_MS = 400;
/** A result already outdated by newer edits is dropped, unless the last adopted one is older than this. */
const STALE_RESULT_KEEP_MS = 2000;

export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();
  private readonly ready = new Set<string>();
  private readonly closedJobs: { path: string; resolve: (s: Snapshot) => void; reject: (e: unknown) => void }[] = [];
  private readonly closedCache = new Map<string, { mtimeMs: number; size: number; snapshot: Snapshot }>();
  private readonly overlaysSent = new Map<string, number>();
  private pumping = false;
  /** When the client last sent something (an edit or a request): results are adopted in the gaps. */
  private lastActivity = 0;
  roots: string[] = [];

  constructor(private readonly options: StoreOptions) {}

  // ───────────── sync ─────────────

  open(params: DidOpenTextDocumentParams): OpenDocument {
    const { uri, languageId, version, text } = params.textDocument;
    this.close(uri);
    const doc = new OpenDocument(uri, uriToPath(uri), TextDocument.create(uri, languageId, version, text));
    this.docs.set(uri, doc);
    this.dependencyChanged(doc.path);
    this.schedule(doc, 0);
    return doc;
  }

  change(params: DidChangeTextDocumentParams): void {
    this.lastActivity = performance.now();
    const doc = this.docs.get(params.textDocument.uri);
    if (!doc) return;
    const version = params.textDocument.version;
    for (const change of params.contentChanges) this.apply(doc, change, version);
    doc.doc = TextDocument.update(doc.doc, [], version);
    this.cancelWaiters(doc, (w) => w.version < version, 'the document changed');
    this.dependencyChanged(doc.path);
    this.schedule(doc, this.options.debounceMs);
  }

  close(uri: string): void {
    const doc = this.docs.get(uri);
    if (!doc) return;
    clearTimeout(doc.timer);
    this.docs.delete(uri);
    this.ready.delete(uri);
    this.cancelWaiters(doc, () => true, 'the document was closed');
    this.options.worker.forget(uri);
    this.dependencyChanged(doc.path);
  }

  /** Files changed on disk (workspace/didChangeWatchedFiles). */
  filesChanged(paths: string[]): void {
    for (const path of paths) this.dependencyChanged(path);
  }

  get(uri: string): OpenDocument | undefined {
    return this.docs.get(uri);
  }

  all(): OpenDocument[] {
    return [...this.docs.values()];
  }

  /** Re-analyse every open document (settings changed, worker restarted). */
  invalidateAll(): void {
    this.closedCache.clear();
    for (const doc of this.docs.values()) {
      doc.generation++;
      this.schedule(doc, 0);
    }
  }

  /** The worker lost its state: trees and overlays must be sent again. */
  workerRestarted(): void {
    this.overlaysSent.clear();
    for (const doc of this.docs.values()) {
      doc.workerVersion = null;
      doc.treeEdits = [];
    }
    this.invalidateAll();
  }

  private apply(doc: OpenDocument, change: TextDocumentContentChangeEvent, version: number): void {
    if (!('range' in change) || !change.range) {
      doc.changes = null;
      doc.treeEdits = [];
      doc.workerVersion = null;
      doc.doc = TextDocument.update(doc.doc, [change], version);
      return;
    }
    const { range, text } = change;
    const startIndex = doc.doc.offsetAt(range.start);
    const oldEndIndex = doc.doc.offsetAt(range.end);
    const newEnd = endOfInsertedText(range.start, text);
    doc.treeEdits.push({
      startIndex,
      oldEndIndex,
      newEndIndex: startIndex + text.length,
      startPosition: { row: range.start.line, column: range.start.character },
      oldEndPosition: { row: range.end.line, column: range.end.character },
      newEndPosition: { row: newEnd.line, column: newEnd.character },
    });
    if (doc.treeEdits.length > MAX_LOGGED_CHANGES) {
      doc.treeEdits = [];
      doc.workerVersion = null; // the worker parses from scratch next time
    }
    if (doc.changes) {
      doc.changes.push({ version, range, text });
      if (doc.changes.length > MAX_LOGGED_CHANGES) doc.changes = null;
    }
    doc.doc = TextDocument.update(doc.doc, [change], version);
  }

  // ───────────── analyses ─────────────

  /** The analysis of the document's current version; rejects with ContentModified if it changes first. */
  current(uri: string, token?: CancellationToken): Promise<Snapshot> {
    const doc = this.docs.get(uri);
    if (!doc) return this.closedFile(uriToPath(uri));
    if (doc.isCurrent(doc.latest)) return Promise.resolve(doc.latest);
    return new Promise<Snapshot>((resolve, reject) => {
      const waiter: Waiter = { version: doc.version, resolve, reject };
      doc.waiters.push(waiter);
      token?.onCancellationRequested(() => {
        doc.waiters = doc.waiters.filter((w) => w !== waiter);
        reject(new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled'));
      });
      const running = doc.inFlight?.version === doc.version && doc.inFlight.generation === doc.generation;
      if (!running) this.schedule(doc, 0);
    });
  }

  /**
   * For requests made while typing: the last finished analysis and a mapping from current
   * positions to it. Undefined when there is none (or the edits cannot be mapped): wait for `current`.
   */
  typingView(uri: string): TypingView | undefined {
    this.lastActivity = performance.now();
    const doc = this.docs.get(uri);
    const snapshot = doc?.latest;
    if (!doc || !snapshot) return undefined;
    if (snapshot.version === doc.version) {
      return { snapshot, toSnapshot: (p) => p, toSnapshotClamped: (p) => p };
    }
    const changes = doc.changes;
    if (!changes) return undefined;
    const since = changes.filter((c) => c.version > snapshot.version);
    return { snapshot, toSnapshot: (p) => mapBack(p, since), toSnapshotClamped: (p) => mapBackClamped(p, since) };
  }

  /** typingView, or (right after opening, before any analysis finished) the first analysis. */
  async typingViewOrFirst(uri: string, token?: CancellationToken): Promise<TypingView> {
    const view = this.typingView(uri);
    if (view) return view;
    const snapshot = await this.current(uri, token);
    return { snapshot, toSnapshot: (p) => p, toSnapshotClamped: (p) => p };
  }

  /** Analysis of a file that is not open (workspace-wide references and rename), cached until it changes. */
  closedFile(path: string): Promise<Snapshot> {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(path);
    } catch {
      return Promise.reject(new Error(`cannot read ${path}`));
    }
    const cached = this.closedCache.get(path);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return Promise.resolve(cached.snapshot);
    return new Promise<Snapshot>((resolve, reject) => {
      this.closedJobs.push({
        path,
        resolve: (s) => {
          this.closedCache.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, snapshot: s });
          resolve(s);
        },
        reject,
      });
      void this.pump();
    });
  }

  private schedule(doc: OpenDocument, delayMs: number): void {
    clearTimeout(doc.timer);
    doc.timer = setTimeout(() => {
      doc.timer = undefined;
      this.ready.add(doc.uri);
      void this.pump();
    }, delayMs);
  }

  private dependencyChanged(path: string): void {
    this.closedCache.clear();
    for (const other of this.docs.values()) {
      if (other.path === path || !other.latest?.data.dependencies.includes(path)) continue;
      other.generation++;
      this.schedule(other, this.options.debounceMs);
    }
  }

  private cancelWaiters(doc: OpenDocument, which: (w: Waiter) => boolean, why: string): void {
    const cancelled = doc.waiters.filter(which);
    doc.waiters = doc.waiters.filter((w) => !which(w));
    for (const w of cancelled) w.reject(new ResponseError(LSPErrorCodes.ContentModified, `${why} before its analysis finished`));
  }

  /** Sends the next job when the worker is free: open documents first (those with waiting requests first). */
  private async pump(): Promise<void> {
    if (this.pumping || this.options.worker.busy) return;
    this.pumping = true;
    try {
      const doc = this.nextReadyDocument();
      if (doc) {
        const budget = await this.options.timeBudget(doc.uri);
        if (this.docs.get(doc.uri) === doc && !this.options.worker.busy) this.runOpen(doc, budget);
        else if (this.docs.get(doc.uri) === doc) this.ready.add(doc.uri);
        return;
      }
      const closed = this.closedJobs.shift();
      if (closed) this.runClosed(closed);
    } finally {
      this.pumping = false;
      // A document closed while its settings were read: the worker is still free for the next one.
      if (!this.options.worker.busy && (this.ready.size > 0 || this.closedJobs.length > 0)) setImmediate(() => void this.pump());
    }
  }

  private nextReadyDocument(): OpenDocument | undefined {
    let pick: OpenDocument | undefined;
    for (const uri of this.ready) {
      const doc = this.docs.get(uri);
      if (!doc) {
        this.ready.delete(uri);
        continue;
      }
      if (doc.isCurrent(doc.latest) && doc.waiters.length === 0) {
        this.ready.delete(uri); // already analysed (a duplicate schedule)
        continue;
      }
      if (!pick || (doc.waiters.length > 0 && pick.waiters.length === 0)) pick = doc;
    }
    if (pick) this.ready.delete(pick.uri);
    return pick;
  }

  private runOpen(doc: OpenDocument, timeBudgetMs: number): void {
    const version = doc.version;
    const generation = doc.generation;
    const job: Omit<AnalyzeJob, 'type' | 'id'> = {
      uri: doc.uri,
      path: doc.path,
      version,
      text: doc.doc.getText(),
      baseVersion: doc.workerVersion,
      edits: doc.treeEdits,
      overlays: this.overlays(doc),
      roots: this.roots,
      timeBudgetMs,
      keepTree: true,
    };
    doc.treeEdits = [];
    doc.workerVersion = version;
    doc.inFlight = { version, generation };
    this.overlaysSent.set(doc.path, version);
    this.options.worker
      .analyze(job)
      .then((json) => this.finished(doc, json, version, generation))
      .catch((error: unknown) => {
        doc.workerVersion = null;
        this.options.log(`analysis of ${doc.uri} failed: ${error instanceof Error ? error.message : String(error)}`);
        this.cancelWaitersWithError(doc, version, error);
      })
      .finally(() => {
        doc.inFlight = undefined;
        void this.pump();
      });
  }

  /**
   * A result from the worker. Parsing it (megabytes of JSON on big files) blocks the main thread,
   * so it is adopted between keystrokes, not in the middle of a typing burst, and a result that
   * newer edits have already outdated is dropped when the one we have is recent.
   */
  private finished(doc: OpenDocument, json: string, version: number, generation: number): void {
    if (this.docs.get(doc.uri) !== doc) return; // closed meanwhile
    const waited = doc.waiters.some((w) => w.version === version);
    const outdated = version !== doc.version || generation !== doc.generation;
    if (outdated && !waited && doc.latest && performance.now() - doc.latestAt < STALE_RESULT_KEEP_MS) {
      if (!doc.timer) this.schedule(doc, this.options.debounceMs);
      return;
    }
    const adopt = () => {
      if (this.docs.get(doc.uri) !== doc) return;
      const snapshot = new Snapshot(JSON.parse(json) as SnapshotData, generation);
      snapshot.lookup.warm();
      this.adopt(doc, snapshot);
    };
    if (waited) adopt();
    else this.whenQuiet(adopt);
  }

  private adopt(doc: OpenDocument, snapshot: Snapshot): void {
    if (!doc.latest || snapshot.version >= doc.latest.version) {
      doc.latest = snapshot;
      doc.latestAt = performance.now();
      if (doc.changes) doc.changes = doc.changes.filter((c) => c.version > snapshot.version);
      else if (snapshot.version === doc.version) doc.changes = [];
    }
    if (!doc.isCurrent(snapshot)) {
      if (!doc.timer) this.schedule(doc, doc.waiters.length > 0 ? 0 : this.options.debounceMs);
      return;
    }
    const waiting = doc.waiters.filter((w) => w.version === snapshot.version);
    doc.waiters = doc.waiters.filter((w) => w.version !== snapshot.version);
    for (const w of waiting) w.resolve(snapshot);
    this.options.onSnapshot(snapshot);
  }

  /** Runs `fn` once the client has been quiet for QUIET_MS (or after MAX_ADOPTION_DELAY_MS). */
  private whenQuiet(fn: () => void): void {
    const started = performance.now();
    const check = () => {
      const now = performance.now();
      const quietFor = now - this.lastActivity;
      if (quietFor >= QUIET_MS || now - started >= MAX_ADOPTION_DELAY_MS) fn();
      else setTimeout(check, QUIET_MS - quietFor);
    };
    check();
  }

  private cancelWaitersWithError(doc: OpenDocument, version: number, error: unknown): void {
    const failed = doc.waiters.filter((w) => w.version === version);
    doc.waiters = doc.waiters.filter((w) => w.version !== version);
    for (const w of failed) w.reject(error);
  }

  private runClosed(job: { path: string; resolve: (s: Snapshot) => void; reject: (e: unknown) => void }): void {
    let text: string;
    try {
      text = fs.readFileSync(job.path, 'utf8');
    } catch (error) {
      job.reject(error);
      void this.pump();
      return;
    }
    this.options.worker
      .analyze({
        uri: pathToUri(job.path),
        path: job.path,
        version: -1,
        text,
        baseVersion: null,
        edits: [],
        overlays: this.overlays(undefined),
        roots: this.roots,
        timeBudgetMs: 1500,
        keepTree: false,
      })
      .then((json) => job.resolve(new Snapshot(JSON.parse(json) as SnapshotData, 0)), job.reject)
      .finally(() => void this.pump());
  }

  /** Open documents' texts the worker has not seen yet, and closed ones it should read from disk again. */
  private overlays(except: OpenDocument | undefined): [string, string | null][] {
    const out: [string, string | null][] = [];
    const open = new Set<string>();
    for (const doc of this.docs.values()) {
      open.add(doc.path);
      if (doc === except || this.overlaysSent.get(doc.path) === doc.version) continue;
      out.push([doc.path, doc.doc.getText()]);
      this.overlaysSent.set(doc.path, doc.version);
    }
    for (const path of [...this.overlaysSent.keys()]) {
      if (open.has(path)) continue;
      out.push([path, null]);
      this.overlaysSent.delete(path);
    }
    return out;
  }
}
