/**
 * Keras ops, TensorFlow functions and NumPy calls on tensors and data. On symbolic Keras tensors
 * (outside a layer's own call) a Keras op becomes a graph operation with an automatic name from
 * the same counters as layers (`keras.ops.add` → `add`), as in Keras 3.
 */
import type { Shape } from '../graph/model-graph';
import type { CallArgs } from './interpreter';
import type { KerasRuntime } from './keras-runtime';
import { appendCallNode, type TensorObj } from './keras-objects';
import { broadcast, concatShapes, matmulShape, nestedListShape, normAxis, reduceShape, reshape, toDims, type Dims } from './keras-shapes';
import { isSequence, unknown, type Value } from './values';

const UNARY = new Set([
  'abs', 'absolute', 'square', 'sqrt', 'exp', 'log', 'log1p', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'log_softmax',
  'negative', 'sin', 'cos', 'cast', 'stop_gradient', 'gelu', 'silu', 'swish', 'elu', 'selu', 'softplus', 'softsign',
  'round', 'floor', 'ceil', 'sign', 'clip', 'clip_by_value', 'identity', 'leaky_relu', 'hard_sigmoid', 'l2_normalize',
  'normalize', 'linear', 'reciprocal', 'rsqrt', 'erf', 'logical_not', 'zeros_like', 'ones_like', 'convert_to_tensor', 'dropout',
]);
const BINARY = new Set([
  'add', 'subtract', 'multiply', 'divide', 'true_divide', 'floor_divide', 'maximum', 'minimum', 'power', 'mod', 'pow',
  'equal', 'not_equal', 'greater', 'greater_equal', 'less', 'less_equal', 'logical_and', 'logical_or', 'squared_difference',
]);
const REDUCTIONS = new Set([
  'mean', 'sum', 'max', 'min', 'prod', 'std', 'var', 'reduce_mean', 'reduce_sum', 'reduce_max', 'reduce_min',
  'reduce_prod', 'reduce_std', 'reduce_variance', 'argmax', 'argmin', 'norm', 'logsumexp', 'reduce_logsumexp', 'all', 'any',
]);
/** Keras op classes whose snake-case name differs from the function name. */
const OP_CLASS_NAMES: Record<string, string> = { abs: 'absolute', pow: 'power', concat: 'concatenate' };

export function binaryOpShape(_op: string, a: Value, b: Value): Dims | null {
  return broadcast(valueShape(a), valueShape(b));
}

function valueShape(v: Value): Dims | null {
  if (v.k === 'tensor') return v.t.shape;
  if (v.k === 'array') return v.shape;
  if (v.k === 'num' || v.k === 'bool') return [];
  if (v.k === 'weight') return v.layer.weights?.find((w) => w.name === v.name)?.shape ?? null;
  return null;
}

export function flatInputs(args: CallArgs): Value[] {
  const out: Value[] = [];
  const walk = (v: Value) => (isSequence(v) ? v.items.forEach(walk) : out.push(v));
  args.positional.forEach(walk);
  return out;
}

/** The result shape of a tensor function, or null when there is no rule for it. */
function opShape(fn: string, args: CallArgs): Dims | null {
  const [x, second] = args.positional;
  const kw = (name: string) => args.keywords.get(name);
  const xs = x ? valueShape(x) : null;
  if (UNARY.has(fn)) return xs;
  if (BINARY.has(fn)) return second ? broadcast(xs, valueShape(second)) : null;
  if (fn === 'matmul' || fn === 'dot') return second ? matmulShape(xs, valueShape(second)) : null;
  if (REDUCTIONS.has(fn)) {
    const axis = kw('axis') ?? second ?? (fn.startsWith('arg') ? ({ k: 'num', v: -1, int: true } as Value) : undefined);
    const keep = kw('keepdims') ?? kw('keep_dims') ?? args.positional[2];
    return reduceShape(xs, axis, keep?.k === 'bool' && keep.v);
  }
  if (fn === 'concatenate' || fn === 'concat' || fn === 'stack') {
    const parts = x && isSequence(x) ? x.items.map(valueShape) : [];
    const axisValue = kw('axis') ?? second;
    const axis = axisValue?.k === 'num' ? axisValue.v : fn === 'concat' ? undefined : 0;
    if (axis === undefined) return null;
    if (fn === 'stack') {
      const first = parts[0];
      if (!first || parts.some((p) => JSON.stringify(p) !== JSON.stringify(first))) return null;
      const out = [...first];
      out.splice(normAxis(axis, first.length + 1), 0, parts.length);
      return out;
    }
    return concatShapes(parts, axis);
  }
  if (fn === 'reshape') {
    const target = toDims(kw('newshape') ?? kw('shape') ?? second);
    if (!target) return null;
    return reshape(xs, target.map((d) => (d === null ? -1 : d)), false);
  }
  if (fn === 'expand_dims') {
    const axis = kw('axis') ?? second;
    if (!xs || axis?.k !== 'num') return null;
    const out = [...xs];
    out.splice(normAxis(axis.v, xs.length + 1), 0, 1);
    return out;
  }
  if (fn === 'squeeze') {
    const axis = kw('axis') ?? second;
    if (!xs) return null;
    if (!axis || axis.k === 'none') return xs.filter((d) => d !== 1);
    return axis.k === 'num' ? xs.filter((_, i) => i !== normAxis(axis.v, xs.length)) : null;
  }
  if (fn === 'transpose') {
    const perm = toDims(kw('axes') ?? kw('perm') ?? second);
    if (!xs) return null;
    if (!perm) return [...xs].reverse();
    return perm.map((p) => (p === null ? null : xs[normAxis(p, xs.length)]));
  }
  if (fn === 'flatten') return xs ? [xs[0], xs.slice(1).reduce<number | null>((a, b) => (a === null || b === null ? null : a * b), 1)] : null;
  return null;
}

