/**
 * Files written the way a newcomer writes them (tf.keras imports, Sequential.add, a sparse
 * autoencoder with the seed's 3-argument-loss mistake, a two-headed model with a typo): the
 * completions, hovers and diagnostics a new user gets. Names, shapes and parameter counts here
 * were checked against Keras 3.15, and so was the quick fix's regulariser value.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyEdits, LspClient, message, positionOf } from './lsp-client';

const CNN = `import tensorflow as tf
from tensorflow.keras import layers, models

(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 28, 28, 1) / 255.0

model = models.Sequential()
model.add(layers.Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation='relu'))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Flatten())
model.add(layers.Dense(64, activation='relu'))
model.add(layers.Dense(10))

model.compile(optimizer='adam',
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])
model.fit(x_train, y_train, epochs=1)

# I want to see what the first conv layer learned
first_conv = model.get_layer('conv2d')
activation_model = tf.keras.Model(inputs=model.inputs, outputs=model.get_layer('conv2d_2').output)
feat = model.get_layer('')
second = model.get_layer('conv2d_1')
`;

const SPARSE_AE = `import keras
from keras import layers, ops
import numpy as np

data = np.random.rand(1000, 64).astype("float32")

inp = keras.Input(shape=(64,))
h = layers.Dense(32, activation="relu")(inp)
code = layers.Dense(8, activation="relu", name="code")(h)
h2 = layers.Dense(32, activation="relu")(code)
recon = layers.Dense(64, activation="sigmoid")(h2)
autoencoder = keras.Model(inp, [recon, code])

def sparse_loss(y_true, y_pred, code_activations, beta=1e-3):
    mse = keras.losses.mean_squared_error(y_true, y_pred)
    sparsity = beta * ops.sum(ops.abs(code_activations))
    return mse + sparsity

autoencoder.compile(optimizer="adam", loss=sparse_loss)
autoencoder.fit(data, [data, data], epochs=3, batch_size=64)
`;

const TWO_HEADS = `import tensorflow as tf
import numpy as np

inputs = tf.keras.Input(shape=(20,), name="features")
shared = tf.keras.layers.Dense(64, activation="relu", name="shared")(inputs)
age = tf.keras.layers.Dense(1, name="age")(shared)
gender = tf.keras.layers.Dense(2, activation="softmax", name="gender")(shared)
model = tf.keras.Model(inputs=inputs, outputs=[age, gender])

model.compile(
    optimizer="adam",
    loss={"age": "mse", "gendr": "sparse_categorical_crossentropy"},
    loss_weights={"age": 1.0, "gender": 0.5},
)
X = np.random.rand(256, 20)
model.fit(X, {"age": np.random.rand(256, 1), "gender": np.random.randint(0, 2, (256,))}, epochs=2)
model.add_loss(tf.reduce_mean(shared) * 0.01)
`;

describe("a new user's files", () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('Sequential CNN: completion with shapes and params, hover, a wrong auto-name caught', async () => {
    const diagnostics = await client.open('cnn.py', CNN);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['unknown-layer', 22]]);
    assert.match(message(diagnostics[0]), /No layer named 'conv2d_2' in model 'sequential'.*Did you mean 'conv2d_1'\?/);
    const items = await client.completion('cnn.py', positionOf(CNN, "get_layer('')", "get_layer('".length));
    assert.deepEqual(
      items.map((i) => `${i.label} ${i.labelDetails?.detail?.trim()} ${i.labelDetails?.description}`),
      [
        'conv2d Conv2D (None, 26, 26, 32) · 320 params',
        'max_pooling2d MaxPooling2D (None, 13, 13, 32) · 0 params',
        'conv2d_1 Conv2D (None, 11, 11, 64) · 18,496 params',
        'max_pooling2d_1 MaxPooling2D (None, 5, 5, 64) · 0 params',
        'flatten Flatten (None, 1600) · 0 params',
        'dense Dense (None, 64) · 102,464 params',
        'dense_1 Dense (None, 10) · 650 params',
      ],
    );
    const hover = (await client.hover('cnn.py', positionOf(CNN, "'conv2d_1'", 3)))!.contents as { value: string };
    assert.match(hover.value, /\| filters \| `64` \|[\s\S]*\| kernel_size \| `\(3, 3\)` \|/);
    assert.match(hover.value, /\| Kernel \| `\(3, 3, 32, 64\)` \|/);
    assert.match(hover.value, /\| Inbound \| `max_pooling2d` \|/);
    assert.match(hover.value, /\| Outbound \| `max_pooling2d_1` \|/);
    const lenses = await client.codeLenses('cnn.py');
    assert.equal(lenses[0].command?.title, '7 layers · 121,930 params');
  });

  it("sparse autoencoder: the seed's mistake, fixed with an L1 activity regularizer of the same strength", async () => {
    const diagnostics = await client.open('sparse_ae.py', SPARSE_AE);
    // The second target repeats the inputs for the 8-unit code output: the seed's other mistake.
    assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character]), [
      ['loss-extra-arguments', 18, 43],
      ['fit-target-shape', 19, 29],
    ]);
    assert.match(message(diagnostics[1]), /Target 2 has shape \(1000, 64\) but output 'code' of model 'functional' \(autoencoder\) has shape \(None, 8\); Keras raises/);
    const loss = diagnostics.find((d) => d.code === 'loss-extra-arguments')!;
    const [fix] = await client.codeActions('sparse_ae.py', loss.range, [loss]);
    const fixed = applyEdits(SPARSE_AE, fix.edit!.changes![client.uri('sparse_ae.py')]);
    // sum over a batch of 64 × beta; Keras divides activity penalties by the batch size.
    assert.ok(fixed.includes('name="code", activity_regularizer=keras.regularizers.L1(0.001 * 64))(h)'));
    assert.ok(fixed.includes('autoencoder = keras.Model(inp, recon)'));
    assert.ok(fixed.includes("loss='mean_squared_error'"));
    assert.ok(fixed.includes('autoencoder.fit(data, data, epochs=3, batch_size=64)'));
    assert.deepEqual(await client.replace('sparse_ae.py', fixed), []);
  });

  it('two heads: a typo in a loss key and a symbolic add_loss', async () => {
    const diagnostics = await client.open('two_heads.py', TWO_HEADS);
    // tf.reduce_mean on the Keras tensor raises in Keras 3 before add_loss would.
    assert.deepEqual(diagnostics.map((d) => d.code), ['unknown-output', 'symbolic-add-loss', 'tf-function-on-keras-tensor']);
    assert.match(message(diagnostics[0]), /'gendr' is not an output .* Did you mean 'gender'\?/);
    const keys = await client.completion('two_heads.py', positionOf(TWO_HEADS, '"gendr"', 1));
    assert.deepEqual(keys.map((i) => i.label), ['age', 'gender']);
    const hover = (await client.hover('two_heads.py', positionOf(TWO_HEADS, 'reduce_mean(shared)', 'reduce_mean(sh'.length)))!.contents as { value: string };
    assert.match(hover.value, /Keras tensor `shared` · shape `\(None, 64\)`/);
    assert.match(hover.value, /\| Outbound \| `age`, `gender` \|/);
  });
});
