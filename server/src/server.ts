/**
 * Model Lens language server: wiring only. Each LSP feature lives in features/; documents and
 * analysis scheduling in documents.ts; the analyzer itself runs in a worker thread (this same
 * bundle, started with workerData) so that typing-time requests never wait for it.
 *
 *   node dist/server.js --stdio   (or --node-ipc / --socket=N, as vscode-languageserver parses them)
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { createConnection } from 'vscode-languageserver/node';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ProposedFeatures,
  TextDocumentSyncKind,
  type CompletionItem,
  type Connection,
  type InitializeParams,
} from 'vscode-languageserver';
import { ModelGraphRequest, type ModelGraphParams } from '../../protocol/protocol';
import { runAnalysisWorker } from './analysis-worker';
import { runParseWorker } from './parse-worker';
import { DocumentStore, type Snapshot } from './documents';
import { provideCodeActions } from './features/code-actions';
import { provideCodeLenses } from './features/code-lens';
import { COMPLETION_TRIGGERS, provideCompletion, resolveCompletion } from './features/completion';
import { provideDefinition } from './features/definition';
import { publishDiagnostics } from './features/diagnostics';
import { provideDocumentSymbols } from './features/document-symbols';
import { provideHover } from './features/hover';
import { provideModelGraph } from './features/model-graph-request';
import { provideReferences } from './features/references';
import { prepareRename, rename } from './features/rename';
import { guard, guardNotification } from './handlers';
import { Settings } from './settings';
import { uriToPath } from './uri';
import { WorkerClient } from './worker-client';

/** Quiet time after a keystroke before the document is analysed again. */
const ANALYSIS_DEBOUNCE_MS = 150;

function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  const log = (message: string) => connection.console.log(message);
  const settings = new Settings(connection);
  let dynamicWatchers = false;
  let workspaceFolders = false;
  const worker = new WorkerClient(__filename, log, () => store.workerRestarted());
  const store: DocumentStore = new DocumentStore({
    worker,
    debounceMs: ANALYSIS_DEBOUNCE_MS,
    log,
    timeBudget: async (uri) => (await settings.for(uri)).analysis.timeBudgetMs,
    onSnapshot: (snapshot) => void onAnalysis(snapshot),
  });

  async function onAnalysis(snapshot: Snapshot): Promise<void> {
    const { analyzeMs, indexMs, parser } = snapshot.data.timing;
    log(`analysis ${snapshot.uri} v${snapshot.version}: ${analyzeMs} ms analysis, ${indexMs} ms index, ${parser} parse`);
    try {
      const doc = store.get(snapshot.uri);
      await publishDiagnostics(connection, (uri) => settings.for(uri), snapshot, () => !!doc && doc.isCurrent(snapshot) && store.get(snapshot.uri) === doc);
    } catch (error) {
      connection.console.error(`publishing diagnostics failed: ${String(error)}`);
    }
  }

  connection.onInitialize((params: InitializeParams) => {
    settings.supported = !!params.capabilities.workspace?.configuration;
    dynamicWatchers = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    workspaceFolders = !!params.capabilities.workspace?.workspaceFolders;
    store.roots = workspaceRoots(params);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: COMPLETION_TRIGGERS, resolveProvider: true },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        codeLensProvider: { resolveProvider: false },
        documentSymbolProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'Model Lens' },
    };
  });

  connection.onInitialized(() => {
    if (dynamicWatchers) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.py' }] });
    if (settings.supported) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'modelLens' });
    if (workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
        store.roots = [...store.roots.filter((r) => !removed.has(r)), ...e.added.map((f) => uriToPath(f.uri))];
        store.invalidateAll();
      });
    }
  });

  connection.onDidOpenTextDocument(guardNotification(connection, 'didOpen', (p) => void store.open(p)));
  connection.onDidChangeTextDocument(guardNotification(connection, 'didChange', (p) => store.change(p)));
  connection.onDidCloseTextDocument(
    guardNotification(connection, 'didClose', async (p) => {
      store.close(p.textDocument.uri);
      await connection.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
    }),
  );
  connection.onDidChangeWatchedFiles(guardNotification(connection, 'didChangeWatchedFiles', (p) => store.filesChanged(p.changes.map((c) => uriToPath(c.uri)))));
  connection.onDidChangeConfiguration(guardNotification(connection, 'didChangeConfiguration', () => store.invalidateAll()));

  connection.onCompletion(guard(connection, 'completion', { isIncomplete: false, items: [] }, (p, t) => provideCompletion(store, p, t)));
  connection.onCompletionResolve(guard<CompletionItem, CompletionItem>(connection, 'completionResolve', {} as CompletionItem, (item) => resolveCompletion(store, item)));
  connection.onHover(guard(connection, 'hover', null, (p, t) => provideHover(store, settings, p, t)));
  connection.onDefinition(guard(connection, 'definition', [], (p, t) => provideDefinition(store, p, t)));
  connection.onReferences(guard(connection, 'references', [], (p, t) => provideReferences(store, p, t)));
  connection.onPrepareRename(guard(connection, 'prepareRename', null, (p, t) => prepareRename(store, p, t)));
  connection.onRenameRequest(guard(connection, 'rename', null, (p, t) => rename(store, p, t)));
  connection.onCodeAction(guard(connection, 'codeAction', [], (p, t) => provideCodeActions(store, p, t)));
  connection.onCodeLens(guard(connection, 'codeLens', [], (p, t) => provideCodeLenses(store, settings, p, t)));
  connection.onDocumentSymbol(guard(connection, 'documentSymbol', [], (p, t) => provideDocumentSymbols(store, p, t)));
  // By method name: protocol.ts's RequestType comes from a newer vscode-jsonrpc than vscode-languageserver 9 bundles.
  connection.onRequest(ModelGraphRequest.method, guard(connection, ModelGraphRequest.method, null, (p: ModelGraphParams, t) => provideModelGraph(store, p, t)));

  connection.onShutdown(() => worker.dispose());
  process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
  connection.listen();
}

function workspaceRoots(params: InitializeParams): string[] {
  if (params.workspaceFolders?.length) return params.workspaceFolders.map((f) => uriToPath(f.uri));
  if (params.rootUri) return [uriToPath(params.rootUri)];
  return [];
}

export type { Connection };

if (isMainThread) startServer();
else if (workerData?.role === 'parse') runParseWorker();
else runAnalysisWorker(__filename);
