// Model graph → tfjs model: names, classes, shapes, parameter counts, wiring (shared layers,
// nested models), Keras-faithful defaults, and failures that name the layer and its line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelNode } from '../../graph/model-graph';
import { buildModel, disposeBuiltModel, ModelBuildError } from '../../trainer/model-builder';
import { analyze, example, fixture, nativeBackend, pythonFile } from './helpers';

async function build(file: string, modelName?: string, activations: string[] = []) {
  const { tf } = await nativeBackend();
  const { graph, tree } = await analyze(file);
  const model: ModelNode = modelName ? graph.models.find((m) => m.name === modelName)! : (graph.models.find((m) => m.fit?.length || m.compile) ?? graph.models[0]!);
  try {
    let built: ReturnType<typeof buildModel> | undefined;
    tf.tidy(() => {
      built = buildModel(tf, model, { activations, root: tree.rootNode });
    });
    return { built: built!, model, tf };
  } finally {
    tree.delete();
  }
}

async function buildError(source: string): Promise<ModelBuildError> {
  const { tf } = await nativeBackend();
  const before = tf.memory().numTensors;
  const file = pythonFile(source);
  try {
    await build(file);
  } catch (error) {
    assert.ok(error instanceof ModelBuildError, `expected a ModelBuildError, got ${String(error)}`);
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind by a failed build');
    return error;
  }
  assert.fail('the build should fail');
}

