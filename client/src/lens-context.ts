/**
 * The one context object: owns every disposable the extension registers and gives the commands
 * and the panel their services. Settings are read from VS Code each time (per resource), never
 * cached here.
 */
import * as vscode from 'vscode';
import type { ModelLensLanguageClient } from './language-client';
import type { LayerContextKeys } from './layer-context-keys';
import type { RuntimeLocator } from './native-backend';
import type { PanelHost } from './panel-host';
import type { RunManager } from './run-manager';
import { readTrainingSettings, SETTINGS_SECTION, type TrainingSettings } from './settings';
import type { StatusBar } from './status-bar';
import type { Training } from './training';

export class LensContext implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly asyncDisposers: (() => Promise<void>)[] = [];
  // Services, set once by activate() in dependency order.
  output!: vscode.LogOutputChannel;
  lsp!: ModelLensLanguageClient;
  runs!: RunManager;
  runtime!: RuntimeLocator;
  status!: StatusBar;
  panels!: PanelHost;
  training!: Training;
  layerKeys!: LayerContextKeys;

  constructor(readonly extension: vscode.ExtensionContext) {}

  /** Registers a disposable with the context (disposed in reverse order on deactivate). */
  own<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  /** Something to await on deactivate (stop the runs, stop the language server). */
  ownAsync(dispose: () => Promise<void>): void {
    this.asyncDisposers.push(dispose);
  }

  command(id: string, handler: (...args: unknown[]) => unknown): void {
    this.own(vscode.commands.registerCommand(id, handler));
  }

  /** The training settings for a resource, read now. */
  trainingSettings(resource?: vscode.Uri): TrainingSettings {
    return readTrainingSettings(vscode.workspace.getConfiguration(SETTINGS_SECTION, resource));
  }

  get extensionPath(): string {
    return this.extension.extensionUri.fsPath;
  }

  async dispose(): Promise<void> {
    const pending = this.asyncDisposers.splice(0).reverse().map((d) => d().catch(() => undefined));
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        // keep disposing the rest
      }
    }
    await Promise.all(pending);
  }
}
