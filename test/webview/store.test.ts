// The panel's reducer and series, in Node: fed a real recorded run (test/fixtures/runs) and generated ones.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { PanelInit, SavedRun, TrainerEvent } from '../../protocol/protocol';
import { persist, restore } from '../../webview/src/persist';
import { CurveSeries, HistSeries, resample } from '../../webview/src/series';
import { curveKey, epochLabel, epochName, histKey, initialState, isRunning, reduce, tappedLayers, type Action, type PanelState } from '../../webview/src/store';
import { syntheticRun } from './synthetic-run';

const FIXTURES = path.join(__dirname, '../fixtures/runs');
const loadFixture = (name: string): SavedRun => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.run.json`), 'utf8')) as SavedRun;

function apply(state: PanelState, ...actions: Action[]): PanelState {
  for (const a of actions) state = reduce(state, a).state;
  return state;
}

const init = (over: Partial<PanelInit> = {}): PanelInit => ({
  file: '/work/model.py',
  settings: { data: 'mnist', epochs: 3, batchSize: 32, taps: [] },
  dataChoices: ['mnist', 'synthetic'],
  running: false,
  ...over,
});

describe('webview store: a real recorded run', () => {
  const run = loadFixture('seed-activation-loss');
  const start = run.events[0] as Extract<TrainerEvent, { type: 'start' }>;
  const epochs = run.events.filter((e) => e.type === 'epoch').length;

  it('replays live events into curves, histograms and status', () => {
    const s = apply(initialState(), { type: 'init', init: init({ file: run.file, running: true }) }, { type: 'event', event: run.events });
    const r = s.run!;
    assert.equal(r.origin, 'live');
    assert.equal(r.status, 'completed');
    assert.equal(r.model?.name, start.model.name);
    assert.deepEqual(r.taps, start.taps);
    assert.equal(r.epochBase, 1, 'the trainer counts epochs from 1');
    assert.equal(r.file, run.file);
    // total and every component, train and validation, one point per epoch
    const components = Object.keys((run.events.find((e) => e.type === 'epoch') as Extract<TrainerEvent, { type: 'epoch' }>).components);
    assert.ok(components.length >= 2, 'the fixture has loss components');
    for (const name of ['total', ...components]) {
      assert.equal(r.curves.get(curveKey('train', name))?.pointCount(), epochs, `train ${name}`);
      assert.equal(r.curves.get(curveKey('val', name))?.pointCount(), epochs, `val ${name}`);
      assert.ok((r.curves.get(curveKey('batch', name))?.pointCount() ?? 0) > 0, `batch ${name}`);
    }
    assert.deepEqual(
      Array.from({ length: epochs }, (_, i) => r.curves.get(curveKey('train', 'total'))!.x(i)),
      Array.from({ length: epochs }, (_, i) => i + 1),
    );
    // one series per tapped tensor, one snapshot per epoch plus the initial one
    const tensors = start.taps.flatMap((t) => t.tensors.map((k) => histKey(t.layer, k)));
    assert.deepEqual([...r.hists.keys()].sort(), tensors.sort());
    for (const h of r.hists.values()) {
      assert.equal(h.length, epochs + 1);
      assert.equal(epochName(r, h.epoch[0]), 'initial');
      assert.equal(epochLabel(r, h.epoch[h.length - 1]), epochs);
      const total = h.row(h.length - 1).reduce((a, b) => a + b, 0);
      assert.ok(total > 0);
    }
    assert.deepEqual(tappedLayers(r, r.model), ['dense', 'dense_intermediate', 'dense_1'], 'model order');
    assert.equal(isRunning(s), false);
  });

  it('gives the same state for events one by one and batched', () => {
    const one = run.events.reduce((s, e) => apply(s, { type: 'event', event: e }), initialState());
    const all = apply(initialState(), { type: 'event', event: run.events });
    assert.deepEqual(JSON.stringify(persist(one)), JSON.stringify(persist(all)));
  });

  it('opens a saved run as the same views', () => {
    const saved = apply(initialState(), { type: 'loadRun', run });
    const live = apply(initialState(), { type: 'event', event: run.events });
    assert.equal(saved.run!.origin, 'saved');
    assert.equal(saved.run!.file, run.file);
    assert.deepEqual(saved.run!.request, run.request);
    assert.deepEqual([...saved.run!.hists.keys()], [...live.run!.hists.keys()]);
    assert.deepEqual([...saved.run!.curves.keys()], [...live.run!.curves.keys()]);
  });

  it('marks a saved run that ends without an end event as stopped', () => {
    const cut: SavedRun = { ...run, events: run.events.filter((e) => e.type !== 'end') };
    const s = apply(initialState(), { type: 'loadRun', run: cut });
    assert.equal(s.run!.status, 'stopped');
  });

  it('survives persist → JSON → restore unchanged', () => {
    const s = apply(initialState(), { type: 'init', init: init() }, { type: 'event', event: run.events }, { type: 'focus', layer: 'dense_intermediate' });
    const json = JSON.parse(JSON.stringify(persist(s)));
    const back = restore(json)!;
    assert.ok(back);
    assert.equal(back.focus, 'dense_intermediate');
    assert.deepEqual(JSON.stringify(persist(back)), JSON.stringify(persist(s)));
    assert.equal(back.run!.hists.get(histKey('dense_intermediate', 'activation'))!.length, epochs + 1);
    assert.equal(restore({ version: 0 }), null);
    assert.equal(restore('nonsense'), null);
    assert.equal(restore(undefined), null);
  });
});

describe('webview store: settings, taps, focus, lifecycle', () => {
  it('takes settings from init until the user edits them', () => {
    let s = apply(initialState(), { type: 'init', init: init() });
    assert.equal(s.settings.epochs, 3);
    s = apply(s, { type: 'settings', settings: { epochs: 9 } }, { type: 'toggleTap', layer: 'dense', tapped: true });
    s = apply(s, { type: 'init', init: init({ settings: { data: 'x', epochs: 1, batchSize: 8, taps: [] } }) });
    assert.equal(s.settings.epochs, 9, 'edited settings survive a re-sent init for the same file');
    assert.deepEqual(s.settings.taps, ['dense']);
    s = apply(s, { type: 'init', init: init({ file: '/work/other.py' }) });
    assert.equal(s.settings.epochs, 3, 'another file takes its own settings');
    s = apply(s, { type: 'toggleTap', layer: 'a', tapped: true }, { type: 'toggleTap', layer: 'b', tapped: true }, { type: 'toggleTap', layer: 'a', tapped: false });
    assert.deepEqual(s.settings.taps, ['b']);
  });

  it('tracks a requested run until the trainer answers', () => {
    let s = apply(initialState(), { type: 'init', init: init() }, { type: 'runRequested' });
    assert.equal(isRunning(s), true);
    const run = syntheticRun({ layers: 3, epochs: 2, truncateAt: 1 });
    s = apply(s, { type: 'event', event: run.events[0] });
    assert.equal(s.requested, false);
    assert.equal(isRunning(s), true, 'started');
    s = apply(s, { type: 'event', event: run.events.slice(1) });
    assert.equal(s.run!.status, 'running');
    // the host re-inits with running: false (trainer gone while the panel was reloading)
    s = apply(s, { type: 'init', init: init({ running: false }) });
    assert.equal(s.run!.status, 'stopped');
    assert.equal(isRunning(s), false);
    // the host started a run (e.g. from the command) before any event reached the panel
    s = apply(initialState(), { type: 'init', init: init({ running: true }) });
    assert.equal(isRunning(s), true);
    s = apply(s, { type: 'event', event: run.events });
    s = apply(s, { type: 'event', event: { type: 'end', status: 'stopped', message: 'stopped' } });
    assert.equal(isRunning(s), false, 'an end event means no trainer, whatever the last init said');
    // a refused request: init with running false clears it
    s = apply(s, { type: 'runRequested' }, { type: 'init', init: init({ running: false }) });
    assert.equal(isRunning(s), false);
  });

  it('keeps the focus while the layer exists and drops it for a run without it', () => {
    const a = syntheticRun({ layers: 4, epochs: 2 });
    let s = apply(initialState(), { type: 'event', event: a.events }, { type: 'focus', layer: 'dense_2' });
    assert.equal(s.focus, 'dense_2');
    const b = syntheticRun({ layers: 2, epochs: 2 });
    s = apply(s, { type: 'event', event: b.events });
    assert.equal(s.focus, null);
  });

  it('a new start event replaces the previous run', () => {
    const a = syntheticRun({ layers: 4, epochs: 3 });
    const b = syntheticRun({ layers: 2, epochs: 1 });
    const s = apply(initialState(), { type: 'event', event: [...a.events, ...b.events] });
    assert.equal(s.run!.hists.size, 2);
    assert.equal(s.run!.curves.get(curveKey('train', 'total'))!.pointCount(), 1);
  });

  it('reports what changed so views update only their part', () => {
    const run = syntheticRun({ layers: 3, epochs: 2 });
    let s = apply(initialState(), { type: 'event', event: run.events.slice(0, 1) });
    const hist = run.events.find((e) => e.type === 'histogram' && e.layer === 'dense_1')!;
    const r = reduce(s, { type: 'event', event: hist });
    assert.deepEqual([...r.changes.layers], ['dense_1']);
    assert.equal(r.changes.curves, false);
    s = r.state;
    const epoch = run.events.find((e) => e.type === 'epoch')!;
    const r2 = reduce(s, { type: 'event', event: epoch });
    assert.equal(r2.changes.curves, true);
    assert.equal(r2.changes.layers.size, 0);
  });
});

describe('webview series', () => {
  it('CurveSeries merges old points pairwise when full, keeping x increasing and the mean', () => {
    const c = new CurveSeries(8);
    let sum = 0;
    for (let i = 0; i < 100; i++) {
      c.push(i, i % 7);
      sum += i % 7;
    }
    assert.ok(c.pointCount() <= 9);
    assert.ok(c.stride > 1);
    for (let i = 1; i < c.pointCount(); i++) assert.ok(c.x(i) > c.x(i - 1));
    const json = c.toJSON();
    assert.equal(json.xs.length, c.pointCount());
    const mean = sum / 100;
    const approx = json.ys.reduce((a, b) => a + b, 0) / json.ys.length;
    assert.ok(Math.abs(approx - mean) < 1.5, `${approx} ≈ ${mean}`);
  });

  it('CurveSeries without capacity grows and replaces a point at the same x', () => {
    const c = new CurveSeries();
    for (let i = 0; i < 50; i++) c.push(i, i);
    c.push(49, -1);
    assert.equal(c.pointCount(), 50);
    assert.equal(c.last(), -1);
  });

  it('HistSeries grows, replaces the same (epoch, step) and resamples other bin counts', () => {
    const h = new HistSeries('l', 'activation', 4, 2);
    const stats = { mean: 0, std: 1, min: 0, max: 1, zeroFraction: 0, nonFinite: 0 };
    for (let e = 0; e < 5; e++) h.push({ epoch: e, step: e * 10, min: 0, max: 1, counts: [1, 2, 3, 4], stats });
    assert.equal(h.length, 5);
    h.push({ epoch: 4, step: 40, min: 0, max: 2, counts: [4, 3, 2, 1], stats: { ...stats, nonFinite: 3 } });
    assert.equal(h.length, 5);
    assert.deepEqual(Array.from(h.row(4)), [4, 3, 2, 1]);
    assert.equal(h.stat(4, 'nonFinite'), 3);
    h.push({ epoch: 5, step: 50, min: 0, max: 1, counts: [2, 2], stats });
    assert.deepEqual(Array.from(h.row(5)), [1, 1, 1, 1]);
    const back = HistSeries.fromJSON(JSON.parse(JSON.stringify(h.toJSON())));
    assert.deepEqual(Array.from(back.counts.subarray(0, 24)), Array.from(h.counts.subarray(0, 24)));
    assert.equal(back.length, 6);
  });

  it('keeps NaN statistics through persistence', () => {
    const h = new HistSeries('l', 'kernel', 2);
    h.push({ epoch: 1, step: 1, min: 0, max: 1, counts: [1, 1], stats: { mean: NaN, std: NaN, min: 0, max: 1, zeroFraction: 0, nonFinite: 5 } });
    const back = HistSeries.fromJSON(JSON.parse(JSON.stringify(h.toJSON())));
    assert.ok(Number.isNaN(back.stat(0, 'mean')));
    assert.equal(back.stat(0, 'nonFinite'), 5);
  });

  it('resample preserves mass', () => {
    const out = new Float32Array(3);
    resample([1, 2, 3, 4, 5], out);
    assert.ok(Math.abs(out.reduce((a, b) => a + b, 0) - 15) < 1e-5);
  });
});
