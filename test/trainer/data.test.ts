// Data sources and shape adaptation: .npy / .npz / .csv readers, the bundled MNIST sample, the
// Keras cache, the code's intent (flatten, scale, one-hot, class filtering), validation split,
// and clear errors for bad files and shapes that do not fit.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, it } from 'node:test';
import { DataFileError, prepareData, type DataContext } from '../../trainer/data';
import { parseNpy, parseNpz, writeNpy, writeNpz } from '../../trainer/data/npy';
import { loadBundledMnist, loadCsv } from '../../trainer/data/sources';
import { example, tempDir, train } from './helpers';

const mlp: DataContext = {
  inputs: [{ shape: [null, 784] }],
  targets: [{ output: 'dense_1', shape: [null, 5], encoding: 'one_hot' }],
  codeDatasets: [],
  codeScales255: true,
  codeValidationSplit: undefined,
};

function digits(n: number, classes = 10): { x: Int32Array; y: Int32Array } {
  const x = new Int32Array(n * 28 * 28);
  for (let i = 0; i < x.length; i++) x[i] = (i * 37) % 256;
  const y = Int32Array.from({ length: n }, (_, i) => i % classes);
  return { x, y };
}

/** A zip whose members are deflated (np.savez_compressed). */
function deflatedNpz(arrays: Record<string, { shape: number[]; data: Float32Array | Int32Array }>): Buffer {
  const stored = writeNpz(arrays);
  const members = [...parseNpzRaw(stored)];
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, body] of members) {
    const packed = zlib.deflateRawSync(body);
    const nameBuf = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(body.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(body.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, packed);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

function parseNpzRaw(buf: Buffer): Map<string, Buffer> {
  // writeNpz stores members uncompressed: read them back by their local headers.
  const out = new Map<string, Buffer>();
  let p = 0;
  while (buf.readUInt32LE(p) === 0x04034b50) {
    const size = buf.readUInt32LE(p + 18);
    const nameLen = buf.readUInt16LE(p + 26);
    const name = buf.toString('utf8', p + 30, p + 30 + nameLen);
    out.set(name, buf.subarray(p + 30 + nameLen, p + 30 + nameLen + size));
    p += 30 + nameLen + size;
  }
  return out;
}

describe('data files', () => {
  it('reads back .npy and .npz (stored and deflated), float and integer', () => {
    const f = Float32Array.from([1.5, -2, 3, 4, 5, 6]);
    const a = parseNpy(writeNpy([2, 3], f), 'a.npy');
    assert.deepEqual(a.shape, [2, 3]);
    assert.deepEqual(Array.from(a.data), Array.from(f));
    assert.equal(a.integer, false);
    const arrays = { x: { shape: [2, 3], data: f }, y: { shape: [2], data: Int32Array.from([0, 7]) } };
    for (const buf of [writeNpz(arrays), deflatedNpz(arrays)]) {
      const z = parseNpz(buf, 'd.npz');
      assert.deepEqual([...z.keys()], ['x', 'y']);
      assert.deepEqual(Array.from(z.get('y')!.data), [0, 7]);
      assert.equal(z.get('y')!.integer, true);
    }
  });

  it('says what is wrong with a bad .npy / .npz / .csv file', () => {
    const good = writeNpy([4, 4], new Float32Array(16));
    assert.throws(() => parseNpy(good.subarray(0, good.length - 10), 'cut.npy'), /cut\.npy: truncated data: shape \(4, 4\) of <f4 needs 64 bytes, the file has 54/);
    assert.throws(() => parseNpy(Buffer.from('hello world, not numpy'), 'text.npy'), /text\.npy is not a NumPy \.npy file/);
    const objectArray = Buffer.from(good);
    objectArray.write("'|O'", objectArray.indexOf("'<f4'"), 'latin1');
    assert.throws(() => parseNpy(objectArray, 'obj.npy'), /dtype \|O is not numeric/);
    const npz = writeNpz({ x: { shape: [2], data: new Float32Array(2) } });
    assert.throws(() => parseNpz(npz.subarray(0, npz.length - 30), 'cut.npz'), /cut\.npz is not a valid \.npz \(zip\) file/);
    const dir = tempDir();
    const csv = path.join(dir, 'bad.csv');
    fs.writeFileSync(csv, 'a,b,label\n1,2,0\n3,oops,1\n');
    assert.throws(() => loadCsv(csv), /bad\.csv: row 3, column 2 \(b\): `oops` is not a number/);
    fs.writeFileSync(csv, 'a,b,label\n1,2,0\n3,4\n');
    assert.throws(() => loadCsv(csv), /row 3 has 2 columns, expected 3/);
  });

  it('adapts MNIST-like data the way the seed code intends: flatten, scale /255, one-hot to 5, keep classes 0–4', () => {
    const dir = tempDir();
    const { x, y } = digits(40);
    const file = path.join(dir, 'digits.npz');
    fs.writeFileSync(file, writeNpz({ x_train: { shape: [40, 28, 28], data: x }, y_train: { shape: [40], data: y } }));
    const data = prepareData({ file: 'seed.py', data: file }, mlp);
    assert.equal(data.trainCount, 20, 'classes 5–9 dropped');
    assert.deepEqual(data.xs[0]!.shape, [20, 784]);
    assert.deepEqual(data.ys[0]!.shape, [20, 5]);
    assert.ok(Math.max(...data.xs[0]!.data) <= 1, 'scaled to [0, 1]');
    assert.deepEqual(Array.from(data.ys[0]!.data.subarray(0, 10)), [1, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    const notes = data.description.adaptations.join('\n');
    assert.match(notes, /x reshaped \(28, 28\) → \(784\)/);
    assert.match(notes, /scaled from 0–255 to \[0, 1\]/);
    assert.match(notes, /kept the 20 samples of classes 0–4/);
  });

  it('honours the validation split (the last fraction, as Keras) and --samples', () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.npy');
    fs.writeFileSync(file, writeNpy([100, 784], new Float32Array(100 * 784)));
    fs.writeFileSync(path.join(dir, 'y.npy'), writeNpy([100], Int32Array.from({ length: 100 }, (_, i) => i % 5)));
    const data = prepareData({ file: 'seed.py', data: file, validationSplit: 0.2, samples: 30 }, mlp);
    assert.equal(data.trainCount, 30);
    assert.equal(data.valCount, 20);
    assert.equal(data.xs[0]!.shape[0], 50);
    assert.equal(data.description.validationSamples, 20);
  });

  it('fails with expected vs actual shapes when the data does not fit the model', () => {
    const dir = tempDir();
    const file = path.join(dir, 'data.npz');
    fs.writeFileSync(file, writeNpz({ x: { shape: [10, 32, 32, 3], data: new Float32Array(10 * 32 * 32 * 3) }, y: { shape: [10], data: new Int32Array(10) } }));
    assert.throws(() => prepareData({ file: 'm.py', data: file }, mlp), (e: Error) => e instanceof DataFileError && /the model's input expects shape \(None, 784\) but the data's x has shape \(None, 32, 32, 3\)/.test(e.message));
    const reg: DataContext = { ...mlp, targets: [{ output: 'out', shape: [null, 3], encoding: 'values' }] };
    fs.writeFileSync(file, writeNpz({ x: { shape: [10, 784], data: new Float32Array(10 * 784) }, y: { shape: [10, 2], data: new Float32Array(20) } }));
    assert.throws(() => prepareData({ file: 'm.py', data: file }, reg), /the target of out \(output shape \(None, 3\)\) needs y of shape \(None, 3\); the data's y has shape \(None, 2\)/);
  });

  it('the bundled MNIST sample: 10 000 real digits with labels', () => {
    const m = loadBundledMnist();
    assert.deepEqual(m.x.shape, [10000, 28, 28]);
    assert.equal(m.y!.shape[0], 10000);
    const counts = new Array(10).fill(0);
    for (const v of m.y!.data) counts[v]++;
    assert.ok(counts.every((c) => c > 800), JSON.stringify(counts));
    assert.ok(m.x.data.some((v) => v > 0.9) && m.x.data.every((v) => v >= 0 && v <= 1));
  });

  it('uses the Keras cache ($KERAS_HOME/datasets/mnist.npz) when the code loads keras.datasets.mnist', () => {
    const home = tempDir();
    fs.mkdirSync(path.join(home, 'datasets'));
    const { x, y } = digits(30, 5);
    fs.writeFileSync(path.join(home, 'datasets', 'mnist.npz'), writeNpz({ x_train: { shape: [30, 28, 28], data: x }, y_train: { shape: [30], data: y }, x_test: { shape: [30, 28, 28], data: x }, y_test: { shape: [30], data: y } }));
    const previous = process.env['KERAS_HOME'];
    process.env['KERAS_HOME'] = home;
    try {
      const data = prepareData({ file: 'm.py' }, { ...mlp, codeDatasets: ['mnist'] });
      assert.match(data.description.source, /Keras cache .*mnist\.npz/);
      assert.equal(data.trainCount, 30);
    } finally {
      if (previous === undefined) delete process.env['KERAS_HOME'];
      else process.env['KERAS_HOME'] = previous;
    }
  });

  it('a run with a bad data file ends failed before training, saying why', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'broken.npz');
    fs.writeFileSync(file, writeNpz({ x: { shape: [8, 784], data: new Float32Array(8 * 784) } }).subarray(0, 500));
    const run = await train({ file: example('seed_activation_loss.py'), data: file, epochs: 1 });
    assert.equal(run.status, 'failed');
    assert.equal(run.of('start').length, 0);
    assert.match(run.end().message, /broken\.npz is not a valid \.npz \(zip\) file/);
    assert.deepEqual(run.end().tensors && run.end().tensors!.end, run.end().tensors!.baseline);
    const csv = path.join(dir, 'wrong.csv');
    fs.writeFileSync(csv, 'f1,f2,label\n0.1,0.2,1\n0.3,0.4,0\n');
    const run2 = await train({ file: example('seed_activation_loss.py'), data: csv, epochs: 1 });
    assert.equal(run2.status, 'failed');
    assert.match(run2.end().message, /the model's input expects shape \(None, 784\) but the data's x has shape \(None, 2\)/);
  });
});
