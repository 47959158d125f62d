/**
 * Above each model: `N layers · P params` (opens the summary; marked when Keras cannot build the
 * model) and `▶ Train & Inspect`. The lens
 * sits where the code gets hold of the model (`model = build_model(...)`), else on its construction.
 */
import type { CancellationToken, CodeLens, CodeLensParams, Range } from 'vscode-languageserver';
import type { ModelNode, Reference } from '../../../graph/model-graph';
import { modelSize } from '../../../graph/summary';
import { Commands, type ModelCommandArgs } from '../../../protocol/protocol';
import type { DocumentStore, Snapshot } from '../documents';
import type { Settings } from '../settings';

export async function provideCodeLenses(store: DocumentStore, settings: Settings, params: CodeLensParams, token: CancellationToken): Promise<CodeLens[]> {
  if (!(await settings.for(params.textDocument.uri)).codeLens.enabled) return [];
  const snapshot = await store.current(params.textDocument.uri, token);
  const lenses: CodeLens[] = [];
  const usedLines = new Set<number>();
  for (const model of snapshot.graph.models) {
    const anchor = anchorOf(snapshot, model);
    if (!anchor || usedLines.has(anchor.start.line)) continue;
    usedLines.add(anchor.start.line);
    const args: ModelCommandArgs = { uri: snapshot.uri, modelId: model.id, modelName: model.name };
    // A model Keras refuses to build says so where its size is shown (the diagnostic says why).
    const title = model.error ? `$(warning) ${modelSize(model)} · Keras cannot build it` : modelSize(model);
    lenses.push({ range: anchor, command: { title, command: Commands.showModelSummary, arguments: [args] } });
    lenses.push({ range: anchor, command: { title: '▶ Train & Inspect', command: Commands.trainAndInspect, arguments: [args] } });
  }
  return lenses;
}

/** The first variable in this document bound to the model, else where it is constructed (if here). */
export function anchorOf(snapshot: Snapshot, model: ModelNode): Range | undefined {
  return firstBinding(snapshot, model)?.range ?? (model.file ? undefined : model.range);
}

/** The first place in this document that binds a variable to the model (`encoder = keras.Model(...)`). */
export function firstBinding(snapshot: Snapshot, model: ModelNode): Reference | undefined {
  return snapshot.graph.references.find((ref) => ref.kind === 'model_variable' && snapshot.lookup.modelForLayerId(ref.layerId) === model);
}
