/**
 * A minimal reverse-mode tape over raw TensorFlow ops (raw.ts): each differentiable op records a
 * closure that maps the output's gradient to its inputs' gradients, using TensorFlow's fused
 * gradient kernels (ReluGrad, BiasAddGrad, Conv2DBackpropFilter, MaxPoolGrad, ...). Only ops that
 * depend on a trainable parameter are recorded; nothing is cloned.
 */
import type { H, RawOps } from './raw';

type Backward = (dy: H, need: boolean[]) => (H | null)[];

interface Entry {
  out: H;
  inputs: H[];
  backward: Backward;
}

export class Tape {
  private readonly entries: Entry[] = [];
  private readonly tracked = new Set<H>();

  constructor(readonly r: RawOps) {}

  /** Marks a handle as a differentiation source (a parameter). */
  watch(h: H): H {
    this.tracked.add(h);
    return h;
  }

  needs(h: H): boolean {
    return this.tracked.has(h);
  }

  record(out: H, inputs: H[], backward: Backward): H {
    if (inputs.some((i) => this.tracked.has(i))) {
      this.tracked.add(out);
      this.entries.push({ out, inputs, backward });
    }
    return out;
  }

  /** Gradients of a scalar `y` with respect to `xs` (null where y does not depend on x). */
  gradients(y: H, xs: H[]): (H | null)[] {
    const r = this.r;
    const g = new Map<H, H>();
    g.set(y, r.constF(1));
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      const dy = g.get(e.out);
      if (!dy) continue;
      const need = e.inputs.map((inp) => this.tracked.has(inp));
      const dxs = e.backward(dy, need);
      e.inputs.forEach((inp, k) => {
        const dx = dxs[k];
        if (!need[k] || !dx) return;
        const prev = g.get(inp);
        g.set(inp, prev ? r.add(prev, dx) : dx);
      });
    }
    return xs.map((x) => g.get(x) ?? null);
  }
}

/** Sums a broadcast gradient back to `shape`. */
export function unbroadcast(r: RawOps, dy: H, shape: number[]): H {
  if (dy.shape.length === shape.length && dy.shape.every((d, i) => d === shape[i])) return dy;
  const lead = dy.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < dy.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && dy.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? r.sum(dy, axes, true) : dy;
  return r.reshape(summed, shape);
}

const count = (shape: number[], axes: number[] | null): number => (axes ?? shape.map((_, i) => i)).reduce((n, a) => n * shape[a < 0 ? a + shape.length : a]!, 1);

/** Differentiable ops: RawOps plus tape records. */
export class AD {
  /** Outputs of softmax activations (the cross-entropy rule uses this). */
  readonly softmaxOutputs = new Set<H>();

  constructor(
    readonly r: RawOps,
    readonly tape: Tape | null,
  ) {}

  private rec(out: H, inputs: H[], backward: Backward): H {
    // An op folded to one of its inputs (x·1, x+0) is the identity: nothing to record.
    if (!this.tape || inputs.includes(out)) return out;
    return this.tape.record(out, inputs, backward);
  }

