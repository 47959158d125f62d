/// <reference types="mocha" />
// Train & Inspect: the command starts the trainer, the panel opens and receives histograms, and the
// activation and kernel histograms of the layer the loss reads change while it trains.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands, type TrainerEvent } from '../../../protocol/protocol';
import type { RunSnapshot } from '../../../client/src/run-manager';
import { activate, fileUri, open, shownMessages, USER_FILE, writeFile } from './util';

type Histogram = Extract<TrainerEvent, { type: 'histogram' }>;

suite('Train & Inspect in a real VS Code', () => {
  test('trains the seed from the command, the panel opens and receives evolving histograms', async function () {
    this.timeout(300_000);
    const api = await activate();
    const uri = fileUri('seed_activation_loss.py');
    await open(uri);
    const started = await vscode.commands.executeCommand<RunSnapshot | undefined>(
      Commands.trainAndInspect,
      { uri: uri.toString() },
      { overrides: { epochs: 3 }, showPanel: true, restart: true },
    );
    assert.ok(started, `the command returned the run; messages: ${shownMessages.join(' | ')}`);
    const run = await api.runs.waitForEnd(started.id, 240_000);
    assert.equal(run.state, 'completed', `run ended: ${run.message}`);
    console.log(`    ${run.backendDetail ?? run.backend}; ${run.message}`);

    const hist = api.runs.events(started.id).filter((e): e is Histogram => e.type === 'histogram');
    for (const tensor of ['activation', 'kernel'] as const) {
      const series = hist.filter((h) => h.layer === 'dense_intermediate' && h.tensor === tensor);
      assert.ok(series.length >= 2, `${tensor} histograms of dense_intermediate at several epochs (got ${series.length})`);
      const first = series[0]!;
      const last = series[series.length - 1]!;
      assert.ok(last.epoch > first.epoch);
      assert.notDeepEqual([last.counts, last.stats.mean], [first.counts, first.stats.mean], `${tensor} histogram evolves`);
    }

    // The panel is open, got the ready handshake, and was sent the histograms.
    const panel = await api.panels.waitFor((p) => p.ready && (p.events.histogram ?? 0) >= hist.length && p.file === uri.fsPath, 30_000);
    assert.ok(panel.visible);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
    assert.ok(tabs.length > 0, 'a webview tab is open');
    console.log(`    panel "${tabs.map((t) => t.label).join(', ')}": ${JSON.stringify(panel.events)}`);
  });

  test('a new user file trains with a tapped layer', async function () {
    this.timeout(300_000);
    const api = await activate();
    const uri = writeFile('my_model.py', USER_FILE);
    await open(uri);
    const started = await vscode.commands.executeCommand<RunSnapshot | undefined>(
      Commands.trainAndInspect,
      { uri: uri.toString() },
      { overrides: { epochs: 2, data: 'synthetic', taps: ['bottleneck'] }, showPanel: true, restart: true },
    );
    assert.ok(started);
    const run = await api.runs.waitForEnd(started.id, 240_000);
    assert.equal(run.state, 'completed', `run ended: ${run.message}`);
    const kinds = new Set(api.runs.events(started.id).filter((e): e is Histogram => e.type === 'histogram' && e.layer === 'bottleneck').map((h) => h.tensor));
    assert.ok(kinds.has('activation') && kinds.has('kernel'), `bottleneck histograms: ${[...kinds].join(', ')}`);
  });
});
