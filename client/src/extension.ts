/**
 * Model Lens extension entry (dist/client.js). Wiring only: every concern lives in its own file
 * and everything is registered through one LensContext, which owns the disposables.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createApi, type ModelLensApi } from './api';
import { registerCommands } from './commands';
import { guarded } from './commands/resolve';
import { ContextKeys } from './contributions';
import { exportRun, openSavedRun } from './commands/runs';
import { ModelLensLanguageClient } from './language-client';
import { LayerContextKeys } from './layer-context-keys';
import { LensContext } from './lens-context';
import { findModel, modelKey, parseModelKey, requestModelName } from './model-target';
import { RuntimeLocator, runtimeVersions, trainerEnv } from './native-backend';
import { PanelHost } from './panel-host';
import { RunArchive } from './run-archive';
import { RunManager } from './run-manager';
import { SHOW_PANEL_COMMAND, StatusBar } from './status-bar';
import { panelRunSettings } from './train-request';
import { createLauncher } from './trainer-process';
import { Training } from './training';

let current: LensContext | undefined;

export function activate(context: vscode.ExtensionContext): Promise<ModelLensApi> {
  return activateInner(context).catch((e: unknown) => {
    void vscode.window.showErrorMessage(`Model Lens failed to start: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  });
}

async function activateInner(context: vscode.ExtensionContext): Promise<ModelLensApi> {
  const ctx = new LensContext(context);
  current = ctx;
  context.subscriptions.push({ dispose: () => void ctx.dispose() });
  const dist = path.join(ctx.extensionPath, 'dist');

  ctx.output = ctx.own(vscode.window.createOutputChannel('Model Lens Training', { log: true }));
  const lspOutput = ctx.own(vscode.window.createOutputChannel('Model Lens Language Server'));
  ctx.lsp = new ModelLensLanguageClient(path.join(dist, 'server.js'), lspOutput);
  ctx.ownAsync(() => ctx.lsp.dispose());

  const packageJson = context.extension.packageJSON as { dependencies?: Record<string, string> };
  ctx.runtime = new RuntimeLocator(ctx.extensionPath, context.globalStorageUri.fsPath, runtimeVersions(packageJson.dependencies));
  ctx.runs = new RunManager(
    createLauncher({
      entry: path.join(dist, 'trainer.js'),
      resolve: (request) => {
        const nodePath = ctx.trainingSettings(vscode.Uri.file(request.file)).nodePath;
        return { ...(nodePath ? { nodeExecutable: nodePath } : {}), env: trainerEnv(ctx.runtime.choose()) };
      },
    }),
  );
  ctx.ownAsync(() => ctx.runs.dispose());
  const archive = new RunArchive(path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'finished-runs'), (m) => ctx.output.warn(m));
  ctx.own(
    ctx.runs.onDidEnd((run) => void archive.save(run.key, run.toSavedRun())),
  );

  ctx.status = ctx.own(new StatusBar(ctx.runs, () => ctx.runtime.choose()));
  ctx.training = ctx.own(new Training(ctx));
  ctx.panels = ctx.own(
    new PanelHost(
      context.extensionUri,
      ctx.runs,
      {
        modelFor: async (target) => {
          if (!target.file) return undefined;
          const graph = await ctx.lsp.modelGraph(vscode.Uri.file(target.file));
          return graph ? findModel(graph, { modelName: target.model }) : undefined;
        },
        runSettings: (target, model) => panelRunSettings(ctx.trainingSettings(vscode.Uri.file(target.file)), model, ctx.runs.tapsOf(modelKey(target.file, target.model))),
        dataChoices: () => ctx.training.dataChoices(),
        startRun: async (target, settings) => {
          const run = await ctx.training.train(target, { overrides: settings, showPanel: false, restart: true });
          return run !== undefined;
        },
        openRun: async (panel) => void (await guarded(() => openSavedRun(ctx, undefined, panel))),
        exportRun: async (panel) => void (await guarded(() => exportRun(ctx, undefined, panel))),
        log: (message) => ctx.output.warn(message),
      },
      async (file, model) => {
        const graph = await ctx.lsp.modelGraph(vscode.Uri.file(file));
        const found = graph && model ? findModel(graph, { modelName: model }) : undefined;
        return graph && found ? { file, model: requestModelName(graph, found) } : undefined;
      },
      archive,
    ),
  );

  registerCommands(ctx);
  ctx.layerKeys = ctx.own(new LayerContextKeys(ctx.lsp, ctx.runs, { log: (message) => ctx.output.warn(message) }));
  ctx.command(SHOW_PANEL_COMMAND, (key?: unknown) => {
    if (typeof key !== 'string') return;
    const { file, model } = parseModelKey(key);
    ctx.panels.show({ file, model });
  });
  ctx.own(vscode.workspace.onDidGrantWorkspaceTrust(() => ctx.status.update()));
  void vscode.commands.executeCommand('setContext', ContextKeys.trainingActive, false);

  return createApi(ctx);
}

export async function deactivate(): Promise<void> {
  const ctx = current;
  current = undefined;
  await ctx?.dispose();
}
