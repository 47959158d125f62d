/**
 * Evaluates a LossProgram (analysis/loss) with tfjs: Keras 3 loss formulas (TensorFlow backend,
 * epsilon 1e-7), reductions, element-wise math, tapped activations and weights.
 */
import type { BuiltinLoss, BuiltinLossOptions, LossExpr, LossTerm, MetricSpec } from '../analysis/loss/program';
import type { TensorKind } from '../protocol/protocol';
import type { Tf } from './backend';

type Tensor = ReturnType<Tf['tensor']>;

export const EPSILON = 1e-7;

export interface LossInputs {
  /** y_true per target slot, for the current batch. */
  targets: Tensor[];
  /** Activation of a layer for the current batch. */
  activation(layer: string): Tensor;
  /** Current value of a layer's kernel or bias. */
  weight(layer: string, tensor: Exclude<TensorKind, 'activation'>): Tensor;
  /** Sum of the model's regularization losses (kernel_regularizer= ...), or null. */
  regularization(): Tensor | null;
}

/** The value of one term: weight × mean(expr). */
export function termValue(tf: Tf, term: LossTerm, inputs: LossInputs): Tensor {
  const v = evalExpr(tf, term.expr, inputs);
  const m = v.rank === 0 ? v : tf.mean(v);
  return term.weight === 1 ? m : tf.mul(m, term.weight);
}

export function evalExpr(tf: Tf, e: LossExpr, inputs: LossInputs): Tensor {
  switch (e.op) {
    case 'const':
      return tf.scalar(e.value);
    case 'target': {
      const t = inputs.targets[e.target];
      if (!t) throw new Error(`loss target ${e.target} has no data`);
      return t;
    }
    case 'tensor':
      return e.tensor === 'activation' ? inputs.activation(e.layer) : inputs.weight(e.layer, e.tensor);
    case 'loss':
      return kerasLoss(tf, e.fn, evalExpr(tf, e.yTrue, inputs), evalExpr(tf, e.yPred, inputs), e.options);
    case 'reduce': {
      const x = evalExpr(tf, e.x, inputs);
      const axis = e.axis === null ? undefined : e.axis;
      const fn = { mean: tf.mean, sum: tf.sum, max: tf.max, min: tf.min }[e.fn];
      return fn(x, axis, e.keepdims);
    }
    case 'unary': {
      const x = evalExpr(tf, e.x, inputs);
      switch (e.fn) {
        case 'abs':
          return tf.abs(x);
        case 'square':
          return tf.square(x);
        case 'sqrt':
          return tf.sqrt(x);
        case 'log':
          return tf.log(x);
        case 'exp':
          return tf.exp(x);
        case 'neg':
          return tf.neg(x);
        case 'relu':
          return tf.relu(x);
        case 'sigmoid':
          return tf.sigmoid(x);
        case 'tanh':
          return tf.tanh(x);
        case 'log1p':
          return tf.log1p(x);
        case 'stop_gradient':
          return stopGradient(tf, x);
      }
      break;
    }
    case 'binary': {
      const a = evalExpr(tf, e.a, inputs);
      const b = evalExpr(tf, e.b, inputs);
      switch (e.fn) {
        case 'add':
          return tf.add(a, b);
        case 'sub':
          return tf.sub(a, b);
        case 'mul':
          return tf.mul(a, b);
        case 'div':
          return tf.div(a, b);
        case 'pow':
          return tf.pow(a, b);
        case 'maximum':
          return tf.maximum(a, b);
        case 'minimum':
          return tf.minimum(a, b);
      }
      break;
    }
    case 'regularization':
      return inputs.regularization() ?? tf.scalar(0);
  }
  throw new Error(`unknown loss expression ${JSON.stringify(e)}`);
}

function stopGradient(tf: Tf, x: Tensor): Tensor {
  const f = tf.customGrad(((a: Tensor) => ({ value: tf.clone(a), gradFunc: (dy: Tensor) => tf.zerosLike(dy) })) as never) as unknown as (t: Tensor) => Tensor;
  return f(x);
}

