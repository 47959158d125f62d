/**
 * Quick fixes for our diagnostics. The fixes were computed with the diagnostics (in the worker,
 * which has the tree), so a code action is a lookup, not a second analysis.
 */
import { CodeActionKind, type CancellationToken, type CodeAction, type CodeActionParams } from 'vscode-languageserver';
import type { DocumentStore } from '../documents';
import { rangesOverlap } from '../positions';
import type { LensDiagnosticData } from '../snapshot';
import { SOURCE } from './diagnostic-kit';

export async function provideCodeActions(store: DocumentStore, params: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> {
  const only = params.context.only;
  if (only && !only.some((kind) => kind === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${kind}.`) || kind === CodeActionKind.Empty)) return [];
  const snapshot = await store.current(params.textDocument.uri, token);
  const actions: CodeAction[] = [];
  for (const diagnostic of snapshot.data.diagnostics) {
    if (diagnostic.source !== SOURCE || !rangesOverlap(diagnostic.range, params.range)) continue;
    const fixes = (diagnostic.data as LensDiagnosticData | undefined)?.fixes ?? [];
    for (const fix of fixes) {
      actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: fix.edit, isPreferred: fix.isPreferred || undefined });
    }
  }
  return actions;
}
