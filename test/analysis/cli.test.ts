/** The `model-lens summary` command as a user runs it: the built bundle, real files, exit codes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..', '..');
const fixture = join(root, 'test', 'fixtures', 'keras', 'seed_activation_loss.py');

function run(...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin', 'model-lens.js'), ...args], { encoding: 'utf8' });
}

test('summary prints a Keras-style table', () => {
  const r = run('summary', fixture);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Model: "functional"/);
  assert.match(r.stdout, /dense_intermediate \(Dense\)\s+\(None, 32\)\s+2,080\s+dense/);
  assert.match(r.stdout, /Total params: 52,485/);
});

test('summary --json follows the contract', () => {
  const r = run('summary', fixture, '--json');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.file, fixture);
  const [model] = json.models;
  assert.deepEqual(
    { name: model.name, kind: model.kind, variables: model.variables, inputs: model.inputs, outputs: model.outputs, totalParams: model.totalParams },
    { name: 'functional', kind: 'functional', variables: ['model'], inputs: ['input_layer'], outputs: ['dense_1', 'dense_intermediate'], totalParams: 52485 },
  );
  assert.deepEqual(model.layers[2], {
    name: 'dense_intermediate', nameSource: 'explicit', className: 'Dense', outputShape: [null, 32], params: 2080,
    trainable: true, kernelShape: [64, 32], inbound: ['dense'], line: 35,
  });
});

test('a missing file exits 2 with a clear message', () => {
  const r = run('summary', join(tmpdir(), 'no-such-model.py'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot read .*no-such-model\.py: no such file/);
});

test('a binary file exits 2 with a clear message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-lens-'));
  const file = join(dir, 'weights.h5');
  writeFileSync(file, Buffer.from([0x89, 0x48, 0x44, 0x46, 0x00, 0x01, 0x02, 0xff, 0x00]));
  const r = run('summary', file);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /looks like a binary file/);
});

test('a directory and bad usage exit 2', () => {
  assert.equal(run('summary', root).status, 2);
  assert.equal(run('summary').status, 2);
  assert.equal(run('frobnicate').status, 2);
});
