// package.json: contributions in sync with client/src/contributions.ts, and coherent.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Commands } from '../../protocol/protocol';
import { ACTIVATION_EVENTS, applyContributions, PANEL_VIEW_TYPE } from '../../client/src/contributions';
import { ROOT } from './helpers';

interface Pkg {
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[]; description: string } };
  contributes: { commands: { command: string; title: string; category: string }[]; menus: Record<string, { command: string; when?: string }[]> };
  dependencies: Record<string, string>;
}

const raw = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
const pkg = raw as unknown as Pkg;

describe('package.json', () => {
  it('has the contributions of client/src/contributions.ts (run: node --import tsx client/update-package-json.ts)', () => {
    const expected = JSON.parse(JSON.stringify(applyContributions(raw))) as Record<string, unknown>;
    for (const key of ['activationEvents', 'capabilities', 'contributes', 'extensionKind']) assert.deepEqual(raw[key], expected[key], key);
  });
  it('contributes every command of the protocol, in the Model Lens category', () => {
    const contributed = new Map(pkg.contributes.commands.map((c) => [c.command, c]));
    for (const id of Object.values(Commands)) {
      assert.ok(contributed.has(id), id);
      assert.equal(contributed.get(id)!.category, 'Model Lens');
    }
  });
  it('menus only name contributed commands; Python menus are limited to Python editors', () => {
    const ids = new Set(pkg.contributes.commands.map((c) => c.command));
    for (const [menu, items] of Object.entries(pkg.contributes.menus)) {
      for (const item of items) {
        assert.ok(ids.has(item.command), `${menu}: ${item.command}`);
        if (menu === 'editor/context') assert.match(item.when ?? '', /editorLangId == python/);
        if (menu === 'editor/title') assert.match(item.when ?? '', new RegExp(`activeWebviewPanelId == '${PANEL_VIEW_TYPE}'`));
      }
    }
  });
  it('activates on Python, on its commands and for its restored panel', () => {
    assert.deepEqual(pkg.activationEvents, ACTIVATION_EVENTS);
    assert.ok(pkg.activationEvents.includes('onLanguage:python'));
    assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${PANEL_VIEW_TYPE}`));
    for (const id of Object.values(Commands)) assert.ok(pkg.activationEvents.includes(`onCommand:${id}`), id);
  });
  it('declares limited support for untrusted workspaces', () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(pkg.capabilities.untrustedWorkspaces.description.length > 20);
  });
  it('runs dist/client.js', () => {
    assert.equal(pkg.main, './dist/client.js');
  });
});
