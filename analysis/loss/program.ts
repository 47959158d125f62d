/**
 * The loss program: a typed, JSON-serialisable description of what a model's loss computes,
 * in terms of the model's targets, its layers' activations and its layers' weights.
 *
 * Produced by static analysis (analysis/loss/index.ts), evaluated by the trainer with tfjs
 * (trainer/loss.ts). Nothing here depends on tfjs or on the parser.
 */
import type { Shape } from '../../graph/model-graph';
import type { LossComponentInfo, LossInterpretation, TensorKind } from '../../protocol/protocol';

/** Keras built-in losses, by their canonical Keras 3 function name. */
export type BuiltinLoss =
  | 'categorical_crossentropy'
  | 'sparse_categorical_crossentropy'
  | 'binary_crossentropy'
  | 'mean_squared_error'
  | 'mean_absolute_error'
  | 'mean_absolute_percentage_error'
  | 'mean_squared_logarithmic_error'
  | 'huber'
  | 'log_cosh'
  | 'kl_divergence'
  | 'poisson'
  | 'hinge'
  | 'squared_hinge'
  | 'categorical_hinge'
  | 'cosine_similarity';

export interface BuiltinLossOptions {
  fromLogits?: boolean;
  labelSmoothing?: number;
  /** Huber's delta. */
  delta?: number;
  /** Class axis; only -1 is supported (checked by the analysis). */
  axis?: number;
}

export type UnaryFn = 'abs' | 'square' | 'sqrt' | 'log' | 'exp' | 'neg' | 'relu' | 'sigmoid' | 'tanh' | 'log1p' | 'stop_gradient';
export type BinaryFn = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum';
export type ReduceFn = 'mean' | 'sum' | 'max' | 'min';

/**
 * One expression of the loss. Tensors are per batch: a target or an activation has the batch as
 * its first dimension; a kernel or bias has the weight's own shape.
 */
export type LossExpr =
  | { op: 'const'; value: number }
  /** y_true for `targets[target]` of the program. */
  | { op: 'target'; target: number }
  /** A layer's output for the current batch (`activation`), or one of its weights (`kernel`, `bias`). */
  | { op: 'tensor'; layer: string; tensor: TensorKind }
  /** A Keras loss function: one value per sample (the last axis is reduced). */
  | { op: 'loss'; fn: BuiltinLoss; yTrue: LossExpr; yPred: LossExpr; options: BuiltinLossOptions }
  | { op: 'reduce'; fn: ReduceFn; x: LossExpr; axis: number[] | null; keepdims: boolean }
  | { op: 'unary'; fn: UnaryFn; x: LossExpr }
  | { op: 'binary'; fn: BinaryFn; a: LossExpr; b: LossExpr }
  /** The sum of the model's own regularization losses (kernel_regularizer= etc.), as Keras adds them. */
  | { op: 'regularization' };

/**
 * One additive term of the total loss, reported as its own component.
 * Its value is `weight × mean(expr)`: like Keras's default reduction, a per-sample value is
 * averaged over the batch, a scalar stays as it is. The total loss is the sum of all terms.
 */
export interface LossTerm {
  /** Unique, stable component name, e.g. `categorical_crossentropy`, `mean(abs(dense_intermediate))`. */
  name: string;
  weight: number;
  expr: LossExpr;
  /** How the source was interpreted, in words. */
  description: string;
  /** 1-based line of the source construct this term comes from. */
  line?: number;
  /** Set when the term reads one tapped tensor (the protocol's `layer` / `tensor`). */
  layer?: string;
  tensor?: TensorKind;
  /** Output layer whose loss this is, for per-output losses. */
  output?: string;
}

/** What the data has to provide for one target slot. */
export interface LossTarget {
  /** The model output (layer name) this target is compared with. */
  output: string;
  /** That output's shape (batch dimension first). */
  shape: Shape | null;
  /**
   * - `one_hot`: class probabilities over the output's last axis (categorical losses);
   * - `sparse`: integer class ids (sparse categorical losses);
   * - `binary`: 0/1 values of the output's shape;
   * - `values`: real values of the output's shape (regression losses).
   */
  encoding: 'one_hot' | 'sparse' | 'binary' | 'values';
}

export interface MetricSpec {
  /** Name as reported in `metrics` (`accuracy`, `dense_1_accuracy`, `mae`). */
  name: string;
  kind: 'categorical_accuracy' | 'sparse_categorical_accuracy' | 'binary_accuracy' | 'mean_absolute_error' | 'mean_squared_error';
  target: number;
  /** The output layer the metric reads. */
  output: string;
}

