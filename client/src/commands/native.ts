/**
 * Model Lens: Install Native TensorFlow Backend — installs TensorFlow.js into the extension's
 * global storage (npm) and provisions its native backend, with a progress notification (Cancel
 * aborts). When the native part fails, training uses WebAssembly and the message says why.
 * Returns `{ native, reason?, dir }`; `{ force: true }` reinstalls.
 */
import * as vscode from 'vscode';
import { Commands } from '../../../protocol/protocol';
import type { LensContext } from '../lens-context';
import { installRuntime, InstallError } from '../native-backend';
import { guarded } from './resolve';

export interface InstallSummary {
  native: boolean;
  reason?: string;
  dir: string;
  /** What a run will use now. */
  expected: 'native' | 'wasm' | 'none';
}

export function registerNativeCommand(ctx: LensContext): void {
  let installing: Promise<InstallSummary | undefined> | undefined;
  ctx.command(Commands.installNativeBackend, (arg?: unknown) => {
    installing ??= guarded(() => install(ctx, !!(arg && typeof arg === 'object' && (arg as { force?: unknown }).force === true))).finally(() => (installing = undefined));
    return installing;
  });
}

async function install(ctx: LensContext, force: boolean): Promise<InstallSummary | undefined> {
  const current = ctx.runtime.choose();
  if (current.expected === 'native' && !force) {
    const again = await vscode.window.showInformationMessage(`Model Lens already uses the ${current.summary}.`, 'Reinstall');
    if (!again) return { native: true, dir: current.dir!, expected: current.expected };
    force = true;
  }
  const dir = ctx.runtime.installDir;
  const node = ctx.trainingSettings().nodePath || process.execPath;
  ctx.output.info(`installing TensorFlow.js into ${dir} (node: ${node})`);
  ctx.output.show(true);
  const controller = new AbortController();
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Model Lens: installing the native TensorFlow backend', cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        return installRuntime({
          dir,
          versions: ctx.runtime.versions,
          nodeExecutable: node,
          provisionScript: ctx.runtime.provisionScript(),
          signal: controller.signal,
          force,
          onProgress: (message, increment) => progress.report({ message, ...(increment ? { increment } : {}) }),
          log: (line) => ctx.output.info(`[install] ${line}`),
        });
      },
    );
    ctx.status.update();
    const now = ctx.runtime.choose();
    if (result.native) void vscode.window.showInformationMessage(`Model Lens: native TensorFlow backend installed; training uses ${now.summary}.`);
    else {
      void vscode.window.showWarningMessage(`Model Lens: TensorFlow.js is installed, but the native backend is not available (${result.reason ?? 'unknown reason'}). Training uses WebAssembly (slower).`, 'Show Output').then((c) => {
        if (c) ctx.output.show(true);
      });
    }
    return { native: result.native, ...(result.reason ? { reason: result.reason } : {}), dir, expected: now.expected };
  } catch (error) {
    ctx.status.update();
    if (error instanceof InstallError) {
      ctx.output.error(`install failed: ${error.message}`);
      if (error.message === 'cancelled') return undefined;
      void vscode.window.showErrorMessage(`Model Lens: installing TensorFlow.js failed: ${error.message.split('\n')[0]}`, 'Show Output').then((c) => {
        if (c) ctx.output.show(true);
      });
      return undefined;
    }
    throw error;
  }
}
