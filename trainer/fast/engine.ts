/**
 * The fast training step: the model, the loss program and the optimizer compiled to raw
 * TensorFlow ops (raw.ts) with a minimal tape (autodiff.ts).
 *
 * Per step: one SplitV of the flat parameter vector into the layers' weights, the forward pass
 * with fused kernels (MatMul+BiasAdd+Relu, Conv2D, MaxPool), the loss terms and metrics, one read
 * of [total, components, metrics], fused gradient kernels, one ConcatV2 of the gradients, and the
 * Keras-rule optimizer update on the flat vector (a dozen ops whatever the number of weights).
 *
 * Covers Sequential/functional stacks of Dense, Conv2D, pooling, Flatten/Reshape, Dropout and
 * activation layers with Adam/AdamW/SGD/RMSprop; `planFast` says why when a model is not covered,
 * and the general engine (engine.ts) trains it instead. Evaluation, probes and histograms use the
 * tfjs model, whose variables are synchronised from the flat vector when read.
 */
import type { BuiltinLoss, BuiltinLossOptions, LossExpr, LossProgram, MetricSpec } from '../../analysis/loss/program';
import type { TapInfo, TensorKind } from '../../protocol/protocol';
import type { Histogram } from '../taps';
import type { Tf } from '../backend';
import type { Engine, StepResult, TrainEngine } from '../engine';
import type { BuiltModel } from '../model-builder';
import { AD, Tape } from './autodiff';
import { RawOps, type H } from './raw';

type Tensor = ReturnType<Tf['tensor']>;
type TfLayer = import('@tensorflow/tfjs').layers.Layer;
type LayerVariable = TfLayer['trainableWeights'][number];

const EPS = 1e-7;

type LayerPlan =
  | { kind: 'input'; name: string; index: number }
  | { kind: 'dense'; name: string; input: string; kernel: number; bias: number | null; activation: string }
  | { kind: 'conv2d'; name: string; input: string; kernel: number; bias: number | null; activation: string; strides: number[]; padding: string; dilations: number[] }
  | { kind: 'pool'; name: string; input: string; op: 'max' | 'avg'; size: number[]; strides: number[]; padding: string }
  | { kind: 'reshape'; name: string; input: string; shape: number[] }
  | { kind: 'dropout'; name: string; input: string; rate: number }
  | { kind: 'activation'; name: string; input: string; activation: string }
  | { kind: 'leakyrelu'; name: string; input: string; alpha: number };

interface Regularizer {
  weight: number;
  l1: number;
  l2: number;
}

export interface FastPlan {
  layers: LayerPlan[];
  weights: LayerVariable[];
  regularizers: Regularizer[];
  optimizer: { kind: 'adam' | 'sgd' | 'rmsprop'; lr: number; b1: number; b2: number; eps: number; momentum: number; nesterov: boolean; rho: number; centered: boolean; weightDecay: number };
}

const ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'elu', 'selu', 'softplus', 'sigmoid', 'tanh', 'softmax']);
const FAST_LOSSES = new Set<BuiltinLoss>(['categorical_crossentropy', 'sparse_categorical_crossentropy', 'binary_crossentropy', 'mean_squared_error', 'mean_absolute_error']);

const pair = (v: unknown): number[] => (Array.isArray(v) ? (v as number[]) : [Number(v), Number(v)]);