/** What the trainer should use as optimizer (from `compile(optimizer=...)`). */
export interface OptimizerSpec {
  /** Keras class name: Adam, SGD, RMSprop, Adagrad, Adadelta, Adamax, AdamW, Nadam, ... */
  className: string;
  /** Keras arguments, snake_case, resolved to numbers/booleans where possible. */
  args: Record<string, number | boolean | string | null>;
  /** 1-based line of the compile call. */
  line?: number;
}

export interface LossProgram {
  version: 1;
  /** The model the program belongs to (ModelNode.name). */
  model: string;
  terms: LossTerm[];
  targets: LossTarget[];
  metrics: MetricSpec[];
  optimizer: OptimizerSpec;
  /** Every tensor the loss reads (activations and weights), deduplicated, in first-use order. */
  tensors: { layer: string; tensor: TensorKind }[];
  /** The report for humans and the `start` event. */
  interpretation: LossInterpretation;
  /** True when no term could be interpreted (the trainer then refuses to train). */
  empty: boolean;
}

/** Components of a program as the protocol reports them. */
export function componentInfos(terms: LossTerm[]): LossComponentInfo[] {
  return terms.map((t) => {
    const info: LossComponentInfo = { name: t.name, description: t.description, weight: t.weight };
    if (t.layer !== undefined) info.layer = t.layer;
    if (t.tensor !== undefined) info.tensor = t.tensor;
    if (t.line !== undefined) info.line = t.line;
    if (t.output !== undefined) info.output = t.output;
    return info;
  });
}

/** Every `tensor` leaf of an expression. */
export function tensorsOf(expr: LossExpr, out: { layer: string; tensor: TensorKind }[] = []): { layer: string; tensor: TensorKind }[] {
  switch (expr.op) {
    case 'tensor':
      if (!out.some((t) => t.layer === expr.layer && t.tensor === expr.tensor)) out.push({ layer: expr.layer, tensor: expr.tensor });
      break;
    case 'loss':
      tensorsOf(expr.yTrue, out);
      tensorsOf(expr.yPred, out);
      break;
    case 'reduce':
    case 'unary':
      tensorsOf(expr.x, out);
      break;
    case 'binary':
      tensorsOf(expr.a, out);
      tensorsOf(expr.b, out);
      break;
    default:
      break;
  }
  return out;
}

/** Target slots an expression reads. */
export function targetsOf(expr: LossExpr, out = new Set<number>()): Set<number> {
  switch (expr.op) {
    case 'target':
      out.add(expr.target);
      break;
    case 'loss':
      targetsOf(expr.yTrue, out);
      targetsOf(expr.yPred, out);
      break;
    case 'reduce':
    case 'unary':
      targetsOf(expr.x, out);
      break;
    case 'binary':
      targetsOf(expr.a, out);
      targetsOf(expr.b, out);
      break;
    default:
      break;
  }
  return out;
}

/** Compact formula text: `mean(abs(dense_intermediate))`, `sum(abs(dense_weights.kernel))`. */
export function renderExpr(expr: LossExpr, targets: LossTarget[] = []): string {
  switch (expr.op) {
    case 'const':
      return formatNumber(expr.value);
    case 'target':
      return targets[expr.target] ? `y_true[${targets[expr.target]!.output}]` : `y_true[${expr.target}]`;
    case 'tensor':
      return expr.tensor === 'activation' ? expr.layer : `${expr.layer}.${expr.tensor}`;
    case 'loss':
      return `${expr.fn}(${renderExpr(expr.yTrue, targets)}, ${renderExpr(expr.yPred, targets)})`;
    case 'reduce': {
      const extra = expr.axis === null ? '' : `, axis=${expr.axis.length === 1 ? expr.axis[0] : `[${expr.axis.join(', ')}]`}`;
      return `${expr.fn}(${renderExpr(expr.x, targets)}${extra}${expr.keepdims ? ', keepdims' : ''})`;
    }
    case 'unary':
      return expr.fn === 'neg' ? `-${wrap(expr.x, targets)}` : `${expr.fn}(${renderExpr(expr.x, targets)})`;
    case 'binary': {
      const sym = { add: '+', sub: '-', mul: '*', div: '/', pow: '**' } as Record<string, string>;
      const s = sym[expr.fn];
      if (s) return `${wrap(expr.a, targets)} ${s} ${wrap(expr.b, targets)}`;
      return `${expr.fn}(${renderExpr(expr.a, targets)}, ${renderExpr(expr.b, targets)})`;
    }
    case 'regularization':
      return 'regularization';
  }
}

function wrap(expr: LossExpr, targets: LossTarget[]): string {
  const text = renderExpr(expr, targets);
  return expr.op === 'binary' && ['add', 'sub', 'mul', 'div', 'pow'].includes(expr.fn) ? `(${text})` : text;
}

export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}
