// From settings, panel controls and the analyzed model to a TrainRequest and the panel's settings.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ModelGraph } from '../../graph/model-graph';
import { findModel } from '../../client/src/model-target';
import { DEFAULT_TRAINING } from '../../client/src/settings';
import { buildTrainRequest, fitDefaults, panelRunSettings, resolveDataSpec } from '../../client/src/train-request';
import { graphOf, TWO_MODELS } from './helpers';

let graph: ModelGraph;
before(async () => {
  graph = await graphOf(TWO_MODELS);
});

describe('fitDefaults and panelRunSettings', () => {
  it("reads fit()'s literal epochs and batch size", () => {
    assert.deepEqual(fitDefaults(findModel(graph, { modelName: 'clf' })), { epochs: 7, batchSize: 64 });
    assert.deepEqual(fitDefaults(findModel(graph, { modelName: 'encoder' })), {});
    assert.deepEqual(fitDefaults(undefined), {});
  });
  it('starts the panel from the settings, else fit(), else the trainer defaults', () => {
    const clf = findModel(graph, { modelName: 'clf' });
    assert.deepEqual(panelRunSettings(DEFAULT_TRAINING, clf, ['hidden']), { data: '', epochs: 7, batchSize: 64, taps: ['hidden'] });
    assert.deepEqual(panelRunSettings({ ...DEFAULT_TRAINING, epochs: 2, data: 'mnist' }, clf, []), { data: 'mnist', epochs: 2, batchSize: 64, taps: [] });
    assert.deepEqual(panelRunSettings(DEFAULT_TRAINING, undefined, []), { data: '', epochs: 1, batchSize: 32, taps: [] });
  });
});

describe('resolveDataSpec', () => {
  it('leaves named sources alone and makes paths absolute against the Python file', () => {
    for (const s of ['', 'mnist', 'synthetic', 'keras:fashion_mnist']) assert.equal(resolveDataSpec(s, '/p'), s);
    assert.equal(resolveDataSpec('data/x.npz', '/p/proj'), '/p/proj/data/x.npz');
    assert.equal(resolveDataSpec('/abs/x.csv', '/p'), '/abs/x.csv');
    assert.equal(resolveDataSpec('x.npy, y.npy', '/p'), '/p/x.npy,/p/y.npy');
  });
});

describe('buildTrainRequest', () => {
  it('defaults: what the code says (no epochs/batch/data), histograms per settings, auto backend', () => {
    const r = buildTrainRequest({ file: '/p/train.py', model: 'clf', settings: DEFAULT_TRAINING, taps: [] });
    assert.deepEqual(r, { file: '/p/train.py', model: 'clf', every: 100, bins: 30, backend: 'auto' });
  });
  it('settings and session taps', () => {
    const r = buildTrainRequest({
      file: '/p/train.py',
      model: 'clf',
      settings: { ...DEFAULT_TRAINING, epochs: 3, batchSize: 8, data: 'data.npz', tapInterval: 0, histogramBins: 20, backend: 'native' },
      taps: ['hidden', 'hidden', 'out'],
    });
    assert.deepEqual(r, { file: '/p/train.py', model: 'clf', data: '/p/data.npz', epochs: 3, batchSize: 8, taps: ['hidden', 'out'], bins: 20, backend: 'native' });
  });
  it("the panel's controls override the settings and replace the session taps", () => {
    const r = buildTrainRequest({
      file: '/p/train.py',
      model: 'clf',
      settings: { ...DEFAULT_TRAINING, epochs: 3, data: 'mnist' },
      taps: ['hidden'],
      overrides: { data: 'synthetic', epochs: 2, batchSize: 16, taps: [] },
    });
    assert.equal(r.data, 'synthetic');
    assert.equal(r.epochs, 2);
    assert.equal(r.batchSize, 16);
    assert.equal(r.taps, undefined);
  });
  it("an empty data control means what the code loads, even when the setting names one", () => {
    const r = buildTrainRequest({ file: '/p/t.py', model: 'm', settings: { ...DEFAULT_TRAINING, data: 'mnist' }, taps: [], overrides: { data: '' } });
    assert.equal(r.data, undefined);
  });
});