export function tensorOp(rt: KerasRuntime, namespace: string, fn: string, args: CallArgs, shapeOverride?: Dims | null): Value {
  if (fn === 'moments') {
    // tf.nn.moments / keras.ops.moments: (mean, variance), both reduced over `axes`.
    const axes = args.keywords.get('axes') ?? args.positional[1];
    const reduced = { ...args, positional: [args.positional[0] ?? unknown()], keywords: new Map([['axis', axes ?? unknown()], ['keepdims', args.keywords.get('keepdims') ?? args.positional[2] ?? { k: 'bool', v: false } as Value]]) };
    return { k: 'tuple', items: [tensorOp(rt, namespace, 'mean', reduced), tensorOp(rt, namespace, 'var', reduced)] };
  }
  const inputs = flatInputs(args);
  if (fn === 'shape' && (inputs[0]?.k === 'tensor' || inputs[0]?.k === 'array')) {
    const dims = valueShape(inputs[0]);
    return dims ? { k: 'tuple', items: dims.map((d): Value => (d === null ? unknown('dynamic dim') : { k: 'num', v: d, int: true })) } : unknown('shape');
  }
  const shape = shapeOverride !== undefined ? shapeOverride : opShape(fn, args);
  const symbolic = inputs.filter((v): v is { k: 'tensor'; t: TensorObj } => v.k === 'tensor' && v.t.producer !== null);
  if (inputs.some((v) => v.k === 'tensor') || symbolic.length > 0) {
    if (symbolic.length > 0 && rt.insideCall === 0) return symbolicOp(rt, namespace, fn, args, symbolic, shape);
    return { k: 'tensor', t: { shape: shape as Shape | null, producer: null, nodeIndex: 0, outputIndex: 0 } };
  }
  if (inputs.some((v) => v.k === 'array' || v.k === 'weight')) return { k: 'array', shape };
  return unknown(`${namespace}.${fn}`);
}

function symbolicOp(rt: KerasRuntime, namespace: string, fn: string, args: CallArgs, inputs: { t: TensorObj }[], shape: Dims | null): Value {
  if (namespace.startsWith('tf')) {
    rt.interp.notes.note(args.node.startPosition.row + 1, 'warning', `${namespace}.${fn} on a Keras tensor: Keras 3 raises here; use keras.ops.${fn} or a layer`);
  }
  // keras.activations.relu / mish are Operation classes of their own (ReLU → `re_lu`).
  const activationClass = namespace === 'keras.activations' ? ACTIVATION_OP_CLASSES[fn] : undefined;
  const op = rt.newLayer('op', activationClass ?? snakeToClass(OP_CLASS_NAMES[fn] ?? fn), rt.interp.rangeOf(args.node));
  op.weights = [];
  if (namespace.startsWith('tf')) {
    op.name = `${namespace}.${fn}`;
    op.nameSource = 'approximate';
  } else rt.nameLayer(op, undefined, undefined);
  op.firstOutput = shape;
  const output: TensorObj = { shape, producer: op, nodeIndex: 0, outputIndex: 0 };
  appendCallNode(op, { inputs: inputs.map((i) => i.t), outputs: [output], range: rt.interp.rangeOf(args.node) });
  return { k: 'tensor', t: output };
}

const ACTIVATION_OP_CLASSES: Record<string, string> = { relu: 'ReLU', mish: 'Mish' };

