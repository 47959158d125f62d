/**
 * One status bar item: while a run trains, `backend · epoch · loss` (click: the panel); after it,
 * the last result; otherwise, in Python editors, which backend training would use (click: install).
 */
import * as vscode from 'vscode';
import { Commands } from '../../protocol/protocol';
import { statusText, statusTooltip } from './format';
import type { RuntimeChoice } from './native-backend';
import type { Run, RunManager } from './run-manager';

export const SHOW_PANEL_COMMAND = 'modelLens.showPanel';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private shown: Run | undefined;
  private pendingUpdate: ReturnType<typeof setTimeout> | undefined;

  constructor(
    runs: RunManager,
    private readonly runtime: () => RuntimeChoice,
  ) {
    this.item = vscode.window.createStatusBarItem('modelLens.training', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Model Lens Training';
    const subs = [
      runs.onDidStart((run) => {
        this.shown = run;
        this.update();
      }),
      runs.onDidEvent(({ run, event }) => {
        if (run !== this.shown && !(run.running && !this.shown?.running)) return;
        this.shown = run;
        if (event.type === 'histogram') return;
        this.scheduleUpdate(event.type === 'batch' ? 250 : 0);
      }),
      runs.onDidEnd((run) => {
        // Another run still training takes the item back.
        this.shown = runs.active()[0] ?? run;
        this.update();
      }),
    ];
    this.disposables.push(...subs, vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this.update();
  }

  private scheduleUpdate(ms: number): void {
    if (ms === 0) {
      this.update();
      return;
    }
    if (this.pendingUpdate) return;
    this.pendingUpdate = setTimeout(() => this.update(), ms);
  }

  /** Re-reads everything (also after the runtime changed). */
  update(): void {
    if (this.pendingUpdate) clearTimeout(this.pendingUpdate);
    this.pendingUpdate = undefined;
    const run = this.shown;
    if (run) {
      const s = run.snapshot();
      this.item.text = statusText(s);
      this.item.tooltip = statusTooltip(s);
      this.item.command = { title: 'Show the Train & Inspect panel', command: SHOW_PANEL_COMMAND, arguments: [run.key] };
      this.item.backgroundColor = s.state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
      this.item.show();
      return;
    }
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.languageId !== 'python') {
      this.item.hide();
      return;
    }
    const choice = this.runtime();
    this.item.backgroundColor = undefined;
    if (choice.expected === 'native') {
      this.item.text = '$(beaker) TF native';
      this.item.command = undefined;
    } else if (choice.expected === 'wasm') {
      this.item.text = '$(beaker) TF wasm';
      this.item.command = Commands.installNativeBackend;
    } else {
      this.item.text = '$(warning) TF not installed';
      this.item.command = Commands.installNativeBackend;
    }
    this.item.tooltip = `Model Lens training backend: ${choice.summary}${choice.expected === 'native' ? '' : '\nClick to install the native TensorFlow backend.'}`;
    this.item.show();
  }

  /** What the item shows (for the test API). */
  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    if (this.pendingUpdate) clearTimeout(this.pendingUpdate);
    for (const d of this.disposables) d.dispose();
    this.item.dispose();
  }
}
