/**
 * Layer-name completion over a real connection to dist/server.js.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CompletionItem } from 'vscode-languageserver-protocol';
import { applyEdits, cursor, LspClient, positionOf } from './lsp-client';

const TWO_MODELS = `import keras
from keras import layers

enc_in = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(64, activation="relu", name="hidden")(enc_in)
code = layers.Dense(16, name="code")(h)
encoder = keras.Model(enc_in, code, name="encoder")

dec_in = keras.Input(shape=(16,))
out = layers.Dense(784, activation="sigmoid", name="reconstruction")(dec_in)
decoder = keras.Model(dec_in, out, name="decoder")
`;

const TWO_OUTPUTS = `import keras
from keras import layers

inputs = keras.Input(shape=(784,))
x = layers.Dense(64, activation="relu")(inputs)
features = layers.Dense(32, activation="relu", name="features")(x)
probs = layers.Dense(10, activation="softmax", name="probs")(features)
model = keras.Model(inputs=inputs, outputs=[probs, features])
`;

let client: LspClient;
let n = 0;

/** Opens the snippet (cursor marked with |) as a fresh document and completes at the cursor. */
async function complete(snippet: string): Promise<{ items: CompletionItem[]; text: string; name: string }> {
  const { text, position } = cursor(snippet);
  const name = `completion_${n++}.py`;
  await client.open(name, text);
  return { items: await client.completion(name, position), text, name };
}

function labels(items: CompletionItem[]): string[] {
  return items.map((i) => i.label);
}

function insert(text: string, item: CompletionItem): string {
  const edit = item.textEdit as { range: import('vscode-languageserver-protocol').Range; newText: string };
  return applyEdits(text, [edit]);
}

