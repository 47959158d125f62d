/// <reference types="mocha" />
// The client's commands in a real VS Code (code-server), beyond test/vscode/suite: summary at the
// cursor, tap/untap at the cursor, train from the cursor, "restart?" declined, stop, export and
// reopen a run, a hidden panel's second `ready`, and (ML_TEST_INSTALL=1) the real install command.
//   node test/client/vscode/run-client-suite.mjs
// Uses the harness of test/vscode/ (scripts/vscode/launcher.mjs, test/vscode/suite/util.ts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../protocol/protocol';
import type { RunSnapshot } from '../../../client/src/run-manager';
import { activate, fileUri, open, positionOf, shownMessages, until } from '../../vscode/suite/util';

suite('client commands in a real VS Code', () => {
  test('summary of the model under the cursor', async function () {
    this.timeout(60_000);
    const api = await activate();
    const uri = fileUri('mnist_cnn.py');
    const editor = await open(uri);
    await until('graph', () => api.modelGraph(uri.toString()).then((g) => g && g.models.length > 0));
    const p = positionOf(editor.document, 'model = keras.Sequential', 2);
    editor.selection = new vscode.Selection(p, p);
    const text = await vscode.commands.executeCommand<string>(Commands.showModelSummary);
    assert.match(text ?? '', /Model: "mnist_cnn"/);
    assert.match(text ?? '', /conv1 \(Conv2D\)/);
    await until('summary editor', () => vscode.window.visibleTextEditors.some((e) => e.document.uri.scheme === 'model-lens-summary' && e.document.getText().includes('conv2')));
    console.log(`    ${text!.split('\n').slice(0, 3).join(' | ')}`);
  });

  test('tap and untap the layer under the cursor', async function () {
    this.timeout(60_000);
    await activate();
    const uri = fileUri('mnist_cnn.py');
    const editor = await open(uri);
    const p = positionOf(editor.document, 'name="conv2"', 7);
    editor.selection = new vscode.Selection(p, p);
    const tapped = await vscode.commands.executeCommand<{ layer: string; taps: string[]; model: string }>(Commands.tapLayer);
    assert.deepEqual([tapped?.layer, tapped?.taps, tapped?.model], ['conv2', ['conv2'], 'model']);
    const again = await vscode.commands.executeCommand<{ taps: string[] }>(Commands.tapLayer, { uri: uri.toString(), layer: 'pool1' });
    assert.deepEqual(again?.taps, ['conv2', 'pool1']);
    const untapped = await vscode.commands.executeCommand<{ taps: string[] }>(Commands.untapLayer, { uri: uri.toString(), layer: 'pool1' });
    assert.deepEqual(untapped?.taps, ['conv2']);
  });

  test('train from the cursor, decline a restart, stop from the palette command, export and reopen', async function () {
    this.timeout(240_000);
    const api = await activate();
    const uri = fileUri('mnist_cnn.py');
    const editor = await open(uri);
    const p = positionOf(editor.document, 'model.fit', 3);
    editor.selection = new vscode.Selection(p, p);
    const started = await vscode.commands.executeCommand<RunSnapshot>(Commands.trainAndInspect, undefined, { overrides: { epochs: 20, data: 'mnist' }, restart: true });
    assert.ok(started, shownMessages.join(' | '));
    assert.equal(started.model, 'model');
    assert.deepEqual(started.request.taps, ['conv2'], 'the tapped layer goes into the request');
    await until('some epochs', () => (api.runs.get(started.id)?.epoch ?? 0) >= 1, 120_000);
    const status = await until('status bar', () => /native · epoch \d+\/20 · loss \d/.test(api.statusText()) && api.statusText(), 10_000);
    const kept = await vscode.commands.executeCommand<RunSnapshot>(Commands.trainAndInspect, { uri: uri.toString(), modelName: 'model' }, { restart: false });
    assert.equal(kept?.id, started.id, 'declining the restart keeps the running run');
    const stopped = await vscode.commands.executeCommand<number[]>(Commands.stopTraining);
    assert.deepEqual(stopped, [started.id]);
    const end = await api.runs.waitForEnd(started.id, 30_000);
    assert.equal(end.state, 'stopped');
    console.log(`    status: ${status} → ${api.statusText()}; ${end.message}`);
    const hists = api.runs.events(started.id).filter((e) => e.type === 'histogram' && e.layer === 'conv2');
    assert.ok(hists.length > 0, 'tapped conv2 histograms');
    const panel = await api.panels.waitFor((x) => x.modelKey === started.key && x.ready && (x.events.end ?? 0) === 1);
    assert.ok((panel.events.histogram ?? 0) >= hists.length);

    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-export-')), 'run.json');
    const written = await vscode.commands.executeCommand<string>(Commands.exportRun, { runId: started.id, uri: out });
    assert.equal(written, out);
    const saved = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.equal(saved.version, 1);
    assert.equal(saved.events.length, end.events);
    const opened = await vscode.commands.executeCommand<{ panel: string; events: number }>(Commands.openSavedRun, out);
    assert.equal(opened?.events, end.events);
    const shown = await api.panels.waitFor((x) => x.key === opened!.panel && x.ready && (x.posted.loadRun ?? 0) === 1);
    assert.equal(shown.shows, 'saved');
    // The panel's own export writes the saved run it shows.
    const out2 = out.replace('run.json', 'again.json');
    assert.equal(await vscode.commands.executeCommand<string>(Commands.exportRun, out2), out2);
    assert.equal(JSON.parse(fs.readFileSync(out2, 'utf8')).events.length, end.events);
  });

  test('a hidden panel queues and comes back with a new ready', async function () {
    this.timeout(60_000);
    const api = await activate();
    const before = api.panels.list().find((p) => p.visible && p.ready);
    assert.ok(before, JSON.stringify(api.panels.list()));
    // Hide it: open a text editor in its group.
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    const panels = api.panels.list();
    const target = panels[0]!;
    await vscode.commands.executeCommand(Commands.trainAndInspect, { uri: vscode.Uri.file(target.file).toString(), modelName: target.model }, { showPanel: true, restart: true, overrides: { epochs: 1 } });
    const active = api.panels.list().find((p) => p.key === target.key)!;
    const doc = await vscode.workspace.openTextDocument({ content: 'x', language: 'plaintext' });
    // Open in every group so that the panel's group shows a text editor.
    for (const col of [vscode.ViewColumn.One, vscode.ViewColumn.Two]) await vscode.window.showTextDocument(doc, { viewColumn: col, preview: false });
    await until('panel hidden', () => api.panels.list().find((p) => p.key === target.key && !p.visible && !p.ready));
    await vscode.commands.executeCommand('modelLens.showPanel', active.modelKey);
    const back = await api.panels.waitFor((p) => p.key === target.key && p.visible && p.ready && p.readyCount > active.readyCount && p.queued === 0);
    console.log(`    readyCount ${active.readyCount} → ${back.readyCount}; ${JSON.stringify(back.events)}`);
    for (const r of api.runs.list()) if (r.state === 'running') await api.runs.waitForEnd(r.id, 120_000);
  });

  test('install the native backend into global storage (progress notification, real npm and provisioning)', async function () {
    if (!process.env['ML_TEST_INSTALL']) this.skip();
    this.timeout(400_000);
    const api = await activate();
    const r = await vscode.commands.executeCommand<{ native: boolean; dir: string; expected: string }>(Commands.installNativeBackend, { force: true });
    assert.ok(r, shownMessages.join(' | '));
    assert.equal(r.native, true, JSON.stringify(r));
    assert.ok(fs.existsSync(path.join(r.dir, 'node_modules', '@tensorflow', 'tfjs-node', 'lib', 'napi-v8', 'tfjs_binding.node')));
    console.log(`    installed in ${r.dir}; runtime: ${api.runtime().summary}`);
  });
});