/** A plan for the fast step, or the reason the general engine must train this model. */
export function planFast(tf: Tf, built: BuiltModel, program: LossProgram): FastPlan | { reason: string } {
  if (tf.getBackend() !== 'tensorflow') return { reason: 'the fast path needs the native backend' };
  const model = built.model;
  if (built.inputs.length !== 1) return { reason: 'several model inputs' };
  if (built.activityRegularizers.length) return { reason: 'activity regularizers' };
  const weights = model.trainableWeights;
  if (model.nonTrainableWeights.length) return { reason: `non-trainable weights (${model.nonTrainableWeights[0]!.name})` };
  const index = new Map<unknown, number>();
  weights.forEach((w, i) => index.set(w, i));
  const layers: LayerPlan[] = [];
  const regularizers: Regularizer[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const name = layer.name;
    const label = `layer '${name}' (${cls})`;
    if (cls === 'InputLayer') {
      layers.push({ kind: 'input', name, index: 0 });
      continue;
    }
    if (layer.inboundNodes.length !== 1) return { reason: `${label} is shared` };
    const inbound = layer.inboundNodes[0]!.inboundLayers;
    if (inbound.length !== 1) return { reason: `${label} has ${inbound.length} inputs` };
    const input = inbound[0]!.name;
    const c = layer.getConfig() as Record<string, unknown>;
    const l = layer as unknown as Record<string, unknown>;
    if (l['kernelConstraint'] || l['biasConstraint']) return { reason: `${label} has weight constraints` };
    for (const [key, kind] of [['kernelRegularizer', 'kernel'], ['biasRegularizer', 'bias']] as const) {
      const reg = l[key] as { l1?: number; l2?: number; getClassName(): string } | undefined;
      if (!reg) continue;
      if (reg.getClassName() !== 'L1L2') return { reason: `${label} has a ${reg.getClassName()} regularizer` };
      const w = layer.trainableWeights.find((v) => v.originalName.endsWith(`/${kind}`));
      if (w) regularizers.push({ weight: index.get(w)!, l1: reg.l1 ?? 0, l2: reg.l2 ?? 0 });
    }
    const kernel = layer.trainableWeights.find((v) => v.originalName.endsWith('/kernel'));
    const bias = layer.trainableWeights.find((v) => v.originalName.endsWith('/bias'));
    const activation = String(c['activation'] ?? 'linear');
    switch (cls) {
      case 'Dense': {
        if (!kernel || layer.trainableWeights.length !== (bias ? 2 : 1)) return { reason: `${label}: unexpected weights` };
        if (!ACTIVATIONS.has(activation)) return { reason: `${label}: activation ${activation}` };
        const rank = firstShape(layer.inboundNodes[0]!.inputShapes).length;
        if (rank !== 2) return { reason: `${label} is applied to a rank-${rank} input` };
        layers.push({ kind: 'dense', name, input, kernel: index.get(kernel)!, bias: bias ? index.get(bias)! : null, activation });
        break;
      }
      case 'Conv2D': {
        if (!kernel) return { reason: `${label}: no kernel` };
        if (c['dataFormat'] !== 'channelsLast') return { reason: `${label}: ${String(c['dataFormat'])}` };
        if (!ACTIVATIONS.has(activation)) return { reason: `${label}: activation ${activation}` };
        const padding = String(c['padding']).toUpperCase();
        if (padding !== 'VALID' && padding !== 'SAME') return { reason: `${label}: padding ${padding}` };
        layers.push({ kind: 'conv2d', name, input, kernel: index.get(kernel)!, bias: bias ? index.get(bias)! : null, activation, strides: pair(c['strides']), padding, dilations: pair(c['dilationRate']) });
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        if (c['dataFormat'] !== 'channelsLast') return { reason: `${label}: ${String(c['dataFormat'])}` };
        const size = pair(c['poolSize']);
        layers.push({ kind: 'pool', name, input, op: cls === 'MaxPooling2D' ? 'max' : 'avg', size, strides: c['strides'] == null ? size : pair(c['strides']), padding: String(c['padding']).toUpperCase() });
        break;
      }
      case 'Flatten':
      case 'Reshape': {
        const shape = firstShape(layer.inboundNodes[0]!.outputShapes).slice(1);
        if (shape.some((d) => d === null)) return { reason: `${label}: unknown output shape` };
        layers.push({ kind: 'reshape', name, input, shape: shape as number[] });
        break;
      }
      case 'Dropout': {
        if (c['noiseShape'] != null) return { reason: `${label}: noise_shape` };
        layers.push({ kind: 'dropout', name, input, rate: Number(c['rate']) });
        break;
      }
      case 'Activation':
        if (!ACTIVATIONS.has(activation)) return { reason: `${label}: activation ${activation}` };
        layers.push({ kind: 'activation', name, input, activation });
        break;
      case 'ReLU': {
        const max = c['maxValue'];
        if (max != null && max !== 6) return { reason: `${label}: max_value ${String(max)}` };
        layers.push({ kind: 'activation', name, input, activation: max === 6 ? 'relu6' : 'relu' });
        break;
      }
      case 'Softmax':
        if (c['axis'] !== -1 && c['axis'] !== undefined) return { reason: `${label}: axis ${String(c['axis'])}` };
        layers.push({ kind: 'activation', name, input, activation: 'softmax' });
        break;
      case 'LeakyReLU':
        layers.push({ kind: 'leakyrelu', name, input, alpha: Number(c['alpha']) });
        break;
      default:
        return { reason: `${label} has no fast-path rule` };
    }
  }
  const unsupported = program.terms.map((t) => unsupportedExpr(t.expr)).find((r) => r !== undefined);
  if (unsupported) return { reason: unsupported };
  const opt = program.optimizer;
  const a = opt.args;
  const num = (k: string, d: number): number => (typeof a[k] === 'number' ? (a[k] as number) : d);
  for (const k of Object.keys(a)) {
    if (['clipnorm', 'clipvalue', 'global_clipnorm'].includes(k) && a[k] !== null) return { reason: `optimizer ${k}` };
    if (/^arg\d+$/.test(k)) return { reason: 'positional optimizer arguments' };
  }
  if (a['amsgrad'] === true) return { reason: 'amsgrad' };
  let optimizer: FastPlan['optimizer'];
  const base = { b1: 0.9, b2: 0.999, eps: 1e-7, momentum: 0, nesterov: false, rho: 0.9, centered: false, weightDecay: 0 };
  switch (opt.className) {
    case 'Adam':
    case 'AdamW':
      optimizer = { ...base, kind: 'adam', lr: num('learning_rate', 0.001), b1: num('beta_1', 0.9), b2: num('beta_2', 0.999), eps: num('epsilon', 1e-7), weightDecay: num('weight_decay', opt.className === 'AdamW' ? 0.004 : 0) };
      break;
    case 'SGD':
      optimizer = { ...base, kind: 'sgd', lr: num('learning_rate', 0.01), momentum: num('momentum', 0), nesterov: a['nesterov'] === true, weightDecay: num('weight_decay', 0) };
      break;
    case 'RMSprop':
      optimizer = { ...base, kind: 'rmsprop', lr: num('learning_rate', 0.001), rho: num('rho', 0.9), eps: num('epsilon', 1e-7), momentum: num('momentum', 0), centered: a['centered'] === true, weightDecay: num('weight_decay', 0) };
      break;
    default:
      return { reason: `optimizer ${opt.className}` };
  }
  return { layers, weights, regularizers, optimizer };
}

