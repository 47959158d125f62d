/**
 * Multi-file workspaces over a real connection: `from models import build_model` resolves; edits
 * to the module (open, unsaved) and changes on disk update the documents that import it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LspClient, positionOf, message } from './lsp-client';

const MODELS = `import keras
from keras import layers

def build_model(units=16):
    inputs = keras.Input(shape=(20,), name="features_in")
    x = layers.Dense(units, activation="relu", name="encoder_out")(inputs)
    out = layers.Dense(1, name="score")(x)
    return keras.Model(inputs, out, name="scorer")
`;

const MAIN = `from models import build_model

model = build_model()
enc = model.get_layer("encoder_out")
model.get_layer("")
`;

describe('workspace modules', () => {
  let client: LspClient;

  before(async () => {
    client = await LspClient.start();
    client.writeFile('models.py', MODELS);
    client.writeFile('pkg/__init__.py', '');
    client.writeFile('pkg/nets.py', MODELS.replace('build_model', 'build_net').replace('"scorer"', '"net"'));
  });
  after(async () => {
    await client.stop();
  });

  it('resolves models built in an imported module: completion, hover, no false diagnostics', async () => {
    assert.deepEqual(await client.open('main.py', MAIN), []);
    const items = await client.completion('main.py', positionOf(MAIN, 'get_layer("")', 'get_layer("'.length));
    assert.deepEqual(items.map((i) => i.label), ['features_in', 'encoder_out', 'score']);
    const hover = await client.hover('main.py', positionOf(MAIN, '"encoder_out"', 3));
    const md = (hover!.contents as { value: string }).value;
    assert.match(md, /\*\*`encoder_out`\*\* · `Dense` in model `scorer \(model\)`/);
    assert.match(md, /Defined in \[models\.py:6\]\(file:\/\/.*models\.py#L6\)/);
  });

  it('resolves packages and relative-style imports', async () => {
    const text = `from pkg.nets import build_net\nnet = build_net(units=8)\nnet.get_layer("encoder_out")\n`;
    assert.deepEqual(await client.open('uses_pkg.py', text), []);
    const hover = await client.hover('uses_pkg.py', positionOf(text, '"encoder_out"', 3));
    assert.match((hover!.contents as { value: string }).value, /\(None, 8\)/);
  });

  it('an edit to the open module updates its dependants', async () => {
    await client.open('main2.py', MAIN.replace('model.get_layer("")\n', ''));
    assert.deepEqual(await client.latestDiagnostics('main2.py'), []);
    await client.open('models.py', MODELS);
    // Rename the layer in the module (unsaved): main2.py's get_layer("encoder_out") is now unknown.
    const at = positionOf(MODELS, 'name="encoder_out"', 'name="'.length);
    await client.edit('models.py', { start: at, end: { line: at.line, character: at.character + 'encoder_out'.length } }, 'embedding');
    const updated = await waitFor(async () => {
      const diagnostics = client.lastPublished('main2.py') ?? [];
      return diagnostics.length > 0 ? diagnostics : undefined;
    });
    assert.equal(updated[0].code, 'unknown-layer');
    assert.match(message(updated[0]), /Its layers: 'features_in', 'embedding', 'score'/);
    await client.close('models.py');
  });

  it('a layer named by a constant of another module: references stay out of this text', async () => {
    client.writeFile('names.py', `HIDDEN = "hidden_units"\n`);
    // This file's first line holds a string exactly where names.py holds the constant's literal.
    const text = `NOTE_X = "unrelated_12"\nimport keras\nfrom names import HIDDEN\ni = keras.Input(shape=(4,))\nm = keras.Model(i, keras.layers.Dense(3, name=HIDDEN)(i))\nm.get_layer("hidden_units")\n`;
    await client.open('named_elsewhere.py', text);
    const refs = await client.references('named_elsewhere.py', positionOf(text, 'get_layer("hidden_units")', 'get_layer("h'.length));
    const here = refs.filter((r) => r.uri === client.uri('named_elsewhere.py')).map((r) => text.split('\n')[r.range.start.line].slice(r.range.start.character, r.range.end.character));
    assert.deepEqual(here, ['hidden_units'], 'only the get_layer string in this file, not whatever text sits at the constant\'s position');
  });

  it('a change on disk (watched files) updates its dependants', async () => {
    const text = `from helpers import make\nm = make()\nm.get_layer("")\n`;
    client.writeFile('helpers.py', `import keras\ndef make():\n    i = keras.Input(shape=(3,))\n    return keras.Model(i, keras.layers.Dense(2, name="first")(i))\n`);
    await client.open('uses_helpers.py', text);
    const pos = positionOf(text, 'get_layer("")', 'get_layer("'.length);
    assert.deepEqual((await client.completion('uses_helpers.py', pos)).map((i) => i.label), ['input_layer', 'first']);
    client.writeFile('helpers.py', `import keras\ndef make():\n    i = keras.Input(shape=(3,))\n    return keras.Model(i, keras.layers.Dense(2, name="second")(i))\n`);
    client.fileChanged('helpers.py');
    const labels = await waitFor(async () => {
      const items = (await client.completion('uses_helpers.py', pos)).map((i) => i.label);
      return items.includes('second') ? items : undefined;
    });
    assert.deepEqual(labels, ['input_layer', 'second']);
  });
});

/** Polls a condition that depends on the server finishing background work (re-analysis after a dependency changed). */
async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
