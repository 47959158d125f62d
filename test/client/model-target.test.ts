// Command argument resolution: which model / layer a command is about.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ModelGraph } from '../../graph/model-graph';
import {
  describeModel,
  findModel,
  layerAt,
  modelAt,
  modelKey,
  parseCommandArgs,
  parseModelKey,
  pickableModels,
  requestModelName,
  resolveModel,
  targetFromPanelState,
} from '../../client/src/model-target';
import { graphOf, TWO_MODELS } from './helpers';

let graph: ModelGraph;
before(async () => {
  graph = await graphOf(TWO_MODELS);
});

const at = (line: number, character: number) => ({ line, character });

describe('parseCommandArgs', () => {
  it('takes the code lens arguments', () => {
    assert.deepEqual(parseCommandArgs({ uri: 'file:///a.py', modelId: 'M1', modelName: 'classifier' }), { uri: 'file:///a.py', modelId: 'M1', modelName: 'classifier' });
  });
  it('takes a vscode.Uri (editor context menu) and a URI string', () => {
    const uri = { scheme: 'file', path: '/a.py', toString: () => 'file:///a.py' };
    assert.deepEqual(parseCommandArgs(uri), { uri: 'file:///a.py' });
    assert.deepEqual(parseCommandArgs('file:///b.py'), { uri: 'file:///b.py' });
  });
  it('takes { uri, layer, model } and ignores junk', () => {
    assert.deepEqual(parseCommandArgs({ uri: 'file:///a.py', layer: 'hidden', model: 'clf' }), { uri: 'file:///a.py', layer: 'hidden', modelName: 'clf' });
    assert.deepEqual(parseCommandArgs(undefined), {});
    assert.deepEqual(parseCommandArgs(42), {});
    assert.deepEqual(parseCommandArgs({ uri: 3, modelName: null }), {});
  });
});

describe('modelAt', () => {
  it('finds the model from its variable, its construction, a layer of it, its compile and fit calls', () => {
    assert.equal(modelAt(graph, at(11, 1))?.name, 'classifier', 'on `clf =`');
    assert.equal(modelAt(graph, at(13, 10))?.name, 'classifier', 'inside the Sequential([...])');
    assert.equal(modelAt(graph, at(16, 5))?.name, 'classifier', 'on compile');
    assert.equal(modelAt(graph, at(19, 12))?.name, 'classifier', 'on fit');
    assert.equal(modelAt(graph, at(9, 2))?.name, 'encoder', 'on `encoder =`');
    assert.equal(modelAt(graph, at(6, 12))?.name, 'encoder', 'on a layer built in the builder');
  });
  it('finds the model a get_layer string resolves against', () => {
    assert.equal(modelAt(graph, at(21, 25))?.name, 'classifier');
  });
  it('is undefined away from every model', () => {
    assert.equal(modelAt(graph, at(0, 3)), undefined);
  });
});

describe('resolveModel', () => {
  it('prefers the model named in the arguments, then the cursor', () => {
    assert.equal((resolveModel(graph, { modelName: 'encoder' }, at(13, 10)) as { model: { name: string } }).model.name, 'encoder');
    assert.equal((resolveModel(graph, {}, at(13, 10)) as { model: { name: string } }).model.name, 'classifier');
  });
  it('accepts a variable name, and a stale id when the name agrees', () => {
    assert.equal(findModel(graph, { modelName: 'clf' })?.name, 'classifier');
    assert.equal(findModel(graph, { modelId: 'M-stale', modelName: 'classifier' })?.name, 'classifier');
    const byId = graph.models.find((m) => m.name === 'encoder')!;
    assert.equal(findModel(graph, { modelId: byId.id, modelName: 'classifier' })?.name, 'classifier', 'a reused id of another model loses to the name');
  });
  it('offers a pick when the cursor is on no model and the file has several', () => {
    const r = resolveModel(graph, {}, at(0, 0));
    assert.equal(r.kind, 'pick');
    assert.deepEqual((r as { models: { name: string }[] }).models.map((m) => m.name), ['encoder', 'classifier']);
  });
  it('takes the only model without asking', async () => {
    const one = await graphOf('import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n');
    const r = resolveModel(one, {}, at(0, 0));
    assert.equal(r.kind, 'model');
  });
  it('explains when there is nothing to pick', async () => {
    const none = await graphOf('print("no model here")\n');
    const r = resolveModel(none, {});
    assert.equal(r.kind, 'none');
    assert.match((r as { reason: string }).reason, /no Keras model found in train\.py/);
    assert.equal(resolveModel(null, {}).kind, 'none');
    const missing = resolveModel(graph, { modelName: 'nope' });
    assert.match((missing as { reason: string }).reason, /no model 'nope'.*models: encoder, classifier/);
  });
});