/** The first shape of a tfjs node's Shape | Shape[]. */
function firstShape(s: unknown): (number | null)[] {
  const a = s as unknown[];
  return (Array.isArray(a[0]) ? a[0] : a) as (number | null)[];
}

function unsupportedExpr(e: LossExpr): string | undefined {
  switch (e.op) {
    case 'loss':
      return FAST_LOSSES.has(e.fn) && !e.options.labelSmoothing ? unsupportedExpr(e.yTrue) ?? unsupportedExpr(e.yPred) : `loss ${e.fn}${e.options.labelSmoothing ? ' with label smoothing' : ''}`;
    case 'reduce':
    case 'unary':
      return unsupportedExpr(e.x);
    case 'binary':
      return unsupportedExpr(e.a) ?? unsupportedExpr(e.b);
    default:
      return undefined;
  }
}

export class FastEngine implements TrainEngine {
  private readonly r: RawOps;
  private P: H;
  private slots: H[] = [];
  private iterations = 0;
  private dirty = false;
  private readonly sizes: number[];
  private readonly shapes: number[][];
  readonly valueNames: string[];
  readonly description: string;

  constructor(
    tf: Tf,
    private readonly general: Engine,
    private readonly plan: FastPlan,
    private readonly program: LossProgram,
  ) {
    this.r = new RawOps(tf);
    this.valueNames = general.valueNames;
    this.shapes = plan.weights.map((w) => [...w.shape] as number[]);
    this.sizes = this.shapes.map((s) => s.reduce((a, b) => a * b, 1));
    const r = this.r;
    const o0 = plan.optimizer;
    const slotCount = o0.kind === 'adam' ? 2 : o0.kind === 'rmsprop' ? (o0.centered ? 3 : 2) : o0.momentum ? 1 : 0;
    this.P = r.keep(
      r.scope(() => {
        const flat = r.concat(plan.weights.map((w, i) => r.reshape(r.identity(r.borrow(w.read())), [this.sizes[i]!])), 0);
        for (let i = 0; i < slotCount; i++) this.slots.push(r.keep(r.createVariable(r.zerosLike(flat))));
        return r.keep(r.createVariable(flat));
      }),
    );
    const o = plan.optimizer;
    this.description = `fast path: raw TensorFlow ops, fused gradient kernels, in-place ${o.kind === 'adam' ? (o.weightDecay ? 'AdamW' : 'Adam') : o.kind === 'sgd' ? 'SGD' : 'RMSprop'} kernel on one parameter variable`;
  }

