/**
 * Model Lens: Stop Training — the model given (code lens / `{ uri, modelName }` / a run id), else
 * the active panel's model, else the only running run, else a quick pick of the running ones.
 * Returns the ids of the runs asked to stop.
 */
import * as vscode from 'vscode';
import { Commands } from '../../../protocol/protocol';
import { progressMessage } from '../format';
import type { LensContext } from '../lens-context';
import { modelKey, parseCommandArgs } from '../model-target';
import type { Run } from '../run-manager';
import { guarded } from './resolve';

export function registerStopCommand(ctx: LensContext): void {
  ctx.command(Commands.stopTraining, (arg?: unknown) =>
    guarded(async (): Promise<number[]> => {
      const active = ctx.runs.active();
      if (active.length === 0) {
        void vscode.window.showInformationMessage('Model Lens: no training is running.');
        return [];
      }
      let runs: Run[] = [];
      if (typeof arg === 'number') runs = active.filter((r) => r.id === arg);
      else if (arg && typeof arg === 'object' && typeof (arg as { runId?: unknown }).runId === 'number') runs = active.filter((r) => r.id === (arg as { runId: number }).runId);
      else {
        const t = parseCommandArgs(arg);
        if (t.uri && t.modelName) {
          const file = vscode.Uri.parse(t.uri).fsPath;
          runs = active.filter((r) => r.key === modelKey(file, t.modelName!) || (r.file === file && r.model === t.modelName));
        } else if (t.uri) {
          const file = vscode.Uri.parse(t.uri).fsPath;
          runs = active.filter((r) => r.file === file);
        } else {
          const panel = ctx.panels.activePanel();
          if (panel) runs = active.filter((r) => r.key === panel.modelKey);
        }
      }
      if (runs.length === 0) runs = active;
      if (runs.length > 1) {
        const picked = await vscode.window.showQuickPick(
          runs.map((r) => ({ label: r.model, description: `${r.file} · ${progressMessage(r.snapshot())}`, run: r })),
          { title: 'Stop Training', placeHolder: 'Which run?', canPickMany: true },
        );
        if (!picked || picked.length === 0) return [];
        runs = picked.map((p) => p.run);
      }
      for (const r of runs) ctx.runs.stop({ id: r.id });
      return runs.map((r) => r.id);
    }),
  );
}
