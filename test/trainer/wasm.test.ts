// The WebAssembly backend (used when no native backend can be had): the run says so, trains on
// the general engine, and refuses models whose gradients the backend lacks before training.
// Own file: the tfjs backend is process-global.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrainerEvent } from '../../protocol/protocol';
import { runTraining } from '../../trainer/run';
import { collected, example } from './helpers';

async function wasmRun(file: string) {
  const events: TrainerEvent[] = [];
  const status = await runTraining({ file, data: 'mnist', epochs: 2, samples: 300, backend: 'wasm' }, { emit: (e) => events.push(e) });
  return collected(status, events);
}

describe('wasm backend', () => {
  it('trains the seed MLP, reporting the backend and the engine', async () => {
    const run = await wasmRun(example('seed_activation_loss.py'));
    assert.equal(run.status, 'completed', run.end().message);
    assert.equal(run.start().backend, 'wasm');
    assert.match(run.start().backendDetail, /WebAssembly backend .*general path: .*no fast path: the fast path needs the native backend/);
    const epochs = run.of('epoch');
    assert.ok(epochs[1]!.loss < epochs[0]!.loss);
    assert.ok(run.of('histogram').some((h) => h.layer === 'dense_intermediate' && h.epoch === 2));
    assert.equal(run.end().tensors!.end, run.end().tensors!.baseline);
  });

  it('a CNN fails before training, naming the layer and the missing kernel', async () => {
    const run = await wasmRun(example('mnist_cnn.py'));
    assert.equal(run.status, 'failed');
    assert.equal(run.of('start').length, 0);
    assert.match(run.end().message, /layer 'conv1' \(Conv2D, line 12\) cannot be trained on the wasm backend: it lacks the kernel Conv2DBackpropFilter/);
    assert.equal(run.end().tensors!.end, run.end().tensors!.baseline);
  });
});