  /** Live raw handles (for leak tests): 0 after dispose(). */
  get liveHandles(): number {
    return this.r.live;
  }

  /** The current parameters, one handle per weight (a read of the flat variable, split and reshaped). */
  /** Handles that may share the variable's buffer (its read, the split, the reshapes). */
  private aliases: H[] = [];

  private views(): H[] {
    const r = this.r;
    const flat = r.readVariable(this.P);
    const parts = this.sizes.length === 1 ? [flat] : r.splitV(flat, this.sizes, 0);
    const views = parts.map((p, i) => r.reshape(p, this.shapes[i]!));
    this.aliases = [flat, ...parts, ...views];
    return views;
  }

  private forwardRaw(ad: AD, params: H[], x: H, training: boolean): Map<string, H> {
    const outs = new Map<string, H>();
    for (const l of this.plan.layers) {
      if (l.kind === 'input') {
        outs.set(l.name, x);
        continue;
      }
      const input = outs.get(l.input)!;
      let y: H;
      switch (l.kind) {
        case 'dense': {
          y = ad.matMul(input, params[l.kernel]!);
          if (l.bias !== null) y = ad.biasAdd(y, params[l.bias]!);
          y = ad.activation(l.activation, y);
          break;
        }
        case 'conv2d': {
          y = l.bias !== null ? ad.conv2dBias(input, params[l.kernel]!, params[l.bias]!, l.strides, l.padding, l.dilations) : ad.conv2d(input, params[l.kernel]!, l.strides, l.padding, l.dilations);
          y = ad.activation(l.activation, y);
          break;
        }
        case 'pool':
          y = l.op === 'max' ? ad.maxPool(input, l.size, l.strides, l.padding) : ad.avgPool(input, l.size, l.strides, l.padding);
          break;
        case 'reshape':
          y = ad.reshape(input, [input.shape[0]!, ...l.shape]);
          break;
        case 'dropout':
          y = training && l.rate > 0 ? ad.dropout(input, l.rate) : input;
          break;
        case 'activation':
          y = ad.activation(l.activation, input);
          break;
        case 'leakyrelu': {
          const r = this.r;
          const out = r.leakyRelu(input, l.alpha);
          y = ad.tape ? ad.tape.record(out, [input], (dy) => [r.leakyReluGrad(dy, input, l.alpha)]) : out;
          break;
        }
      }
      outs.set(l.name, y);
    }
    return outs;
  }