function snakeToClass(name: string): string {
  return name.split('_').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

/** NumPy data constructors and transforms, by shape only. */
export function numpyCall(rt: KerasRuntime, fn: string, args: CallArgs): Value {
  const [a, b, c] = args.positional;
  const kw = (name: string) => args.keywords.get(name);
  const arr = (shape: Dims | null): Value => ({ k: 'array', shape });
  switch (fn) {
    case 'random.rand':
    case 'random.randn':
      return arr(toDims({ k: 'tuple', items: args.positional }));
    case 'random.random':
    case 'random.random_sample':
    case 'random.sample':
    case 'zeros':
    case 'ones':
    case 'empty':
    case 'full':
      return arr(toDims(kw('size') ?? kw('shape') ?? a));
    case 'random.normal':
    case 'random.uniform':
      // np: size=; tf/keras: shape first.
      return arr(toDims(kw('size') ?? kw('shape') ?? (args.positional.length === 1 || a?.k === 'tuple' || a?.k === 'list' ? a : c)));
    case 'random.randint':
    case 'random.binomial':
    case 'random.choice':
      return arr(toDims(kw('size') ?? (fn === 'random.choice' ? b : c)));
    case 'zeros_like':
    case 'ones_like':
    case 'asarray':
    case 'array':
      return a?.k === 'array' ? { ...a } : arr(a ? nestedListShape(a) : null);
    case 'arange': {
      const zero: Value = { k: 'num', v: 0, int: true };
      const one: Value = { k: 'num', v: 1, int: true };
      const start = kw('start') ?? (b ? a : zero);
      const stop = kw('stop') ?? (b ? b : a);
      const step = kw('step') ?? c ?? one;
      return start?.k === 'num' && stop?.k === 'num' && step?.k === 'num' && step.v !== 0
        ? arr([Math.max(0, Math.ceil((stop.v - start.v) / step.v))])
        : arr(null);
    }
    case 'linspace':
      return arr(c?.k === 'num' ? [c.v] : kw('num')?.k === 'num' ? [(kw('num') as { v: number }).v] : [50]);
    case 'eye':
      return a?.k === 'num' ? arr([a.v, a.v]) : arr(null);
    case 'expand_dims':
    case 'concatenate':
    case 'stack':
    case 'reshape':
    case 'squeeze':
    case 'transpose':
      return arr(opShape(fn, args));
    default:
      void rt;
      return unknown(`np.${fn}`);
  }
}

/**
 * Op names a function we do not know may have consumed (preprocess_input divides and subtracts;
 * resize, cast, …), which the merge layers share (`layers.Subtract()` → `subtract`).
 */
const OP_PREFIXES_OF_UNKNOWN_CODE = ['add', 'subtract', 'multiply', 'divide', 'true_divide', 'cast', 'maximum', 'minimum', 'concatenate', 'reshape', 'transpose', 'expand_dims', 'squeeze', 'get_item', 'stack', 'mean', 'sum', 'matmul', 'dot', 'average', 'clip', 'resize'];

/**
 * A function the analyzer does not know, applied to Keras tensors (`preprocess_input(inputs)`,
 * `keras.ops.image.resize(x, ...)`, `tf.image.resize(x, ...)`): one operation of unknown output
 * shape (the applications' preprocess_input keep their input's), so that the layers after it stay
 * in the model's graph (approximate where shapes are unknown) instead of silently falling out.
 */
export function unknownTensorFunction(rt: KerasRuntime, path: string, args: CallArgs): Value | undefined {
  if (rt.insideCall > 0) return resizedInCall(path, args);
  const first = flatInputs(args).find((v): v is { k: 'tensor'; t: TensorObj } => v.k === 'tensor' && v.t.producer !== null);
  if (!first) return undefined;
  const dot = path.lastIndexOf('.');
  const keepsShape = /^keras\.applications\.\w+\.preprocess_input$/.test(path);
  rt.names.markInexact(OP_PREFIXES_OF_UNKNOWN_CODE);
  const shape = keepsShape ? first.t.shape : RESIZE.has(path) ? resizedShape(first.t.shape, args) : null;
  const result = tensorOp(rt, path.slice(0, dot), path.slice(dot + 1), args, shape);
  const op = result.k === 'tensor' ? result.t.producer : null;
  if (op) op.nameSource = 'approximate';
  return result;
}

const RESIZE = new Set(['keras.ops.image.resize', 'tf.image.resize']);

/**
 * Inside a layer's call() (a Lambda's function, a custom layer), where TensorFlow functions are
 * fine: a resize of the images it is given keeps the shape known for the layers after it.
 */
function resizedInCall(path: string, args: CallArgs): Value | undefined {
  const images = args.keywords.get('images') ?? args.positional[0];
  if (!RESIZE.has(path) || images?.k !== 'tensor') return undefined;
  return { k: 'tensor', t: { shape: resizedShape(images.t.shape, args) as Shape | null, producer: null, nodeIndex: 0, outputIndex: 0 } };
}

/** `keras.ops.image.resize(images, size)` / `tf.image.resize` on channels-last images: the batch and channels, resized. */
function resizedShape(shape: Dims | null, args: CallArgs): Dims | null {
  const size = toDims(args.keywords.get('size') ?? args.positional[1]);
  const format = args.keywords.get('data_format');
  const keepsAspect = args.keywords.get('preserve_aspect_ratio');
  if (keepsAspect && !(keepsAspect.k === 'bool' && !keepsAspect.v)) return null;
  if (!shape || shape.length !== 4 || !size || size.length !== 2 || (format && !(format.k === 'str' && format.v === 'channels_last'))) return null;
  return [shape[0], size[0], size[1], shape[3]];
}
