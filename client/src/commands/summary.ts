/**
 * Model Lens: Show Model Summary — a Keras-style `model.summary()` table of the model under the
 * cursor (or the code lens's), or of every model in the file, in a read-only editor beside.
 * Returns the text shown.
 */
import * as vscode from 'vscode';
import { summaryTable, summaryText } from '../../../graph/summary';
import { Commands } from '../../../protocol/protocol';
import type { LensContext } from '../lens-context';
import { resolveModel } from '../model-target';
import { guarded, resolveDocument } from './resolve';

export const SUMMARY_SCHEME = 'model-lens-summary';

/** The virtual documents' contents, by URI (re-computed each time a summary is shown). */
class SummaryDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'Run "Model Lens: Show Model Summary" again to refresh this summary.';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerSummaryCommand(ctx: LensContext): void {
  const docs = ctx.own(new SummaryDocuments());
  ctx.own(vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, docs));
  ctx.command(Commands.showModelSummary, (arg?: unknown) =>
    guarded(async (): Promise<string | undefined> => {
      const doc = await resolveDocument(ctx, arg);
      if (!doc.graph) {
        void vscode.window.showWarningMessage('Model Lens: the language server has no analysis for this file.');
        return undefined;
      }
      const named = !!(doc.target.modelId || doc.target.modelName);
      const resolution = resolveModel(doc.graph, doc.target, named ? undefined : doc.cursor);
      const base = doc.uri.path.split('/').pop() ?? 'model';
      let text: string;
      let title: string;
      if (resolution.kind === 'model') {
        text = summaryTable(resolution.model);
        title = `${base} · ${resolution.model.name}`;
      } else {
        text = summaryText(doc.graph);
        title = base;
      }
      const uri = vscode.Uri.from({ scheme: SUMMARY_SCHEME, path: `/${title} (summary).txt`, query: doc.uri.toString() });
      docs.set(uri, text);
      const shown = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(shown, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
      return text;
    }),
  );
}
