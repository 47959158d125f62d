// The trainer as its own process (IPC), the client's stop-then-kill, crash reporting, and the
// `model-lens train` CLI (--json, --out, exit codes).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { SavedRun, TrainerEvent } from '../../protocol/protocol';
import { startTrainer } from '../../trainer/client';
import { assertEventOrder, collected, example, ROOT, tempDir } from './helpers';

function runChild(request: Parameters<typeof startTrainer>[0], options: { entry?: string; killAfterMs?: number; stopWhen?: (e: TrainerEvent) => boolean } = {}) {
  const events: TrainerEvent[] = [];
  const run = startTrainer(request, {
    onEvent: (e) => {
      events.push(e);
      if (options.stopWhen?.(e)) run.stop();
    },
    ...(options.entry ? { entry: options.entry } : {}),
    ...(options.killAfterMs !== undefined ? { killAfterMs: options.killAfterMs } : {}),
  });
  return run.done.then((status) => ({ ...collected(status, events), child: run.child, run }));
}

describe('trainer process', () => {
  it('trains in a child process and streams every event over IPC', async () => {
    const r = await runChild({ file: example('seed_custom_function_loss.py'), data: 'mnist', epochs: 2, samples: 600, backend: 'native' });
    assert.equal(r.status, 'completed', r.end().message);
    assertEventOrder(r.events);
    assert.equal(r.start().backend, 'tensorflow');
    const epochs = r.of('epoch');
    assert.ok(epochs[1]!.loss < epochs[0]!.loss);
    const tapped = new Set(r.of('histogram').map((h) => `${h.layer}/${h.tensor}`));
    assert.deepEqual([...tapped].sort(), ['dense_intermediate/activation', 'dense_intermediate/bias', 'dense_intermediate/kernel']);
    assert.equal(r.end().tensors!.end, r.end().tensors!.baseline);
    await new Promise((resolve) => (r.child.exitCode !== null ? resolve(null) : r.child.once('exit', resolve)));
    assert.equal(r.child.exitCode, 0, 'the process exits after end');
  });

  it('stop is a message: the child ends with stopped and exits by itself', async () => {
    const r = await runChild({ file: example('mnist_cnn.py'), data: 'mnist', epochs: 3, samples: 3000, batchEventMs: 0 }, { stopWhen: (e) => e.type === 'batch' && e.batch === 5 });
    assert.equal(r.status, 'stopped');
    assert.match(r.end().message, /^stopped at epoch 1, batch \d+ of \d+/);
    assert.equal(r.end().tensors!.end, r.end().tensors!.baseline);
    await new Promise((resolve) => (r.child.exitCode !== null ? resolve(null) : r.child.once('exit', resolve)));
    assert.equal(r.child.signalCode, null, 'not killed');
  });

  it('kill is the last resort: a trainer that ignores stop is killed and the run ends stopped', async () => {
    const entry = path.join(tempDir(), 'stuck.js');
    fs.writeFileSync(entry, "process.on('message', () => {}); process.send({ type: 'log', level: 'info', message: 'stuck' }); setInterval(() => {}, 1000);\n");
    const r = await runChild({ file: 'x.py' }, { entry, killAfterMs: 300, stopWhen: (e) => e.type === 'log' });
    assert.equal(r.status, 'stopped');
    assert.match(r.end().message, /did not stop in time and was killed \(SIGKILL\)/);
  });

  it('a crashed trainer is reported as failed with the reason', async () => {
    const entry = path.join(tempDir(), 'crash.js');
    fs.writeFileSync(entry, "process.stderr.write('boom: out of memory\\n'); process.exit(3);\n");
    const r = await runChild({ file: 'x.py' }, { entry });
    assert.equal(r.status, 'failed');
    assert.match(r.end().message, /the trainer process exited with code 3 without finishing: boom: out of memory/);
  });
});

describe('model-lens train (CLI)', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

  it('--json prints one event per line; --out writes the whole run', async () => {
    const out = path.join(tempDir(), 'run.json');
    const r = cli(['train', 'examples/seed_activation_loss.py', '--data', 'mnist', '--epochs', '2', '--samples', '640', '--json', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);
    assertEventOrder(events);
    const c = collected('completed', events);
    assert.equal(c.end().status, 'completed');
    const epochs = c.of('epoch');
    assert.ok(epochs[1]!.loss < epochs[0]!.loss, 'loss falls');
    assert.ok(c.of('histogram').some((h) => h.layer === 'dense_intermediate' && h.tensor === 'activation' && h.epoch === 2));
    const saved = JSON.parse(fs.readFileSync(out, 'utf8')) as SavedRun;
    assert.equal(saved.version, 1);
    assert.equal(saved.events.length, events.length);
    assert.equal(saved.request.epochs, 2);
  });

  it('text output has per-epoch lines; bad usage exits 2, a failed run exits 1', () => {
    const r = cli(['train', 'examples/seed_kernel_loss.py', '--data', 'synthetic', '--epochs', '1', '--samples', '64']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^backend: tensorflow/m);
    assert.match(r.stdout, /! Keras: line 66/);
    assert.match(r.stdout, /^epoch 1\/1 {2}loss \d/m);
    assert.match(r.stdout, /^completed: trained 1 epoch of 64 samples/m);
    assert.equal(cli(['train']).status, 2);
    assert.equal(cli(['train', 'examples/seed_kernel_loss.py', '--epochs', 'x']).status, 2);
    const failed = cli(['train', 'examples/seed_kernel_loss.py', '--data', 'nowhere.npz']);
    assert.equal(failed.status, 1);
    assert.match(failed.stdout, /^failed: cannot read data file nowhere\.npz: no such file/m);
  });
});