  private expr(ad: AD, e: LossExpr, outs: Map<string, H>, params: H[], targets: H[]): H {
    const r = this.r;
    switch (e.op) {
      case 'const':
        return r.constF(e.value);
      case 'target':
        return targets[e.target]!;
      case 'tensor': {
        if (e.tensor === 'activation') return outs.get(e.layer)!;
        const w = this.plan.weights.findIndex((v) => v.originalName === `${e.layer}/${e.tensor}` || v.originalName.endsWith(`/${e.layer}/${e.tensor}`));
        const i = w >= 0 ? w : this.plan.weights.findIndex((v) => v.name.startsWith(`${e.layer}/${e.tensor}`));
        return params[i]!;
      }
      case 'loss':
        return this.loss(ad, e.fn, this.expr(ad, e.yTrue, outs, params, targets), this.expr(ad, e.yPred, outs, params, targets), e.options);
      case 'reduce': {
        const x = this.expr(ad, e.x, outs, params, targets);
        if (e.fn === 'mean') return ad.mean(x, e.axis, e.keepdims);
        if (e.fn === 'sum') return ad.sum(x, e.axis, e.keepdims);
        return ad.extreme(e.fn, x, e.axis, e.keepdims);
      }
      case 'unary': {
        const x = this.expr(ad, e.x, outs, params, targets);
        switch (e.fn) {
          case 'abs':
            return ad.abs(x);
          case 'square':
            return ad.square(x);
          case 'sqrt':
            return ad.sqrt(x);
          case 'log':
            return ad.log(x);
          case 'exp':
            return ad.exp(x);
          case 'neg':
            return ad.neg(x);
          case 'log1p':
            return ad.log1p(x);
          case 'stop_gradient':
            return ad.stopGradient(x);
          default:
            return ad.activation(e.fn, x);
        }
      }
      case 'binary': {
        const a = this.expr(ad, e.a, outs, params, targets);
        const b = this.expr(ad, e.b, outs, params, targets);
        switch (e.fn) {
          case 'add':
            return ad.add(a, b);
          case 'sub':
            return ad.sub(a, b);
          case 'mul':
            return ad.mul(a, b);
          case 'div':
            return ad.div(a, b);
          case 'pow':
            return ad.pow(a, b);
          case 'maximum':
            return ad.maximum(a, b);
          case 'minimum':
            return ad.minimum(a, b);
        }
        break;
      }
      case 'regularization': {
        const parts: H[] = [];
        for (const reg of this.plan.regularizers) {
          const w = params[reg.weight]!;
          if (reg.l1) parts.push(ad.mul(ad.sum(ad.abs(w), null), r.constF(reg.l1)));
          if (reg.l2) parts.push(ad.mul(ad.sum(ad.square(w), null), r.constF(reg.l2)));
        }
        return parts.reduce((s, p) => ad.add(s, p), r.constF(0));
      }
    }
    throw new Error(`no fast rule for ${JSON.stringify(e)}`);
  }

