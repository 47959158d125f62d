/**
 * The training step: forward through the tfjs model, the interpreted loss terms and the metrics,
 * gradients with tf.variableGrads, then the Keras-rule optimizer and weight constraints.
 *
 * One step reads one small tensor back ([total, components..., metrics...]) — needed anyway to
 * report the loss and to catch a non-finite loss before it reaches the weights.
 */
import type { LossProgram } from '../analysis/loss/program';
import type { TapInfo, TensorKind } from '../protocol/protocol';
import type { Histogram } from './taps';
import type { Tf } from './backend';
import { metricValue, termValue, type LossInputs } from './loss';
import type { BuiltModel } from './model-builder';
import type { Optimizer } from './optimizers';

type Tensor = ReturnType<Tf['tensor']>;
type Variable = ReturnType<Tf['variable']>;
type LayerVariable = ReturnType<BuiltModel['model']['getLayer']>['trainableWeights'][number];

export interface StepResult {
  /** [total, ...components, ...metrics] */
  values: Float32Array;
  /** False when the loss was not finite (weights untouched). */
  applied: boolean;
}

/** What the training loop needs from an engine (this general one, or fast/engine.ts). */
export interface TrainEngine {
  readonly valueNames: string[];
  readonly description: string;
  step(x: Tensor[], ys: Tensor[]): StepResult;
  evaluate(x: Tensor[], ys: Tensor[]): Float32Array;
  forward(x: Tensor[], training: boolean): Map<string, Tensor>;
  weight(layer: string, kind: Exclude<TensorKind, 'activation'>): Tensor;
  /** Makes the tfjs model's variables current (the fast engine trains a copy). */
  sync(): void;
  /** Histograms of the tapped tensors on the probe batch, when the engine computes them itself. */
  histograms?(probe: Tensor[], taps: TapInfo[], bins: number): Histogram[];
  dispose(): void;
}

export class Engine implements TrainEngine {
  readonly description = 'general path: tfjs layers with tf.variableGrads';
  readonly vars: Variable[];
  private readonly layerVars: LayerVariable[];
  private readonly outputIndex = new Map<string, number>();
  readonly valueNames: string[];

  constructor(
    private readonly tf: Tf,
    readonly built: BuiltModel,
    readonly program: LossProgram,
    private readonly optimizer: Optimizer,
  ) {
    this.layerVars = built.model.trainableWeights;
    this.vars = this.layerVars.map((w) => w.read() as unknown as Variable);
    built.outputLayers.forEach((name, i) => this.outputIndex.set(name, i));
    this.valueNames = ['loss', ...program.terms.map((t) => t.name), ...program.metrics.map((m) => m.name)];
  }

  /** The variable holding a layer's kernel or bias. */
  weight(layer: string, kind: Exclude<TensorKind, 'activation'>): Tensor {
    const l = this.built.layers.get(layer);
    if (!l) throw new Error(`no layer '${layer}'`);
    const w = l.tfjs.weights.find((v) => v.originalName.split('/').pop() === kind || v.name.split('/').pop()?.replace(/_\d+$/, '') === kind);
    if (!w) throw new Error(`layer '${layer}' has no ${kind}`);
    return w.read();
  }

  hasWeight(layer: string, kind: 'kernel' | 'bias'): boolean {
    const l = this.built.layers.get(layer);
    return !!l?.tfjs.weights.some((v) => v.originalName.split('/').pop() === kind);
  }

  /** Forward pass; outputs by layer name. */
  forward(xs: Tensor[], training: boolean): Map<string, Tensor> {
    const outs = this.built.model.apply(xs.length === 1 ? xs[0]! : xs, { training }) as Tensor | Tensor[];
    const list = Array.isArray(outs) ? outs : [outs];
    const map = new Map<string, Tensor>();
    this.built.outputLayers.forEach((name, i) => map.set(name, list[i]!));
    return map;
  }

  /** Loss components and metrics for given outputs, packed as [total, ...terms, ...metrics]. */
  private lossValues(outs: Map<string, Tensor>, ys: Tensor[]): { total: Tensor; packed: Tensor } {
    const tf = this.tf;
    const inputs: LossInputs = {
      targets: ys,
      activation: (layer) => {
        const t = outs.get(layer);
        if (!t) throw new Error(`activation of '${layer}' is not an output of the built model`);
        return t;
      },
      weight: (layer, kind) => this.weight(layer, kind),
      regularization: () => regularization(tf, this.built, outs),
    };
    const comps = this.program.terms.map((t) => termValue(tf, t, inputs));
    const total = comps.length === 1 ? comps[0]! : tf.addN(comps);
    const metrics = this.program.metrics.map((m) => metricValue(tf, m, ys[m.target]!, outs.get(m.output)!));
    return { total, packed: tf.stack([total, ...comps, ...metrics]) };
  }

  step(x: Tensor[], ys: Tensor[]): StepResult {
    const tf = this.tf;
    let values: Float32Array = new Float32Array(0);
    let applied = false;
    tf.tidy(() => {
      let packed: Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const outs = this.forward(x, true);
        const r = this.lossValues(outs, ys);
        packed = tf.keep(r.packed);
        return r.total as ReturnType<Tf['scalar']>;
      }, this.vars);
      values = packed!.dataSync() as Float32Array;
      packed!.dispose();
      value.dispose();
      if (Number.isFinite(values[0]!)) {
        this.optimizer.apply(
          this.vars,
          this.vars.map((v) => grads[v.name] ?? null),
        );
        this.applyConstraints();
        applied = true;
      }
    });
    return { values, applied };
  }

  private applyConstraints(): void {
    for (const w of this.layerVars) {
      const c = (w as unknown as { constraint?: { apply(t: Tensor): Tensor } }).constraint;
      if (c) w.write(c.apply(w.read()));
    }
  }

  /** Loss and metrics in inference mode, packed like `step`. */
  evaluate(x: Tensor[], ys: Tensor[]): Float32Array {
    const tf = this.tf;
    const packed = tf.tidy(() => this.lossValues(this.forward(x, false), ys).packed);
    const v = packed.dataSync() as Float32Array;
    packed.dispose();
    return v;
  }

  sync(): void {
    // The general engine trains the tfjs variables themselves.
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

/**
 * The model's own regularization losses, as Keras adds them: weight regularizers (tfjs computes
 * them) plus activity regularizers, which Keras 3 divides by the batch size.
 */
export function regularization(tf: Tf, built: BuiltModel, outs: Map<string, Tensor>): Tensor | null {
  const losses = [...(built.model.calculateLosses() as Tensor[])];
  for (const a of built.activityRegularizers) {
    const act = outs.get(a.layer);
    if (!act) continue;
    let r: Tensor = tf.scalar(0);
    if (a.l1) r = tf.add(r, tf.mul(tf.sum(tf.abs(act)), a.l1));
    if (a.l2) r = tf.add(r, tf.mul(tf.sum(tf.square(act)), a.l2));
    losses.push(act.rank > 0 ? tf.div(r, act.shape[0]!) : r);
  }
  return losses.length ? tf.addN(losses) : null;
}
