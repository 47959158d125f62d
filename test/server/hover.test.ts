/**
 * Hover on layer-name strings, layer/tensor/model variables and layer calls, over a real connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hover } from 'vscode-languageserver-protocol';
import { cursor, LspClient, positionOf } from './lsp-client';

const MLP = `import keras
from keras import layers

inputs = keras.Input(shape=(784,), name="pixels")
hidden = layers.Dense(64, activation="relu", name="hidden")
x = hidden(inputs)
x = layers.Dropout(0.25)(x)
conv_like = layers.Dense(32, activation="tanh", name="features", trainable=False)(x)
outputs = layers.Dense(10, activation="softmax", name="probs")(conv_like)
model = keras.Model(inputs, outputs, name="mlp")
`;

let client: LspClient;
let n = 0;

async function hoverAt(snippet: string): Promise<string> {
  const { text, position } = cursor(snippet);
  const name = `hover_${n++}.py`;
  await client.open(name, text);
  return value(await client.hover(name, position));
}

function value(hover: Hover | null): string {
  if (!hover) return '';
  const contents = hover.contents as { kind: string; value: string };
  assert.equal(contents.kind, 'markdown');
  return contents.value;
}

describe('hover', () => {
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('on a layer-name string: class, key config, shapes, params, kernel, neighbours, location', async () => {
    const md = await hoverAt(`${MLP}\nh = model.get_layer("hi|dden")\n`);
    assert.match(md, /\*\*`hidden`\*\* · `Dense` in model `mlp \(model\)`/);
    assert.match(md, /\| Output shape \| `\(None, 64\)` \|/);
    assert.match(md, /\| Params \| 50,240 \|/);
    assert.match(md, /\| Trainable \| yes \|/);
    assert.match(md, /\| Kernel \| `\(784, 64\)` \|/);
    assert.match(md, /\| units \| `64` \|/);
    assert.match(md, /\| activation \| `'relu'` \|/);
    assert.match(md, /\| Inbound \| `pixels` \|/);
    assert.match(md, /\| Outbound \| `dropout` \|/);
    assert.match(md, /Defined at line 5\./);
  });

  it('says when a layer is frozen', async () => {
    const md = await hoverAt(`${MLP}\nf = model.get_layer("feat|ures")\n`);
    assert.match(md, /\| Trainable \| no \|/);
    assert.match(md, /frozen/);
  });

  it('on a variable bound to a layer object', async () => {
    const md = await hoverAt(MLP.replace('x = hidden(inputs)', 'x = hid|den(inputs)'));
    assert.match(md, /\*\*`hidden`\*\* · `Dense`/);
  });

  it('on a variable bound to a Keras tensor: its shape and the layer that produced it', async () => {
    const md = await hoverAt(MLP.replace('name="probs")(conv_like)', 'name="probs")(conv_l|ike)'));
    assert.match(md, /Keras tensor `conv_like` · shape `\(None, 32\)`/);
    assert.match(md, /\*\*`features`\*\*/);
  });

  it('on a layer call expression', async () => {
    const md = await hoverAt(MLP.replace('layers.Dropout(0.25)(x)', 'layers.Drop|out(0.25)(x)'));
    assert.match(md, /\*\*`dropout`\*\* · `Dropout`/);
    assert.match(md, /\| rate \| `0.25` \|/);
  });

  it('on a model variable: its summary table', async () => {
    const md = await hoverAt(`${MLP}\nmod|el.summary()\n`);
    assert.match(md, /\*\*`mlp`\*\* · functional model \(`model`\) · 5 layers · 52,650 params/);
    assert.match(md, /```text\nModel: "mlp"/);
    assert.match(md, /hidden \(Dense\)\s+\(None, 64\)\s+50,240\s+pixels/);
    assert.match(md, /Total params: 52,650/);
  });

  it('the summary table follows the hover.summaryTable setting of the document', async () => {
    client.settings = (uri) => (uri?.endsWith('hover_notable.py') ? { hover: { summaryTable: false } } : {});
    try {
      const { text, position } = cursor(`${MLP}\nmod|el.summary()\n`);
      await client.open('hover_notable.py', text);
      const md = value(await client.hover('hover_notable.py', position));
      assert.match(md, /5 layers · 52,650 params/);
      assert.doesNotMatch(md, /```text/);
    } finally {
      client.settings = undefined;
    }
  });

  it('on a weight (`layer.kernel`, `get_layer(...).bias`, `emb.embeddings`): its Keras path, shape, values, and why it is no output', async () => {
    const kernel = await hoverAt(`${MLP}\nw = hidden.ker|nel\n`);
    assert.match(kernel, /\*\*`hidden\/kernel`\*\* · weight of layer `hidden` \(`Dense`\) in model `mlp \(model\)`/);
    assert.match(kernel, /\| Shape \| `\(784, 64\)` \|\n\| Values \| 50,176 \|\n\| Trainable \| yes \|/);
    assert.match(kernel, /not a Keras tensor: it cannot be a model output\. To penalise it, pass `kernel_regularizer=`/);
    const bias = await hoverAt(`${MLP}\nb = model.get_layer("probs").bi|as\n`);
    assert.match(bias, /\*\*`probs\/bias`\*\*[^]*\| Shape \| `\(10,\)` \|/);
    const embeddings = await hoverAt(`import keras\ntokens = keras.Input(shape=(40,), dtype="int32")\nemb = keras.layers.Embedding(5000, 50, name="emb")\nx = emb(tokens)\nm = keras.Model(tokens, [x, emb.embed|dings])\n`);
    assert.match(embeddings, /\*\*`emb\/embeddings`\*\*[^]*\| Shape \| `\(5000, 50\)` \|\n\| Values \| 250,000 \|/);
  });

  it("on a model's own name= string: its summary", async () => {
    const md = await hoverAt(MLP.replace('name="mlp"', 'name="m|lp"'));
    assert.match(md, /^\*\*`mlp`\*\* · functional model \(`model`\) · 5 layers · 52,650 params/);
  });

  it('on `model.layers[i].kernel` / `.output`: the layer Keras lists at that index (a functional model with its InputLayer, a Sequential without); none for a subclassed model', async () => {
    const kernel = await hoverAt(`${MLP}\nw = model.layers[1].ker|nel\n`);
    assert.match(kernel, /\*\*`hidden\/kernel`\*\* · weight of layer `hidden`/);
    const last = await hoverAt(`${MLP}\nout = model.layers[-1].out|put\n`);
    assert.match(last, /^Keras tensor `model\.layers\[-1\]\.output` · shape `\(None, 10\)` · output of:\n\n\*\*`probs`\*\*/);
    const sequential = await hoverAt(`import keras\ns = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="a"), keras.layers.Dense(2, name="b")])\nk = s.layers[0].ker|nel\n`);
    assert.match(sequential, /\*\*`a\/kernel`\*\*[^]*\| Shape \| `\(4, 3\)` \|/);
    const subclassed = `import keras\nimport numpy as np\nclass Net(keras.Model):\n    def __init__(self):\n        super().__init__()\n        self.body = keras.layers.Dense(8)\n    def call(self, x):\n        return self.body(x)\nnet = Net()\nnet(np.zeros((2, 5)))\nk = net.layers[0].ker|nel\n`;
    const { text, position } = cursor(subclassed);
    await client.open('hover_layers_index.py', text);
    assert.equal(await client.hover('hover_layers_index.py', position), null);
  });

  it("on a subclassed model's `self.<layer>` attributes, where they are set and where call() uses them", async () => {
    const program = (body: string) => `import keras\nimport numpy as np\nclass Net(keras.Model):\n    def __init__(self):\n        super().__init__()\n${body}\n    def call(self, x):\n        return self.head(self.body(x))\nnet = Net()\nnet(np.zeros((2, 5)))\n`;
    const layersOf = `        self.body = keras.layers.Dense(8, name="body")\n        self.head = keras.layers.Dense(2, name="head")`;
    const set = await hoverAt(program(layersOf.replace('self.body =', 'self.bo|dy =')));
    assert.match(set, /\*\*`body`\*\* · `Dense` in model `net`[^]*\| Output shape \| `\(None, 8\)` \|\n\| Params \| 48 \|/);
    const used = await hoverAt(program(layersOf).replace('return self.head(', 'return self.he|ad('));
    assert.match(used, /\*\*`head`\*\* · `Dense`[^]*\| Params \| 18 \|/);
  });

  it("on `get_layer(...).output`: the Keras tensor's shape and the layer behind it", async () => {
    const md = await hoverAt(`${MLP}\nfeat = keras.Model(model.inputs, model.get_layer("features").out|put)\n`);
    assert.match(md, /^Keras tensor `model\.get_layer\("features"\)\.output` · shape `\(None, 32\)` · output of:\n\n\*\*`features`\*\* · `Dense`/);
  });

  it('lists what feeds each call of a shared layer', async () => {
    const md = await hoverAt(`import keras\nleft = keras.Input((4,), name="left")\nright = keras.Input((4,), name="right")\nshared = keras.layers.Dense(12, name="shared_dense")\nm = keras.Model([left, right], keras.layers.Concatenate()([shared(left), shared(right)]))\nm.get_layer("shared_d|ense")\n`);
    assert.match(md, /\| Inbound \| `left` \(call 1\); `right` \(call 2\) \|/);
  });

  it('counts the weights Keras does not train (BatchNormalization statistics)', async () => {
    const md = await hoverAt(`import keras\nm = keras.Sequential([keras.Input((8,)), keras.layers.Dense(128), keras.layers.BatchNormalization(name="b|n")])\n`);
    assert.match(md, /\| Params \| 512 \(256 non-trainable\) \|/);
  });

  it('marks approximate names and unknown shapes', async () => {
    const md = await hoverAt(`import keras
from keras import layers
import random
inputs = keras.Input(shape=(8,))
x = inputs
for _ in range(random.randint(1, 3)):
    x = layers.Dense(8)(x)
out = layers.Dense(2)(x)
model = keras.Model(inputs, out)
print(o|ut)
`);
    assert.match(md, /\*\*`~dense_\d+`\*\*/);
    assert.match(md, /Approximate name/);
  });

  it('answers right after an edit, from the last analysis with positions mapped', async () => {
    const name = `hover_${n++}.py`;
    const text = `${MLP}\nh = model.get_layer("hidden")\n`;
    await client.open(name, text);
    await client.edit(name, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '# a comment\n# another\n');
    const pos = positionOf(client.text(name), 'get_layer("hidden")', 'get_layer("h'.length);
    assert.match(value(await client.hover(name, pos)), /\*\*`hidden`\*\*/);
    const conv = positionOf(client.text(name), '(conv_like)', 2);
    assert.match(value(await client.hover(name, conv)), /Keras tensor `conv_like`/);
  });

  it('nothing on unrelated names and strings', async () => {
    assert.equal(await hoverAt(`${MLP}\nprint("hel|lo")\n`), '');
    assert.equal(await hoverAt(`${MLP}\npri|nt(1)\n`), '');
  });
});