  /** Keras 3 losses (TensorFlow backend), per sample. */
  private loss(ad: AD, fn: BuiltinLoss, yt0: H, yp: H, o: BuiltinLossOptions): H {
    const r = this.r;
    const last = [yp.shape.length - 1];
    switch (fn) {
      case 'categorical_crossentropy':
      case 'sparse_categorical_crossentropy': {
        const yt = fn === 'sparse_categorical_crossentropy' ? r.oneHot(r.reshape(yt0, [yt0.shape.reduce((a, b) => a * b, 1)]), yp.shape[yp.shape.length - 1]!) : yt0;
        const target = fn === 'sparse_categorical_crossentropy' && yp.shape.length > 2 ? r.reshape(yt, yp.shape) : yt;
        if (o.fromLogits) {
          // -Σ y·log_softmax(z), with its gradient softmax(z)·Σy − y.
          const z = yp;
          const logp = r.op('LogSoftmax', r.attrs('T1', () => [r.T()]), z);
          const out = r.neg(r.sum(r.mul(target, logp), last));
          return ad.tape
            ? ad.tape.record(out, [z], (dy) => {
                const g = r.sub(r.mul(r.exp(logp), r.sum(target, last, true)), target);
                return [r.mul(g, r.reshape(dy, [...dy.shape, 1]))];
              })
            : out;
        }
        if (ad.tape && ad.softmaxOutputs.has(yp) && ad.tape.needs(yp)) {
          // Keras's formula, -Σ y·log(clip(p/Σp, ε, 1-ε)), with one fused gradient rule. The
          // normalisation's gradient term is constant along the class axis, which the softmax
          // backward that follows cancels, so dp = -(y/c)·[ε ≤ q ≤ 1-ε] / Σp · dloss.
          const s = r.sum(yp, last, true);
          const q = r.div(yp, s);
          const c = r.clip(q, EPS, 1 - EPS);
          const out = r.neg(r.sum(r.mul(target, r.log(c)), last));
          return ad.tape.record(out, [yp], (dy) => {
            const inside = r.cast(r.equal(c, q), r.F);
            const dq = r.mul(r.div(target, c), inside);
            const scale = r.div(r.neg(dy.shape.length === 0 ? dy : r.reshape(dy, [...dy.shape, 1])), s);
            return [r.mul(dq, scale)];
          });
        }
        const p = ad.clip(ad.div(yp, ad.sum(yp, last, true)), EPS, 1 - EPS);
        return ad.neg(ad.sum(ad.mul(target, ad.log(p)), last));
      }
      case 'binary_crossentropy': {
        const yt = r.cast(yt0, r.F);
        if (o.fromLogits) {
          const x = yp;
          const out = r.mean(r.add(r.sub(r.relu(x), r.mul(x, yt)), r.log1p(r.exp(r.neg(r.abs(x))))), last);
          return ad.tape
            ? ad.tape.record(out, [x], (dy) => [r.mul(r.sub(r.sigmoid(x), yt), r.reshape(r.div(dy, r.constF(x.shape[x.shape.length - 1]!)), [...dy.shape, 1]))])
            : out;
        }
        const p = ad.clip(yp, EPS, 1 - EPS);
        const one = r.constF(1);
        const bce = ad.add(ad.mul(yt, ad.log(p)), ad.mul(r.sub(one, yt), ad.log(ad.sub(one, p))));
        return ad.neg(ad.mean(bce, last));
      }
      case 'mean_squared_error':
        return ad.mean(ad.square(ad.sub(yp, r.cast(yt0, r.F))), last);
      case 'mean_absolute_error':
        return ad.mean(ad.abs(ad.sub(yp, r.cast(yt0, r.F))), last);
      default:
        throw new Error(`no fast rule for loss ${fn}`);
    }
  }

  private metric(m: MetricSpec, yt: H, yp: H): H {
    const r = this.r;
    const last = yp.shape.length - 1;
    switch (m.kind) {
      case 'categorical_accuracy':
        return r.mean(r.cast(r.equal(r.argMax(yp, last), r.argMax(yt, last)), r.F), null);
      case 'sparse_categorical_accuracy':
        return r.mean(r.cast(r.equal(r.argMax(yp, last), r.reshape(r.cast(yt, r.I), yp.shape.slice(0, -1))), r.F), null);
      case 'binary_accuracy':
        return r.mean(r.cast(r.equal(r.cast(r.greaterEqual(yp, r.constF(0.5 + 1e-9)), r.F), r.cast(yt, r.F)), r.F), null);
      case 'mean_absolute_error':
        return r.mean(r.abs(r.sub(yp, r.cast(yt, r.F))), null);
      case 'mean_squared_error':
        return r.mean(r.square(r.sub(yp, r.cast(yt, r.F))), null);
    }
  }

  step(x: Tensor[], ys: Tensor[]): StepResult {
    const r = this.r;
    let values: Float32Array = new Float32Array(0);
    let applied = false;
    r.scope(() => {
      const tape = new Tape(r);
      const ad = new AD(r, tape);
      const params = this.views().map((v) => tape.watch(v));
      const targets = ys.map((y) => r.borrow(y));
      const outs = this.forwardRaw(ad, params, r.borrow(x[0]!), true);
      const comps = this.program.terms.map((t) => {
        const v = this.expr(ad, t.expr, outs, params, targets);
        const m = v.shape.length === 0 ? v : ad.mean(v, null);
        return t.weight === 1 ? m : ad.mul(m, r.constF(t.weight));
      });
      const total = comps.length === 1 ? comps[0]! : comps.slice(1).reduce((s, c) => ad.add(s, c), comps[0]!);
      const metrics = this.program.metrics.map((m) => this.metric(m, targets[m.target]!, outs.get(m.output)!));
      values = Float32Array.from(r.read(r.pack([total, ...comps, ...metrics])));
      if (!Number.isFinite(values[0]!)) return;
      const grads = tape.gradients(total, params);
      const flat = r.concat(
        grads.map((g, i) => (g ? r.reshape(g, [this.sizes[i]!]) : r.zerosLike(r.reshape(params[i]!, [this.sizes[i]!])))),
        0,
      );
      this.update(flat);
      applied = true;
      this.dirty = true;
    });
    return { values, applied };
  }

