/// <reference types="mocha" />
// The editor context menu's Tap Layer / Untap Layer entries follow the cursor: the context keys
// their `when` clauses read (modelLens.onLayerReference, modelLens.onTappedLayer) as the extension
// sets them while the selection moves in a real editor. VS Code cannot read a context key back, so
// the values are the ones the extension last sent with `setContext` (API `contextKeys()`); the
// `when` clauses themselves are checked against these keys in test/client/layer-context.test.ts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands } from '../../../protocol/protocol';
import { activate, open, positionOf, until, USER_FILE, writeFile } from './util';

const ON_REF = 'modelLens.onLayerReference';
const TAPPED = 'modelLens.onTappedLayer';

suite('Tap / Untap Layer context keys in a real VS Code', () => {
  test('are set on a layer reference, follow its tapped state, and are cleared off it', async function () {
    this.timeout(90_000);
    const api = await activate();
    const uri = writeFile('tap_menu.py', USER_FILE.replace('model.get_layer("")', 'model.get_layer("bottleneck")'));
    const editor = await open(uri);
    const doc = editor.document;
    const keys = () => api.contextKeys();
    const moveTo = (pos: vscode.Position) => (editor.selection = new vscode.Selection(pos, pos));
    const expect = (what: string, want: { onRef: boolean; tapped: boolean; layer?: string }) =>
      until(
        what,
        () => {
          const k = keys();
          return k.values[ON_REF] === want.onRef && k.values[TAPPED] === want.tapped && (want.layer === undefined || k.layer === want.layer) ? k : undefined;
        },
        30_000,
        50,
      );

    moveTo(positionOf(doc, 'import keras', 2));
    await expect('no layer on the import line', { onRef: false, tapped: false });

    moveTo(positionOf(doc, 'get_layer("bottleneck")', 'get_layer("'.length + 3));
    const on = await expect('the get_layer("bottleneck") string to count as a layer reference', { onRef: true, tapped: false, layer: 'bottleneck' });
    assert.match(on.key ?? '', /tap_menu\.py#model$/);

    // Tap at the cursor (what the menu entry runs): now only Untap applies.
    const tapped = await vscode.commands.executeCommand<{ layer: string; taps: string[] }>(Commands.tapLayer);
    assert.deepEqual(tapped?.taps, ['bottleneck']);
    await expect('the tapped layer to be reported as tapped', { onRef: true, tapped: true, layer: 'bottleneck' });

    // Another layer of the same model (its name= argument) is not tapped.
    moveTo(positionOf(doc, 'name="encoder"', 'name="'.length + 2));
    await expect('encoder to be an untapped layer', { onRef: true, tapped: false, layer: 'encoder' });

    moveTo(positionOf(doc, 'model.compile', 2));
    await expect('no layer on compile()', { onRef: false, tapped: false });

    // A variable bound to the tapped layer, then Untap.
    moveTo(positionOf(doc, 'code = layers', 1));
    await expect('the variable bound to bottleneck to be its reference', { onRef: true, tapped: true, layer: 'bottleneck' });
    await vscode.commands.executeCommand(Commands.untapLayer);
    await expect('the untapped layer', { onRef: true, tapped: false, layer: 'bottleneck' });

    // The mouse resting on a layer (VS Code asks the hover providers) moves the keys there, ahead of
    // the right-click that will move the cursor; the next cursor move takes them back.
    moveTo(positionOf(doc, 'import keras', 2));
    await expect('no layer on the import line again', { onRef: false, tapped: false });
    await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, positionOf(doc, '"scores"', 3));
    await expect('the hovered layer', { onRef: true, tapped: false, layer: 'scores' });
    moveTo(positionOf(doc, 'model.compile', 2));
    await expect('the cursor again after it moved', { onRef: false, tapped: false });

    // Another editor (not Python): both keys off.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'plaintext', content: 'get_layer("bottleneck")' }));
    await expect('no layer in a plain-text editor', { onRef: false, tapped: false });
  });
});
