// Real training on the native backend: the seed's three examples with their intended
// regularization, the event stream (start, batch, epoch, histogram, end), metrics and validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrainerEvent } from '../../protocol/protocol';
import { createOptimizer } from '../../trainer/optimizers';
import { Engine } from '../../trainer/engine';
import { disposeBuiltModel } from '../../trainer/model-builder';
import { prepare } from '../../trainer/run';
import { analyze, assertEventOrder, example, nativeBackend, train, type Ev } from './helpers';

const SAMPLES = 1200;

/** Loss components of the seed program on one batch, next to the same quantities computed by hand. */
async function componentsByHand(file: string, reg: (tf: Awaited<ReturnType<typeof nativeBackend>>['tf'], engine: Engine, act: (layer: string) => ReturnType<Engine['forward']> extends Map<string, infer T> ? T : never) => number) {
  const { tf } = await nativeBackend();
  const before = tf.memory().numTensors;
  const { graph, tree } = await analyze(file);
  const p = prepare(tf, { file, data: 'mnist', samples: 64 }, graph, tree.rootNode, () => undefined);
  tree.delete();
  const engine = new Engine(tf, p.built, p.program, createOptimizer(tf, p.program.optimizer));
  const x = tf.tensor(p.data.xs[0]!.data.subarray(0, 32 * 784), [32, 784]);
  const y = tf.tensor(p.data.ys[0]!.data.subarray(0, 32 * 5), [32, 5]);
  try {
    const values = engine.evaluate([x], [y]);
    const expected = tf.tidy(() => {
      const outs = engine.forward([x], false);
      const probs = tf.clipByValue(outs.get('dense_1')!, 1e-7, 1 - 1e-7);
      const ce = tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(probs)), -1))).dataSync()[0]!;
      return { ce, reg: reg(tf, engine, (layer) => outs.get(layer)!) };
    });
    return { values: Array.from(values), expected, names: engine.valueNames };
  } finally {
    tf.dispose([x, y]);
    engine.dispose();
    disposeBuiltModel(tf, p.built);
    assert.equal(tf.memory().numTensors, before);
  }
}

function close(a: number, b: number, what: string): void {
  assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
}

function assertLossFalls(epochs: Ev<'epoch'>[]): void {
  assert.ok(epochs.length >= 2);
  assert.ok(epochs[epochs.length - 1]!.loss < epochs[0]!.loss, `loss falls: ${epochs.map((e) => e.loss.toFixed(4)).join(' → ')}`);
}

function histogramsOf(events: TrainerEvent[], layer: string, tensor: string): Ev<'histogram'>[] {
  return events.filter((e): e is Ev<'histogram'> => e.type === 'histogram' && e.layer === layer && e.tensor === tensor);
}

