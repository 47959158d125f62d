// The fast step (raw TensorFlow ops, fused gradient kernels, flat optimizer update) must compute
// exactly what the general tape-based engine computes: same losses, components, metrics and
// weights after several steps, for MLPs and CNNs, every loss term kind and each optimizer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrainRequest } from '../../protocol/protocol';
import { Engine } from '../../trainer/engine';
import { FastEngine, planFast } from '../../trainer/fast/engine';
import { disposeBuiltModel } from '../../trainer/model-builder';
import { createOptimizer } from '../../trainer/optimizers';
import { prepare } from '../../trainer/run';
import { histograms } from '../../trainer/taps';
import { analyze, example, nativeBackend, pythonFile, train } from './helpers';

// Both engines run the same maths, but oneDNN's multi-threaded reductions are not bit-reproducible
// when other tests load the machine, and L1 terms (sign at 0) amplify such last-bit differences over
// steps: 2e-3 relative still tells a wrong gradient (percent-level) from reordering noise (~1e-4).
async function compare(file: string, request: Partial<TrainRequest>, steps = 6, batch = 16, tolerance = 2e-3) {
  const { tf } = await nativeBackend();
  const before = tf.memory().numTensors;
  const { graph, tree } = await analyze(file);
  const p = prepare(tf, { file, data: 'synthetic', samples: steps * batch, ...request }, graph, tree.rootNode, () => undefined);
  tree.delete();
  const plan = planFast(tf, p.built, p.program);
  assert.ok('layers' in plan, `fast path applies: ${'reason' in plan ? plan.reason : ''}`);
  const initial = p.built.model.trainableWeights.map((w) => tf.keep(w.read().clone()));
  const xs = p.data.xs.map((x) => tf.tensor(x.data, x.shape, x.data instanceof Int32Array ? 'int32' : 'float32'));
  const ys = p.data.ys.map((y) => tf.tensor(y.data, y.shape, y.data instanceof Int32Array ? 'int32' : 'float32'));
  const batches = Array.from({ length: steps }, (_, i) => ({ x: xs.map((x) => x.slice(i * batch, batch)), y: ys.map((y) => y.slice(i * batch, batch)) }));
  const run = (engine: { step: Engine['step'] }) => batches.map((b) => Array.from(engine.step(b.x, b.y).values));

  const fast = new FastEngine(tf, new Engine(tf, p.built, p.program, createOptimizer(tf, p.program.optimizer)), plan, p.program);
  const fastValues = run(fast);
  fast.dispose(); // writes the trained weights back into the tfjs model
  assert.equal(fast.liveHandles, 0, 'every raw handle freed');
  const fastWeights = p.built.model.trainableWeights.map((w) => Array.from(w.read().dataSync()));

  p.built.model.trainableWeights.forEach((w, i) => w.write(initial[i]!));
  const general = new Engine(tf, p.built, p.program, createOptimizer(tf, p.program.optimizer));
  const generalValues = run(general);
  const generalWeights = p.built.model.trainableWeights.map((w) => Array.from(w.read().dataSync()));
  general.dispose();

  for (let s = 0; s < steps; s++) {
    fastValues[s]!.forEach((v, k) => {
      const g = generalValues[s]![k]!;
      assert.ok(Math.abs(v - g) <= tolerance * Math.max(1, Math.abs(g)), `step ${s}, ${general.valueNames[k]}: fast ${v} vs general ${g}`);
    });
  }
  let worst = 0;
  fastWeights.forEach((w, i) => w.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - generalWeights[i]![k]!)))));
  assert.ok(worst < 1e-3, `weights agree after ${steps} steps (max |Δ| ${worst})`);
  tf.dispose([...initial, ...xs, ...ys, ...batches.flatMap((b) => [...b.x, ...b.y])]);
  disposeBuiltModel(tf, p.built);
  assert.equal(tf.memory().numTensors, before, 'no tensors left');
  return { names: general.valueNames, fastValues };
}

const mlp = (loss: string, compile: string, extra = '') => `import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers, regularizers
inputs = keras.Input(shape=(20,))
x = layers.Dense(16, activation="tanh", name="h1", kernel_regularizer=regularizers.l2(0.01))(inputs)
x = layers.LeakyReLU(negative_slope=0.2)(x)
a = layers.Dense(12, activation="sigmoid", name="h2")(x)
out = layers.Dense(4, ${extra || 'activation="softmax"'}, name="out")(a)
model = keras.Model(inputs, out)
${loss}
model.compile(${compile})
`;

