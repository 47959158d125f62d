/**
 * Model Lens: Open Saved Run… / Export Run… — SavedRun files (protocol.ts; the CLI's `--out`
 * writes the same format). Open shows the run in its model's panel (a separate one while that
 * model trains); Export writes the panel's run (or a given run) to a JSON file.
 *
 * Arguments (tests, scripts): Open takes a Uri or path (no dialog); Export takes
 * `{ runId?: number; uri?: Uri | string }` or a Uri / path (no dialog). Open returns
 * `{ panel, events }`, Export returns the path written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, type SavedRun } from '../../../protocol/protocol';
import type { LensContext } from '../lens-context';
import { modelKey } from '../model-target';
import type { ModelPanel } from '../panel-host';
import { exportFileName, parseSavedRun, SavedRunError, savedRunModel, serializeSavedRun } from '../saved-run';
import { CommandError, guarded } from './resolve';

const FILTERS = { 'Model Lens run': ['json'], 'All files': ['*'] };

function toUri(v: unknown): vscode.Uri | undefined {
  if (v instanceof vscode.Uri) return v;
  if (typeof v === 'string' && v) return v.includes('://') || v.startsWith('file:') ? vscode.Uri.parse(v) : vscode.Uri.file(v);
  return undefined;
}

function defaultFolder(file: string | undefined): vscode.Uri | undefined {
  if (file && fs.existsSync(path.dirname(file))) return vscode.Uri.file(path.dirname(file));
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/** Reads a saved run (dialog when no file is given) and shows it; `into`: a panel that asked for it. */
export async function openSavedRun(ctx: LensContext, arg: unknown, into?: ModelPanel): Promise<{ panel: string; events: number } | undefined> {
  let uri = toUri(arg);
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: FILTERS, title: 'Open Saved Model Lens Run', defaultUri: defaultFolder(into?.target.file) });
    uri = picked?.[0];
  }
  if (!uri) return undefined;
  let run: SavedRun;
  try {
    run = parseSavedRun(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  } catch (error) {
    if (error instanceof SavedRunError) throw new CommandError(`Model Lens: ${uri.fsPath} is not a run this extension can show: ${error.message}`);
    throw error;
  }
  const model = run.request.model ?? savedRunModel(run) ?? path.basename(run.file);
  const key = modelKey(run.file, model);
  // The panel that asked shows it unless its own model is training; else the run's model's panel
  // (a separate one while that model trains, so live events and the saved run do not mix).
  const panel =
    into && ctx.runs.active(into.modelKey).length === 0 ? into : ctx.panels.show({ file: run.file, model }, { separate: ctx.runs.active(key).length > 0 });
  panel.loadRun(run);
  ctx.output.info(`opened saved run ${uri.fsPath} (${run.events.length} events) in the panel for ${model}`);
  return { panel: panel.key, events: run.events.length };
}

/** Writes a run to a file (dialog when no target is given). */
export async function exportRun(ctx: LensContext, arg: unknown, from?: ModelPanel): Promise<string | undefined> {
  const opts = arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? (arg as { runId?: unknown; uri?: unknown }) : { uri: arg };
  let saved: SavedRun | undefined;
  if (typeof opts.runId === 'number') {
    saved = ctx.runs.get(opts.runId)?.toSavedRun();
    if (!saved) throw new CommandError(`Model Lens: no run #${opts.runId} (only the last runs are kept).`);
  } else {
    const panel = from ?? ctx.panels.activePanel();
    saved = panel?.savedRun() ?? ctx.runs.list().at(-1)?.toSavedRun();
  }
  if (!saved || saved.events.length === 0) throw new CommandError('Model Lens: there is no run to export yet.');
  let uri = toUri(opts.uri);
  if (!uri) {
    const folder = defaultFolder(saved.file);
    const name = exportFileName(saved);
    uri = await vscode.window.showSaveDialog({ filters: FILTERS, title: 'Export Model Lens Run', defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, saveLabel: 'Export' });
  }
  if (!uri) return undefined;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(serializeSavedRun(saved)));
  ctx.output.info(`exported run of ${saved.file} (${saved.events.length} events) to ${uri.fsPath}`);
  vscode.window.setStatusBarMessage(`Model Lens: run exported to ${path.basename(uri.fsPath)}`, 4000);
  return uri.fsPath;
}

export function registerRunFileCommands(ctx: LensContext): void {
  ctx.command(Commands.openSavedRun, (arg?: unknown) => guarded(() => openSavedRun(ctx, arg)));
  ctx.command(Commands.exportRun, (arg?: unknown) => guarded(() => exportRun(ctx, arg)));
}
