/**
 * Quick fixes that edit more than the open document, over a real connection: the seed's 3-argument
 * loss when the model is built by a function imported from another workspace module. The fix is
 * one WorkspaceEdit over both files; it is applied to both texts and the result analysed again.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { applyWorkspaceEdit, LspClient, message, positionOf } from './lsp-client';

/**
 * The seed's example 1 laid out as real projects are: the builder in models.py, the loss, data and
 * training in train.py, which imports the builder.
 */
const SEED = readFileSync(join(__dirname, '..', 'fixtures', 'keras', 'seed_activation_loss.py'), 'utf8');
const IMPORTS = SEED.slice(0, SEED.indexOf('\n\n') + 1);
const BUILDER = SEED.slice(SEED.indexOf('# Example model definition'), SEED.indexOf('# Example data'));
const MODELS = `${IMPORTS}\n${BUILDER}`;
const TRAIN = SEED.replace(IMPORTS, `${IMPORTS}from models import build_model_with_activation_output\n`).replace(BUILDER, '');

/** train.py importing `build` from another module instead. */
function trainWith(module: string): string {
  return TRAIN.replace('from models import build_model_with_activation_output', `from ${module} import build`).replace(
    'build_model_with_activation_output(input_shape=x_train.shape[1:], num_classes=num_classes)',
    'build()',
  );
}

let client: LspClient;

function lossDiagnostic(diagnostics: Diagnostic[]): Diagnostic {
  const found = diagnostics.find((d) => d.code === 'loss-extra-arguments');
  assert.ok(found, `no loss-extra-arguments in ${JSON.stringify(diagnostics.map((d) => d.code))}`);
  return found;
}

async function actionsAt(name: string, d: Diagnostic): Promise<CodeAction[]> {
  return client.codeActions(name, d.range, [d]);
}

