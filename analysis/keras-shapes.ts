/**
 * Shape rules for what is not a layer: Keras ops on symbolic tensors (`keras.ops.add`, `x + y`,
 * `x[:, 0]`), numpy-style data arrays (`x_train.reshape(-1, 784) / 255.0`) and the bundled
 * Keras datasets. Every rule returns `null` rather than guess.
 */
import type { Shape } from '../graph/model-graph';
import { sliceItems } from './python-literals';
import { isSequence, type Value } from './values';

export type Dims = (number | null)[];

/** NumPy broadcasting of two shapes. */
export function broadcast(a: Dims | null, b: Dims | null): Dims | null {
  if (!a || !b) return null;
  const n = Math.max(a.length, b.length);
  const out: Dims = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i];
    const y = b[b.length - n + i];
    if (x === undefined) out.push(y);
    else if (y === undefined) out.push(x);
    else if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (x === null || y === null) out.push(x ?? y);
    else if (x === y) out.push(x);
    else return null;
  }
  return out;
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? rank + axis : axis;
}

export function product(dims: Dims): number | null {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}

/** `reshape` with one `-1` allowed; the leading dimension is kept as is when `keepFirst`. */
export function reshape(shape: Dims | null, target: number[], keepFirst: boolean): Dims | null {
  if (!shape) return null;
  const total = product(keepFirst ? shape.slice(1) : shape);
  const known = target.filter((d) => d !== -1).reduce((x, y) => x * y, 1);
  const out: Dims = target.map((d) => (d === -1 ? (total === null || known === 0 ? null : total / known) : d));
  if (out.some((d) => d !== null && !Number.isInteger(d))) return null;
  return keepFirst ? [shape[0], ...out] : out;
}

export function reduceShape(shape: Dims | null, axis: Value | undefined, keepdims: boolean): Dims | null {
  if (!shape) return null;
  if (!axis || axis.k === 'none') return keepdims ? shape.map(() => 1) : [];
  const axes = isSequence(axis) ? axis.items : [axis];
  if (!axes.every((a) => a.k === 'num')) return null;
  const drop = new Set(axes.map((a) => normAxis((a as { v: number }).v, shape.length)));
  return keepdims ? shape.map((d, i) => (drop.has(i) ? 1 : d)) : shape.filter((_, i) => !drop.has(i));
}

export function concatShapes(shapes: (Dims | null)[], axis: number): Dims | null {
  if (shapes.some((s) => !s) || shapes.length === 0) return null;
  const rank = shapes[0]!.length;
  const ax = normAxis(axis, rank);
  const out = [...shapes[0]!];
  for (const s of shapes.slice(1)) {
    if (s!.length !== rank) return null;
    const a = out[ax];
    const b = s![ax];
    out[ax] = a === null || b === null ? null : a + b;
  }
  return out;
}

export function matmulShape(a: Dims | null, b: Dims | null): Dims | null {
  if (!a || !b || a.length < 1 || b.length < 1) return null;
  if (b.length === 1) return a.slice(0, -1);
  if (a.length === 1) return b.slice(0, -2).concat(b.slice(-1));
  const batch = broadcast(a.slice(0, -2), b.slice(0, -2));
  return batch ? [...batch, a[a.length - 2], b[b.length - 1]] : null;
}

/** Indexing with ints, slices, `None`/`np.newaxis` and `...`. */
export function indexShape(shape: Dims | null, keys: Value[]): Dims | null {
  if (!shape) return null;
  const out: Dims = [];
  let dim = 0;
  const ellipsisAt = keys.findIndex((k) => k.k === 'builtin' && k.name === 'Ellipsis');
  const consuming = keys.filter((k) => !(k.k === 'none' || (k.k === 'builtin' && k.name === 'Ellipsis'))).length;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key.k === 'none') out.push(1);
    else if (i === ellipsisAt) {
      const skip = shape.length - consuming;
      out.push(...shape.slice(dim, dim + skip));
      dim += skip;
    } else if (key.k === 'num') dim++;
    else if (key.k === 'slice') {
      const size = shape[dim++];
      if (size === undefined) return null;
      if (size === null) {
        const full = key.parts.every((p) => !p || p.k === 'none');
        out.push(full ? null : null);
      } else {
        const picked = sliceItems(Array.from({ length: size }, (_, j) => j), key.parts);
        if (!picked) return null;
        out.push(picked.length);
      }
    } else return null;
  }
  if (dim > shape.length) return null;
  return [...out, ...shape.slice(dim)];
}

export function toDims(v: Value | undefined): Dims | null {
  if (!v) return null;
  if (v.k === 'num') return [v.v];
  if (!isSequence(v)) return null;
  const dims: Dims = [];
  for (const item of v.items) {
    if (item.k === 'num') dims.push(item.v);
    else if (item.k === 'none' || item.k === 'unknown') dims.push(null);
    else return null;
  }
  return dims;
}

/** `np.array([[...], ...])`: the shape of nested literal lists. */
export function nestedListShape(v: Value): Dims | null {
  if (!isSequence(v)) return v.k === 'num' || v.k === 'bool' ? [] : v.k === 'array' ? v.shape : null;
  if (v.items.length === 0) return [0];
  const inner = nestedListShape(v.items[0]);
  return inner ? [v.items.length, ...inner] : null;
}

interface DatasetShapes {
  train: [Dims, Dims];
  test: [Dims, Dims];
  classes?: number;
}

/** `keras.datasets.X.load_data()` shapes (what Keras downloads; the trainer uses real MNIST). */
export const DATASETS: Record<string, DatasetShapes> = {
  mnist: { train: [[60000, 28, 28], [60000]], test: [[10000, 28, 28], [10000]], classes: 10 },
  fashion_mnist: { train: [[60000, 28, 28], [60000]], test: [[10000, 28, 28], [10000]], classes: 10 },
  cifar10: { train: [[50000, 32, 32, 3], [50000, 1]], test: [[10000, 32, 32, 3], [10000, 1]], classes: 10 },
  cifar100: { train: [[50000, 32, 32, 3], [50000, 1]], test: [[10000, 32, 32, 3], [10000, 1]], classes: 100 },
  boston_housing: { train: [[404, 13], [404]], test: [[102, 13], [102]] },
  imdb: { train: [[25000], [25000]], test: [[25000], [25000]], classes: 2 },
  reuters: { train: [[8982], [8982]], test: [[2246], [2246]], classes: 46 },
};

export function withBatch(shape: Dims | null): Shape | null {
  return shape ? [null, ...shape.slice(1)] : null;
}
