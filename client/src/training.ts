/**
 * Starting a training run, the same way for the Train & Inspect command and the panel's Start
 * button: trust, runtime, unsaved changes, settings → TrainRequest, "restart?" for a model already
 * training, the panel, a progress notification with Cancel, and a log of every run in the output
 * channel.
 */
import * as vscode from 'vscode';
import { Commands } from '../../protocol/protocol';
import { ContextKeys } from './contributions';
import { eventLogLines, progressMessage, runFraction } from './format';
import type { LensContext } from './lens-context';
import { modelKey } from './model-target';
import type { Run } from './run-manager';
import { buildTrainRequest, type RunOverrides } from './train-request';
import { ensureTrustedForTraining } from './trust';

export interface TrainTarget {
  file: string;
  /** The model as the trainer takes it (name or variable). */
  model: string;
}

export interface TrainOptions {
  overrides?: RunOverrides;
  /** Reveal the model's panel (default true). */
  showPanel?: boolean;
  /** Answer to "restart?" without asking (tests, the panel's own Start while running). */
  restart?: boolean;
}

const RESTART = 'Restart';
const SHOW_OUTPUT = 'Show Output';
const INSTALL_NATIVE = 'Install Native Backend';

export class Training implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Data sources used in this session, most recent first (the panel's suggestions). */
  private readonly recentData: string[] = [];

  constructor(private readonly ctx: LensContext) {
    const { runs, output } = ctx;
    this.disposables.push(
      runs.onDidStart((run) => {
        output.info(`── run #${run.id}: ${run.model} from ${run.file} ──`);
        output.info(`request: ${JSON.stringify(run.request)}`);
      }),
      runs.onDidEvent(({ run, event }) => {
        for (const line of eventLogLines(event)) {
          const text = `[#${run.id}] ${line}`;
          if (event.type === 'end' && event.status === 'failed') output.error(text);
          else if (event.type === 'log' && event.level === 'warning') output.warn(text);
          else output.info(text);
        }
      }),
      runs.onDidStderr(({ run, line }) => output.debug(`[#${run.id}] stderr: ${line}`)),
      runs.onDidEnd((run) => {
        void vscode.commands.executeCommand('setContext', ContextKeys.trainingActive, runs.active().length > 0);
        if (run.state === 'failed') {
          // A model the wasm backend cannot train (or `backend: native` without it): offer the install.
          const install = /native backend|native TensorFlow backend/i.test(run.message ?? '') && ctx.runtime.choose().expected !== 'native';
          const buttons = install ? [INSTALL_NATIVE, SHOW_OUTPUT] : [SHOW_OUTPUT];
          void vscode.window.showErrorMessage(`Model Lens: training '${run.model}' failed: ${run.message ?? 'unknown error'}`, ...buttons).then((choice) => {
            if (choice === SHOW_OUTPUT) output.show(true);
            if (choice === INSTALL_NATIVE) void vscode.commands.executeCommand(Commands.installNativeBackend);
          });
        }
      }),
      runs.onDidStart(() => {
        void vscode.commands.executeCommand('setContext', ContextKeys.trainingActive, true);
      }),
    );
  }

  dataChoices(): string[] {
    return [...new Set(['mnist', 'synthetic', ...this.recentData])];
  }

  /**
   * Trains a model. Resolves with the run once it has started (or with the run kept when the user
   * declined a restart); undefined when refused (restricted workspace, no TensorFlow.js).
   */
  async train(target: TrainTarget, options: TrainOptions = {}): Promise<Run | undefined> {
    const { ctx } = this;
    if (!ensureTrustedForTraining()) return undefined;
    const runtime = ctx.runtime.choose();
    if (runtime.expected === 'none') {
      void vscode.window.showErrorMessage(`Model Lens cannot train: ${runtime.summary}.`, 'Install').then((choice) => {
        if (choice) void vscode.commands.executeCommand(Commands.installNativeBackend);
      });
      return undefined;
    }
    const uri = vscode.Uri.file(target.file);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === uri.fsPath);
    // The trainer reads the file from disk.
    if (doc?.isDirty) await doc.save();

    const key = modelKey(target.file, target.model);
    if (options.overrides?.taps) ctx.runs.setTaps(key, options.overrides.taps);
    const settings = ctx.trainingSettings(uri);
    const request = buildTrainRequest({ file: target.file, model: target.model, settings, taps: ctx.runs.tapsOf(key), ...(options.overrides ? { overrides: options.overrides } : {}) });
    if (request.data && !['mnist', 'synthetic'].includes(request.data)) {
      this.recentData.splice(0, this.recentData.length, request.data, ...this.recentData.filter((d) => d !== request.data).slice(0, 8));
    }
    if (options.showPanel !== false) ctx.panels.show(target, { preserveFocus: true });

    const result = await ctx.runs.start(key, target.model, request, {
      confirmRestart: async (running) => {
        if (options.restart !== undefined) return options.restart;
        const where = running.epoch !== undefined ? ` (epoch ${running.epoch}${running.epochs ? `/${running.epochs}` : ''})` : '';
        const choice = await vscode.window.showWarningMessage(`'${target.model}' is already training${where}. Stop it and start again?`, { modal: true }, RESTART);
        return choice === RESTART;
      },
    });
    if (result.outcome === 'started') this.showProgress(result.run);
    return result.run;
  }

  /** A progress notification for the run, with Cancel (= Stop Training). */
  private showProgress(run: Run): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Model Lens: training ${run.model}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          let reported = 0;
          let last = 0;
          const report = (force: boolean) => {
            const now = Date.now();
            if (!force && now - last < 200) return;
            last = now;
            const s = run.snapshot();
            const fraction = runFraction(s);
            const percent = fraction === undefined ? 0 : Math.round(fraction * 100);
            progress.report({ message: progressMessage(s), ...(percent > reported ? { increment: percent - reported } : {}) });
            reported = Math.max(reported, percent);
          };
          const sub = this.ctx.runs.onDidEvent(({ run: r, event }) => {
            if (r !== run || event.type === 'histogram' || event.type === 'log') return;
            report(event.type !== 'batch');
          });
          token.onCancellationRequested(() => this.ctx.runs.stop({ id: run.id }));
          report(true);
          void run.done.then(() => {
            sub.dispose();
            resolve();
          });
        }),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
