/**
 * Values of the static Python evaluator. Python data the analyzer can follow (numbers, strings,
 * tuples, functions, classes) plus the Keras objects it models symbolically (layers, Keras
 * tensors, models, numpy-like arrays of known shape). Anything else is `unknown`.
 */
import type { SyntaxNode as Node } from './syntax-tree';
import type { LayerObj, TensorObj } from './keras-objects';
import type { Scope } from './scope';

export type Value =
  | { k: 'num'; v: number; int: boolean }
  | { k: 'str'; v: string; origin?: Node; originFile?: string } // origin: the string literal it was written as
  | { k: 'bool'; v: boolean }
  | { k: 'none' }
  | { k: 'tuple'; items: Value[] }
  | { k: 'list'; items: Value[] }
  | { k: 'dict'; keys: Value[]; values: Value[] }
  | FuncValue
  | { k: 'slice'; parts: (Value | null)[] }
  | ClassValue
  | InstanceValue
  | { k: 'bound'; self: Value; func: Value }
  | { k: 'super'; self: InstanceValue; cls: ClassValue }
  | { k: 'pymodule'; name: string; vars: Map<string, Value> } // a module of the user's workspace
  | { k: 'api'; path: string } // a Keras/TF/numpy callable or attribute, by canonical dotted path
  | { k: 'builtin'; name: string }
  | { k: 'method'; self: Value; name: string } // a built-in method of a value (list.append, model.fit)
  | { k: 'layer'; layer: LayerObj }
  | { k: 'tensor'; t: TensorObj }
  | { k: 'array'; shape: (number | null)[] | null; classes?: number } // data of known shape (no symbolic history); classes for label arrays
  | { k: 'kobj'; cls: string; args: Record<string, Value> } // regularizers, initializers, optimizers, losses
  | { k: 'weight'; layer: LayerObj; name: string } // a layer's variable (kernel, bias)
  | { k: 'unknown'; why?: string };

export interface FuncValue {
  k: 'func';
  name: string;
  node: Node;
  closure: Scope;
  isLambda: boolean;
  /** Default parameter values, evaluated when `def` ran (read-only: functions without any share one empty map). */
  defaults: ReadonlyMap<string, Value>;
  owner?: ClassValue;
  /** The imported module the function was defined in (undefined: the analyzed document). */
  module?: SourceModule;
  /** Set once the function has been called (see analyze.ts's runUncalledFunctions). */
  called?: boolean;
}

/** A workspace module other than the analyzed document. */
export interface SourceModule {
  file: string;
  text: string;
}

export interface ClassValue {
  k: 'class';
  name: string;
  node: Node;
  bases: Value[];
  attrs: Map<string, Value>;
  /** What Keras base the class derives from, following user bases. */
  kerasBase: 'model' | 'layer' | null;
  /** For `@dataclass` classes: the fields, in declaration order (the generated __init__'s parameters). */
  dataclassFields?: string[];
}

export interface InstanceValue {
  k: 'instance';
  cls: ClassValue;
  attrs: Map<string, Value>;
  /** The Keras object this instance is (subclassed model or custom layer). */
  layer?: LayerObj;
  /** Built by a constructor we cannot follow: class-level defaults may not be its values. */
  opaque?: boolean;
}

export const NONE: Value = { k: 'none' };
export const UNKNOWN: Value = { k: 'unknown' };

export const num = (v: number, int = Number.isInteger(v)): Value => ({ k: 'num', v, int });
export const str = (v: string): Value => ({ k: 'str', v });
export const bool = (v: boolean): Value => ({ k: 'bool', v });
export const tuple = (items: Value[]): Value => ({ k: 'tuple', items });
export const list = (items: Value[]): Value => ({ k: 'list', items });
export const unknown = (why?: string): Value => ({ k: 'unknown', why });

export function isSequence(v: Value): v is { k: 'tuple' | 'list'; items: Value[] } {
  return v.k === 'tuple' || v.k === 'list';
}

/** Python truthiness; undefined when not statically known. */
export function truthy(v: Value): boolean | undefined {
  switch (v.k) {
    case 'num':
      return v.v !== 0;
    case 'str':
      return v.v.length > 0;
    case 'bool':
      return v.v;
    case 'none':
      return false;
    case 'tuple':
    case 'list':
      return v.items.length > 0;
    case 'dict':
      return v.keys.length > 0;
    case 'unknown':
    case 'array':
    case 'tensor':
      return undefined;
    default:
      return true;
  }
}

/** Shallow structural equality for hashable Python values (dict keys, `in`, `==`). */
export function pyEquals(a: Value, b: Value): boolean | undefined {
  if (a.k === 'unknown' || b.k === 'unknown') return undefined;
  if ((a.k === 'num' || a.k === 'bool') && (b.k === 'num' || b.k === 'bool')) return Number(a.v) === Number(b.v);
  if (a.k === 'str' && b.k === 'str') return a.v === b.v;
  if (a.k === 'none' || b.k === 'none') return a.k === b.k;
  if (isSequence(a) && isSequence(b)) {
    if (a.k !== b.k || a.items.length !== b.items.length) return false;
    let result: boolean | undefined = true;
    a.items.forEach((item, i) => {
      const eq = pyEquals(item, b.items[i]);
      if (eq === false) result = false;
      else if (eq === undefined && result) result = undefined;
    });
    return result;
  }
  if (a.k === 'layer' && b.k === 'layer') return a.layer === b.layer;
  if (a.k === 'tensor' && b.k === 'tensor') return a.t === b.t;
  return a === b;
}

export function dictGet(d: { keys: Value[]; values: Value[] }, key: Value): Value | undefined {
  const i = d.keys.findIndex((k) => pyEquals(k, key) === true);
  return i >= 0 ? d.values[i] : undefined;
}

export function dictSet(d: { keys: Value[]; values: Value[] }, key: Value, value: Value): void {
  const i = d.keys.findIndex((k) => pyEquals(k, key) === true);
  if (i >= 0) d.values[i] = value;
  else {
    d.keys.push(key);
    d.values.push(value);
  }
}

/** Python `str()` for the values that have an obvious one (f-strings, names). */
export function pyStr(v: Value): string | undefined {
  switch (v.k) {
    case 'str':
      return v.v;
    case 'num':
      return v.int ? String(v.v) : formatFloat(v.v);
    case 'bool':
      return v.v ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'tuple': {
      const parts = v.items.map(pyRepr);
      if (parts.some((p) => p === undefined)) return undefined;
      return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
    }
    case 'list': {
      const parts = v.items.map(pyRepr);
      return parts.some((p) => p === undefined) ? undefined : `[${parts.join(', ')}]`;
    }
    case 'layer':
      return undefined;
    default:
      return undefined;
  }
}

function pyRepr(v: Value): string | undefined {
  return v.k === 'str' ? `'${v.v}'` : pyStr(v);
}

function formatFloat(x: number): string {
  if (Number.isInteger(x)) return `${x}.0`;
  return String(x);
}