describe('model builder', () => {
  it('builds the seed MLP with the same layer names, shapes and parameter count; extra outputs for taps', async () => {
    const { built, model, tf } = await build(example('seed_activation_loss.py'), undefined, ['dense_intermediate', 'dense']);
    assert.deepEqual(built.outputLayers, ['dense_1', 'dense_intermediate', 'dense']);
    assert.equal(built.model.countParams(), model.totalParams);
    assert.deepEqual(
      built.model.layers.map((l) => [l.name, l.getClassName()]),
      [['input_layer', 'InputLayer'], ['dense', 'Dense'], ['dense_intermediate', 'Dense'], ['dense_1', 'Dense']],
    );
    const kernel = built.layers.get('dense')!.tfjs.weights[0]!;
    assert.deepEqual(kernel.shape, [784, 64]);
    disposeBuiltModel(tf, built);
  });

  it('builds the custom ExposeWeightsDense layer as a Dense with its units and activation', async () => {
    const { built, tf } = await build(example('seed_kernel_loss.py'));
    const layer = built.layers.get('dense_weights')!;
    assert.equal(layer.tfjs.getClassName(), 'Dense');
    const config = layer.tfjs.getConfig();
    assert.equal(config['units'], 32);
    assert.equal(config['activation'], 'relu');
    assert.match(built.notes.join('\n'), /ExposeWeightsDense .* built as a tfjs Dense\(32\) with activation 'relu'/);
    disposeBuiltModel(tf, built);
  });

  it('shared layers, nested Sequential models, batch norm, dropout, merges, RNNs (parameter counts match Keras)', async () => {
    const file = pythonFile(`import keras
from keras import layers, regularizers
inp = keras.Input(shape=(12, 4), name="seq")
r = layers.Bidirectional(layers.LSTM(8, return_sequences=True))(inp)
s = layers.SimpleRNN(6)(r)
g = layers.GRU(5, reset_after=False)(r)
x = layers.Concatenate()([s, g])
x = layers.BatchNormalization()(x)
x = layers.Dropout(0.2)(x)
shared = layers.Dense(7, activation="tanh", name="shared", kernel_regularizer=regularizers.l2(0.01))
a = shared(x)
b = shared(layers.GaussianNoise(0.1)(x))
m = layers.Average()([a, b])
enc = keras.Sequential([layers.Dense(4, activation="elu"), layers.Dense(3)], name="enc")
out = layers.Dense(2, activation="softmax", name="out")(enc(m))
model = keras.Model(inp, out)
model.compile(optimizer="adam", loss="categorical_crossentropy")
`);
    const { built, model, tf } = await build(file);
    assert.equal(built.model.countParams(), model.totalParams);
    assert.ok(built.layers.has('shared') && built.layers.has('enc') === false && built.layers.has('dense'), 'nested model layers are inlined and tappable');
    const lstmConfig = (built.layers.get('bidirectional')!.tfjs.getConfig()['layer'] as { config: Record<string, unknown> }).config;
    assert.equal(lstmConfig['recurrentActivation'], 'sigmoid', "Keras's LSTM recurrent activation, not tfjs's hardSigmoid");
    disposeBuiltModel(tf, built);
  });

  it('a Sequential model with keras.Input, conv and pooling (the benchmark CNN)', async () => {
    const { built, model, tf } = await build(example('mnist_cnn.py'));
    assert.deepEqual(built.inputs, [{ name: 'input_layer', shape: [null, 28, 28, 1] }]);
    assert.equal(built.model.countParams(), model.totalParams);
    assert.deepEqual(built.model.outputs[0]!.shape, [null, 10]);
    disposeBuiltModel(tf, built);
  });

  it('fails before training on a layer class with no tfjs counterpart, naming the layer and line', async () => {
    const error = await buildError(`import keras
from keras import layers
inp = keras.Input(shape=(8, 8, 3))
x = layers.Conv2D(4, 3)(inp)
x = layers.SpatialDropout2D(0.2)(x)
model = keras.Model(inp, x)
model.compile(optimizer="adam", loss="mse")
`);
    assert.equal(error.layer, 'spatial_dropout2d');
    assert.equal(error.line, 5);
    assert.match(error.message, /layer 'spatial_dropout2d' \(SpatialDropout2D, line 5\): the Keras class SpatialDropout2D has no tfjs counterpart/);
  });

  it('fails on an argument with no tfjs counterpart (GRU reset_after default, hard_sigmoid, conv groups)', async () => {
    const gru = await buildError(`import keras
from keras import layers
inp = keras.Input(shape=(5, 3))
x = layers.GRU(4)(inp)
model = keras.Model(inp, x)
model.compile(optimizer="adam", loss="mse")
`);
    assert.match(gru.message, /layer 'gru' \(GRU, line 4\): GRU with reset_after=True \(Keras's default\) has no tfjs counterpart/);
    const act = await buildError(`import keras
from keras import layers
inp = keras.Input(shape=(5,))
x = layers.Dense(4, activation="hard_sigmoid", name="gate")(inp)
model = keras.Model(inp, x)
model.compile(optimizer="adam", loss="mse")
`);
    assert.match(act.message, /layer 'gate' \(Dense, line 4\): activation 'hard_sigmoid' has no faithful tfjs counterpart/);
    const groups = await buildError(`import keras
from keras import layers
inp = keras.Input(shape=(8, 8, 4))
x = layers.Conv2D(4, 3, groups=2, name="grouped")(inp)
model = keras.Model(inp, x)
model.compile(optimizer="adam", loss="mse")
`);
    assert.match(groups.message, /layer 'grouped' \(Conv2D, line 4\): argument groups=2 has no tfjs counterpart/);
  });

  it('fails on a custom layer that is not recognisably Dense', async () => {
    const error = await buildError(`import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
class Scale(layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="kernel")
    def call(self, inputs):
        return inputs * self.kernel
inp = keras.Input(shape=(4,))
x = Scale(name="scale")(inp)
model = keras.Model(inp, x)
model.compile(optimizer="adam", loss="mse")
`);
    assert.match(error.message, /layer 'scale' \(Scale, line 10\): custom layer class Scale has no tfjs counterpart: call\(\) is not recognisably a Dense layer/);
  });

  it('the analyzer-computed Keras shapes are checked against tfjs', async () => {
    const error = await buildError(`import keras
from keras import layers
inp = keras.Input(shape=(64, 2))
x = layers.Conv1D(4, 3, dilation_rate=2, padding="causal", name="causal")(inp)
model = keras.Model(inp, x)
model.compile(optimizer="adam", loss="mse")
`);
    assert.match(error.message, /layer 'causal' \(Conv1D, line 4\): tfjs computes output shape \(None, 60, 4\) but Keras gives \(None, 64, 4\)/);
  });

  it('builds every trainable fixture without leaking tensors', async () => {
    const { tf } = await nativeBackend();
    for (const name of ['cifar_cnn.py', 'resnet_small.py', 'autoencoder_submodels.py', 'wide_and_deep.py', 'mnist_mlp_add.py']) {
      const before = tf.memory().numTensors;
      const { built, model } = await build(fixture(name));
      assert.equal(built.model.countParams(), model.totalParams, name);
      disposeBuiltModel(tf, built);
      assert.equal(tf.memory().numTensors, before, `${name}: tensors back to baseline`);
    }
  });
});