describe('completion of layer names', () => {
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('completes inside get_layer("|") with the quotes already typed', async () => {
    const { items, text } = await complete(`${TWO_MODELS}\nlayer = encoder.get_layer("|")\n`);
    assert.deepEqual(labels(items), ['pixels', 'hidden', 'code']);
    const hidden = items.find((i) => i.label === 'hidden')!;
    assert.match(hidden.detail!, /Dense · \(None, 64\) · 50,240 params/);
    assert.equal(hidden.labelDetails?.detail, ' Dense');
    assert.match(hidden.labelDetails!.description!, /\(None, 64\) · 50,240 params/);
    assert.ok(insert(text, hidden).includes('encoder.get_layer("hidden")'));
  });

  it('inserts the quotes when none are typed, and replaces a typed prefix', async () => {
    const noQuote = await complete(`${TWO_MODELS}\nlayer = encoder.get_layer(|)\n`);
    assert.ok(insert(noQuote.text, noQuote.items.find((i) => i.label === 'code')!).includes('encoder.get_layer("code")'));
    const prefix = await complete(`${TWO_MODELS}\nlayer = encoder.get_layer('hid|')\n`);
    const item = prefix.items.find((i) => i.label === 'hidden')!;
    assert.ok(insert(prefix.text, item).includes(`encoder.get_layer('hidden')`));
  });

  it('completes get_layer(name="|")', async () => {
    const { items } = await complete(`${TWO_MODELS}\nlayer = decoder.get_layer(name="|")\n`);
    assert.deepEqual(labels(items), ['input_layer', 'reconstruction']);
  });

  it('lets the receiver decide the model; an unknown receiver gets every model, grouped', async () => {
    const { items } = await complete(`${TWO_MODELS}\nmodels = [encoder, decoder]\nlayer = models[0].get_layer("|")\n`);
    assert.deepEqual(labels(items), ['pixels', 'hidden', 'code', 'input_layer', 'reconstruction']);
    assert.match(items[0].labelDetails!.description!, /^encoder · /);
    assert.match(items[4].labelDetails!.description!, /^decoder · /);
    const sorted = [...items].sort((a, b) => a.sortText!.localeCompare(b.sortText!));
    assert.deepEqual(labels(sorted), labels(items), 'sortText keeps models grouped, layers in order');
  });

  it('completes inside keras.Model(outputs=[model.get_layer("|").output])', async () => {
    const { items } = await complete(`${TWO_MODELS}\nprobe = keras.Model(encoder.input, outputs=[encoder.get_layer("|").output])\n`);
    assert.deepEqual(labels(items), ['pixels', 'hidden', 'code']);
  });

  it('completes output names as dict keys of compile(loss=, loss_weights=, metrics=)', async () => {
    for (const arg of ['loss={"|"}', 'loss={"probs": "categorical_crossentropy", "|"}', 'loss_weights={|}', 'metrics={\n    "|"\n}']) {
      const { items } = await complete(`${TWO_OUTPUTS}\nmodel.compile(optimizer="adam", ${arg})\n`);
      assert.deepEqual(labels(items), ['probs', 'features'], arg);
    }
  });

  it('completes output names as keys of fit(y={...}) and fit(x, {...})', async () => {
    const keyword = await complete(`${TWO_OUTPUTS}\nimport numpy as np\nx = np.zeros((8, 784))\nmodel.fit(x, y={"|": np.zeros((8, 10))})\n`);
    assert.deepEqual(labels(keyword.items), ['probs', 'features']);
    const positional = await complete(`${TWO_OUTPUTS}\nmodel.fit(x, {'probs': y, '|'})\n`);
    assert.deepEqual(labels(positional.items), ['probs', 'features']);
  });

  it('does not complete dict values, other calls, comments or unrelated strings', async () => {
    for (const tail of ['model.compile(loss={"probs": "|"})', 'print("|")', '# model.get_layer("|")', 'opt = {"|": 1}', 'model.compile(optimizer="|")']) {
      const { items } = await complete(`${TWO_OUTPUTS}\n${tail}\n`);
      assert.deepEqual(items, [], tail);
    }
  });

  it('completes in lists of layer names', async () => {
    const sibling = await complete(`${TWO_OUTPUTS}\ntaps = ["features", "|"]\n`);
    assert.ok(labels(sibling.items).includes('probs'));
    const byName = await complete(`${TWO_OUTPUTS}\nlayer_names = [|]\n`);
    assert.ok(labels(byName.items).includes('features'));
    const unrelated = await complete(`${TWO_OUTPUTS}\ncolors = ["red", "|"]\n`);
    assert.deepEqual(unrelated.items, []);
  });

  it("completes the names a loop passes to get_layer: a for statement's list and a comprehension's, from the receiver's model", async () => {
    const statement = await complete(`${TWO_OUTPUTS}\nfor n in ["|"]:\n    print(model.get_layer(n).output.shape)\n`);
    assert.deepEqual(labels(statement.items), ['input_layer', 'dense', 'features', 'probs']);
    const comprehension = await complete(`${TWO_OUTPUTS}\nprobe = keras.Model(model.inputs, [model.get_layer(name=n).output for n in ["dense", |]])\n`);
    assert.deepEqual(labels(comprehension.items), ['input_layer', 'dense', 'features', 'probs']);
    assert.equal(insert(comprehension.text, comprehension.items[2]), `${TWO_OUTPUTS}\nprobe = keras.Model(model.inputs, [model.get_layer(name=n).output for n in ["dense", "features"]])\n`);
    // The loop variable used otherwise, or get_layer after the loop's body: not names.
    assert.deepEqual((await complete(`${TWO_OUTPUTS}\nfor n in ["|"]:\n    print(n)\nmodel.get_layer(n)\n`)).items, []);
  });

  it('marks approximate automatic names', async () => {
    const { items } = await complete(`import keras
from keras import layers
import random

inputs = keras.Input(shape=(8,))
x = inputs
for _ in range(random.randint(1, 3)):
    x = layers.Dense(8)(x)
out = layers.Dense(2)(x)
model = keras.Model(inputs, out)
layer = model.get_layer("|")
`);
    const approximate = items.filter((i) => i.labelDetails?.description?.includes('~approximate name'));
    assert.ok(approximate.length > 0, JSON.stringify(items.map((i) => [i.label, i.labelDetails])));
    assert.ok(approximate.every((i) => i.detail?.includes('approximate name')));
  });

  it('works while other parts of the file have syntax errors', async () => {
    const { items } = await complete(`${TWO_MODELS}
def broken(:
    return [

layer = encoder.get_layer("|
`);
    assert.deepEqual(labels(items), ['pixels', 'hidden', 'code']);
  });

  it('keeps answering while typing, and picks up new layers once re-analysed', async () => {
    const { text, position } = cursor(`${TWO_MODELS}\nlayer = encoder.get_layer("|")\n`);
    const name = `completion_${n++}.py`;
    await client.open(name, text);
    // Type a new layer into the encoder, then complete right away: answered from the last analysis.
    const at = positionOf(text, 'encoder = keras.Model');
    const version = await client.edit(name, { start: at, end: at }, 'extra = layers.Dense(4, name="extra")(code)\n');
    const moved = { line: position.line + 1, character: position.character };
    assert.deepEqual(labels(await client.completion(name, moved)), ['pixels', 'hidden', 'code']);
    await client.diagnostics(client.uri(name), version);
    // The encoder's outputs are still `code`, so `extra` is not one of its layers; a new model using it is.
    const withExtra = `${client.text(name)}\nbig = keras.Model(enc_in, extra, name="big")\nbig.get_layer("")\n`;
    const v2Diagnostics = client.replace(name, withExtra);
    await v2Diagnostics;
    const items = await client.completion(name, positionOf(withExtra, 'big.get_layer("', 'big.get_layer("'.length));
    assert.deepEqual(labels(items), ['pixels', 'hidden', 'code', 'extra']);
  });

  it('resolves an item to its full description', async () => {
    const { items } = await complete(`${TWO_MODELS}\nlayer = encoder.get_layer("|")\n`);
    const resolved = await client.resolveCompletion(items.find((i) => i.label === 'hidden')!);
    const doc = resolved.documentation as { kind: string; value: string };
    assert.equal(doc.kind, 'markdown');
    assert.match(doc.value, /\| units \| `64` \|/);
    assert.match(doc.value, /\| Inbound \| `pixels` \|/);
  });
});
