/**
 * Code lens, document symbols, the modelLens/modelGraph request and per-resource settings, over a
 * real connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Commands, type ModelCommandArgs } from '../../protocol/protocol';
import { LspClient } from './lsp-client';

const TWO = `import keras
from keras import layers

def build_classifier():
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu", name="hidden")(inputs)
    outputs = layers.Dense(10, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name="classifier")

model = build_classifier()

seq = keras.Sequential([
    keras.Input(shape=(4,)),
    layers.Dense(3, name="a"),
    layers.Dense(1, name="b"),
], name="tiny")
`;

describe('code lens, symbols, model graph, settings', () => {
  let client: LspClient;
  const disabled = new Set<string>();

  before(async () => {
    client = await LspClient.start({
      settings: (uri) => (uri && disabled.has(uri) ? { diagnostics: { enabled: false }, codeLens: { enabled: false } } : {}),
    });
    await client.open('two.py', TWO);
  });
  after(async () => {
    await client.stop();
  });

  it('puts "N layers · P params" and "▶ Train & Inspect" above each model', async () => {
    const lenses = await client.codeLenses('two.py');
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command]),
      [
        [9, '3 layers · 50,890 params', Commands.showModelSummary],
        [9, '▶ Train & Inspect', Commands.trainAndInspect],
        [11, '2 layers · 19 params', Commands.showModelSummary],
        [11, '▶ Train & Inspect', Commands.trainAndInspect],
      ],
    );
    const args = lenses[1].command!.arguments![0] as ModelCommandArgs;
    assert.deepEqual(args, { uri: client.uri('two.py'), modelId: args.modelId, modelName: 'classifier' });
    assert.equal(Commands.trainAndInspect, 'modelLens.trainAndInspect');
  });

  it('says "unbuilt" (as Keras does), not approximate, for a model that has no input shape yet', async () => {
    const text = `import keras\nfrom keras import layers\nmodel = keras.Sequential([layers.Dense(32, activation="relu"), layers.Dense(1)])\nbuilt = keras.Sequential([layers.Dense(2)])\nbuilt.build((None, 7))\n`;
    await client.open('unbuilt.py', text);
    const titles = (await client.codeLenses('unbuilt.py')).filter((l) => l.command?.command === Commands.showModelSummary).map((l) => l.command?.title);
    assert.deepEqual(titles, ['2 layers · unbuilt', '1 layer · 16 params']);
    const hover = await client.hover('unbuilt.py', { line: 2, character: 2 });
    const markdown = (hover!.contents as { value: string }).value;
    assert.match(markdown, /0 \(unbuilt\)/);
    assert.match(markdown, /_Not built yet: Keras knows no shapes or parameters until the model gets an input shape/);
    assert.doesNotMatch(markdown, /approximate/);
  });

  it('a module of builder functions that nothing in it calls (a models.py): its models as a call with the defaults builds them', async () => {
    const text = `import keras\nfrom keras import layers\n\ndef build_model(num_classes=10):\n    inputs = keras.Input(shape=(32,), name="features")\n    x = layers.Dense(16, name="bottleneck")(inputs)\n    x = layers.Dense(8)(x)\n    model = keras.Model(inputs, layers.Dense(num_classes, name="logits")(x), name="mlp")\n    model.get_layer("")\n    return model\n\ndef loss_fn(y_true, y_pred):\n    return keras.ops.mean((y_true - y_pred) ** 2)\n`;
    const diagnostics = await client.open('builders.py', text);
    assert.deepEqual(diagnostics, []);
    const titles = (await client.codeLenses('builders.py')).filter((l) => l.command?.command === Commands.showModelSummary).map((l) => l.command?.title);
    assert.deepEqual(titles, ['~4 layers · ~754 params']);
    const hover = await client.hover('builders.py', { line: 7, character: 6 });
    const markdown = (hover!.contents as { value: string }).value;
    assert.match(markdown, /bottleneck \(Dense\)\s+\(None, 16\)\s+528/);
    assert.match(markdown, /~dense \(Dense\)/, 'an automatic name depends on the caller');
    assert.match(markdown, /Nothing in this file calls `build_model\(\)`/);
    const items = await client.completion('builders.py', { line: 8, character: 21 });
    assert.deepEqual(items.map((i) => i.label), ['features', 'bottleneck', 'dense', 'logits']);
  });

  it('a keras.applications base: exact name and counts with a head on it; a fine-tuning loop over its unlisted layers makes the trainable split unknown', async () => {
    const program = (tuning: string) => `import keras\nbase = keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights=None)\n${tuning}\ninputs = keras.Input(shape=(96, 96, 3))\nx = keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))\nmodel = keras.Model(inputs, keras.layers.Dense(3)(x))\n`;
    const summaryOf = async (name: string, text: string) => {
      await client.open(name, text);
      const lines = text.split('\n');
      const hover = await client.hover(name, { line: lines.findIndex((l) => l.startsWith('model = ')), character: 1 });
      return (hover!.contents as { value: string }).value;
    };
    // Checked against Keras 3.15: 2,257,984 params in the base (none trainable once frozen), 3,843 in the head.
    const frozen = await summaryOf('frozen.py', program('base.trainable = False'));
    assert.match(frozen, /mobilenetv2_1\.00_96 \(Functional\)\s+\(None, 3, 3, 1280\)\s+2,257,984/);
    assert.match(frozen, /Total params: 2,261,827\n Trainable params: 3,843\n Non-trainable params: 2,257,984/);
    const tuned = await summaryOf('tuned.py', program('for layer in base.layers[:100]:\n    layer.trainable = False'));
    assert.match(tuned, /Total params: 2,261,827\n Trainable params: \?\n Non-trainable params: \?/);
  });

  it('marks a model Keras cannot build (a weight as an output)', async () => {
    const text = `import keras\ninputs = keras.Input(shape=(4,))\ndense = keras.layers.Dense(3)\nmodel = keras.Model(inputs, [dense(inputs), dense.kernel])\n`;
    await client.open('refused.py', text);
    const titles = (await client.codeLenses('refused.py')).filter((l) => l.command?.command === Commands.showModelSummary).map((l) => l.command?.title);
    assert.deepEqual(titles, ['$(warning) 2 layers · 15 params · Keras cannot build it']);
  });

  it('lists models and their layers as document symbols', async () => {
    const symbols = await client.documentSymbols('two.py');
    assert.deepEqual(
      symbols.map((s) => [s.name, s.detail, s.children?.map((c) => `${c.name}: ${c.detail}`)]),
      [
        ['model (classifier)', 'functional · 3 layers · 50,890 params', ['input_layer: InputLayer (None, 784)', 'hidden: Dense (None, 64)', 'probs: Dense (None, 10)']],
        ['seq (tiny)', 'sequential · 2 layers · 19 params', ['a: Dense (None, 3)', 'b: Dense (None, 1)']],
      ],
    );
    for (const s of symbols) {
      for (const c of s.children ?? []) {
        const inside = (p: { line: number; character: number }) =>
          (p.line > s.range.start.line || (p.line === s.range.start.line && p.character >= s.range.start.character)) &&
          (p.line < s.range.end.line || (p.line === s.range.end.line && p.character <= s.range.end.character));
        assert.ok(inside(c.range.start) && inside(c.range.end), `${c.name} inside ${s.name}`);
      }
    }
  });

  it('keeps shapes exact through a Lambda that resizes with tf.image.resize (as Keras computes them)', async () => {
    const text = `import tensorflow as tf\nimport keras\ninp = keras.Input(shape=(32, 32, 3))\nsmall = keras.layers.Lambda(lambda t: tf.image.resize(t, (16, 16)))(inp)\nmodel = keras.Model(inp, keras.layers.Conv2D(16, 3)(small))\n`;
    await client.open('lambda_resize.py', text);
    const titles = (await client.codeLenses('lambda_resize.py')).filter((l) => l.command?.command === Commands.showModelSummary).map((l) => l.command?.title);
    assert.deepEqual(titles, ['3 layers · 448 params']);
  });

  it('names a model in the outline by the variable first bound to it, not the alphabetically first', async () => {
    const text = `import keras\ninputs = keras.Input(shape=(4,))\nencoder = keras.Model(inputs, keras.layers.Dense(2)(inputs), name="enc")\ne = encoder\n`;
    await client.open('outline_names.py', text);
    assert.deepEqual((await client.documentSymbols('outline_names.py')).map((s) => s.name), ['encoder (enc)']);
  });

  it('answers modelLens/modelGraph with the document graph', async () => {
    const graph = await client.modelGraph('two.py');
    assert.ok(graph);
    assert.deepEqual(graph.models.map((m) => [m.name, m.kind, m.totalParams]), [
      ['classifier', 'functional', 50890],
      ['tiny', 'sequential', 19],
    ]);
    assert.ok(graph.file.endsWith('two.py'));
  });

  it('answers modelLens/modelGraph for a file that is not open', async () => {
    client.writeFile('closed.py', TWO);
    const graph = await client.modelGraph('closed.py');
    assert.equal(graph?.models.length, 2);
  });

  it('reads settings per resource: diagnostics and code lens off for one file only', async () => {
    const broken = `import keras\nm = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, name="x")])\nm.get_layer("y")\n`;
    disabled.add(client.uri('quiet.py'));
    assert.deepEqual(await client.open('quiet.py', broken), []);
    assert.deepEqual(await client.codeLenses('quiet.py'), []);
    const loud = await client.open('loud.py', broken);
    assert.deepEqual(loud.map((d) => d.code), ['unknown-layer']);
    assert.equal((await client.codeLenses('loud.py')).length, 2);
  });

  it('serves over Node IPC as well as stdio', async () => {
    const ipc = await LspClient.start({ transport: 'ipc' });
    try {
      const text = `import keras\nm = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, name="x")])\nm.get_layer("")\n`;
      await ipc.open('ipc.py', text);
      const items = await ipc.completion('ipc.py', { line: 2, character: 'm.get_layer("'.length });
      assert.deepEqual(items.map((i) => i.label), ['x']);
    } finally {
      await ipc.stop();
    }
  });

  it('works without workspace/configuration support (defaults)', async () => {
    const bare = await LspClient.start({ configuration: false });
    try {
      const diagnostics = await bare.open('a.py', `import keras\nm = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, name="x")])\nm.get_layer("y")\n`);
      assert.deepEqual(diagnostics.map((d) => d.code), ['unknown-layer']);
    } finally {
      await bare.stop();
    }
  });
});
