// npm "postinstall" for Model Lens. Runs after every `npm install` / `npm ci` in this repository:
//   1. makes sure @tensorflow/tfjs-node has a working native TensorFlow backend
//      (scripts/provision-tfjs-native.mjs; a no-op taking ~0.5 s when it already works).
//      A failure here never fails `npm install`: training falls back to the wasm backend,
//      and a warning says how to retry. Set MODEL_LENS_SKIP_NATIVE=1 to skip this step.
//   2. runs scripts/build.mjs when it exists; its failure does fail the install.
// See docs/native-backend.md.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function runNode(script, args = []) {
  const r = spawnSync(process.execPath, [join(root, script), ...args], { cwd: root, stdio: 'inherit' });
  return r.status ?? 1;
}

if (process.env.MODEL_LENS_SKIP_NATIVE) {
  console.log('[model-lens] MODEL_LENS_SKIP_NATIVE is set: not provisioning the native TensorFlow backend (training will use wasm).');
} else {
  const status = runNode('scripts/provision-tfjs-native.mjs');
  if (status !== 0) {
    console.warn(
      '\n[model-lens] WARNING: the native TensorFlow backend for @tensorflow/tfjs-node could not be set up ' +
        '(see the reason above), so training will use the slower WebAssembly backend (@tensorflow/tfjs-backend-wasm); ' +
        'the trainer reports this as "fell back from native". This does not fail `npm install`. To retry by hand once ' +
        'the cause is fixed (python3 with pip, make and g++ are needed), run `node scripts/provision-tfjs-native.mjs --force` ' +
        '(or pass `--wheel <tensorflow_cpu-2.21.0-*.whl>` if pip cannot reach a package index); see docs/native-backend.md.\n',
    );
  }
}

if (existsSync(join(root, 'scripts', 'build.mjs'))) {
  const status = runNode('scripts/build.mjs');
  if (status !== 0) {
    console.error(`[model-lens] scripts/build.mjs failed (exit ${status}).`);
    process.exit(status);
  }
}