describe('fast path = general path', () => {
  it('histograms computed with raw ops equal those of taps.ts on the tfjs model', async () => {
    const { tf } = await nativeBackend();
    const before = tf.memory().numTensors;
    const file = example('seed_activation_loss.py');
    const { graph, tree } = await analyze(file);
    const p = prepare(tf, { file, data: 'mnist', samples: 64, taps: ['dense'] }, graph, tree.rootNode, () => undefined);
    tree.delete();
    const plan = planFast(tf, p.built, p.program);
    assert.ok('layers' in plan);
    const fast = new FastEngine(tf, new Engine(tf, p.built, p.program, createOptimizer(tf, p.program.optimizer)), plan, p.program);
    const x = tf.tensor(p.data.xs[0]!.data.subarray(0, 64 * 784), [64, 784]);
    const y = tf.tensor(p.data.ys[0]!.data.subarray(0, 64 * 5), [64, 5]);
    for (let i = 0; i < 3; i++) fast.step([x], [y]);
    const taps = [
      { layer: 'dense_intermediate', tensors: ['activation', 'kernel', 'bias'] as const, reason: 'loss' as const },
      { layer: 'dense', tensors: ['activation', 'kernel'] as const, reason: 'user' as const },
    ].map((t) => ({ ...t, tensors: [...t.tensors] }));
    const mine = fast.histograms([x], taps, 20);
    const outs = fast.forward([x], false);
    const theirs = histograms(
      tf,
      taps.flatMap((t) => t.tensors.map((k) => ({ layer: t.layer, tensor: k, value: k === 'activation' ? outs.get(t.layer)! : fast.weight(t.layer, k) }))),
      20,
    );
    assert.equal(mine.length, 5);
    mine.forEach((h, i) => {
      const o = theirs[i]!;
      assert.equal(`${h.layer}/${h.tensor}`, `${o.layer}/${o.tensor}`);
      for (const k of ['min', 'max', 'mean', 'std', 'zeroFraction'] as const) {
        assert.ok(Math.abs(h.stats[k] - o.stats[k]) <= 1e-5 * Math.max(1, Math.abs(o.stats[k])), `${h.layer}/${h.tensor} ${k}: ${h.stats[k]} vs ${o.stats[k]}`);
      }
      const diff = h.counts.reduce((d, c, j) => d + Math.abs(c - o.counts[j]!), 0);
      assert.ok(diff <= 2, `${h.layer}/${h.tensor} counts ${h.counts} vs ${o.counts}`);
    });
    tf.dispose([...outs.values()]);
    fast.dispose();
    tf.dispose([x, y]);
    disposeBuiltModel(tf, p.built);
    assert.equal(fast.liveHandles, 0);
    assert.equal(tf.memory().numTensors, before);
  });

  it('the seed examples (activation L1, kernel L1, activation L2)', async () => {
    for (const name of ['seed_activation_loss.py', 'seed_kernel_loss.py', 'seed_custom_function_loss.py']) {
      const r = await compare(example(name), { data: 'mnist', samples: 96 });
      assert.equal(r.names.length, 3, name);
    }
  });

  it('the CNN (Conv2D, max pooling, flatten) with accuracy', async () => {
    const r = await compare(example('mnist_cnn.py'), { data: 'mnist', samples: 64 }, 4, 16);
    assert.deepEqual(r.names, ['loss', 'categorical_crossentropy', 'accuracy']);
  });

  it('every loss-term kind, L2 kernel regularizer, SGD with momentum', async () => {
    const file = pythonFile(
      mlp(
        `def my_loss(y_true, y_pred):
    ce = keras.losses.categorical_crossentropy(y_true, y_pred)
    h = model.get_layer("h2").output
    t = tf.reduce_max(tf.abs(h), axis=1) * 0.1 + tf.math.sqrt(tf.reduce_sum(tf.square(h)) + 1.0) * 0.01
    u = tf.reduce_mean(tf.exp(-h) / (1.0 + h)) - tf.reduce_min(h) + tf.math.log(tf.reduce_mean(h) + 1.0)
    return ce + t + 0.05 * u + 0.001 * tf.reduce_sum(tf.maximum(model.get_layer("out").kernel, 0.0) ** 2)`,
        'optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True), loss=my_loss, metrics=["accuracy"]',
      ),
    );
    const r = await compare(file, {});
    assert.ok(r.names.includes('regularization'));
  });

  it('losses from logits, sparse labels, binary cross-entropy, MSE/MAE; RMSprop and AdamW', async () => {
    for (const [loss, compile, extra] of [
      ['', 'optimizer="rmsprop", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"]', 'activation="linear"'],
      ['', 'optimizer=keras.optimizers.AdamW(learning_rate=0.01), loss=keras.losses.CategoricalCrossentropy(from_logits=True)', 'activation="linear"'],
      ['', 'optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"]', 'activation="sigmoid"'],
      ['', 'optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True)', 'activation="linear"'],
      ['', 'optimizer="sgd", loss="mse", metrics=["mae"]', 'activation="linear"'],
      ['', 'optimizer="adam", loss="mae"', 'activation="relu"'],
    ] as const) {
      await compare(pythonFile(mlp(loss, compile, extra)), {});
    }
  });

  it('dropout trains on the fast path; models it does not cover use the general path and say why', async () => {
    const file = pythonFile(`import keras
from keras import layers
inp = keras.Input(shape=(10,))
x = layers.Dense(8, activation="relu")(inp)
x = layers.Dropout(0.5)(x)
x = layers.BatchNormalization()(x)
out = layers.Dense(3, activation="softmax")(x)
model = keras.Model(inp, out)
model.compile(optimizer="adam", loss="categorical_crossentropy")
`);
    const general = await train({ file, data: 'synthetic', epochs: 1, samples: 64 });
    assert.equal(general.status, 'completed', general.end().message);
    assert.match(general.start().backendDetail, /general path: tfjs layers with tf\.variableGrads \(no fast path: non-trainable weights/);
    const fast = await train({ file: example('seed_activation_loss.py'), data: 'synthetic', epochs: 1, samples: 64 });
    assert.match(fast.start().backendDetail, /fast path: raw TensorFlow ops/);
    const forced = await train({ file: example('seed_activation_loss.py'), data: 'synthetic', epochs: 1, samples: 64, engine: 'general' });
    assert.match(forced.start().backendDetail, /general path: .*no fast path: requested/);
    const dropout = pythonFile(`import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(64, activation="relu"), layers.Dropout(0.3), layers.Dense(10), layers.Softmax()])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
`);
    const d = await train({ file: dropout, data: 'mnist', epochs: 2, samples: 1000 });
    assert.equal(d.status, 'completed', d.end().message);
    assert.match(d.start().backendDetail, /fast path/);
    const epochs = d.of('epoch');
    assert.ok(epochs[1]!.loss < epochs[0]!.loss && epochs[1]!.metrics['accuracy']! > 0.6, JSON.stringify(epochs.map((e) => [e.loss, e.metrics])));
  });
});
