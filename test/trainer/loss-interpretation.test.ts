// Static interpretation of loss code (analysis/loss): the seed's three examples, the supported
// subset, skipped constructs named with their line, compile-time losses and loss weights.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpretLoss, type LossProgram } from '../../analysis/loss';
import { renderExpr } from '../../analysis/loss/program';
import { analyze, example, pythonFile } from './helpers';

async function program(file: string, model?: string): Promise<LossProgram> {
  const { graph, tree } = await analyze(file);
  const m = model ? graph.models.find((x) => x.name === model || x.variables.includes(model))! : (graph.models.find((x) => x.compile) ?? graph.models[0]!);
  try {
    return interpretLoss({ tree, graph, model: m });
  } finally {
    tree.delete();
  }
}

const terms = (p: LossProgram) => p.terms.map((t) => ({ name: t.name, weight: t.weight, layer: t.layer, tensor: t.tensor }));

const HEADER = `import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
inputs = keras.Input(shape=(8,))
h = layers.Dense(16, activation="relu", name="hidden")(inputs)
out = layers.Dense(3, activation="softmax", name="out")(h)
model = keras.Model(inputs, out)
`;

describe('loss interpretation: the seed examples', () => {
  it('example 1: CE on the first output + 0.1 · mean|activation of dense_intermediate|; says Keras would reject the 3-argument loss', async () => {
    const p = await program(example('seed_activation_loss.py'));
    assert.deepEqual(terms(p), [
      { name: 'categorical_crossentropy', weight: 1, layer: undefined, tensor: undefined },
      { name: 'mean(abs(dense_intermediate))', weight: 0.1, layer: 'dense_intermediate', tensor: 'activation' },
    ]);
    assert.deepEqual(p.targets, [{ output: 'dense_1', shape: [null, 5], encoding: 'one_hot' }]);
    const warnings = p.interpretation.kerasWarnings.join('\n');
    assert.match(warnings, /TypeError: custom_loss_with_activations\(\) missing 1 required positional argument: 'activation_output'/);
    assert.match(warnings, /fit passes 2 targets; target 1 .* not used/);
    assert.match(p.interpretation.summary, /activation_output = the activation of dense_intermediate \(model output 1\)/);
    assert.match(p.interpretation.summary, /regularization_strength = 0\.1 \(default\)/);
    assert.deepEqual(p.interpretation.skipped, []);
    assert.equal(p.terms[1]!.line, 24);
  });

  it('example 2: CE + 0.1 · sum|kernel of dense_weights| through the custom layer get_weights(); says Keras cannot build that model', async () => {
    const p = await program(example('seed_kernel_loss.py'));
    assert.deepEqual(terms(p), [
      { name: 'categorical_crossentropy', weight: 1, layer: undefined, tensor: undefined },
      { name: 'sum(abs(dense_weights.kernel))', weight: 0.1, layer: 'dense_weights', tensor: 'kernel' },
    ]);
    const warnings = p.interpretation.kerasWarnings.join('\n');
    assert.match(warnings, /'KerasTensor' object has no attribute 'get_weights'/);
    assert.match(warnings, /passes the kernel of dense_weights as a model output/);
    assert.match(warnings, /missing 1 required positional argument: 'weights'/);
  });

  it('example 3: CE + 0.1 · mean(activation²) through the helper function', async () => {
    const p = await program(example('seed_custom_function_loss.py'));
    assert.deepEqual(terms(p), [
      { name: 'categorical_crossentropy', weight: 1, layer: undefined, tensor: undefined },
      { name: 'mean(square(dense_intermediate))', weight: 0.1, layer: 'dense_intermediate', tensor: 'activation' },
    ]);
    assert.equal(p.terms[1]!.line, 33, 'the term points into custom_function');
    assert.match(p.interpretation.kerasWarnings.join('\n'), /missing 1 required positional argument: 'intermediate_output'/);
  });

  it('the program is plain JSON', async () => {
    const p = await program(example('seed_activation_loss.py'));
    assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
  });
});

