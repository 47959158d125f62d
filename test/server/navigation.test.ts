/**
 * Go to definition, find references and rename of layer names, over a real connection; rename
 * edits are applied to the texts and the result checked.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ResponseError, type Location } from 'vscode-languageserver-protocol';
import { applyEdits, applyWorkspaceEdit, LspClient, positionOf } from './lsp-client';

const MLP = `import keras
from keras import layers

inputs = keras.Input(shape=(784,))
hidden = layers.Dense(64, activation="relu", name="hidden")
x = hidden(inputs)
features = layers.Dense(32, name="features")(x)
outputs = layers.Dense(10, name="probs")(features)
model = keras.Model(inputs, [outputs, features])
model.compile(optimizer="adam", loss={"probs": "categorical_crossentropy", "features": "mse"})
probe = keras.Model(inputs, model.get_layer("features").output)
taps = ["features", "hidden"]

def activation_penalty(y_true, y_pred):
    return keras.ops.mean(model.get_layer("features").output)
`;

let client: LspClient;

function text(locations: Location[], source: string): string[] {
  const lines = source.split('\n');
  return locations.map((l) => `${l.range.start.line}:${lines[l.range.start.line].slice(l.range.start.character, l.range.end.character)}`);
}

describe('definition, references and rename', () => {
  before(async () => {
    client = await LspClient.start();
    await client.open('nav.py', MLP);
  });
  after(async () => {
    await client.stop();
  });

  it('goes from a layer-name string to the layer construction', async () => {
    const defs = await client.definition('nav.py', positionOf(MLP, 'get_layer("features")', 'get_layer("f'.length));
    assert.equal(defs.length, 1);
    assert.equal(defs[0].uri, client.uri('nav.py'));
    assert.deepEqual(text(defs, MLP), ['6:layers.Dense(32, name="features")']);
    const fromKey = await client.definition('nav.py', positionOf(MLP, '"probs": "cat', 2));
    assert.deepEqual(text(fromKey, MLP), ['7:layers.Dense(10, name="probs")']);
  });

  it('finds every string and variable that refers to a layer', async () => {
    const refs = await client.references('nav.py', positionOf(MLP, 'name="features"', 'name="f'.length));
    assert.deepEqual(text(refs, MLP).sort(), [
      '11:features', // the taps list
      '14:features', // get_layer in a loss body the analyzer never runs
      '6:features', // name= (the declaration)
      '6:features', // the tensor variable bound to its output
      '9:features', // compile dict key
      '10:features', // get_layer
    ].sort());
    const withoutDeclaration = await client.references('nav.py', positionOf(MLP, 'name="features"', 'name="f'.length), false);
    assert.equal(withoutDeclaration.length, refs.length - 1);
  });

  it('finds references from a variable bound to the layer', async () => {
    const refs = await client.references('nav.py', positionOf(MLP, 'x = hidden(inputs)', 'x = hi'.length));
    assert.deepEqual(text(refs, MLP).sort(), ['11:hidden', '4:hidden', '4:hidden', '5:x'].sort());
  });

  it('renames a layer: name= and every string reference, not variables', async () => {
    const pos = positionOf(MLP, 'get_layer("features")', 'get_layer("fe'.length);
    const prepared = await client.prepareRename('nav.py', pos);
    assert.deepEqual(prepared && 'placeholder' in prepared ? prepared.placeholder : undefined, 'features');
    const edit = await client.rename('nav.py', pos, 'embedding');
    const renamed = applyEdits(MLP, edit!.changes![client.uri('nav.py')]);
    assert.equal(renamed, MLP.replaceAll('"features"', '"embedding"'));
    assert.ok(renamed.includes('features = layers.Dense(32, name="embedding")(x)'));
  });

  it('refuses to rename automatic names and names that would clash', async () => {
    const auto = `${MLP}\nd = model.get_layer("input_layer")\n`;
    await client.open('nav_auto.py', auto);
    await assert.rejects(client.prepareRename('nav_auto.py', positionOf(auto, '"input_layer")', 3)), (e: ResponseError<void>) => /automatic name/.test(e.message));
    await assert.rejects(client.rename('nav.py', positionOf(MLP, 'name="probs"', 8), 'hidden'), /already has a layer named 'hidden'/);
    assert.equal(await client.prepareRename('nav.py', positionOf(MLP, 'optimizer="adam"', 12)), null);
  });

  it('renames the seed layer whose name comes from a parameter default', async () => {
    const seed = readFileSync(join(__dirname, '..', 'fixtures', 'keras', 'seed_activation_loss.py'), 'utf8');
    const probe = `${seed}\nfeat = model.get_layer('dense_intermediate').output\n`;
    await client.open('seed_rename.py', probe);
    const pos = positionOf(probe, "get_layer('dense_intermediate')", "get_layer('d".length);
    const defs = await client.definition('seed_rename.py', pos);
    assert.match(text(defs, probe)[0], /layers\.Dense\(32, activation='relu', name=activation_layer_name\)/);
    const edit = await client.rename('seed_rename.py', pos, 'bottleneck');
    const renamed = applyEdits(probe, edit!.changes![client.uri('seed_rename.py')]);
    assert.ok(renamed.includes("activation_layer_name='bottleneck'"));
    assert.ok(renamed.includes("get_layer('bottleneck')"));
    assert.ok(!renamed.includes('dense_intermediate'));
  });
});

describe('navigation across workspace files', () => {
  const MODELS = `import keras
from keras import layers

def build_model():
    inputs = keras.Input(shape=(20,))
    x = layers.Dense(16, activation="relu", name="encoder_out")(inputs)
    out = layers.Dense(1, name="score")(x)
    return keras.Model(inputs, out, name="scorer")
`;
  const MAIN = `from models import build_model

model = build_model()
enc = model.get_layer("encoder_out")
model.compile(optimizer="adam", loss={"score": "mse"})
`;
  const REPORT = `from models import build_model

m = build_model()
print(m.get_layer("encoder_out").output)
`;
  let ws: LspClient;

  before(async () => {
    ws = await LspClient.start();
    ws.writeFile('models.py', MODELS);
    ws.writeFile('report.py', REPORT); // not open: found on disk
    await ws.open('main.py', MAIN);
  });
  after(async () => {
    await ws.stop();
  });

  it('goes to the construction in the imported module', async () => {
    const defs = await ws.definition('main.py', positionOf(MAIN, '"encoder_out"', 2));
    assert.equal(defs.length, 1);
    assert.equal(defs[0].uri, ws.uri('models.py'));
    assert.deepEqual(text(defs, MODELS), ['5:layers.Dense(16, activation="relu", name="encoder_out")']);
  });

  it('finds references in open documents and workspace files on disk', async () => {
    const refs = await ws.references('main.py', positionOf(MAIN, '"encoder_out"', 2));
    const byFile = (name: string) => refs.filter((r) => r.uri === ws.uri(name));
    assert.deepEqual(text(byFile('main.py'), MAIN).sort(), ['3:encoder_out', '3:enc'].sort());
    assert.deepEqual(text(byFile('models.py'), MODELS).sort(), ['5:encoder_out', '5:x'].sort());
    assert.deepEqual(text(byFile('report.py'), REPORT), ['3:encoder_out']);
  });

  it('renames across files, and the edited workspace still resolves', async () => {
    const edit = await ws.rename('main.py', positionOf(MAIN, '"encoder_out"', 2), 'embedding');
    const texts = applyWorkspaceEdit({ [ws.uri('main.py')]: MAIN, [ws.uri('models.py')]: MODELS, [ws.uri('report.py')]: REPORT }, edit!);
    assert.equal(texts[ws.uri('models.py')], MODELS.replace('"encoder_out"', '"embedding"'));
    assert.equal(texts[ws.uri('main.py')], MAIN.replace('"encoder_out"', '"embedding"'));
    assert.equal(texts[ws.uri('report.py')], REPORT.replace('"encoder_out"', '"embedding"'));
  });
});