  /**
   * The optimizer on the flat parameter variable, with TensorFlow's fused in-place kernels, whose
   * update rules are Keras 3's: ApplyAdam (ε outside the square root, bias correction folded into
   * the step size), ApplyKerasMomentum (SGD, Nesterov), ApplyRMSProp / ApplyCenteredRMSProp.
   */
  private update(g: H): void {
    const r = this.r;
    const o = this.plan.optimizer;
    const P = this.P;
    // Live reads of the variable share its buffer: TensorFlow would copy it before updating in place
    // (measured: the update then costs 4–7× more). Nothing reads them after the gradients.
    for (const h of this.aliases) r.free(h);
    this.aliases = [];
    const scalar = (v: number): H => r.upload(Float32Array.of(v), []);
    if (o.weightDecay) {
      // AdamW (and Keras 3's weight_decay on any optimizer): w -= w·wd·lr, before the update.
      r.apply('AssignSubVariableOp', r.attrs('assignsub', () => [r.type('dtype', r.F)]), [P, r.mul(r.readVariable(P), r.constF(o.weightDecay * o.lr))]);
    }
    const T = r.attrs(`apply${o.nesterov}`, () => [r.T(), r.bool('use_locking', false), r.bool('use_nesterov', o.nesterov)]);
    const T2 = r.attrs('apply-nonesterov', () => [r.T(), r.bool('use_locking', false)]);
    if (o.kind === 'adam') {
      const t = this.iterations + 1;
      const [m, v] = this.slots as [H, H];
      r.apply('ResourceApplyAdam', T, [P, m, v, scalar(o.b1 ** t), scalar(o.b2 ** t), r.constF(o.lr), r.constF(o.b1), r.constF(o.b2), r.constF(o.eps), g]);
    } else if (o.kind === 'sgd') {
      if (o.momentum) r.apply('ResourceApplyKerasMomentum', T, [P, this.slots[0]!, r.constF(o.lr), g, r.constF(o.momentum)]);
      else r.apply('ResourceApplyGradientDescent', T2, [P, r.constF(o.lr), g]);
    } else if (o.centered) {
      const [ms, mom, mg] = this.slots as [H, H, H];
      r.apply('ResourceApplyCenteredRMSProp', T2, [P, mg, ms, mom, r.constF(o.lr), r.constF(o.rho), r.constF(o.momentum), r.constF(o.eps), g]);
    } else {
      const [ms, mom] = this.slots as [H, H];
      r.apply('ResourceApplyRMSProp', T2, [P, ms, mom, r.constF(o.lr), r.constF(o.rho), r.constF(o.momentum), r.constF(o.eps), g]);
    }
    this.iterations++;
  }

