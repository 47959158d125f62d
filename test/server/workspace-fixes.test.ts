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
 * A seed example laid out as real projects are: the model code (from `start` to `end`) in a module,
 * the loss, data and training in train.py, which imports the builder from it.
 */
function layOut(seed: string, module: string, builder: string, start: string, end: string): { models: string; train: string } {
  const text = readFileSync(join(__dirname, '..', 'fixtures', 'keras', `${seed}.py`), 'utf8');
  const imports = text.slice(0, text.indexOf('\n\n') + 1);
  const moved = text.slice(text.indexOf(start), text.indexOf(end));
  return { models: `${imports}\n${moved}`, train: text.replace(imports, `${imports}from ${module} import ${builder}\n`).replace(moved, '') };
}

const { models: MODELS, train: TRAIN } = layOut('seed_activation_loss', 'models', 'build_model_with_activation_output', '# Example model definition', '# Example data');

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

    const target = diagnostics.find((d) => d.code === 'fit-target-shape')!;
    assert.deepEqual(target.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line]), [[client.uri('models.py'), positionOf(MODELS, 'layers.Dense(32').line]], "the tapped layer's construction, in models.py");

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

  it("the seed's weights example with the custom layer and builder in a module: the fix puts the regularizer on its add_weight there", async () => {
    const { models, train } = layOut('seed_kernel_loss', 'kernel_models', 'build_model_with_weight_output', '# Custom layer', '# Example Data');
    client.writeFile('kernel_models.py', models);
    const diagnostics = await client.open('kernel_train.py', train);
    assert.deepEqual(diagnostics.map((d) => d.code).sort(), ['loss-extra-arguments', 'weight-as-output']);
    const weight = diagnostics.find((d) => d.code === 'weight-as-output')!;
    assert.deepEqual(weight.range.start, positionOf(train, 'build_model_with_weight_output(input_shape'), 'where train.py builds the model: Keras raises there');
    assert.match(message(weight), /^Keras raises when building this model \(kernel_models\.py:\d+\): .*'KerasTensor' object has no attribute 'get_weights'.*\. To penalise a layer's kernel, use kernel_regularizer= on the layer/);
    assert.match((await actionsAt('kernel_train.py', weight))[0]?.title ?? '', /Move the L1 kernel penalty to layer 'dense_weights'/);
    const loss = lossDiagnostic(diagnostics);
    assert.match(message(loss), /an L1 penalty on the kernel of layer 'dense_weights'; Keras applies that with regularizer=keras\.regularizers\.L1\(0\.1\) \(in ExposeWeightsDense\.build\) on layer 'dense_weights' \(in kernel_models\.py\)/);
    const [fix] = await actionsAt('kernel_train.py', loss);
    assert.match(fix.title, /Move the L1 kernel penalty to layer 'dense_weights' .* \(also edits kernel_models\.py\)$/);
    const [trainUri, modelsUri] = [client.uri('kernel_train.py'), client.uri('kernel_models.py')];
    const fixed = applyWorkspaceEdit({ [trainUri]: train, [modelsUri]: models }, fix.edit!);
    assert.ok(fixed[modelsUri].includes("name='kernel', regularizer=keras.regularizers.L1(0.1))"), 'on the add_weight that makes the kernel');
    assert.ok(fixed[modelsUri].includes('keras.Model(inputs=inputs, outputs=outputs)'));
    assert.ok(fixed[trainUri].includes("model.compile(optimizer='adam', loss='categorical_crossentropy')"));
    assert.ok(fixed[trainUri].includes('model.fit(x_train, y_train, batch_size=32, epochs=2)'));
    assert.deepEqual(await client.open('kernel_models.py', fixed[modelsUri]), []);
    assert.deepEqual(await client.replace('kernel_train.py', fixed[trainUri]), []);
    await client.close('kernel_models.py');
    await client.close('kernel_train.py');
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

  describe('duplicate layer names', () => {
    it('in a model built by a module function: reported where this file builds it, renamed in the module', async () => {
      const models = `import keras
from keras import layers


def build():
    inputs = keras.Input(shape=(8,))
    x = layers.Dense(4, name="hidden")(inputs)
    y = layers.Dense(4, name="hidden")(x)
    return keras.Model(inputs, y)
`;
      client.writeFile('dup_models.py', models);
      const text = `from dup_models import build\n\nmodel = build()\n`;
      const diagnostics = await client.open('dup_train.py', text);
      assert.deepEqual(diagnostics.map((d) => d.code), ['duplicate-layer-name']);
      assert.deepEqual(diagnostics[0].range, { start: positionOf(text, 'build()'), end: positionOf(text, 'build()', 'build()'.length) });
      assert.match(message(diagnostics[0]), /The name 'hidden' is used 2 times in model .*, built by code in dup_models\.py \(line 8\); Keras raises/);
      assert.deepEqual(diagnostics[0].relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line]), [[client.uri('dup_models.py'), 6]]);
      const [rename] = await actionsAt('dup_train.py', diagnostics[0]);
      assert.equal(rename.title, "Rename this layer to 'hidden_1' (in dup_models.py)");
      const fixed = applyWorkspaceEdit({ [client.uri('dup_models.py')]: models }, rename.edit!);
      assert.deepEqual(Object.keys(rename.edit!.changes!), [client.uri('dup_models.py')]);
      assert.equal(fixed[client.uri('dup_models.py')], models.replace('y = layers.Dense(4, name="hidden")', 'y = layers.Dense(4, name="hidden_1")'));
      await client.open('dup_models.py', fixed[client.uri('dup_models.py')]);
      assert.deepEqual(await client.replace('dup_train.py', `${text}\n`), []);
      await client.close('dup_models.py');
      await client.close('dup_train.py');
    });

    it('two layers named by one imported constant: no rename fix (renaming the constant renames both)', async () => {
      client.writeFile('names.py', 'HIDDEN = "hidden"\n');
      const text = `import keras
from keras import layers
from names import HIDDEN

inputs = keras.Input(shape=(8,))
a = layers.Dense(4, name=HIDDEN)(inputs)
b = layers.Dense(4, name=HIDDEN)(a)
model = keras.Model(inputs, b)
`;
      const diagnostics = await client.open('const_names.py', text);
      assert.deepEqual(diagnostics.map((d) => d.code), ['duplicate-layer-name']);
      assert.equal(diagnostics[0].range.start.line, 6);
      assert.deepEqual(await actionsAt('const_names.py', diagnostics[0]), []);
      await client.close('const_names.py');
    });
  });
});
