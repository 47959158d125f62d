/// <reference types="mocha" />
// Completion, hover and diagnostics through VS Code's own API (the language client in the
// extension host, the language server in its own process).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, fileUri, hoverText, labelOf, open, positionOf, SOURCE, until, USER_FILE, writeFile } from './util';


async function complete(uri: vscode.Uri, pos: vscode.Position, trigger?: string): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, pos, trigger);
  return list.items.map(labelOf);
}

suite('language features in a real VS Code', () => {
  suiteSetup(async function () {
    this.timeout(60_000);
    await activate();
  });

  test('completes layer names inside get_layer("…") in a new file', async function () {
    this.timeout(60_000);
    const uri = writeFile('my_model.py', USER_FILE);
    const editor = await open(uri);
    const pos = positionOf(editor.document, 'get_layer("', 'get_layer("'.length);
    const labels = await until('layer-name completions', async () => {
      const l = await complete(uri, pos, '"');
      return l.includes('bottleneck') ? l : undefined;
    });
    for (const name of ['encoder', 'bottleneck', 'scores']) assert.ok(labels.includes(name), `${name} in ${labels.join(', ')}`);
    // Keras's automatic name for the unnamed Dropout layer.
    assert.ok(labels.includes('dropout'), `the automatic name "dropout" in ${labels.join(', ')}`);
  });

  test('completes an automatic layer name in the seed example', async function () {
    this.timeout(60_000);
    const uri = writeFile('seed_probe.py', (await vscode.workspace.fs.readFile(fileUri('seed_activation_loss.py'))).toString() + '\nlayer = model.get_layer("")\n');
    const editor = await open(uri);
    const pos = positionOf(editor.document, 'model.get_layer("', 'model.get_layer("'.length);
    const labels = await until('completions in the seed', async () => {
      const l = await complete(uri, pos, '"');
      return l.includes('dense_intermediate') ? l : undefined;
    });
    assert.ok(labels.includes('dense'), `the automatic name "dense" in ${labels.join(', ')}`);
  });

  test('hovers a layer name with its class and output shape', async function () {
    this.timeout(60_000);
    const uri = fileUri('seed_activation_loss.py');
    const editor = await open(uri);
    const pos = positionOf(editor.document, "'dense_intermediate'", 3);
    const text = await until('a hover on dense_intermediate', async () => {
      const t = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos));
      return t.includes('Dense') ? t : undefined;
    });
    assert.match(text, /dense_intermediate/);
    assert.match(text, /32/, 'the output shape (None, 32)');
  });

  test('hovers a layer in a new user file', async function () {
    this.timeout(60_000);
    const uri = writeFile('my_model.py', USER_FILE);
    const editor = await open(uri);
    const pos = positionOf(editor.document, '"bottleneck"', 3);
    const text = await until('a hover on bottleneck', async () => {
      const t = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos));
      return t.includes('Dense') ? t : undefined;
    });
    assert.match(text, /8/);
  });

  test('reports diagnostics on the seed example and none (errors) on its working rewrite', async function () {
    this.timeout(60_000);
    const seed = fileUri('seed_activation_loss.py');
    await open(seed);
    const diags = await until('Model Lens diagnostics on the seed', () => {
      const d = vscode.languages.getDiagnostics(seed).filter((x) => x.source === SOURCE);
      return d.length > 0 ? d : undefined;
    });
    console.log(`    seed: ${diags.map((d) => `${d.range.start.line + 1}: ${d.message.split('\n')[0]}`).join(' | ').slice(0, 400)}`);
    const fixed = fileUri('fixed_activation_penalty.py');
    await open(fixed);
    // Wait until the server has analysed the file (it publishes, possibly an empty list), then check.
    const api = await activate();
    await until('the model graph of the working rewrite', async () => (await api.modelGraph(fixed.toString()))?.models.length);
    await new Promise((r) => setTimeout(r, 1500));
    const errors = vscode.languages.getDiagnostics(fixed).filter((x) => x.source === SOURCE && x.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map((e) => e.message), []);
  });
});