describe('loss interpretation: the supported subset', () => {
  it('keras.ops, tf.math, get_layer(...).kernel/.output, constants and defaults, one component per term', async () => {
    const file = pythonFile(`${HEADER}
from keras import ops
LAMBDA = 0.01
def my_loss(y_true, y_pred, scale=2.0):
    ce = keras.losses.categorical_crossentropy(y_true, y_pred)
    l1 = ops.sum(ops.abs(model.get_layer("hidden").kernel))
    act = tf.math.reduce_mean(tf.math.square(model.get_layer("hidden").output))
    return ce + LAMBDA * l1 + act / scale - 0.5 * tf.reduce_max(tf.abs(model.get_layer("out").bias))
model.compile(optimizer="sgd", loss=my_loss)
`);
    const p = await program(file);
    assert.deepEqual(
      p.terms.map((t) => [t.name, t.weight]),
      [
        ['categorical_crossentropy', 1],
        ['sum(abs(hidden.kernel))', 0.01],
        ['mean(square(hidden))', 0.5],
        ['max(abs(out.bias))', -0.5],
      ],
    );
    assert.deepEqual(p.interpretation.kerasWarnings.filter((w) => /TypeError/.test(w)), []);
    assert.deepEqual(p.optimizer.className, 'SGD');
  });

  it('a construct outside the subset is skipped, named with its line; the rest of the loss is kept', async () => {
    const file = pythonFile(`${HEADER}
def my_loss(y_true, y_pred):
    ce = tf.keras.losses.categorical_crossentropy(y_true, y_pred)
    odd = tf.norm(model.get_layer("hidden").kernel) * 0.1
    for i in range(3):
        ce = ce + 0
    return ce + odd + 0.2 * tf.reduce_mean(tf.abs(model.get_layer("hidden").output))
model.compile(optimizer="adam", loss=my_loss)
`);
    const p = await program(file);
    assert.deepEqual(p.terms.map((t) => t.name), ['categorical_crossentropy', 'mean(abs(hidden))']);
    const skipped = p.interpretation.skipped;
    assert.ok(skipped.some((s) => s.line === 11 && /tf\.norm/.test(s.reason) && /left out/.test(s.reason)), JSON.stringify(skipped));
    assert.ok(skipped.some((s) => s.line === 12 && /for statement/.test(s.reason)), JSON.stringify(skipped));
    assert.equal(p.empty, false);
  });

  it('a loss factory closure and a lambda', async () => {
    const file = pythonFile(`${HEADER}
def make_loss(layer_name, strength):
    def loss(y_true, y_pred):
        return keras.losses.mse(y_true, y_pred) + strength * tf.reduce_mean(tf.abs(model.get_layer(layer_name).output))
    return loss
model.compile(optimizer="adam", loss=make_loss("hidden", 0.3))
`);
    const p = await program(file);
    assert.deepEqual(p.terms.map((t) => [t.name, t.weight]), [['mean_squared_error', 1], ['mean(abs(hidden))', 0.3]]);
    assert.equal(p.targets[0]!.encoding, 'values');

    const file2 = pythonFile(`${HEADER}
model.compile(optimizer="adam", loss=lambda yt, yp: keras.losses.categorical_crossentropy(yt, yp) * 2)
`);
    const p2 = await program(file2);
    assert.deepEqual(p2.terms.map((t) => [t.name, t.weight]), [['categorical_crossentropy', 2]]);
  });

  it('compile losses per output, loss_weights, loss objects, metrics, layer regularizers', async () => {
    const file = pythonFile(`import keras
from keras import layers, regularizers
inp = keras.Input(shape=(4,))
h = layers.Dense(8, activation="relu", kernel_regularizer=regularizers.l2(1e-3), name="h")(inp)
a = layers.Dense(3, activation="softmax", name="cls")(h)
b = layers.Dense(1, name="reg")(h)
model = keras.Model(inp, [a, b])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
              loss={"cls": keras.losses.SparseCategoricalCrossentropy(), "reg": "mse"},
              loss_weights={"cls": 1.0, "reg": 0.5}, metrics=["accuracy"])
`);
    const p = await program(file);
    assert.deepEqual(
      p.terms.map((t) => [t.name, t.weight, t.output]),
      [
        ['sparse_categorical_crossentropy[cls]', 1, 'cls'],
        ['mean_squared_error[reg]', 0.5, 'reg'],
        ['regularization', 1, undefined],
      ],
    );
    assert.deepEqual(p.targets.map((t) => [t.output, t.encoding]), [['cls', 'sparse'], ['reg', 'values']]);
    assert.deepEqual(p.metrics.map((m) => [m.name, m.kind]), [['cls_accuracy', 'sparse_categorical_accuracy'], ['reg_accuracy', 'binary_accuracy']]);
    assert.deepEqual(p.optimizer, { className: 'Adam', args: { learning_rate: 0.01 }, line: 8 });
    assert.equal(renderExpr(p.terms[0]!.expr, p.targets), 'sparse_categorical_crossentropy(y_true[cls], cls)');
  });

  it('a single loss applies to every output (Keras 3)', async () => {
    const file = pythonFile(`import keras
from keras import layers
inp = keras.Input(shape=(4,))
a = layers.Dense(2, name="a")(inp)
b = layers.Dense(3, name="b")(inp)
model = keras.Model(inp, [a, b])
model.compile(optimizer="sgd", loss="mae")
`);
    const p = await program(file);
    assert.deepEqual(p.terms.map((t) => t.name), ['mean_absolute_error[a]', 'mean_absolute_error[b]']);
  });

  it('an uncompiled model gives an empty program that says why', async () => {
    const file = pythonFile(HEADER);
    const p = await program(file);
    assert.equal(p.empty, true);
    assert.match(p.interpretation.summary, /not compiled/);
  });
});
