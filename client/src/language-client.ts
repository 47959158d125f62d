/**
 * The language client: starts the Model Lens language server (dist/server.js) over Node IPC and
 * offers the custom requests the commands and the panel need.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { ModelGraph } from '../../graph/model-graph';
import { ModelGraphRequest, type ModelGraphParams } from '../../protocol/protocol';

export class ModelLensLanguageClient implements vscode.Disposable {
  private readonly client: LanguageClient;
  private readonly started: Promise<void>;

  constructor(serverModule: string, readonly outputChannel: vscode.OutputChannel) {
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'python' },
        { scheme: 'untitled', language: 'python' },
      ],
      outputChannel,
    };
    this.client = new LanguageClient('modelLens', 'Model Lens Language Server', serverOptions, clientOptions);
    this.started = this.client.start();
  }

  /** Resolves once the server answered `initialize`. */
  ready(): Promise<void> {
    return this.started;
  }

  /** The model graph of a document (open or on disk), or null. */
  async modelGraph(uri: vscode.Uri | string, token?: vscode.CancellationToken): Promise<ModelGraph | null> {
    await this.started;
    const params: ModelGraphParams = { uri: typeof uri === 'string' ? uri : uri.toString() };
    // Pass the token only when there is one: an explicit `undefined` would be sent as a second positional parameter.
    return token ? this.client.sendRequest<ModelGraph | null>(ModelGraphRequest.method, params, token) : this.client.sendRequest<ModelGraph | null>(ModelGraphRequest.method, params);
  }

  async dispose(): Promise<void> {
    try {
      await this.started;
    } catch {
      // a server that never started has nothing to stop
    }
    await this.client.dispose(5000);
  }
}