describe('training the seed examples (native backend)', () => {
  it('example 1 applies 0.1 · mean|activation of dense_intermediate| and streams its histograms', async () => {
    const byHand = await componentsByHand(example('seed_activation_loss.py'), (tf, _e, act) => 0.1 * tf.mean(tf.abs(act('dense_intermediate'))).dataSync()[0]!);
    assert.deepEqual(byHand.names, ['loss', 'categorical_crossentropy', 'mean(abs(dense_intermediate))']);
    close(byHand.values[1]!, byHand.expected.ce, 'cross-entropy');
    close(byHand.values[2]!, byHand.expected.reg, '0.1 · mean|activation|');
    close(byHand.values[0]!, byHand.expected.ce + byHand.expected.reg, 'total');

    const run = await train({ file: example('seed_activation_loss.py'), data: 'mnist', epochs: 2, samples: SAMPLES });
    assert.equal(run.status, 'completed', run.end().message);
    assertEventOrder(run.events);
    const start = run.start();
    assert.equal(start.backend, 'tensorflow');
    assert.match(start.backendDetail, /native TensorFlow backend/);
    assert.deepEqual(start.taps, [{ layer: 'dense_intermediate', tensors: ['activation', 'kernel', 'bias'], reason: 'loss' }]);
    assert.equal(start.data.trainSamples, SAMPLES);
    assert.deepEqual(start.data.xShape, [SAMPLES, 784]);
    assert.deepEqual(start.loss.components.map((c) => [c.name, c.weight, c.layer, c.tensor]), [
      ['categorical_crossentropy', 1, undefined, undefined],
      ['mean(abs(dense_intermediate))', 0.1, 'dense_intermediate', 'activation'],
    ]);
    assert.match(start.loss.kerasWarnings.join(' '), /TypeError/);
    const epochs = run.of('epoch');
    assertLossFalls(epochs);
    for (const e of epochs) {
      assert.deepEqual(Object.keys(e.components), ['categorical_crossentropy', 'mean(abs(dense_intermediate))']);
      close(e.components['categorical_crossentropy']! + e.components['mean(abs(dense_intermediate))']!, e.loss, 'components sum to the loss');
      assert.ok(e.samplesPerSecond > 0);
    }
    const batches = run.of('batch');
    assert.equal(batches.length, 2 * Math.ceil(SAMPLES / 32), 'batchEventMs 0: every batch');
    assert.ok(batches.every((b) => Number.isFinite(b.loss) && 'mean(abs(dense_intermediate))' in b.components));
    for (const tensor of ['activation', 'kernel', 'bias']) {
      const hs = histogramsOf(run.events, 'dense_intermediate', tensor);
      assert.deepEqual(hs.map((h) => h.epoch), [0, 1, 2], `${tensor}: initial and every epoch end`);
      for (const h of hs) {
        assert.equal(h.counts.length, 30);
        assert.ok(h.min <= h.max && h.stats.min === h.min && h.stats.max === h.max);
        assert.equal(h.stats.nonFinite, 0);
      }
    }
    const act = histogramsOf(run.events, 'dense_intermediate', 'activation');
    assert.equal(act[0]!.counts.reduce((a, b) => a + b, 0), 256 * 32, 'the probe batch: 256 samples × 32 units');
    assert.ok(act[1]!.stats.zeroFraction > 0 && act[1]!.stats.zeroFraction < 1, 'relu activations');
    assert.deepEqual(run.end().tensors!.end, run.end().tensors!.baseline);
  });

  it('example 2 applies 0.1 · sum|kernel of dense_weights| (the kernel shrinks)', async () => {
    const byHand = await componentsByHand(example('seed_kernel_loss.py'), (tf, engine) => 0.1 * tf.sum(tf.abs(engine.weight('dense_weights', 'kernel'))).dataSync()[0]!);
    assert.deepEqual(byHand.names, ['loss', 'categorical_crossentropy', 'sum(abs(dense_weights.kernel))']);
    close(byHand.values[1]!, byHand.expected.ce, 'cross-entropy');
    close(byHand.values[2]!, byHand.expected.reg, '0.1 · sum|kernel|');

    const run = await train({ file: example('seed_kernel_loss.py'), data: 'mnist', epochs: 2, samples: SAMPLES });
    assert.equal(run.status, 'completed', run.end().message);
    assertLossFalls(run.of('epoch'));
    assert.match(run.of('log').map((l) => l.message).join('\n'), /ExposeWeightsDense .* built as a tfjs Dense/);
    const kernel = histogramsOf(run.events, 'dense_weights', 'kernel');
    assert.deepEqual(kernel.map((h) => h.epoch), [0, 1, 2]);
    assert.ok(kernel[2]!.stats.std < 0.8 * kernel[0]!.stats.std, `L1 shrinks the kernel: std ${kernel[0]!.stats.std} → ${kernel[2]!.stats.std}`);
    const reg = run.of('epoch').map((e) => e.components['sum(abs(dense_weights.kernel))']!);
    assert.ok(reg[1]! < reg[0]!, `the L1 term falls: ${reg.join(' → ')}`);
  });

  it('example 3 applies 0.1 · mean(activation²) of dense_intermediate', async () => {
    const byHand = await componentsByHand(example('seed_custom_function_loss.py'), (tf, _e, act) => 0.1 * tf.mean(tf.square(act('dense_intermediate'))).dataSync()[0]!);
    assert.deepEqual(byHand.names, ['loss', 'categorical_crossentropy', 'mean(square(dense_intermediate))']);
    close(byHand.values[2]!, byHand.expected.reg, '0.1 · mean(activation²)');

    const run = await train({ file: example('seed_custom_function_loss.py'), data: 'mnist', epochs: 2, samples: SAMPLES });
    assert.equal(run.status, 'completed', run.end().message);
    assertLossFalls(run.of('epoch'));
    assert.match(run.start().loss.summary, /intermediate_output = the activation of dense_intermediate/);
  });
});

describe('training: metrics, validation, user taps, every-N histograms', () => {
  it('the CNN with accuracy, a validation split from the code, a user tap and histograms every 10 steps', async () => {
    const run = await train({ file: example('mnist_cnn.py'), data: 'mnist', epochs: 2, samples: 640, taps: ['conv1'], every: 10, batchEventMs: 100000 });
    assert.equal(run.status, 'completed', run.end().message);
    assertEventOrder(run.events);
    const start = run.start();
    assert.equal(start.data.validationSamples, 1000, 'validation_split=0.1 from fit()');
    assert.deepEqual(start.taps, [{ layer: 'conv1', tensors: ['activation', 'kernel', 'bias'], reason: 'user' }]);
    const epochs = run.of('epoch');
    assertLossFalls(epochs);
    for (const e of epochs) {
      assert.ok(e.metrics['accuracy']! >= 0 && e.metrics['accuracy']! <= 1);
      assert.ok(e.validation && Number.isFinite(e.validation.loss) && 'accuracy' in e.validation.metrics);
    }
    assert.ok(epochs[1]!.validation!.metrics['accuracy']! > 0.5, 'learns digits');
    const steps = [...new Set(histogramsOf(run.events, 'conv1', 'activation').map((h) => h.step))];
    assert.deepEqual(steps, [0, 10, 20, 30, 40], '20 batches per epoch: every 10 steps plus epoch ends');
    const batches = run.of('batch');
    assert.deepEqual(batches.map((b) => b.batch), [1, 20, 1, 20], 'throttled: first and last batch of each epoch');
  });

  it('a user tap on a layer the model does not have fails before training', async () => {
    const run = await train({ file: example('seed_activation_loss.py'), data: 'synthetic', taps: ['nope'] });
    assert.equal(run.status, 'failed');
    assert.match(run.end().message, /--tap nope: model 'functional' has no layer 'nope'/);
  });

  it('synthetic data shaped to the model', async () => {
    const run = await train({ file: example('seed_kernel_loss.py'), data: 'synthetic', epochs: 1, samples: 96 });
    assert.equal(run.status, 'completed', run.end().message);
    assert.match(run.start().data.source, /synthetic/);
    assert.deepEqual(run.start().data.yShapes, [[96, 5]]);
  });
});
