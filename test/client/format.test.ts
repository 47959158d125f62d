// Status bar, progress and output channel text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventLogLines, formatLoss, progressMessage, runFraction, statusText, statusTooltip } from '../../client/src/format';
import type { RunSnapshot } from '../../client/src/run-manager';

const snap = (over: Partial<RunSnapshot> = {}): RunSnapshot => ({
  id: 1,
  key: '/p/t.py#clf',
  file: '/p/t.py',
  model: 'clf',
  state: 'running',
  request: { file: '/p/t.py' },
  startedAt: 0,
  events: 0,
  histograms: 0,
  ...over,
});

describe('format', () => {
  it('status bar: backend · epoch · loss', () => {
    assert.equal(statusText(snap()), '$(sync~spin) Model Lens · starting clf');
    assert.equal(statusText(snap({ backend: 'tensorflow', epoch: 2, epochs: 5, loss: 0.123456 })), '$(sync~spin) native · epoch 2/5 · loss 0.1235');
    assert.equal(statusText(snap({ backend: 'wasm', epochs: 5 })), '$(sync~spin) wasm · epoch –/5 · loss –');
    assert.equal(statusText(snap({ state: 'completed', backend: 'wasm', epoch: 5, epochs: 5, loss: 2e-5 })), '$(check) wasm · epoch 5/5 · loss 2.00e-5');
    assert.match(statusText(snap({ state: 'failed', backend: 'wasm' })), /^\$\(error\)/);
    assert.equal(statusText(snap({ state: 'failed' })), '$(error) Model Lens · clf failed', 'failed before the trainer started');
  });
  it('tooltip says the backend detail and the end message', () => {
    const t = statusTooltip(snap({ state: 'failed', backendDetail: 'WebAssembly backend (x)', message: 'loss is NaN' }));
    assert.match(t, /Backend: WebAssembly backend \(x\)/);
    assert.match(t, /loss is NaN/);
  });
  it('loss numbers', () => {
    assert.equal(formatLoss(1), '1');
    assert.equal(formatLoss(0.5), '0.5');
    assert.equal(formatLoss(NaN), 'NaN');
    assert.equal(formatLoss(123456), '1.23e+5');
    assert.equal(formatLoss(0), '0');
  });
  it('progress message and fraction', () => {
    const s = snap({ backend: 'tensorflow', epoch: 2, epochs: 4, batch: 5, batches: 10, loss: 0.5 });
    assert.equal(progressMessage(s), 'native · epoch 2/4 · batch 5/10 · loss 0.5');
    assert.equal(runFraction(s), 0.375);
    assert.equal(runFraction(snap()), undefined);
    assert.equal(progressMessage(snap()), 'starting the trainer…');
  });
  it('output lines for epochs, logs, ends; none for batches and histograms', () => {
    assert.deepEqual(eventLogLines({ type: 'epoch', epoch: 1, loss: 0.5, components: { mse: 0.4 }, metrics: { accuracy: 0.9 }, samplesPerSecond: 1234.5, validation: { loss: 0.6, components: {}, metrics: {} } }), [
      'epoch 1: loss 0.5 · val loss 0.6 (mse 0.4) · accuracy 0.9 · 1235 samples/s',
    ]);
    assert.deepEqual(eventLogLines({ type: 'log', level: 'warning', message: 'careful' }), ['warning: careful']);
    assert.deepEqual(eventLogLines({ type: 'end', status: 'completed', message: 'ok', tensors: { baseline: 3, end: 5 } }), ['completed: ok (tensors: 3 → 5)']);
    assert.deepEqual(eventLogLines({ type: 'batch', epoch: 1, batch: 1, batches: 2, loss: 1, components: {} }), []);
  });
});