  /**
   * Histograms of the tapped tensors on a probe batch (inference mode), all on the backend with
   * raw ops; one read brings [min, max, mean, std, zero fraction, non-finite, ...counts] per tensor.
   */
  histograms(probe: Tensor[], taps: TapInfo[], bins: number): Histogram[] {
    const r = this.r;
    const list: { layer: string; tensor: TensorKind }[] = [];
    let data: Float32Array = new Float32Array(0);
    r.scope(() => {
      const ad = new AD(r, null);
      const params = this.views();
      const outs = taps.some((t) => t.tensors.includes('activation')) ? this.forwardRaw(ad, params, r.borrow(probe[0]!), false) : new Map<string, H>();
      const packs: H[] = [];
      for (const t of taps) {
        for (const kind of t.tensors) {
          const h = kind === 'activation' ? outs.get(t.layer) : this.param(params, t.layer, kind);
          if (!h) continue;
          list.push({ layer: t.layer, tensor: kind });
          packs.push(this.histogramPack(h, bins));
        }
      }
      if (packs.length) data = Float32Array.from(r.read(r.concat(packs, 0)));
    });
    const width = 6 + bins;
    return list.map((t, i) => {
      const o = i * width;
      return {
        layer: t.layer,
        tensor: t.tensor,
        min: data[o]!,
        max: data[o + 1]!,
        counts: Array.from(data.subarray(o + 6, o + width), (v) => Math.round(v)),
        stats: { mean: data[o + 2]!, std: data[o + 3]!, min: data[o]!, max: data[o + 1]!, zeroFraction: data[o + 4]!, nonFinite: Math.round(data[o + 5]!) },
      };
    });
  }

  private param(params: H[], layer: string, kind: 'kernel' | 'bias'): H | undefined {
    const i = this.plan.weights.findIndex((v) => v.originalName === `${layer}/${kind}` || v.originalName.endsWith(`/${layer}/${kind}`));
    return i >= 0 ? params[i] : undefined;
  }

  /** Same packing as taps.ts, with raw ops. */
  private histogramPack(t: H, bins: number): H {
    const r = this.r;
    const n = t.shape.reduce((a, b) => a * b, 1);
    const x = r.reshape(t, [n]);
    if (n === 0) return r.concat([r.broadcastTo(r.constF(0), [6 + bins])], 0);
    const fin = r.isFinite(x);
    const finF = r.cast(fin, r.F);
    const count = r.sum(finF, null);
    const safe = r.select(fin, x, r.constF(0));
    const min = r.min(r.select(fin, x, r.constF(Infinity)), null);
    const max = r.max(r.select(fin, x, r.constF(-Infinity)), null);
    const denom = r.maximum(count, r.constF(1));
    const mean = r.div(r.sum(safe, null), denom);
    const centred = r.mul(r.sub(safe, mean), finF);
    const std = r.sqrt(r.div(r.sum(r.square(centred), null), denom));
    const zero = r.mean(r.cast(r.equal(x, r.constF(0)), r.F), null);
    const range = r.sub(max, min);
    const width = r.select(r.greater(range, r.constF(0)), range, r.constF(1));
    const idx = r.cast(r.clip(r.floor(r.mul(r.div(r.sub(safe, min), width), r.constF(bins))), 0, bins - 1), r.I);
    const counts = r.bincount(idx, bins, finF);
    const any = r.greater(count, r.constF(0));
    const head = r.pack([r.select(any, min, r.constF(0)), r.select(any, max, r.constF(0)), mean, std, zero, r.sub(r.constF(n), count)]);
    return r.concat([head, counts], 0);
  }

  /** Writes the flat parameters into the tfjs model's variables. */
  sync(): void {
    if (!this.dirty) return;
    const r = this.r;
    r.scope(() => {
      const views = this.views();
      this.plan.weights.forEach((w, i) => {
        const t = r.toTensor(views[i]!);
        w.write(t);
        t.dispose();
      });
    });
    this.dirty = false;
  }

  forward(x: Tensor[], training: boolean): Map<string, Tensor> {
    this.sync();
    return this.general.forward(x, training);
  }

  evaluate(x: Tensor[], ys: Tensor[]): Float32Array {
    this.sync();
    return this.general.evaluate(x, ys);
  }

  weight(layer: string, kind: Exclude<TensorKind, 'activation'>): Tensor {
    this.sync();
    return this.general.weight(layer, kind);
  }

  dispose(): void {
    try {
      this.sync();
    } finally {
      const r = this.r;
      r.destroyVariable(this.P);
      for (const s of this.slots) r.destroyVariable(s);
      this.slots = [];
      r.dispose();
      this.general.dispose();
    }
  }
}
