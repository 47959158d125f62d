// Backend loader: the native TensorFlow backend must be provisioned on this machine type (CI
// included) and really train; the wasm backend must load and compute correctly on request.
// Native and wasm share tfjs's process-global engine, so these tests run in order.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { loadBackend, type LoadedBackend, type Tf } from '../../trainer/backend';

const NOT_PROVISIONED =
  'The native TensorFlow backend is not available. Provision it with `node scripts/provision-tfjs-native.mjs --force` ' +
  '(npm install normally does this; see docs/native-backend.md).';

/** Fits y = 2x - 1 with a one-unit dense layer; returns the loss per epoch. */
async function trainLine(tf: Tf, epochs: number): Promise<number[]> {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'zeros', biasInitializer: 'zeros' }));
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
  const xs = tf.tensor2d([[-1], [0], [1], [2], [3], [4]]);
  const ys = tf.tensor2d([[-3], [-1], [1], [3], [5], [7]]);
  try {
    const history = await model.fit(xs, ys, { epochs, batchSize: 6, verbose: 0, shuffle: false });
    return history.history['loss']!.map(Number);
  } finally {
    xs.dispose();
    ys.dispose();
    model.dispose();
  }
}

describe('trainer backend', () => {
  it('loads the native tensorflow backend (auto and native)', async () => {
    let native: LoadedBackend;
    try {
      native = await loadBackend('native');
    } catch (error) {
      assert.fail(`${NOT_PROVISIONED}\n${(error as Error).message}`);
    }
    assert.equal(native.name, 'tensorflow');
    assert.equal(native.tf.getBackend(), 'tensorflow');
    assert.equal(native.fellBackFrom, undefined);
    assert.match(native.detail, /native TensorFlow backend \(@tensorflow\/tfjs-node 4\.22\.0, libtensorflow \d+\.\d+/);

    const auto = await loadBackend('auto');
    assert.equal(auto.name, 'tensorflow', `auto did not pick native: ${auto.detail}\n${NOT_PROVISIONED}`);
    assert.equal(auto.fellBackFrom, undefined);
  });

  it('trains a tiny model on the native backend (loss decreases)', async () => {
    const { tf, name } = await loadBackend('native');
    assert.equal(name, 'tensorflow');
    const losses = await trainLine(tf, 8);
    assert.equal(tf.getBackend(), 'tensorflow');
    assert.equal(losses.length, 8);
    assert.ok(losses.every(Number.isFinite), `losses: ${losses}`);
    assert.ok(losses[7]! < losses[0]! * 0.5, `loss did not decrease: ${losses.join(', ')}`);
    for (let i = 1; i < losses.length; i++) assert.ok(losses[i]! < losses[i - 1]!, `loss went up at epoch ${i}: ${losses.join(', ')}`);
  });

  it('loads the wasm backend on request and computes correctly', async () => {
    const wasm = await loadBackend('wasm');
    assert.equal(wasm.name, 'wasm');
    assert.equal(wasm.tf.getBackend(), 'wasm');
    assert.equal(wasm.fellBackFrom, undefined);
    assert.match(wasm.detail, /WebAssembly backend \(@tensorflow\/tfjs-backend-wasm 4\.22\.0.*requested explicitly/);

    const { tf } = wasm;
    const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]));
    assert.deepEqual(Array.from(await product.data()), [19, 22, 43, 50]);
    const softmax = await tf.softmax(tf.tensor1d([1, 2, 3])).data();
    const expected = [0.09003057, 0.24472847, 0.66524096];
    softmax.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-5, `softmax[${i}] = ${v}`));
    assert.equal(tf.getBackend(), 'wasm');

    const losses = await trainLine(tf, 8);
    assert.ok(losses[7]! < losses[0]! * 0.5, `wasm loss did not decrease: ${losses.join(', ')}`);
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('wasm and native give the same training losses', async () => {
    const wasmLosses = await trainLine((await loadBackend('wasm')).tf, 4);
    const nativeLosses = await trainLine((await loadBackend('native')).tf, 4);
    nativeLosses.forEach((v, i) => assert.ok(Math.abs(v - wasmLosses[i]!) <= 1e-4 * Math.max(1, v), `epoch ${i}: native ${v} vs wasm ${wasmLosses[i]}`));
  });

  it('auto falls back to wasm and says why; native then throws with the provisioning hint', () => {
    // A node_modules where tfjs-node has no compiled addon (package.json + dist only), everything
    // else linked to the real packages: what a machine without provisioning looks like. Checked in
    // a fresh process, since this process has already loaded the real tfjs-node.
    const tree = brokenNativeTree();
    try {
      const script = path.join(tree, 'probe.ts');
      fs.writeFileSync(
        script,
        `import { loadBackend } from ${JSON.stringify(path.resolve(__dirname, '..', '..', 'trainer', 'backend.ts'))};
(async () => {
  const auto = await loadBackend('auto', { resolveFrom: ${JSON.stringify(tree)} });
  const sum = Array.from(await auto.tf.add(auto.tf.tensor1d([1, 2]), auto.tf.tensor1d([3, 4])).data());
  let nativeError = '';
  await loadBackend('native', { resolveFrom: ${JSON.stringify(tree)} }).catch((e: Error) => { nativeError = e.message; });
  console.log(JSON.stringify({ name: auto.name, active: auto.tf.getBackend(), fellBackFrom: auto.fellBackFrom,
    nativeReason: auto.nativeError, detail: auto.detail, sum, nativeError }));
})();
`,
      );
      const child = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' });
      assert.equal(child.status, 0, child.stderr);
      const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
      assert.equal(r['name'], 'wasm');
      assert.equal(r['active'], 'wasm');
      assert.equal(r['fellBackFrom'], 'tensorflow');
      assert.match(String(r['nativeReason']), /tfjs_binding\.node\) can not be found/);
      assert.match(String(r['detail']), /^WebAssembly backend .*fell back from the native TensorFlow backend, which is unavailable: .*tfjs_binding\.node.*provision-tfjs-native\.mjs/);
      assert.deepEqual(r['sum'], [4, 6]);
      assert.match(String(r['nativeError']), /^The native TensorFlow backend \(@tensorflow\/tfjs-node\) is not available: .*tfjs_binding\.node.*node scripts\/provision-tfjs-native\.mjs/);
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
    }
  });

  it('native throws a clear error when tfjs-node is not installed at all', async () => {
    await assert.rejects(loadBackend('native', { resolveFrom: os.tmpdir() }), /not available: @tensorflow\/tfjs-node is not installed\. .*provision-tfjs-native\.mjs/);
    // The real native backend is unaffected.
    assert.equal((await loadBackend('native')).tf.getBackend(), 'tensorflow');
  });
});

function brokenNativeTree(): string {
  const realModules = path.join(__dirname, '..', '..', 'node_modules');
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-no-native-'));
  const modules = path.join(tree, 'node_modules');
  fs.mkdirSync(path.join(modules, '@tensorflow'), { recursive: true });
  for (const entry of fs.readdirSync(realModules)) {
    if (entry !== '@tensorflow' && !entry.startsWith('.')) fs.symlinkSync(path.join(realModules, entry), path.join(modules, entry));
  }
  for (const entry of fs.readdirSync(path.join(realModules, '@tensorflow'))) {
    const from = path.join(realModules, '@tensorflow', entry);
    const to = path.join(modules, '@tensorflow', entry);
    if (entry !== 'tfjs-node') fs.symlinkSync(from, to);
    else for (const part of ['package.json', 'dist']) fs.cpSync(path.join(from, part), path.join(to, part), { recursive: true });
  }
  return tree;
}
