/**
 * `modelLens/modelGraph` (client → server, see protocol/protocol.ts): the model graph of a document,
 * for the panel and the client's commands. Files that are not open are analysed from disk.
 */
import type { CancellationToken } from 'vscode-languageserver';
import type { ModelGraph } from '../../../graph/model-graph';
import type { ModelGraphParams } from '../../../protocol/protocol';
import type { DocumentStore } from '../documents';

export async function provideModelGraph(store: DocumentStore, params: ModelGraphParams, token: CancellationToken): Promise<ModelGraph | null> {
  const snapshot = await store.current(params.uri, token);
  return snapshot.graph;
}
