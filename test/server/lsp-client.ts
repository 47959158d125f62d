/**
 * A real LSP client for the server tests and the benchmark's shape: forks the built
 * `dist/server.js --stdio`, speaks JSON-RPC over its stdio with vscode-languageserver-protocol,
 * answers the server's requests (configuration, registrations) and collects its notifications.
 * Inline Python snippets mark the cursor with `|`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  CompletionResolveRequest,
  ConfigurationRequest,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentSymbolRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PrepareRenameRequest,
  PublishDiagnosticsNotification,
  ReferencesRequest,
  RegistrationRequest,
  RenameRequest,
  ShutdownRequest,
  type CodeAction,
  type CodeLens,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type Location,
  type Position,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import {
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import type { ModelGraph } from '../../graph/model-graph';
import { ModelGraphRequest } from '../../protocol/protocol';

export const SERVER = join(__dirname, '..', '..', 'dist', 'server.js');

interface Publication {
  version: number | undefined;
  diagnostics: Diagnostic[];
}

export interface ClientOptions {
  /** Workspace folder (files written with `writeFile` go here); a fresh temp dir by default. */
  root?: string;
  /** `modelLens` settings the client returns for a document (per resource). */
  settings?: (scopeUri: string | undefined) => unknown;
  /** Advertise workspace/configuration support (default true). */
  configuration?: boolean;
  /** stdio (`--stdio`, the default) or Node IPC (`--node-ipc`, how VS Code forks a server). */
  transport?: 'stdio' | 'ipc';
}

export class LspClient {
  readonly logs: string[] = [];
  readonly errors: string[] = [];
  private readonly publications = new Map<string, Publication[]>();
  private readonly waiters: { uri: string; test: (p: Publication) => boolean; resolve: (p: Publication) => void }[] = [];
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  settings: ClientOptions['settings'];

  private constructor(
    readonly connection: ProtocolConnection,
    readonly child: ChildProcess,
    readonly root: string,
    private readonly ownsRoot: boolean,
  ) {}

