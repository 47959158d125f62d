/**
 * Merge layers, called on a list of tensors: Concatenate, Dot and the elementwise Add, Subtract,
 * Multiply, Average, Maximum, Minimum (keras/src/layers/merging/*.py `compute_output_shape`).
 */
import type { Dim, Shape } from '../../graph/model-graph';
import type { LayerSpec } from './catalog';
import { axisIndex, intArg, intListArg } from './util';

/** Base Merge `_compute_elemwise_op_output_shape`: right-aligned broadcasting; unknown wins over 1. */
function broadcast(a: Dim[], b: Dim[]): Dim[] {
  if (a.length < b.length) return broadcast(b, a);
  if (b.length === 0) return a;
  const head = a.slice(0, a.length - b.length);
  const tail = a.slice(a.length - b.length).map((i, k) => {
    const j = b[k];
    if (i === null || j === null) return null;
    return i === 1 ? j : i;
  });
  return [...head, ...tail];
}

/** The batch dim is the one known batch size if exactly one distinct size is known, else None. */
function mergedBatch(shapes: Shape[]): Dim {
  const sizes = new Set(shapes.map((s) => s[0]).filter((d) => d !== null));
  return sizes.size === 1 ? [...sizes][0] : null;
}

function elementwise(className: string): LayerSpec {
  return {
    className,
    positional: [],
    callTensors: ['inputs'],
    variadic: true,
    infer(_config, inputs) {
      if (inputs.length === 0 || inputs.some((s) => s === null)) return { outputShape: null, weights: [] };
      const shapes = inputs as Shape[];
      const rest = shapes.slice(1).reduce((acc, s) => broadcast(acc, s.slice(1)), shapes[0].slice(1));
      return { outputShape: [mergedBatch(shapes), ...rest], weights: [] };
    },
  };
}

const concatenate: LayerSpec = {
  className: 'Concatenate',
  positional: ['axis'],
  callTensors: ['inputs'],
  variadic: true,
  infer(config, inputs) {
    const axis = intArg(config, 'axis', -1);
    if (inputs.length === 0 || inputs.some((s) => s === null) || axis === null) return { outputShape: null, weights: [] };
    const shapes = inputs as Shape[];
    const index = axisIndex(axis, shapes[0].length);
    if (index === null) return { outputShape: null, weights: [] };
    // Every other dim is taken from the first input, as Keras does.
    const out = [...shapes[0]];
    for (const s of shapes.slice(1)) {
      const d = s[index] ?? null;
      out[index] = out[index] === null || d === null ? null : (out[index] as number) + d;
      if (out[index] === null) break;
    }
    return { outputShape: out, weights: [] };
  },
};

/** Dot: an int axis applies to both inputs (negative counts from each one's end). */
const dot: LayerSpec = {
  className: 'Dot',
  positional: ['axes', 'normalize'],
  callTensors: ['inputs'],
  variadic: true,
  infer(config, [a, b]) {
    const axes = intListArg(config, 'axes', null);
    if (!a || !b || !axes) return { outputShape: null, weights: [] };
    const [ax, bx] = axes.length === 1 ? [axes[0], axes[0]] : axes;
    const i = axisIndex(ax, a.length);
    const j = axisIndex(bx, b.length);
    if (i === null || j === null) return { outputShape: null, weights: [] };
    const left = a.filter((_, k) => k !== i);
    const right = b.filter((_, k) => k !== j).slice(1);
    const out = [...left, ...right];
    return { outputShape: out.length === 1 ? [...out, 1] : out, weights: [] };
  },
};

export const MERGE_SPECS: LayerSpec[] = [
  concatenate,
  dot,
  ...['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'].map(elementwise),
];
