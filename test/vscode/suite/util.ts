// Helpers for the suite that runs inside VS Code's extension host.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelLensApi } from '../../../client/src/api';

export const EXTENSION_ID = 'model-lens.model-lens';
export const SOURCE = 'Model Lens';

/** A new user's own file, not one of the examples. */
export const USER_FILE = `import keras
from keras import layers

inputs = keras.Input(shape=(20,))
x = layers.Dense(48, activation="relu", name="encoder")(inputs)
x = layers.Dropout(0.2)(x)
code = layers.Dense(8, activation="relu", name="bottleneck")(x)
outputs = layers.Dense(3, activation="softmax", name="scores")(code)
model = keras.Model(inputs, outputs, name="my_model")
model.compile(optimizer="adam", loss="categorical_crossentropy")

probe = model.get_layer("")
`;


/** The workspace: a copy of examples/ (test/vscode/run.mjs) or the first folder VS Code has open. */
export function workspaceDir(): string {
  const fromEnv = process.env['MODEL_LENS_TEST_WORKSPACE'];
  if (fromEnv) return fromEnv;
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need a workspace folder (a copy of examples/)');
  return folder.uri.fsPath;
}

export function fileUri(name: string): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceDir(), name));
}

/** Writes a file into the workspace and returns its URI. */
export function writeFile(name: string, text: string): vscode.Uri {
  const uri = fileUri(name);
  fs.writeFileSync(uri.fsPath, text);
  return uri;
}

export async function open(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; fails with the last value seen after `timeoutMs`. */
export async function until<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await sleep(everyMs);
  }
}

let api: ModelLensApi | undefined;

/** Messages the extension showed (this suite shares the extension's `vscode` API object, so wrapping works). */
export const shownMessages: string[] = [];

function recordMessages(): void {
  const w = vscode.window as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['showErrorMessage', 'showWarningMessage', 'showInformationMessage']) {
    const original = w[name]!.bind(vscode.window);
    w[name] = (...args: unknown[]) => {
      shownMessages.push(`${name.replace('show', '').replace('Message', '')}: ${String(args[0])}`);
      if (process.env['MODEL_LENS_TEST_VERBOSE']) console.log(`    [${name}] ${String(args[0])}`);
      return original(...args);
    };
  }
}

/** Opens a Python file (which activates the extension) and returns the extension's API once the language server is up. */
export async function activate(): Promise<ModelLensApi> {
  if (api) return api;
  recordMessages();
  const ext = vscode.extensions.getExtension<ModelLensApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  await open(fileUri('seed_activation_loss.py'));
  await until('the extension to activate on a Python file', () => ext.isActive, 30_000);
  api = ext.exports;
  assert.ok(api && typeof api.ready === 'function', 'activate() returns the Model Lens API');
  await api.ready();
  return api;
}

/** The position of the n-th occurrence of `text` in the document (plus `offset` characters). */
export function positionOf(doc: vscode.TextDocument, text: string, offset = 0, nth = 0): vscode.Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = doc.getText().indexOf(text, at + 1);
    assert.ok(at >= 0, `${JSON.stringify(text)} (occurrence ${nth}) not found in ${doc.uri.fsPath}`);
  }
  return doc.positionAt(at + offset);
}

export function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

export function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}