describe('quick fixes across workspace modules', () => {
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it("the seed's loss with the model built in models.py: the fix edits the layer in models.py and the loss in train.py", async () => {
    client.writeFile('models.py', MODELS);
    const diagnostics = await client.open('train.py', TRAIN);
    assert.deepEqual(diagnostics.map((d) => d.code).sort(), ['fit-target-shape', 'loss-extra-arguments']);
    const loss = lossDiagnostic(diagnostics);
    assert.deepEqual(loss.range.start, positionOf(TRAIN, 'custom_loss_with_activations)'));
    assert.match(message(loss), /'activation_output' never arrives/);
    assert.match(message(loss), /The extra term is an L1 penalty on the activations of layer 'dense_intermediate'; Keras applies that with activity_regularizer=keras\.regularizers\.L1\(0\.1 \/ 32\) on layer 'dense_intermediate' \(in models\.py\)\./);

    const actions = await actionsAt('train.py', loss);
    assert.equal(actions.length, 2);
    const fix = actions[0];
    assert.equal(fix.isPreferred, true);
    assert.equal(fix.title, "Move the L1 activation penalty to layer 'dense_intermediate' (activity_regularizer=keras.regularizers.L1(0.1 / 32)) and use loss='categorical_crossentropy' (also edits models.py)");
    const trainUri = client.uri('train.py');
    const modelsUri = client.uri('models.py');
    assert.deepEqual(Object.keys(fix.edit!.changes!).sort(), [modelsUri, trainUri].sort());

    const fixed = applyWorkspaceEdit({ [trainUri]: TRAIN, [modelsUri]: MODELS }, fix.edit!);
    assert.equal(
      fixed[modelsUri],
      MODELS.replace(
        "layers.Dense(32, activation='relu', name=activation_layer_name)(x)",
        "layers.Dense(32, activation='relu', name=activation_layer_name, activity_regularizer=keras.regularizers.L1(0.1 / 32))(x)",
      ).replace('outputs=[outputs, intermediate_layer]', 'outputs=outputs'),
    );
    assert.equal(
      fixed[trainUri],
      TRAIN.replace('loss=custom_loss_with_activations', "loss='categorical_crossentropy'").replace('[y_train, x_train]', 'y_train'),
    );

    // As VS Code does: the module gets an (unsaved) buffer with the edit, then train.py is analysed again.
    assert.deepEqual(await client.open('models.py', fixed[modelsUri]), []);
    assert.deepEqual(await client.replace('train.py', fixed[trainUri]), [], 'the fixed workspace has no diagnostics');
    await client.close('models.py');
    await client.close('train.py');
  });

  it('a layer built in a loop in the module: no rewrite, and the message says why', async () => {
    const models = `import keras
from keras import layers


def build(widths=(64, 32)):
    inputs = keras.Input(shape=(784,))
    x = inputs
    for width in widths:
        x = layers.Dense(width, activation="relu")(x)
    outputs = layers.Dense(5, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=[outputs, x])
`;
    client.writeFile('loop_models.py', models);
    const loss = lossDiagnostic(await client.open('loop_train.py', trainWith('loop_models')));
    assert.match(message(loss), /call self\.add_loss\(\.\.\.\) inside a layer's call\(\)/);
    assert.match(
      message(loss),
      /No automatic rewrite: the extra term is an L1 penalty on the activations of layer 'dense_1', which Keras applies with activity_regularizer=keras\.regularizers\.L1\(0\.1 \/ 32\) on the layer \(in loop_models\.py\), but layer 'dense_1' is constructed inside a loop \(loop_models\.py:9\)/,
    );
    const actions = await actionsAt('loop_train.py', loss);
    assert.deepEqual(actions.map((a) => a.title), ['Insert a layer that adds the penalty with add_loss() in call() (template)']);
    await client.close('loop_train.py');
  });

  it('a shared layer in the module: no activity-regularizer rewrite', async () => {
    const models = `import keras
from keras import layers


def build():
    inputs = keras.Input(shape=(784,))
    shared = layers.Dense(32, activation="relu", name="shared")
    a = shared(inputs)
    b = shared(layers.Dense(784)(a))
    outputs = layers.Dense(5, activation="softmax")(b)
    return keras.Model(inputs=inputs, outputs=[outputs, a])
`;
    client.writeFile('shared_models.py', models);
    const loss = lossDiagnostic(await client.open('shared_train.py', trainWith('shared_models')));
    assert.match(message(loss), /but layer 'shared' is shared \(called 2 times\)/);
    assert.equal((await actionsAt('shared_train.py', loss)).length, 1);
    await client.close('shared_train.py');
  });

  it('a loss imported from another module, the model built here: diagnosed, fixed in this file, related location in the module', async () => {
    const losses = `import tensorflow as tf


def penalised(y_true, y_pred, feats):
    return tf.keras.losses.mean_squared_error(y_true, y_pred) + 0.01 * tf.reduce_mean(tf.square(feats))
`;
    client.writeFile('losses.py', losses);
    const text = `import keras
from keras import layers
from losses import penalised

inputs = keras.Input(shape=(8,))
feats = layers.Dense(4, name="feats")(inputs)
out = layers.Dense(1, name="out")(feats)
model = keras.Model(inputs, [out, feats])
model.compile(optimizer="adam", loss=penalised)
`;
    const loss = lossDiagnostic(await client.open('uses_losses.py', text));
    assert.equal(loss.relatedInformation?.[0].location.uri, client.uri('losses.py'));
    assert.equal(loss.relatedInformation?.[0].location.range.start.line, 3);
    const actions = await actionsAt('uses_losses.py', loss);
    assert.equal(actions[0].title, "Move the L2 activation penalty to layer 'feats' (activity_regularizer=keras.regularizers.L2(0.01 / 4)) and use loss='mean_squared_error'");
    const fixed = applyWorkspaceEdit({ [client.uri('uses_losses.py')]: text }, actions[0].edit!);
    assert.deepEqual(Object.keys(actions[0].edit!.changes!), [client.uri('uses_losses.py')]);
    assert.deepEqual(await client.replace('uses_losses.py', fixed[client.uri('uses_losses.py')]), []);
    // The add_loss template goes next to the loss, in losses.py.
    assert.deepEqual(Object.keys(actions[1].edit!.changes!), [client.uri('losses.py')]);
    await client.close('uses_losses.py');
  });
});