/** Keras 3 losses (per sample: the last axis is reduced). */
export function kerasLoss(tf: Tf, fn: BuiltinLoss, yTrue: Tensor, yPred: Tensor, o: BuiltinLossOptions): Tensor {
  const eps = EPSILON;
  const yt = yTrue.dtype === 'int32' && fn !== 'sparse_categorical_crossentropy' ? tf.cast(yTrue, 'float32') : yTrue;
  switch (fn) {
    case 'categorical_crossentropy':
    case 'sparse_categorical_crossentropy': {
      const k = yPred.shape[yPred.shape.length - 1]!;
      let target = fn === 'sparse_categorical_crossentropy' ? tf.oneHot(tf.cast(tf.reshape(yTrue, [-1]), 'int32'), k).asType('float32') : yt;
      if (o.labelSmoothing) target = tf.add(tf.mul(target, 1 - o.labelSmoothing), o.labelSmoothing / k);
      if (o.fromLogits) return tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(yPred)), -1));
      const p = tf.clipByValue(tf.div(yPred, tf.sum(yPred, -1, true)), eps, 1 - eps);
      return tf.neg(tf.sum(tf.mul(target, tf.log(p)), -1));
    }
    case 'binary_crossentropy': {
      let target = yt;
      if (o.labelSmoothing) target = tf.add(tf.mul(target, 1 - o.labelSmoothing), 0.5 * o.labelSmoothing);
      if (o.fromLogits) {
        // max(x, 0) - x·z + log(1 + exp(-|x|))
        const x = yPred;
        return tf.mean(tf.add(tf.sub(tf.relu(x), tf.mul(x, target)), tf.log1p(tf.exp(tf.neg(tf.abs(x))))), -1);
      }
      const p = tf.clipByValue(yPred, eps, 1 - eps);
      const bce = tf.add(tf.mul(target, tf.log(p)), tf.mul(tf.sub(1, target), tf.log(tf.sub(1, p))));
      return tf.neg(tf.mean(bce, -1));
    }
    case 'mean_squared_error':
      return tf.mean(tf.squaredDifference(yPred, yt), -1);
    case 'mean_absolute_error':
      return tf.mean(tf.abs(tf.sub(yPred, yt)), -1);
    case 'mean_absolute_percentage_error':
      return tf.mul(tf.mean(tf.abs(tf.div(tf.sub(yt, yPred), tf.maximum(tf.abs(yt), eps))), -1), 100);
    case 'mean_squared_logarithmic_error': {
      const a = tf.log(tf.add(tf.maximum(yPred, eps), 1));
      const b = tf.log(tf.add(tf.maximum(yt, eps), 1));
      return tf.mean(tf.squaredDifference(a, b), -1);
    }
    case 'huber': {
      const delta = o.delta ?? 1;
      const abs = tf.abs(tf.sub(yPred, yt));
      const quad = tf.minimum(abs, delta);
      const lin = tf.sub(abs, quad);
      return tf.mean(tf.add(tf.mul(tf.square(quad), 0.5), tf.mul(lin, delta)), -1);
    }
    case 'log_cosh': {
      const x = tf.sub(yPred, yt);
      return tf.mean(tf.sub(tf.add(x, tf.softplus(tf.mul(x, -2))), Math.log(2)), -1);
    }
    case 'kl_divergence': {
      const a = tf.clipByValue(yt, eps, 1);
      const b = tf.clipByValue(yPred, eps, 1);
      return tf.sum(tf.mul(a, tf.log(tf.div(a, b))), -1);
    }
    case 'poisson':
      return tf.mean(tf.sub(yPred, tf.mul(yt, tf.log(tf.add(yPred, eps)))), -1);
    case 'hinge':
    case 'squared_hinge': {
      const signed = binaryToSigned(tf, yt);
      const h = tf.relu(tf.sub(1, tf.mul(signed, yPred)));
      return tf.mean(fn === 'hinge' ? h : tf.square(h), -1);
    }
    case 'categorical_hinge': {
      const pos = tf.sum(tf.mul(yt, yPred), -1);
      const neg = tf.max(tf.mul(tf.sub(1, yt), yPred), -1);
      return tf.relu(tf.add(tf.sub(neg, pos), 1));
    }
    case 'cosine_similarity': {
      const a = tf.div(yt, tf.maximum(tf.norm(yt, 'euclidean', -1, true), 1e-12));
      const b = tf.div(yPred, tf.maximum(tf.norm(yPred, 'euclidean', -1, true), 1e-12));
      return tf.neg(tf.sum(tf.mul(a, b), -1));
    }
  }
  throw new Error(`loss ${String(fn)} is not implemented`);
}

/** Keras converts 0/1 hinge labels to -1/1. */
function binaryToSigned(tf: Tf, y: Tensor): Tensor {
  const isBinary = tf.all(tf.logicalOr(tf.equal(y, 0), tf.equal(y, 1)));
  return tf.where(isBinary, tf.sub(tf.mul(y, 2), 1), y);
}

/** A metric's per-batch value (mean over the batch). */
export function metricValue(tf: Tf, metric: MetricSpec, yTrue: Tensor, yPred: Tensor): Tensor {
  switch (metric.kind) {
    case 'categorical_accuracy':
      return tf.mean(tf.cast(tf.equal(tf.argMax(yPred, -1), tf.argMax(yTrue, -1)), 'float32'));
    case 'sparse_categorical_accuracy':
      return tf.mean(tf.cast(tf.equal(tf.argMax(yPred, -1), tf.cast(tf.reshape(yTrue, [-1]), 'int32')), 'float32'));
    case 'binary_accuracy':
      return tf.mean(tf.cast(tf.equal(tf.cast(tf.greater(yPred, 0.5), 'float32'), tf.cast(yTrue, 'float32')), 'float32'));
    case 'mean_absolute_error':
      return tf.mean(tf.abs(tf.sub(yPred, tf.cast(yTrue, 'float32'))));
    case 'mean_squared_error':
      return tf.mean(tf.squaredDifference(yPred, tf.cast(yTrue, 'float32')));
  }
}
