/// <reference types="mocha" />
// The extension activates in a real VS Code and contributes its commands.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands } from '../../../protocol/protocol';
import { activate, EXTENSION_ID } from './util';

suite('activation and commands', () => {
  test('activates on a Python file and returns its API', async function () {
    this.timeout(60_000);
    const api = await activate();
    assert.equal(api.version, 1);
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.ok(ext.isActive);
    console.log(`    VS Code ${vscode.version} (${vscode.env.appName}), extension host Node ${process.version}; runtime: ${api.runtime().summary}`);
  });

  test('every command is registered and contributed with a title', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes?: { commands?: { command: string; title: string }[] } })
      .contributes?.commands ?? [];
    for (const id of Object.values(Commands)) {
      assert.ok(registered.has(id), `${id} is registered`);
      const c = contributed.find((x) => x.command === id);
      assert.ok(c && c.title.length > 0, `${id} is contributed in package.json with a title`);
    }
    const train = contributed.find((c) => c.command === Commands.trainAndInspect)!;
    assert.match(train.title, /Train & Inspect/);
  });
});
