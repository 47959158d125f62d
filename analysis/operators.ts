/** Python binary and comparison operators on the evaluator's values. */
import type { SyntaxNode as Node } from './syntax-tree';
import type { Interpreter } from './interpreter';
import { bool, isSequence, list, num, pyEquals, str, tuple, unknown, type Value } from './values';

const ARITHMETIC: Record<string, (a: number, b: number) => number | undefined> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => (b === 0 ? undefined : a / b),
  '//': (a, b) => (b === 0 ? undefined : Math.floor(a / b)),
  '%': (a, b) => (b === 0 ? undefined : ((a % b) + b) % b),
  '**': (a, b) => a ** b,
  '<<': (a, b) => a << b,
  '>>': (a, b) => a >> b,
  '&': (a, b) => a & b,
  '|': (a, b) => a | b,
  '^': (a, b) => a ^ b,
};

/** Names of the Keras ops behind Python operators on Keras tensors. */
const TENSOR_OPS: Record<string, string> = {
  '+': 'add',
  '-': 'subtract',
  '*': 'multiply',
  '/': 'true_divide',
  '//': 'floor_divide',
  '%': 'mod',
  '**': 'power',
  '@': 'matmul',
};

export function binaryOp(interp: Interpreter, op: string, a: Value, b: Value, node: Node): Value {
  if (isNumeric(a) && isNumeric(b)) {
    const result = ARITHMETIC[op]?.(Number(a.v), Number(b.v));
    if (result === undefined || !Number.isFinite(result)) return unknown('arithmetic');
    const bothInt = isInt(a) && isInt(b);
    return num(result, op === '/' ? false : bothInt && Number.isInteger(result));
  }
  if (a.k === 'tensor' || b.k === 'tensor' || a.k === 'array' || b.k === 'array' || a.k === 'weight' || b.k === 'weight') {
    const opName = TENSOR_OPS[op];
    if (!opName) return unknown('tensor operator');
    return interp.keras.binaryTensorOp(opName, a, b, node);
  }
  if (op === '+' && a.k === 'str' && b.k === 'str') return str(a.v + b.v);
  if (op === '+' && isSequence(a) && isSequence(b) && a.k === b.k) {
    return a.k === 'list' ? list([...a.items, ...b.items]) : tuple([...a.items, ...b.items]);
  }
  if (op === '*' && (isSequence(a) || a.k === 'str') && b.k === 'num') return repeat(a, b.v);
  if (op === '*' && a.k === 'num' && (isSequence(b) || b.k === 'str')) return repeat(b, a.v);
  if (op === '%' && a.k === 'str') return percentFormat(a.v, b);
  return unknown(`operator ${op}`);
}

function isNumeric(v: Value): v is { k: 'num'; v: number; int: boolean } | { k: 'bool'; v: boolean } {
  return v.k === 'num' || v.k === 'bool';
}

function isInt(v: Value): boolean {
  return v.k === 'bool' || (v.k === 'num' && v.int);
}

function repeat(seq: Value, times: number): Value {
  const n = Math.max(0, Math.floor(times));
  if (n > 100_000) return unknown('huge repeat');
  if (seq.k === 'str') return str(seq.v.repeat(n));
  if (!isSequence(seq)) return unknown('repeat');
  const items: Value[] = [];
  for (let i = 0; i < n; i++) items.push(...seq.items);
  return seq.k === 'list' ? list(items) : tuple(items);
}

function percentFormat(format: string, args: Value): Value {
  const values = args.k === 'tuple' ? args.items : [args];
  let i = 0;
  let failed = false;
  const text = format.replace(/%([-0-9.]*)([sdif%])/g, (_, _flags: string, type: string) => {
    if (type === '%') return '%';
    const v = values[i++];
    if (!v || (v.k !== 'num' && v.k !== 'str')) {
      failed = true;
      return '';
    }
    return type === 'd' || type === 'i' ? String(Math.trunc(Number(v.v))) : String(v.v);
  });
  return failed ? unknown('format') : str(text);
}

export function compareOp(op: string, a: Value, b: Value): boolean | undefined {
  switch (op) {
    case '==':
      return pyEquals(a, b);
    case '!=': {
      const eq = pyEquals(a, b);
      return eq === undefined ? undefined : !eq;
    }
    case 'is':
      return a.k === 'none' || b.k === 'none' ? (a.k === 'unknown' || b.k === 'unknown' ? undefined : a.k === b.k) : pyEquals(a, b);
    case 'is not': {
      const r = compareOp('is', a, b);
      return r === undefined ? undefined : !r;
    }
    case 'in':
      return contains(b, a);
    case 'not in': {
      const r = contains(b, a);
      return r === undefined ? undefined : !r;
    }
    default:
      return ordered(op, a, b);
  }
}

function contains(container: Value, item: Value): boolean | undefined {
  if (container.k === 'str' && item.k === 'str') return container.v.includes(item.v);
  const items = isSequence(container) ? container.items : container.k === 'dict' ? container.keys : undefined;
  if (!items) return undefined;
  let sawUnknown = false;
  for (const candidate of items) {
    const eq = pyEquals(candidate, item);
    if (eq === true) return true;
    if (eq === undefined) sawUnknown = true;
  }
  return sawUnknown ? undefined : false;
}

function ordered(op: string, a: Value, b: Value): boolean | undefined {
  let x: number | string;
  let y: number | string;
  if (isNumeric(a) && isNumeric(b)) {
    x = Number(a.v);
    y = Number(b.v);
  } else if (a.k === 'str' && b.k === 'str') {
    x = a.v;
    y = b.v;
  } else return undefined;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    default:
      return undefined;
  }
}

export { bool };
