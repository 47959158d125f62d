// Stopping at any moment without leaking tensors, and non-finite losses stopped with the first
// layer (or loss term) that went non-finite.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { writeNpz } from '../../trainer/data/npy';
import { example, nativeBackend, pythonFile, tempDir, train } from './helpers';

const MLP = (loss: string, optimizer = '"adam"') => `import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
inputs = keras.Input(shape=(784,))
x = layers.Dense(64, activation="relu", name="hidden")(inputs)
a = layers.Dense(32, activation="relu", name="features")(x)
out = layers.Dense(10, activation="softmax", name="out")(a)
model = keras.Model(inputs, out)
${loss}
model.compile(optimizer=${optimizer}, loss=my_loss)
`;

describe('stopping', () => {
  for (const [label, when] of [
    ['after the first batch event', (n: number) => n === 1],
    ['mid-epoch (batch 7)', (n: number) => n === 7],
    ['right after an epoch event', (_n: number, type: string) => type === 'epoch'],
  ] as const) {
    it(`stops ${label}: end 'stopped', tensors back to the baseline`, async () => {
      const { tf } = await nativeBackend();
      const before = tf.memory().numTensors;
      const controller = new AbortController();
      let batches = 0;
      const run = await train(
        { file: example('seed_activation_loss.py'), data: 'mnist', epochs: 3, samples: 800, taps: ['dense'], every: 3 },
        {
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === 'batch') batches++;
            if (when(batches, e.type)) controller.abort();
          },
        },
      );
      assert.equal(run.status, 'stopped', run.end().message);
      assert.match(run.end().message, /^stopped at/);
      assert.ok(run.of('epoch').length < 3);
      assert.equal(run.end().tensors!.end, run.end().tensors!.baseline);
      assert.equal(tf.memory().numTensors, before, 'tf.memory().numTensors back to its baseline');
    });
  }

  it('stops on a timer at an arbitrary moment, without leaks', async () => {
    const { tf } = await nativeBackend();
    const before = tf.memory().numTensors;
    for (const ms of [5, 40, 90]) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), ms);
      const run = await train({ file: example('mnist_cnn.py'), data: 'mnist', epochs: 5, samples: 2000 }, { signal: controller.signal });
      assert.ok(run.status === 'stopped', `${ms} ms: ${run.end().message}`);
      assert.equal(tf.memory().numTensors, before, `${ms} ms: no leaked tensors`);
    }
  });
});

describe('non-finite losses', () => {
  it('NaN in the input data: stops naming the input', async () => {
    const dir = tempDir();
    const x = new Float32Array(64 * 784).fill(0.5);
    x[40 * 784 + 3] = NaN;
    const file = path.join(dir, 'nan.npz');
    fs.writeFileSync(file, writeNpz({ x: { shape: [64, 784], data: x }, y: { shape: [64], data: Int32Array.from({ length: 64 }, (_, i) => i % 5) } }));
    const run = await train({ file: example('seed_activation_loss.py'), data: file, epochs: 1, batchSize: 8 });
    assert.equal(run.status, 'failed');
    assert.match(run.end().message, /the loss became NaN at epoch 1, batch \d+/);
    assert.match(run.end().message, /the input batch itself contains NaN or Inf values/);
    assert.equal(run.end().tensors!.end, run.end().tensors!.baseline);
  });

  it('exploding weights: names the first layer whose output went non-finite', async () => {
    const file = pythonFile(
      MLP(
        `def my_loss(y_true, y_pred):
    return keras.losses.categorical_crossentropy(y_true, y_pred)`,
        'keras.optimizers.SGD(learning_rate=1e30)',
      ),
    );
    const run = await train({ file, data: 'mnist', epochs: 2, samples: 512 });
    assert.equal(run.status, 'failed', run.end().message);
    assert.match(run.end().message, /the loss became (NaN|Infinity) at epoch \d, batch \d+/);
    assert.match(run.end().message, /the first layer whose output went non-finite is layer '(hidden|features|out)' \(Dense, line \d\) \((not )?tapped\)/);
    assert.equal(run.end().tensors!.end, run.end().tensors!.baseline);
  });

  it('a loss term that is non-finite while every layer is finite (log of a relu activation)', async () => {
    const file = pythonFile(
      MLP(`def my_loss(y_true, y_pred):
    ce = keras.losses.categorical_crossentropy(y_true, y_pred)
    return ce + 0.1 * tf.reduce_mean(tf.math.log(model.get_layer("features").output))`),
    );
    const run = await train({ file, data: 'mnist', epochs: 1, samples: 256 });
    assert.equal(run.status, 'failed');
    assert.match(run.end().message, /every layer output is finite; the non-finite value comes from the loss term 'mean\(log\(features\)\)' \(line 11\)/);
  });
});
