/**
 * Diagnostics and their quick fixes, over a real connection: every code, the seed Q&A's three
 * examples, and silence where the analysis is approximate. Quick fixes are applied to the text
 * and the result analysed again.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { applyEdits, LspClient, message } from './lsp-client';

const SEEDS = join(__dirname, '..', 'fixtures', 'keras');
const seed = (name: string) => readFileSync(join(SEEDS, `${name}.py`), 'utf8');

let client: LspClient;
let n = 0;

async function diagnose(text: string): Promise<{ name: string; diagnostics: Diagnostic[] }> {
  const name = `diag_${n++}.py`;
  return { name, diagnostics: await client.open(name, text) };
}

function codes(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => String(d.code)).sort();
}

function lineOf(text: string, d: Diagnostic): string {
  return text.split('\n')[d.range.start.line].slice(d.range.start.character, d.range.end.line === d.range.start.line ? d.range.end.character : undefined);
}

async function fixes(name: string, d: Diagnostic): Promise<CodeAction[]> {
  return client.codeActions(name, d.range, [d]);
}

function apply(text: string, name: string, action: CodeAction): string {
  return applyEdits(text, action.edit!.changes![client.uri(name)]);
}

const FUNCTIONAL = `import keras
from keras import layers

inputs = keras.Input(shape=(784,))
x = layers.Dense(64, activation="relu", name="hidden")(inputs)
features = layers.Dense(32, activation="relu", name="features")(x)
probs = layers.Dense(10, activation="softmax", name="probs")(features)
model = keras.Model(inputs, [probs, features])
`;

describe('diagnostics', () => {
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.stop();
  });

  describe('the seed Q&A', () => {
    it('example 1: 3-argument loss, wrong second target; the fix moves the L1 activation penalty to activity_regularizer', async () => {
      const text = seed('seed_activation_loss');
      const { name, diagnostics } = await diagnose(text);
      assert.deepEqual(codes(diagnostics), ['fit-target-shape', 'loss-extra-arguments']);
      const loss = diagnostics.find((d) => d.code === 'loss-extra-arguments')!;
      assert.equal(lineOf(text, loss), 'custom_loss_with_activations');
      assert.equal(loss.severity, 1);
      assert.equal(loss.source, 'Model Lens');
      assert.match(message(loss), /Keras calls a loss as loss\(y_true, y_pred\)/);
      assert.match(message(loss), /'activation_output' never arrives/);
      assert.match(message(loss), /L1 penalty on the activations of layer 'dense_intermediate'/);
      assert.equal(loss.relatedInformation?.[0].location.range.start.line, 5);
      const target = diagnostics.find((d) => d.code === 'fit-target-shape')!;
      assert.equal(lineOf(text, target), 'x_train');
      assert.match(message(target), /Target 2 has shape \(100, 784\) but output 'dense_intermediate' .* has shape \(None, 32\)/);

      const actions = await fixes(name, loss);
      assert.equal(actions.length, 2);
      assert.equal(actions[0].isPreferred, true);
      assert.equal(actions[0].kind, 'quickfix');
      const fixed = apply(text, name, actions[0]);
      assert.ok(fixed.includes("layers.Dense(32, activation='relu', name=activation_layer_name, activity_regularizer=keras.regularizers.L1(0.1 / 32))(x)"));
      assert.ok(fixed.includes('model = keras.Model(inputs=inputs, outputs=outputs)'));
      assert.ok(fixed.includes("model.compile(optimizer='adam', loss='categorical_crossentropy')"));
      assert.ok(fixed.includes('model.fit(x_train, y_train, batch_size=32, epochs=2)'));
      assert.deepEqual(await client.replace(name, fixed), [], 'the fixed file has no diagnostics');
    });

    it('example 2: weights as a model output and as a target; the fix puts an L1 regularizer on the custom layer kernel', async () => {
      const text = seed('seed_kernel_loss');
      const { name, diagnostics } = await diagnose(text);
      assert.deepEqual(codes(diagnostics), ['loss-extra-arguments', 'weight-as-output']);
      const weight = diagnostics.find((d) => d.code === 'weight-as-output')!;
      assert.equal(lineOf(text, weight), 'intermediate_layer.get_weights()');
      assert.match(message(weight), /`intermediate_layer` is a Keras tensor \(the output of layer 'dense_weights'\)/);
      const actions = await fixes(name, weight);
      assert.match(actions[0].title, /Move the L1 kernel penalty to layer 'dense_weights'/);
      const fixed = apply(text, name, actions[0]);
      assert.ok(fixed.includes("name='kernel', regularizer=keras.regularizers.L1(0.1))"), 'on the add_weight that makes the kernel');
      assert.ok(fixed.includes('outputs=outputs)'));
      assert.ok(fixed.includes('model.fit(x_train, y_train, batch_size=32, epochs=2)'));
      assert.deepEqual(await client.replace(name, fixed), []);
    });

    it('example 3: the penalty goes through a helper function; the fix uses an L2 activity regularizer', async () => {
      const text = seed('seed_custom_function_loss');
      const { name, diagnostics } = await diagnose(text);
      assert.deepEqual(codes(diagnostics), ['fit-target-shape', 'loss-extra-arguments']);
      const loss = diagnostics.find((d) => d.code === 'loss-extra-arguments')!;
      const fixed = apply(text, name, (await fixes(name, loss))[0]);
      assert.ok(fixed.includes('activity_regularizer=keras.regularizers.L2(0.1 / 32)'));
      assert.deepEqual(await client.replace(name, fixed), []);
    });

    it('the add_loss template when the extra term is not a standard regulariser', async () => {
      const text = `${FUNCTIONAL}
def odd_loss(y_true, y_pred, feats):
    return keras.losses.categorical_crossentropy(y_true, y_pred) + keras.ops.max(feats)

model.compile(optimizer="adam", loss=odd_loss)
`;
      const { name, diagnostics } = await diagnose(text);
      const loss = diagnostics.find((d) => d.code === 'loss-extra-arguments')!;
      assert.match(message(loss), /call self\.add_loss\(\.\.\.\) inside a layer's call\(\)/);
      const actions = await fixes(name, loss);
      assert.deepEqual(actions.map((a) => a.title), ["Insert a layer that adds the penalty with add_loss() in call() (template)"]);
      const fixed = apply(text, name, actions[0]);
      assert.match(fixed, /class ActivationPenalty\(keras\.layers\.Layer\):[\s\S]*self\.add_loss\(self\.strength \* keras\.ops\.mean\(keras\.ops\.abs\(inputs\)\)\)[\s\S]*def odd_loss/);
    });

    it('a new user passing their own input_shape of (10,) while feeding 784 features', async () => {
      const text = seed('seed_activation_loss').replace('input_shape=x_train.shape[1:]', 'input_shape=input_shape');
      const { diagnostics } = await diagnose(text);
      const input = diagnostics.find((d) => d.code === 'input-shape-mismatch')!;
      assert.ok(input, JSON.stringify(diagnostics));
      assert.equal(lineOf(text, input), 'keras.Input(shape=input_shape)');
      assert.match(message(input), /declares shape \(10,\) but fit\(\) feeds x with shape \(100, 784\)/);
    });
  });

  describe('layer and output names', () => {
    it('unknown layer name in get_layer, with did-you-mean fixes', async () => {
      const text = `${FUNCTIONAL}\nf = model.get_layer("featurs")\n`;
      const { name, diagnostics } = await diagnose(text);
      assert.deepEqual(codes(diagnostics), ['unknown-layer']);
      assert.equal(lineOf(text, diagnostics[0]), 'featurs');
      assert.match(message(diagnostics[0]), /No layer named 'featurs' in model 'functional' \(model\) \(get_layer raises ValueError\)\. Did you mean 'features'\?/);
      const actions = await fixes(name, diagnostics[0]);
      assert.equal(actions[0].title, "Change to 'features'");
      assert.ok(apply(text, name, actions[0]).includes('model.get_layer("features")'));
    });

    it('lists the layers when nothing is close', async () => {
      const { diagnostics } = await diagnose(`${FUNCTIONAL}\nf = model.get_layer("zzz")\n`);
      assert.match(message(diagnostics[0]), /Its layers: 'input_layer', 'hidden', 'features', 'probs'/);
    });

    it('unknown output names in compile and fit dicts', async () => {
      const text = `${FUNCTIONAL}\nmodel.compile(optimizer="adam", loss={"prob": "categorical_crossentropy", "features": "mse"}, loss_weights={"probs": 1.0, "hidden": 0.1})\n`;
      const { name, diagnostics } = await diagnose(text);
      assert.deepEqual(diagnostics.map((d) => lineOf(text, d)), ['prob', 'hidden']);
      assert.ok(diagnostics.every((d) => d.code === 'unknown-output'));
      assert.match(message(diagnostics[0]), /Keras expects the keys 'probs', 'features'\. Did you mean 'probs'\?/);
      assert.equal((await fixes(name, diagnostics[0]))[0].title, "Change to 'probs'");
    });

    it('two layers with the same name in one model, with a rename fix', async () => {
      const text = FUNCTIONAL.replace('name="probs"', 'name="hidden"');
      const { name, diagnostics } = await diagnose(text);
      assert.deepEqual(codes(diagnostics), ['duplicate-layer-name']);
      assert.equal(diagnostics[0].range.start.line, 6);
      assert.match(message(diagnostics[0]), /The name 'hidden' is used 2 times/);
      const fixed = apply(text, name, (await fixes(name, diagnostics[0]))[0]);
      assert.ok(fixed.includes('name="hidden_1")(features)'));
    });

    it('nothing where names are approximate or the receiver is unknown', async () => {
      const approximate = `import keras
from keras import layers
import random
inputs = keras.Input(shape=(8,))
x = inputs
for _ in range(random.randint(1, 3)):
    x = layers.Dense(8)(x)
model = keras.Model(inputs, layers.Dense(2)(x))
model.get_layer("dense_9")
`;
      assert.deepEqual((await diagnose(approximate)).diagnostics, []);
      assert.deepEqual((await diagnose(`${FUNCTIONAL}\nother = keras.models.load_model("m.keras")\nother.get_layer("anything")\n`)).diagnostics, []);
    });
  });

  describe('data given to fit()', () => {
    const DATA = `import numpy as np\nx = np.zeros((100, 784))\ny = np.zeros((100, 10))\n`;

    it('a different number of targets than outputs', async () => {
      const text = `${FUNCTIONAL}${DATA}model.compile(optimizer="adam", loss="mse")\nmodel.fit(x, y)\n`;
      const { diagnostics } = await diagnose(text);
      assert.deepEqual(codes(diagnostics), ['fit-target-count']);
      assert.match(message(diagnostics[0]), /has 2 outputs \('probs', 'features'\) but fit\(\) is given 1 target/);
    });

    it('a target whose shape differs from its output; sparse labels are fine', async () => {
      const text = `${FUNCTIONAL}${DATA}model.compile(optimizer="adam", loss="mse")\nmodel.fit(x, [y, x])\n`;
      const { diagnostics } = await diagnose(text);
      assert.deepEqual(codes(diagnostics), ['fit-target-shape']);
      assert.equal(lineOf(text, diagnostics[0]), 'x');
      const sparse = `import keras\nimport numpy as np\nm = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])\nm.compile(loss="sparse_categorical_crossentropy")\nm.fit(np.zeros((10, 4)), np.zeros((10,)))\n`;
      assert.deepEqual((await diagnose(sparse)).diagnostics, []);
    });

    it('one-hot targets given to a sparse crossentropy (Keras 3 raises); labels (N,) or (N, 1) are fine; a custom loss named sparse is not one', async () => {
      const program = (loss: string, y: string) => `import keras\nimport numpy as np\nm = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="softmax")])\nm.compile(optimizer="adam", loss=${loss})\nm.fit(np.zeros((10, 4)), ${y})\n`;
      for (const loss of ['"sparse_categorical_crossentropy"', 'keras.losses.SparseCategoricalCrossentropy()']) {
        const [oneHot, ...rest] = (await diagnose(program(loss, 'np.zeros((10, 3))'))).diagnostics;
        assert.deepEqual([oneHot?.code, oneHot?.severity, rest], ['fit-target-shape', 1, []], loss);
        assert.match(message(oneHot), /Target has shape \(10, 3\) but output .* \(None, 3\); Keras raises: \w+ takes integer labels of shape \(None,\), optionally with a trailing 1: these look like one-hot targets, which take categorical_crossentropy/);
        for (const labels of ['np.zeros((10,))', 'np.zeros((10, 1))']) assert.deepEqual((await diagnose(program(loss, labels))).diagnostics, [], labels);
      }
      // Per-timestep labels (N, T) for a (None, T, C) output.
      const sequence = program('"sparse_categorical_crossentropy"', 'np.zeros((10, 5))').replace('keras.Input(shape=(4,))', 'keras.Input(shape=(5, 4))').replace('np.zeros((10, 4))', 'np.zeros((10, 5, 4))');
      assert.deepEqual((await diagnose(sequence)).diagnostics, []);
      const custom = program('sparse_loss', 'np.zeros((10, 3))').replace('m.compile(', 'def sparse_loss(y_true, y_pred):\n    return keras.ops.mean((y_true - y_pred) ** 2)\nm.compile(');
      assert.deepEqual((await diagnose(custom)).diagnostics, []);
    });

    it('x and y with different numbers of samples (Keras raises "Data cardinality is ambiguous"); the same for validation_data', async () => {
      const program = (fit: string) => `${FUNCTIONAL}import numpy as np\nmodel.compile(optimizer="adam", loss="mse")\nmodel.fit(${fit})\n`;
      const text = program('np.zeros((100, 784)), [np.zeros((100, 10)), np.zeros((90, 32))]');
      const { diagnostics } = await diagnose(text);
      assert.deepEqual(diagnostics.map((d) => [d.code, lineOf(text, d)]), [['fit-sample-count', '[np.zeros((100, 10)), np.zeros((90, 32))]']]);
      assert.match(message(diagnostics[0]), /^fit\(\) is given arrays with different numbers of samples: x has 100 and y has 100, 90\. Keras raises "Data cardinality is ambiguous/);
      assert.deepEqual((await diagnose(program('np.zeros((100, 784)), [np.zeros((100, 10)), np.zeros((100, 32))]'))).diagnostics, []);
      const val = program('np.zeros((100, 784)), [np.zeros((100, 10)), np.zeros((100, 32))], validation_data=(np.zeros((20, 784)), [np.zeros((20, 10)), np.zeros((19, 32))])');
      const [valCount] = (await diagnose(val)).diagnostics;
      assert.deepEqual([valCount?.code, lineOf(val, valCount)], ['fit-sample-count', '[np.zeros((20, 10)), np.zeros((19, 32))]']);
      assert.match(message(valCount), /^validation_data gives arrays with different numbers of samples: x has 20 and y has 20, 19\. .* It does so when it evaluates validation_data, after training the first epoch\.$/);
    });

    it("validation_data's targets and x checked like fit()'s (Keras raises after the first epoch); a third element (sample weights) is fine", async () => {
      const program = (validation: string) => `import keras\nimport numpy as np\ninp = keras.Input(shape=(784,))\nmodel = keras.Model(inp, keras.layers.Dense(10, activation="softmax")(inp))\nmodel.compile(optimizer="adam", loss="categorical_crossentropy")\nmodel.fit(np.zeros((100, 784)), np.zeros((100, 10)), validation_data=${validation})\n`;
      const wrongY = program('(np.zeros((20, 784)), np.zeros((20, 32)))');
      const [target] = (await diagnose(wrongY)).diagnostics;
      assert.deepEqual([target?.code, target?.severity, lineOf(wrongY, target)], ['fit-target-shape', 1, 'np.zeros((20, 32))']);
      assert.match(message(target), /^Validation target has shape \(20, 32\) but output 'dense' .* \(None, 10\); Keras raises when computing the loss \(categorical_crossentropy needs equal shapes\)\. It does so when it evaluates validation_data/);
      const wrongX = program('(np.zeros((20, 100)), np.zeros((20, 10)))');
      const [input] = (await diagnose(wrongX)).diagnostics;
      assert.deepEqual([input?.code, lineOf(wrongX, input)], ['input-shape-mismatch', 'np.zeros((20, 100))']);
      assert.match(message(input), /^validation_data's x has shape \(20, 100\) but Input 'input_layer' declares \(784,\); Keras raises "incompatible with the layer/);
      // Held by a variable: the diagnostic goes on the argument.
      const held = wrongY.replace('validation_data=(np.zeros((20, 784)), np.zeros((20, 32)))', 'validation_data=val').replace('model.fit(', 'val = (np.zeros((20, 784)), np.zeros((20, 32)))\nmodel.fit(');
      assert.deepEqual((await diagnose(held)).diagnostics.map((d) => [d.code, lineOf(held, d)]), [['fit-target-shape', 'val']]);
      assert.deepEqual((await diagnose(program('(np.zeros((20, 784)), np.zeros((20, 10)), np.ones((20,)))'))).diagnostics, []);
    });

    it('a target that broadcasts: a warning for losses that train on it silently, an error for those that raise (as Keras 3 does)', async () => {
      const program = (loss: string) => `import keras\nimport numpy as np\ninp = keras.Input(shape=(6,))\nmodel = keras.Model(inp, keras.layers.Dense(1)(inp))\n${loss}\nmodel.fit(np.zeros((50, 6)), np.zeros((50, 3)))\n`;
      const verdict = async (loss: string) => {
        const { diagnostics } = await diagnose(program(loss));
        assert.deepEqual(codes(diagnostics), ['fit-target-shape'], loss);
        return diagnostics[0];
      };
      const mse = await verdict('model.compile(optimizer="adam", loss="mse")');
      assert.equal(mse.severity, 2);
      assert.match(message(mse), /has shape \(50, 3\) but output 'dense' .* \(None, 1\); Keras does not raise: mse broadcasts/);
      const bce = await verdict('model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy())');
      assert.equal(bce.severity, 1);
      assert.match(message(bce), /Keras raises when computing the loss \(BinaryCrossentropy needs equal shapes\)/);
      const custom = await verdict('def my_loss(y_true, y_pred):\n    return keras.ops.mean((y_true - y_pred) ** 2)\nmodel.compile(optimizer="adam", loss=my_loss)');
      assert.equal(custom.severity, 2);
      assert.match(message(custom), /built-in losses such as mse broadcast these shapes silently/);
      // (N,) labels against (None, C), as Keras 3 treats them: crossentropies refuse the rank, mse
      // cannot broadcast N against C, a (None, 1) output is squeezed, a sparse loss takes labels.
      const labels = (loss: string, units: number) => program(`model.compile(optimizer="adam", loss="${loss}")`).replace('Dense(1)', `Dense(${units})`).replace('np.zeros((50, 3))', 'np.zeros((50,))');
      const [cce] = (await diagnose(labels('categorical_crossentropy', 10))).diagnostics;
      assert.match(message(cce), /\(50,\) .* \(None, 10\); Keras raises: categorical_crossentropy needs targets of the output's rank \(one-hot targets, or sparse_categorical_crossentropy for integer labels\)/);
      assert.match(message((await diagnose(labels('mse', 3))).diagnostics[0]), /\(None, 3\); Keras raises when computing the loss\.$/);
      for (const [loss, units] of [['mse', 1], ['sparse_categorical_crossentropy', 10]] as const) assert.deepEqual((await diagnose(labels(loss, units))).diagnostics, [], loss);
      // A trailing 1 Keras squeezes away: nothing to say.
      const squeezed = program('model.compile(optimizer="adam", loss="mse")').replace('Dense(1)', 'Dense(2)').replace('np.zeros((50, 3))', 'np.zeros((50, 2, 1))');
      assert.deepEqual((await diagnose(squeezed)).diagnostics, []);
      // Dimensions that cannot broadcast: every loss raises.
      const wide = program('model.compile(optimizer="adam", loss="mse")').replace('Dense(1)', 'Dense(4)');
      const [raises] = (await diagnose(wide)).diagnostics;
      assert.equal(raises.severity, 1);
      assert.match(message(raises), /\(None, 4\); Keras raises when computing the loss\.$/);
    });

    it('a typo in a fit(y={...}) key, after arguments with nested parentheses', async () => {
      const text = `${FUNCTIONAL}import numpy as np\nmodel.compile(optimizer="adam", loss="mse")\nmodel.fit(np.zeros((8, 784)), {"probs": np.zeros((8, 10)), "featres": np.zeros((8, 32))})\n`;
      const { diagnostics } = await diagnose(text);
      assert.deepEqual(diagnostics.map((d) => [d.code, lineOf(text, d)]), [['unknown-output', 'featres']]);
      assert.match(message(diagnostics[0]), /Did you mean 'features'\?/);
    });

    it('a list of losses that does not match the outputs, a loss dict missing one (as Keras 3 behaves)', async () => {
      const compile = (loss: string) => `${FUNCTIONAL}model.compile(optimizer="adam", loss=${loss})\n`;
      const [longer] = (await diagnose(compile('["mse", "mse", "mse"]'))).diagnostics;
      assert.equal(longer.code, 'compile-loss-count');
      assert.equal(longer.severity, 1);
      assert.match(message(longer), /has 2 outputs \('probs', 'features'\) but compile\(\) is given 3 losses; Keras raises at fit\(\)/);
      const [shorter] = (await diagnose(compile('["mse"]'))).diagnostics;
      assert.equal(shorter.severity, 2);
      assert.match(message(shorter), /'features' gets no loss, so Keras does not train it/);
      const [missing] = (await diagnose(compile('{"probs": "mse"}'))).diagnostics;
      assert.match(message(missing), /The loss dict has no entry for 'features' .*; Keras raises at fit\(\)/);
      for (const fine of ['"mse"', '("mse", "mae")', '{"probs": "mse", "features": "mae"}']) assert.deepEqual((await diagnose(compile(fine))).diagnostics, [], fine);
      // One output: Keras takes a list of any length.
      assert.deepEqual((await diagnose(`import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\nm.compile(loss=["mse", "mse"])\n`)).diagnostics, []);
    });

    it('Input(shape=...) disagreeing with the data', async () => {
      const text = `import keras\nimport numpy as np\ninputs = keras.Input(shape=(10,))\nmodel = keras.Model(inputs, keras.layers.Dense(1)(inputs))\nmodel.compile(loss="mse")\nmodel.fit(np.zeros((32, 784)), np.zeros((32, 1)))\n`;
      const { diagnostics } = await diagnose(text);
      assert.deepEqual(codes(diagnostics), ['input-shape-mismatch']);
      assert.equal(lineOf(text, diagnostics[0]), 'keras.Input(shape=(10,))');
      assert.equal(diagnostics[0].relatedInformation?.[0].location.range.start.line, 5);
    });
  });

  describe('model outputs and losses', () => {
    it('a kernel or get_weights() of a layer as a model output', async () => {
      const text = `import keras
from keras import layers
inputs = keras.Input(shape=(4,))
dense = layers.Dense(3, name="d")
out = dense(inputs)
model = keras.Model(inputs, [out, dense.kernel])
model2 = keras.Model(inputs, {"out": out, "w": dense.get_weights()})
`;
      const { diagnostics } = await diagnose(text);
      assert.deepEqual(diagnostics.map((d) => [d.code, lineOf(text, d)]), [
        ['weight-as-output', 'dense.kernel'],
        ['weight-as-output', 'dense.get_weights()'],
      ]);
    });

    it("a weight as an output does not hide the model's other mistakes (Keras would report them one fix at a time)", async () => {
      const text = `import numpy as np
import keras
from keras import layers
tokens = keras.Input(shape=(40,), dtype="int32")
emb = layers.Embedding(5000, 50)
x = layers.Dense(24, name="dense_a")(emb(tokens))
x = layers.Dense(24, name="dense_a")(x)
model = keras.Model(tokens, [x, emb.embeddings])
model.compile(optimizer="adam", loss="mse")
model.fit(np.random.randint(0, 5000, size=(64, 30)), np.zeros((64, 40, 24)))
`;
      const { diagnostics } = await diagnose(text);
      assert.deepEqual(diagnostics.map((d) => [d.code, lineOf(text, d)]), [
        ['duplicate-layer-name', 'dense_a'],
        ['input-shape-mismatch', 'keras.Input(shape=(40,), dtype="int32")'],
        ['weight-as-output', 'emb.embeddings'],
      ]);
    });

    it('other outputs Keras cannot build a model from (as the analyzer reports them)', async () => {
      const text = `from tensorflow import keras
base = keras.Sequential([
    keras.layers.Dense(128, activation="relu", input_shape=(784,)),
    keras.layers.Dense(64, activation="relu", name="features"),
])
probe = keras.Model(inputs=base.inputs, outputs=[base.output, base.get_layer("features").output])
`;
      const { diagnostics } = await diagnose(text);
      assert.deepEqual(diagnostics.map((d) => [d.code, lineOf(text, d)]), [['invalid-model-output', '[base.output, base.get_layer("features").output]']]);
      assert.match(message(diagnostics[0]), /Keras raises when building this model: .*never been called/);
    });

    it('a 3-argument loss that a factory returns (a closure); a 2-argument one is fine', async () => {
      const program = (params: string) => `${FUNCTIONAL}def make_loss(w):\n    def loss(${params}):\n        return w * keras.ops.mean((y_true - y_pred) ** 2)\n    return loss\nmodel.compile(optimizer="adam", loss=make_loss(2.0))\n`;
      const text = program('y_true, y_pred, extra');
      const { diagnostics } = await diagnose(text);
      assert.deepEqual(diagnostics.map((d) => [d.code, lineOf(text, d)]), [['loss-extra-arguments', 'make_loss(2.0)']]);
      assert.match(message(diagnostics[0]), /but loss \(the function `make_loss\(2\.0\)` returns\) requires 3 arguments: 'extra' never arrives/);
      assert.deepEqual((await diagnose(program('y_true, y_pred'))).diagnostics, []);
      // The factory's result held by a variable first.
      const held = program('y_true, y_pred, extra').replace('loss=make_loss(2.0)', 'loss=my_loss').replace('model.compile(', 'my_loss = make_loss(0.5)\nmodel.compile(');
      const [viaVariable] = (await diagnose(held)).diagnostics;
      assert.equal(lineOf(held, viaVariable), 'my_loss');
      assert.match(message(viaVariable), /but loss \(held by `my_loss`\) requires 3 arguments/);
    });

    it('a 3-argument lambda (inline, held by a variable, in a loss dict) and a Loss subclass whose call() takes a third argument; defaults are fine', async () => {
      const compile = (loss: string, before = '') => `${FUNCTIONAL}${before}model.compile(optimizer="adam", loss=${loss})\n`;
      const inline = compile('lambda y_true, y_pred, w: keras.ops.mean((y_true - y_pred) ** 2)');
      const [lambda] = (await diagnose(inline)).diagnostics;
      assert.equal(lambda?.code, 'loss-extra-arguments');
      assert.equal(lineOf(inline, lambda), 'lambda y_true, y_pred, w: keras.ops.mean((y_true - y_pred) ** 2)');
      assert.match(message(lambda), /but this lambda requires 3 arguments: 'w' never arrives \(fit raises TypeError\)/);
      assert.deepEqual((await diagnose(compile('lambda y_true, y_pred, w=1.0: keras.ops.mean((y_true - y_pred) ** 2)'))).diagnostics, [], 'Keras trains with a defaulted third parameter');
      const held = compile('my_loss', 'my_loss = lambda a, b, c: a\n');
      assert.match(message((await diagnose(held)).diagnostics[0]), /but this lambda \(held by `my_loss`\) requires 3 arguments: 'c'/);
      const inDict = compile('{"probs": lambda a, b, c: a, "features": "mse"}');
      assert.deepEqual((await diagnose(inDict)).diagnostics.map((d) => [d.code, lineOf(inDict, d)]), [['loss-extra-arguments', 'lambda a, b, c: a']]);
      const lossClass = (params: string) => compile('WeightedLoss()', `class WeightedLoss(keras.losses.Loss):\n    def call(self, ${params}):\n        return keras.ops.mean((y_true - y_pred) ** 2)\n`);
      const withExtra = lossClass('y_true, y_pred, activations');
      const [fromClass] = (await diagnose(withExtra)).diagnostics;
      assert.deepEqual([fromClass?.code, lineOf(withExtra, fromClass)], ['loss-extra-arguments', 'WeightedLoss()']);
      assert.match(message(fromClass), /Keras calls a Loss as call\(y_true, y_pred\), but WeightedLoss\.call requires 3 arguments: 'activations' never arrives/);
      assert.deepEqual((await diagnose(lossClass('y_true, y_pred'))).diagnostics, []);
    });

    it("a Sequential's .input as a model's inputs (Keras 3 raises even once built); the fix uses .inputs", async () => {
      const text = `import keras\nfrom keras import layers\nmodel = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2, name="d")])\nacts = keras.Model(inputs=model.input, outputs=[l.output for l in model.layers])\n`;
      const { name, diagnostics } = await diagnose(text);
      assert.deepEqual(diagnostics.map((d) => [d.code, lineOf(text, d)]), [['invalid-model-input', 'model.input']]);
      assert.match(message(diagnostics[0]), /has never been called and thus has no defined input/);
      const [fix] = await fixes(name, diagnostics[0]);
      assert.equal(fix.title, 'Use `model.inputs`');
      assert.deepEqual((await diagnose(apply(text, name, fix))).diagnostics, []);
      // A Sequential with no input shape has no .inputs either: no fix that would not help.
      const unbuilt = `import keras\nseq = keras.Sequential([keras.layers.Dense(4, name="h")])\nm = keras.Model(inputs=seq.input, outputs=seq.get_layer("h").output)\n`;
      const [noFix] = (await diagnose(unbuilt)).diagnostics;
      assert.match(message(noFix), /`seq` has no inputs either until it gets an input shape/);
      assert.deepEqual(await fixes(`diag_${n - 1}.py`, noFix), []);
    });

    it('a diagnostic in a function nothing calls says it comes from the parameter defaults', async () => {
      const text = `import keras\n\ndef build(n_heads=2):\n    inp = keras.Input((4,))\n    m = keras.Model(inp, [keras.layers.Dense(1)(inp) for _ in range(n_heads)])\n    m.compile(optimizer="adam", loss=["mse", "mse", "mse"])\n    return m\n`;
      const [d] = (await diagnose(text)).diagnostics;
      assert.equal(d.code, 'compile-loss-count');
      assert.match(message(d), /Found by running build\(\) with its parameter defaults: nothing in this file calls it/);
    });

    it('symbolic model.add_loss outside a layer call, not inside one', async () => {
      const text = `${FUNCTIONAL}
model.add_loss(keras.ops.mean(features))

class Penalty(keras.layers.Layer):
    def call(self, x):
        self.add_loss(keras.ops.mean(x))
        return x
`;
      const { name, diagnostics } = await diagnose(text);
      assert.deepEqual(codes(diagnostics), ['symbolic-add-loss']);
      assert.equal(diagnostics[0].range.start.line, 9);
      assert.match(message(diagnostics[0]), /Keras 3 removed symbolic add_loss/);
      assert.match((await fixes(name, diagnostics[0]))[0].title, /add_loss\(\) in call\(\)/);
    });
  });

  it('a TensorFlow function on a Keras tensor while a model is built (Keras 3 raises); the fix uses keras.ops; layers, losses and operators are fine', async () => {
    const program = (line: string, head = 'import tensorflow as tf\nimport keras\n') => `${head}inp = keras.Input((8,))\n${line}\nm = keras.Model(inp, x)\n`;
    const text = program('x = tf.reduce_mean(inp, axis=-1, keepdims=True)');
    const { name, diagnostics } = await diagnose(text);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity, lineOf(text, d)]), [['tf-function-on-keras-tensor', 1, 'tf.reduce_mean']]);
    assert.match(message(diagnostics[0]), /^Keras 3 raises: tf\.reduce_mean\(\) is a TensorFlow function, and a Keras tensor cannot be its input while a model is built \("A KerasTensor cannot be used as input to a TensorFlow function"\)\. Use `keras\.ops\.mean` instead/);
    const [fix] = await fixes(name, diagnostics[0]);
    const fixed = apply(text, name, fix);
    assert.equal(fixed, program('x = keras.ops.mean(inp, axis=-1, keepdims=True)'));
    assert.deepEqual(await client.replace(name, fixed), []);
    // Only tf imported: tf.keras.ops. A keyword keras.ops spells differently: no rewrite.
    const tfOnly = program('x = tf.nn.relu(inp)', 'import tensorflow as tf\n').replace(/keras\./g, 'tf.keras.');
    const [relu] = (await diagnose(tfOnly)).diagnostics;
    assert.equal(apply(tfOnly, `diag_${n - 1}.py`, (await fixes(`diag_${n - 1}.py`, relu))[0]), tfOnly.replace('tf.nn.relu', 'tf.keras.ops.relu'));
    const resized = program('x = tf.image.resize(tf.reshape(inp, (-1, 2, 4, 1)), (4, 8), method="nearest")');
    const found = (await diagnose(resized)).diagnostics;
    assert.deepEqual(found.map((d) => lineOf(resized, d)), ['tf.reshape', 'tf.image.resize'], 'the inner call first, where Keras raises');
    assert.deepEqual((await fixes(`diag_${n - 1}.py`, found[1])).length, 0, 'method= is interpolation= in keras.ops');
    for (const fine of ['x = inp * 2.0 + 1.0', 'x = keras.layers.Lambda(lambda t: tf.reduce_mean(t, axis=-1))(inp)', 'x = keras.ops.mean(inp, axis=-1)']) {
      assert.deepEqual((await diagnose(program(fine))).diagnostics, [], fine);
    }
    const inLayer = `import tensorflow as tf\nimport keras\nclass Mean(keras.layers.Layer):\n    def call(self, x):\n        return tf.reduce_mean(x, axis=-1)\ninp = keras.Input((8,))\nm = keras.Model(inp, Mean()(inp))\nm.compile(loss=lambda t, p: tf.reduce_mean(tf.square(t - p)))\n`;
    assert.deepEqual((await diagnose(inLayer)).diagnostics, []);
  });

  it("a loss that reads a layer's symbolic output (fit raises in Keras 3); its own variables and parameters are fine", async () => {
    const program = (body: string) => `${FUNCTIONAL}import tensorflow as tf\ndef activity_loss(y_true, y_pred):\n${body}\nmodel.compile(optimizer="adam", loss=[activity_loss, "mse"])\n`;
    const viaGetLayer = program('    acts = model.get_layer("features").output\n    return keras.ops.mean((y_true - y_pred) ** 2) + 0.01 * tf.reduce_mean(tf.square(acts))');
    const { name, diagnostics } = await diagnose(viaGetLayer);
    assert.deepEqual(diagnostics.map((d) => [d.code, lineOf(viaGetLayer, d)]), [['loss-reads-keras-tensor', 'model.get_layer("features").output']], 'and no tf-function diagnostic on top');
    assert.match(message(diagnostics[0]), /^The loss `activity_loss` reads `model\.get_layer\("features"\)\.output`, the symbolic output of layer 'features': .* fit raises \(TypeError "Failed to convert elements of \(None,\) to Tensor"\)\. To penalise the layer's activations, pass activity_regularizer=/);
    assert.match((await fixes(name, diagnostics[0]))[0].title, /add_loss\(\) in call\(\)/);
    const viaVariable = program('    return keras.ops.mean((y_true - y_pred) ** 2) + 0.01 * keras.ops.mean(features)');
    assert.deepEqual((await diagnose(viaVariable)).diagnostics.map((d) => [d.code, lineOf(viaVariable, d)]), [['loss-reads-keras-tensor', 'features']]);
    const lambda = `${FUNCTIONAL}model.compile(optimizer="adam", loss=lambda t, p: keras.ops.mean((t - p) ** 2) + keras.ops.mean(x))\n`;
    assert.match(message((await diagnose(lambda)).diagnostics[0]), /^The lambda loss reads `x`, the symbolic output of layer 'hidden'/);
    const own = program('    features = y_pred * 2\n    return keras.ops.mean((y_true - features) ** 2)');
    assert.deepEqual((await diagnose(own)).diagnostics, []);
  });

  it('a layer called on a rank it refuses (the batch put into Input(shape=...), a flat input to an LSTM), as Keras 3 raises', async () => {
    const batchInShape = `import keras\ninp = keras.Input(shape=(None, 40, 40, 1))\nx = keras.layers.Conv2D(8, 3, name="c1")(inp)\nmodel = keras.Model(inp, x)\n`;
    const [conv] = (await diagnose(batchInShape)).diagnostics;
    assert.deepEqual([conv?.code, lineOf(batchInShape, conv)], ['layer-input-rank', 'keras.layers.Conv2D(8, 3, name="c1")(inp)']);
    assert.equal(message(conv), `Conv2D layer 'c1' takes inputs of rank 4 (batch included) but is called on shape (None, None, 40, 40, 1); Keras raises here ("Kernel shape must have the same length as input"). If it comes from keras.Input(shape=(None, ...)), leave the batch dimension out of shape=.`);
    const flat = `import keras\ninp = keras.Input(shape=(10,))\nx = keras.layers.LSTM(8)(inp)\n`;
    assert.match(message((await diagnose(flat)).diagnostics[0]), /^LSTM layer 'lstm' takes inputs of rank 3 \(batch included\) but is called on shape \(None, 10\); Keras raises here \("expected ndim=3, found ndim=2"\)\.$/);
    const fine = `import keras\ninp = keras.Input(shape=(28, 28, 1))\nx = keras.layers.MaxPooling2D()(keras.layers.Conv2D(8, 3)(inp))\nx = keras.layers.LSTM(4)(keras.layers.Reshape((13, 104))(x))\nmodel = keras.Model(inp, x)\n`;
    assert.deepEqual((await diagnose(fine)).diagnostics, []);
  });

  it("a Sequential's .inputs before it has an input shape (Keras 3 raises); after build() or fit() it is fine", async () => {
    const program = (before: string) => `import numpy as np\nimport keras\nmodel = keras.Sequential([keras.layers.Dense(32, name="d1"), keras.layers.Dense(1)])\n${before}extractor = keras.Model(model.inputs, model.get_layer("d1").output)\n`;
    const text = program('');
    const [early] = (await diagnose(text)).diagnostics;
    assert.deepEqual([early?.code, lineOf(text, early)], ['invalid-model-input', 'model.inputs']);
    assert.match(message(early), /Sequential model 'sequential' has no defined inputs yet\. Give it an input shape before this line: a keras\.Input as its first layer, or build\(\(None, \.\.\.\)\)\.$/);
    for (const before of ['model.build((None, 6))\n', 'model.compile(loss="mse")\nmodel.fit(np.zeros((8, 6)), np.zeros((8, 1)))\n']) {
      assert.deepEqual((await diagnose(program(before))).diagnostics, [], before);
    }
  });

  it('code actions only for the requested range and kinds', async () => {
    const text = `${FUNCTIONAL}\nf = model.get_layer("featurs")\n`;
    const { name, diagnostics } = await diagnose(text);
    assert.deepEqual(await client.codeActions(name, { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }), []);
    const refactor = await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: client.uri(name) }, range: diagnostics[0].range, context: { diagnostics, only: ['refactor'] } });
    assert.deepEqual(refactor, []);
  });
});
