// Tap Layer / Untap Layer in the editor context menu: the context-key values at the cursor
// (client/src/layer-context.ts) and the menu entries their `when` clauses then show.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ModelGraph } from '../../graph/model-graph';
import { Commands } from '../../protocol/protocol';
import { ContextKeys, CONTRIBUTES } from '../../client/src/contributions';
import { layerContextAt, NO_LAYER, type LayerContext } from '../../client/src/layer-context';
import { modelKey } from '../../client/src/model-target';
import { graphOf, TWO_MODELS } from './helpers';

const FILE = '/work/project/train.py';
let graph: ModelGraph;
before(async () => {
  graph = await graphOf(TWO_MODELS, FILE);
});

const at = (line: number, character: number) => ({ line, character });
const CLF = modelKey(FILE, 'clf');
const noTaps = () => [] as string[];
const taps = (byKey: Record<string, string[]>) => (key: string) => byKey[key] ?? [];

/** Evaluates a `when` clause made of `&&`-joined `key`, `!key` and `key == value` terms (all this extension uses). */
function when(clause: string | undefined, context: Record<string, unknown>): boolean {
  if (!clause) return true;
  return clause.split('&&').every((raw) => {
    const term = raw.trim();
    const eq = /^([\w.]+)\s*==\s*'?([^']*)'?$/.exec(term);
    if (eq) return String(context[eq[1]!]) === eq[2];
    if (term.startsWith('!')) return !context[term.slice(1)];
    assert.match(term, /^[\w.]+$/, `unsupported when term ${term}`);
    return !!context[term];
  });
}

/** The Model Lens tap entries the editor context menu shows for a layer context. */
function contextMenuTapEntries(c: LayerContext): string[] {
  const context = { editorLangId: 'python', [ContextKeys.onLayerReference]: c.onLayerReference, [ContextKeys.onTappedLayer]: c.onTappedLayer };
  return CONTRIBUTES.menus['editor/context']
    .filter((item) => item.command === Commands.tapLayer || item.command === Commands.untapLayer)
    .filter((item) => when(item.when, context))
    .map((item) => item.command);
}

describe('layerContextAt', () => {
  it('is on an untapped layer at a get_layer("…") string, a variable bound to the layer and its name= argument', () => {
    for (const pos of [at(21, 26), at(21, 2), at(13, 48)]) {
      assert.deepEqual(layerContextAt(graph, FILE, pos, noTaps), { onLayerReference: true, onTappedLayer: false, layer: 'hidden', key: CLF }, JSON.stringify(pos));
    }
  });
  it('uses the Tap command\'s model key: tapped in that model only', () => {
    assert.equal(layerContextAt(graph, FILE, at(21, 26), taps({ [CLF]: ['hidden'] })).onTappedLayer, true);
    assert.equal(layerContextAt(graph, FILE, at(21, 26), taps({ [CLF]: ['out'] })).onTappedLayer, false);
    assert.equal(layerContextAt(graph, FILE, at(21, 26), taps({ [modelKey(FILE, 'encoder')]: ['hidden'] })).onTappedLayer, false);
    assert.equal(layerContextAt(graph, '/elsewhere/train.py', at(21, 26), taps({ [CLF]: ['hidden'] })).onTappedLayer, false);
  });
  it('is on a layer inside its construction', () => {
    assert.equal(layerContextAt(graph, FILE, at(14, 12), noTaps).layer, 'out');
    assert.equal(layerContextAt(graph, FILE, at(6, 10), noTaps).layer, 'enc_dense');
  });
  it('is off a layer on other lines, on the model variable, on an Input layer, and without a file or graph', () => {
    assert.deepEqual(layerContextAt(graph, FILE, at(0, 1), noTaps), NO_LAYER, 'an import');
    assert.deepEqual(layerContextAt(graph, FILE, at(11, 1), noTaps), NO_LAYER, 'the model variable');
    assert.deepEqual(layerContextAt(graph, FILE, at(16, 2), noTaps), NO_LAYER, 'compile()');
    assert.deepEqual(layerContextAt(graph, FILE, at(12, 10), noTaps), NO_LAYER, 'keras.Input(…)');
    assert.deepEqual(layerContextAt(graph, undefined, at(21, 26), noTaps), NO_LAYER, 'not a file on disk');
    assert.deepEqual(layerContextAt(null, FILE, at(21, 26), noTaps), NO_LAYER, 'no analysis');
    assert.deepEqual(layerContextAt(graph, FILE, undefined, noTaps), NO_LAYER, 'no cursor');
  });
});

describe('editor context menu: Tap / Untap Layer', () => {
  it('shows neither off a layer reference', () => {
    assert.deepEqual(contextMenuTapEntries(layerContextAt(graph, FILE, at(0, 1), noTaps)), []);
    assert.deepEqual(contextMenuTapEntries(layerContextAt(graph, FILE, at(17, 1), noTaps)), []);
  });
  it('shows Tap only on an untapped layer, Untap only on a tapped one', () => {
    assert.deepEqual(contextMenuTapEntries(layerContextAt(graph, FILE, at(21, 26), noTaps)), [Commands.tapLayer]);
    assert.deepEqual(contextMenuTapEntries(layerContextAt(graph, FILE, at(21, 26), taps({ [CLF]: ['hidden'] }))), [Commands.untapLayer]);
  });
  it('keeps both in the command palette of Python editors', () => {
    const palette = CONTRIBUTES.menus.commandPalette.filter((i) => i.command === Commands.tapLayer || i.command === Commands.untapLayer);
    assert.deepEqual(
      palette.map((i) => when(i.when, { editorLangId: 'python' })),
      [true, true],
    );
  });
});
