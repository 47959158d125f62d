import * as assert from 'node:assert';
import * as vscode from 'vscode';

suite('smoke', () => {
  test('runs in a real VS Code', () => {
    assert.ok(vscode.version.length > 0);
    console.log(`VS Code ${vscode.version}, ${vscode.env.appName}, node ${process.version}`);
  });
});