describe('requestModelName', () => {
  it('uses a variable that selects exactly this model in the trainer', () => {
    const clf = findModel(graph, { modelName: 'classifier' })!;
    assert.equal(requestModelName(graph, clf), 'clf');
  });
  it('falls back to the name when no variable is bound', async () => {
    const g = await graphOf('import keras\ndef f():\n    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="tiny")\nf().summary()\n');
    const m = g.models[0]!;
    assert.equal(requestModelName(g, m), m.variables[0] ?? 'tiny');
  });
  it('skips a variable that an earlier model also answers to', () => {
    const fake: ModelGraph = {
      ...graph,
      models: [
        { ...graph.models[0]!, name: 'a', variables: ['m'] },
        { ...graph.models[1]!, name: 'b', variables: ['m'] },
      ],
    };
    assert.equal(requestModelName(fake, fake.models[1]!), 'b');
  });
});

describe('layerAt', () => {
  it('finds the layer of a get_layer string, of its name argument, of a variable bound to it', () => {
    assert.equal(layerAt(graph, at(21, 26))?.layer.name, 'hidden');
    assert.equal(layerAt(graph, at(13, 48))?.layer.name, 'hidden');
    assert.equal(layerAt(graph, at(21, 2))?.layer.name, 'hidden');
    assert.equal(layerAt(graph, at(21, 26))?.model.name, 'classifier');
  });
  it('finds the layer whose construction holds the cursor', () => {
    assert.equal(layerAt(graph, at(14, 12))?.layer.name, 'out');
    assert.equal(layerAt(graph, at(6, 10))?.layer.name, 'enc_dense');
  });
  it('is undefined on the model variable itself and away from layers', () => {
    assert.equal(layerAt(graph, at(11, 1)), undefined);
    assert.equal(layerAt(graph, at(0, 1)), undefined);
  });
});

describe('keys, quick pick lines, restored panel state', () => {
  it('round-trips model keys (paths may contain #)', () => {
    assert.deepEqual(parseModelKey(modelKey('/a/#b/c.py', 'clf')), { file: '/a/#b/c.py', model: 'clf' });
  });
  it('describes models for the quick pick', () => {
    const d = describeModel(findModel(graph, { modelName: 'clf' })!);
    assert.equal(d.label, 'classifier');
    assert.match(d.description, /^clf = Sequential · 2 layers · 643 params$/);
    assert.equal(d.detail, 'line 12');
    assert.equal(pickableModels(graph).length, 2);
  });
  it('reads the file and model from the webview state', () => {
    assert.deepEqual(targetFromPanelState({ version: 2, file: '/p/t.py', ui: { init: { file: '/p/t.py', model: { name: 'classifier', variables: ['clf'] } } }, run: null }), { file: '/p/t.py', model: 'clf' });
    assert.deepEqual(targetFromPanelState({ file: '/p/t.py', ui: { init: null }, run: { request: { model: 'enc' } } }), { file: '/p/t.py', model: 'enc' });
    assert.deepEqual(targetFromPanelState({ ui: { init: { file: '/p/u.py' } } }), { file: '/p/u.py' });
    assert.equal(targetFromPanelState(null), undefined);
    assert.equal(targetFromPanelState({ version: 2 }), undefined);
  });
});
