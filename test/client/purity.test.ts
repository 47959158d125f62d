// The client's pure modules stay free of `vscode` (so these tests run in plain Node), and the
// bundle dist/client.js needs nothing at run time but `vscode` and Node's own modules (the VSIX
// carries dist/** only).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers';

const PURE = ['settings', 'train-request', 'model-target', 'run-manager', 'message-queue', 'saved-run', 'format', 'native-backend', 'trainer-process', 'contributions', 'layer-context'];

/** Value imports (not `import type`) of a TypeScript file, resolved to files when relative. */
function valueImports(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)'/gm)) {
    if (m[2]) continue;
    const spec = m[4]!;
    // `import { type A, type B } from` is type-only too.
    const names = /\{([^}]*)\}/.exec(m[3]!)?.[1];
    if (names && names.split(',').every((n) => !n.trim() || n.trim().startsWith('type '))) continue;
    out.push(spec);
  }
  return out;
}

function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const spec of valueImports(file)) {
    if (!spec.startsWith('.')) {
      seen.add(spec);
      continue;
    }
    const base = path.resolve(path.dirname(file), spec);
    const resolved = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
    if (resolved) closure(resolved, seen);
  }
  return seen;
}

describe('client purity', () => {
  for (const name of PURE) {
    it(`client/src/${name}.ts does not load vscode`, () => {
      const deps = closure(path.join(ROOT, 'client', 'src', `${name}.ts`));
      assert.ok(!deps.has('vscode'), [...deps].join('\n'));
      assert.ok(![...deps].some((d) => d.startsWith('vscode-languageclient')), 'nor the language client');
    });
  }

  it('the check sees a vscode import (self-test)', () => {
    assert.ok(closure(path.join(ROOT, 'client', 'src', 'training.ts')).has('vscode'));
  });

  it('dist/client.js requires only vscode and Node built-ins', (t) => {
    const bundle = path.join(ROOT, 'dist', 'client.js');
    if (!fs.existsSync(bundle)) return t.skip('not built');
    const required = new Set([...fs.readFileSync(bundle, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
    const builtins = new Set(builtinModules);
    const foreign = [...required].filter((r) => r !== 'vscode' && !builtins.has(r.replace(/^node:/, '')));
    assert.deepEqual(foreign, []);
  });
});