  add(a: H, b: H): H {
    const r = this.r;
    return this.rec(r.add(a, b), [a, b], (dy) => [unbroadcast(r, dy, a.shape), unbroadcast(r, dy, b.shape)]);
  }
  sub(a: H, b: H): H {
    const r = this.r;
    return this.rec(r.sub(a, b), [a, b], (dy, need) => [unbroadcast(r, dy, a.shape), need[1] ? unbroadcast(r, r.neg(dy), b.shape) : null]);
  }
  mul(a: H, b: H): H {
    const r = this.r;
    return this.rec(r.mul(a, b), [a, b], (dy, need) => [need[0] ? unbroadcast(r, r.mul(dy, b), a.shape) : null, need[1] ? unbroadcast(r, r.mul(dy, a), b.shape) : null]);
  }
  div(a: H, b: H): H {
    const r = this.r;
    const out = r.div(a, b);
    return this.rec(out, [a, b], (dy, need) => [need[0] ? unbroadcast(r, r.div(dy, b), a.shape) : null, need[1] ? unbroadcast(r, r.neg(r.div(r.mul(dy, out), b)), b.shape) : null]);
  }
  pow(a: H, b: H): H {
    const r = this.r;
    const out = r.pow(a, b);
    return this.rec(out, [a, b], (dy, need) => [
      need[0] ? unbroadcast(r, r.mul(dy, r.mul(b, r.pow(a, r.sub(b, r.constF(1))))), a.shape) : null,
      need[1] ? unbroadcast(r, r.mul(dy, r.mul(out, r.log(a))), b.shape) : null,
    ]);
  }
  maximum(a: H, b: H): H {
    const r = this.r;
    return this.rec(r.maximum(a, b), [a, b], (dy) => {
      const ge = r.greaterEqual(a, b);
      const zero = r.zerosLike(dy);
      return [unbroadcast(r, r.select(ge, dy, zero), a.shape), unbroadcast(r, r.select(ge, zero, dy), b.shape)];
    });
  }
  minimum(a: H, b: H): H {
    const r = this.r;
    return this.rec(r.minimum(a, b), [a, b], (dy) => {
      const le = r.lessEqual(a, b);
      const zero = r.zerosLike(dy);
      return [unbroadcast(r, r.select(le, dy, zero), a.shape), unbroadcast(r, r.select(le, zero, dy), b.shape)];
    });
  }
  neg(x: H): H {
    const r = this.r;
    return this.rec(r.neg(x), [x], (dy) => [r.neg(dy)]);
  }
  abs(x: H): H {
    const r = this.r;
    return this.rec(r.abs(x), [x], (dy) => [r.mul(dy, r.sign(x))]);
  }
  square(x: H): H {
    const r = this.r;
    return this.rec(r.square(x), [x], (dy) => [r.mul(dy, r.mul(x, r.constF(2)))]);
  }
  sqrt(x: H): H {
    const r = this.r;
    const out = r.sqrt(x);
    return this.rec(out, [x], (dy) => [r.div(dy, r.mul(out, r.constF(2)))]);
  }
  log(x: H): H {
    const r = this.r;
    return this.rec(r.log(x), [x], (dy) => [r.div(dy, x)]);
  }
  log1p(x: H): H {
    const r = this.r;
    return this.rec(r.log1p(x), [x], (dy) => [r.div(dy, r.add(x, r.constF(1)))]);
  }
  exp(x: H): H {
    const r = this.r;
    const out = r.exp(x);
    return this.rec(out, [x], (dy) => [r.mul(dy, out)]);
  }
  /** A copy the tape does not follow. */
  stopGradient(x: H): H {
    return this.r.identity(x);
  }
  clip(x: H, lo: number, hi: number): H {
    const r = this.r;
    const out = r.clip(x, lo, hi);
    // The gradient passes where the value was not clipped (out == x).
    return this.rec(out, [x], (dy) => [r.mul(dy, r.cast(r.equal(out, x), r.F))]);
  }
  /** Spreads a reduction's gradient back over the reduced axes (a scalar broadcasts directly). */
  private spread(dy: H, x: H, axes: number[] | null): H {
    const r = this.r;
    return r.broadcastTo(dy.shape.length === 0 ? dy : r.reshape(dy, keptShape(x.shape, axes)), x.shape);
  }
  sum(x: H, axes: number[] | null, keep = false): H {
    const out = this.r.sum(x, axes, keep);
    return this.rec(out, [x], (dy) => [this.spread(dy, x, axes)]);
  }
  mean(x: H, axes: number[] | null, keep = false): H {
    const r = this.r;
    const out = r.mean(x, axes, keep);
    const n = count(x.shape, axes);
    return this.rec(out, [x], (dy) => [this.spread(r.div(dy, r.constF(n)), x, axes)]);
  }
  /** max/min reduction: the gradient is shared among the elements equal to the extreme. */
  extreme(kind: 'max' | 'min', x: H, axes: number[] | null, keep = false): H {
    const r = this.r;
    const out = kind === 'max' ? r.max(x, axes, keep) : r.min(x, axes, keep);
    return this.rec(out, [x], (dy) => {
      const kept = keptShape(x.shape, axes);
      const mask = r.cast(r.equal(x, r.broadcastTo(r.reshape(out, kept), x.shape)), r.F);
      const share = r.div(r.reshape(dy, kept), r.sum(mask, axes, true));
      return [r.mul(mask, r.broadcastTo(share, x.shape))];
    });
  }
  reshape(x: H, shape: number[]): H {
    const r = this.r;
    const out = r.reshape(x, shape);
    if (out === x) return x;
    return this.rec(out, [x], (dy) => [r.reshape(dy, x.shape)]);
  }
  matMul(a: H, b: H): H {
    const r = this.r;
    return this.rec(r.matMul(a, b), [a, b], (dy, need) => [need[0] ? r.matMul(dy, b, false, true) : null, need[1] ? r.matMul(a, dy, true, false) : null]);
  }
  biasAdd(x: H, b: H): H {
    const r = this.r;
    return this.rec(r.biasAdd(x, b), [x, b], (dy, need) => [dy, need[1] ? r.biasAddGrad(dy) : null]);
  }
  /** Keras activation by tfjs name. */
  activation(name: string, x: H): H {
    const r = this.r;
    switch (name) {
      case 'linear':
        return x;
      case 'relu': {
        const out = r.relu(x);
        return this.rec(out, [x], (dy) => [r.grad('ReluGrad', dy, out)]);
      }
      case 'relu6': {
        const out = r.relu6(x);
        return this.rec(out, [x], (dy) => [r.grad('Relu6Grad', dy, x)]);
      }
      case 'elu': {
        const out = r.elu(x);
        return this.rec(out, [x], (dy) => [r.grad('EluGrad', dy, out)]);
      }
      case 'selu': {
        const out = r.selu(x);
        return this.rec(out, [x], (dy) => [r.grad('SeluGrad', dy, out)]);
      }
      case 'softplus': {
        const out = r.softplus(x);
        return this.rec(out, [x], (dy) => [r.grad('SoftplusGrad', dy, x)]);
      }
      case 'sigmoid': {
        const out = r.sigmoid(x);
        return this.rec(out, [x], (dy) => [r.grad('SigmoidGrad', out, dy)]);
      }
      case 'tanh': {
        const out = r.tanh(x);
        return this.rec(out, [x], (dy) => [r.grad('TanhGrad', out, dy)]);
      }
      case 'softmax': {
        const out = r.softmax(x);
        this.softmaxOutputs.add(out);
        return this.rec(out, [x], (dy) => [r.mul(out, r.sub(dy, r.sum(r.mul(dy, out), [out.shape.length - 1], true)))]);
      }
      default:
        throw new Error(`activation ${name} has no fast-path rule`);
    }
  }
  conv2d(x: H, k: H, strides: number[], padding: string, dilations: number[]): H {
    const r = this.r;
    return this.rec(r.conv2d(x, k, strides, padding, dilations), [x, k], (dy, need) => [
      need[0] ? r.conv2dBackpropInput(x.shape, k, dy, strides, padding, dilations) : null,
      need[1] ? r.conv2dBackpropFilter(x, k.shape, dy, strides, padding, dilations) : null,
    ]);
  }
  /** Conv2D + bias in one oneDNN kernel when available; gradients from the standard kernels. */
  conv2dBias(x: H, k: H, b: H, strides: number[], padding: string, dilations: number[]): H {
    const r = this.r;
    if (!r.supports('mklConvBias')) return this.biasAdd(this.conv2d(x, k, strides, padding, dilations), b);
    return this.rec(r.mklConv2dBias(x, k, b, strides, padding, dilations), [x, k, b], (dy, need) => [
      need[0] ? r.conv2dBackpropInput(x.shape, k, dy, strides, padding, dilations) : null,
      need[1] ? r.conv2dBackpropFilter(x, k.shape, dy, strides, padding, dilations) : null,
      need[2] ? r.biasAddGrad(dy) : null,
    ]);
  }
  maxPool(x: H, size: number[], strides: number[], padding: string): H {
    const r = this.r;
    if (!this.tape?.needs(x)) return r.maxPool(x, size, strides, padding);
    if (r.supports('mklMaxPool')) {
      const [out, workspace] = r.mklMaxPool(x, size, strides, padding);
      return this.rec(out, [x], (dy) => [r.mklMaxPoolGrad(x, out, dy, workspace, size, strides, padding)]);
    }
    // Same values and gradient routing as MaxPool/MaxPoolGrad (the first maximum of each window).
    const [out, argmax] = r.maxPoolWithArgmax(x, size, strides, padding);
    return this.rec(out, [x], (dy) => [r.maxPoolGradWithArgmax(x, dy, argmax, size, strides, padding)]);
  }
  avgPool(x: H, size: number[], strides: number[], padding: string): H {
    const r = this.r;
    return this.rec(r.avgPool(x, size, strides, padding), [x], (dy) => [r.avgPoolGrad(x.shape, dy, size, strides, padding)]);
  }
  /** Inverted dropout, as Keras: kept units are scaled by 1/(1 - rate). */
  dropout(x: H, rate: number): H {
    const r = this.r;
    const mask = r.mul(r.cast(r.greaterEqual(r.randomUniform(x.shape), r.constF(rate)), r.F), r.constF(1 / (1 - rate)));
    return this.rec(r.mul(x, mask), [x], (dy) => [r.mul(dy, mask)]);
  }
}

/** The shape of a reduction's result with keepdims. */
export function keptShape(shape: number[], axes: number[] | null): number[] {
  const set = new Set((axes ?? shape.map((_, i) => i)).map((a) => (a < 0 ? a + shape.length : a)));
  return shape.map((d, i) => (set.has(i) ? 1 : d));
}