  static async start(options: ClientOptions = {}): Promise<LspClient> {
    const root = options.root ?? mkdtempSync(join(tmpdir(), 'model-lens-lsp-'));
    const ipc = options.transport === 'ipc';
    const child = fork(SERVER, [ipc ? '--node-ipc' : '--stdio'], { silent: true, execArgv: process.env.LSP_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.LSP_PROFILE] : [] });
    child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[server stderr] ${d}`));
    const connection = ipc
      ? createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child))
      : createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(connection, child, root, !options.root);
    client.settings = options.settings;
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => client.published(p.uri, { version: p.version, diagnostics: p.diagnostics }));
    connection.onNotification(LogMessageNotification.type, (p) => {
      client.logs.push(p.message);
      if (p.type === 1) client.errors.push(p.message);
    });
    connection.onRequest(ConfigurationRequest.type, (p) => p.items.map((item) => (item.section === 'modelLens' ? (client.settings?.(item.scopeUri) ?? {}) : null)));
    connection.onRequest(RegistrationRequest.type, () => undefined);
    connection.listen();
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'workspace' }],
      capabilities: {
        workspace: { configuration: options.configuration ?? true, didChangeWatchedFiles: { dynamicRegistration: true } },
        textDocument: { completion: { completionItem: { snippetSupport: false, labelDetailsSupport: true } }, hover: { contentFormat: ['markdown'] }, rename: { prepareSupport: true } },
      },
    });
    connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  uri(name: string): string {
    return pathToFileURL(join(this.root, name)).href;
  }

  /** Writes a file into the workspace (for modules imported but not open). */
  writeFile(name: string, text: string): string {
    const path = join(this.root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return this.uri(name);
  }

  fileChanged(name: string): void {
    void this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: this.uri(name), type: 2 }] });
  }

  /** Opens a document and resolves with its first diagnostics. */
  async open(name: string, text: string): Promise<Diagnostic[]> {
    const uri = this.uri(name);
    this.versions.set(uri, 1);
    this.texts.set(uri, text);
    const diagnostics = this.diagnostics(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text } });
    return diagnostics;
  }

  /** Applies an incremental edit; resolves when it is sent (not analysed). */
  async edit(name: string, range: Range, text: string): Promise<number> {
    const uri = this.uri(name);
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, applyEdits(this.texts.get(uri) ?? '', [{ range, newText: text }]));
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  /** Replaces the whole text through one incremental edit; resolves with the version's diagnostics. */
  async replace(name: string, text: string): Promise<Diagnostic[]> {
    const uri = this.uri(name);
    const old = this.texts.get(uri) ?? '';
    const version = await this.edit(name, { start: { line: 0, character: 0 }, end: endOf(old) }, text);
    return this.diagnostics(uri, version);
  }

  text(name: string): string {
    return this.texts.get(this.uri(name)) ?? '';
  }

  version(name: string): number {
    return this.versions.get(this.uri(name)) ?? 0;
  }

  async close(name: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: this.uri(name) } });
  }

  /** Resolves with the first publication for `uri` at `version` or later (already received or next). */
  diagnostics(uri: string, version: number, timeoutMs = 30_000): Promise<Diagnostic[]> {
    const test = (p: Publication) => p.version === undefined || p.version >= version;
    const seen = [...(this.publications.get(uri) ?? [])].reverse().find(test);
    if (seen) return Promise.resolve(seen.diagnostics);
    return new Promise<Diagnostic[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ uri, test, resolve: (p) => (clearTimeout(timer), resolve(p.diagnostics)) });
    });
  }

  /** The most recent publication for a document, if any (for background re-analysis). */
  lastPublished(name: string): Diagnostic[] | undefined {
    const list = this.publications.get(this.uri(name));
    return list?.[list.length - 1]?.diagnostics;
  }

  /** Diagnostics of the latest version of a document (waits for its analysis). */
  latestDiagnostics(name: string): Promise<Diagnostic[]> {
    return this.diagnostics(this.uri(name), this.version(name));
  }

  private published(uri: string, p: Publication): void {
    const list = this.publications.get(uri) ?? [];
    list.push(p);
    this.publications.set(uri, list.slice(-20));
    for (const w of [...this.waiters]) {
      if (w.uri === uri && w.test(p)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(p);
      }
    }
  }

  // ───────────── requests ─────────────

  async completion(name: string, position: Position): Promise<CompletionItem[]> {
    const result = await this.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: this.uri(name) }, position });
    return Array.isArray(result) ? result : ((result as CompletionList | null)?.items ?? []);
  }

  resolveCompletion(item: CompletionItem): Promise<CompletionItem> {
    return this.connection.sendRequest(CompletionResolveRequest.type, item);
  }

  hover(name: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri: this.uri(name) }, position });
  }

  async definition(name: string, position: Position): Promise<Location[]> {
    const result = await this.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: this.uri(name) }, position });
    if (!result) return [];
    return (Array.isArray(result) ? result : [result]) as Location[];
  }

  async references(name: string, position: Position, includeDeclaration = true): Promise<Location[]> {
    return (await this.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: this.uri(name) }, position, context: { includeDeclaration } })) ?? [];
  }

  prepareRename(name: string, position: Position) {
    return this.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri: this.uri(name) }, position });
  }

  rename(name: string, position: Position, newName: string): Promise<WorkspaceEdit | null> {
    return this.connection.sendRequest(RenameRequest.type, { textDocument: { uri: this.uri(name) }, position, newName });
  }

  async codeActions(name: string, range: Range, diagnostics: Diagnostic[] = []): Promise<CodeAction[]> {
    const result = await this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: this.uri(name) }, range, context: { diagnostics } });
    return (result ?? []).filter((a): a is CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'));
  }

  async codeLenses(name: string): Promise<CodeLens[]> {
    return (await this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: this.uri(name) } })) ?? [];
  }

  async documentSymbols(name: string): Promise<DocumentSymbol[]> {
    return ((await this.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: this.uri(name) } })) ?? []) as DocumentSymbol[];
  }

  modelGraph(name: string): Promise<ModelGraph | null> {
    return this.connection.sendRequest(ModelGraphRequest.method, { uri: this.uri(name) });
  }

  /** Server memory (Linux: VmRSS of the server process), in MB. */
  rssMb(): number {
    const status = require('node:fs').readFileSync(`/proc/${this.child.pid}/status`, 'utf8') as string;
    return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.child.exitCode === null) this.child.kill();
    if (this.ownsRoot) rmSync(this.root, { recursive: true, force: true });
  }
}

/** A diagnostic's message as text (LSP 3.18 also allows Markdown). */
export function message(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

// ───────────── snippets ─────────────

/** Strips `|` cursor markers from a snippet: the text and the marker positions in order. */
export function cursors(snippet: string): { text: string; positions: Position[] } {
  const positions: Position[] = [];
  let text = '';
  let line = 0;
  let character = 0;
  for (const c of snippet) {
    if (c === '|') {
      positions.push({ line, character });
      continue;
    }
    text += c;
    if (c === '\n') {
      line++;
      character = 0;
    } else {
      character++;
    }
  }
  return { text, positions };
}

export function cursor(snippet: string): { text: string; position: Position } {
  const { text, positions } = cursors(snippet);
  if (positions.length !== 1) throw new Error(`expected one | in snippet, found ${positions.length}`);
  return { text, position: positions[0] };
}

/** The position of the `n`th occurrence of `needle` in `text` (plus `offset` characters). */
export function positionOf(text: string, needle: string, offset = 0, occurrence = 0): Position {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index === -1) throw new Error(`'${needle}' not found`);
  }
  const before = text.slice(0, index + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

/** Applies LSP text edits (non-overlapping, any order) to a text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const offsets = lineOffsets(text);
  const at = (p: Position) => Math.min(text.length, (offsets[p.line] ?? text.length) + p.character);
  const sorted = [...edits].sort((a, b) => at(b.range.start) - at(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, at(e.range.start)) + e.newText + out.slice(at(e.range.end));
  return out;
}

export function applyWorkspaceEdit(texts: Record<string, string>, edit: WorkspaceEdit): Record<string, string> {
  const out = { ...texts };
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) out[uri] = applyEdits(out[uri] ?? '', edits);
  return out;
}

function lineOffsets(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') out.push(i + 1);
  return out;
}

function endOf(text: string): Position {
  const lines = text.split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'model-lens-ws-'));
}
