/** Python built-in functions and methods of built-in types, as far as model code uses them. */
import type { CallArgs, Interpreter } from './interpreter';
import {
  NONE,
  bool,
  dictGet,
  dictSet,
  isSequence,
  list,
  num,
  pyStr,
  str,
  truthy,
  tuple,
  unknown,
  type Value,
} from './values';

const BUILTIN_NAMES = new Set([
  'range', 'len', 'int', 'float', 'str', 'bool', 'list', 'tuple', 'dict', 'set', 'zip', 'enumerate',
  'min', 'max', 'sum', 'abs', 'round', 'print', 'isinstance', 'super', 'getattr', 'setattr', 'hasattr',
  'sorted', 'reversed', 'map', 'filter', 'any', 'all', 'type', 'iter', 'next', 'open', 'input', 'divmod', 'pow',
]);

export function getBuiltin(name: string): Value | undefined {
  return BUILTIN_NAMES.has(name) ? { k: 'builtin', name } : undefined;
}

const MAX_RANGE = 1_000_000;

export function callBuiltin(interp: Interpreter, name: string, args: CallArgs): Value {
  const a = args.positional;
  switch (name) {
    case 'range':
      return range(interp, a);
    case 'len': {
      if (a[0]?.k === 'str') return num(a[0].v.length);
      if (a[0] && (isSequence(a[0]) || a[0].k === 'dict')) return num(a[0].k === 'dict' ? a[0].keys.length : a[0].items.length);
      return interp.keras.len(a[0]);
    }
    case 'int':
      return a[0]?.k === 'num' ? num(Math.trunc(a[0].v), true) : a[0]?.k === 'str' && /^-?\d+$/.test(a[0].v.trim()) ? num(Number(a[0].v), true) : a[0]?.k === 'bool' ? num(Number(a[0].v), true) : unknown('int()');
    case 'float':
      return a[0]?.k === 'num' ? num(a[0].v, false) : a[0]?.k === 'str' && !Number.isNaN(Number(a[0].v)) ? num(Number(a[0].v), false) : unknown('float()');
    case 'str': {
      const text = a[0] ? pyStr(a[0]) : '';
      return text === undefined ? unknown('str()') : str(text);
    }
    case 'bool': {
      const t = a[0] ? truthy(a[0]) : false;
      return t === undefined ? unknown('bool()') : bool(t);
    }
    case 'list':
    case 'tuple':
    case 'set': {
      if (!a[0]) return name === 'tuple' ? tuple([]) : list([]);
      const items = interp.iterate(a[0], args.node);
      if (!items) return unknown(`${name}()`);
      return name === 'tuple' ? tuple([...items]) : list([...items]);
    }
    case 'dict': {
      const d: Value = { k: 'dict', keys: [], values: [] };
      if (a[0]?.k === 'dict') a[0].keys.forEach((k, i) => dictSet(d, k, (a[0] as { values: Value[] }).values[i]));
      for (const [k, v] of args.keywords) dictSet(d, str(k), v);
      return d;
    }
    case 'zip': {
      const seqs = a.map((v) => interp.iterate(v, args.node));
      if (seqs.some((s) => !s)) return unknown('zip()');
      const n = Math.min(...seqs.map((s) => s!.length));
      return list(Array.from({ length: n }, (_, i) => tuple(seqs.map((s) => s![i]))));
    }
    case 'enumerate': {
      const items = a[0] ? interp.iterate(a[0], args.node) : undefined;
      const start = a[1]?.k === 'num' ? a[1].v : args.keywords.get('start')?.k === 'num' ? (args.keywords.get('start') as { v: number }).v : 0;
      return items ? list(items.map((item, i) => tuple([num(i + start), item]))) : unknown('enumerate()');
    }
    case 'min':
    case 'max':
    case 'sum':
      return aggregate(interp, name, args);
    case 'abs':
      return a[0]?.k === 'num' ? num(Math.abs(a[0].v), a[0].int) : unknown('abs()');
    case 'round':
      if (a[0]?.k !== 'num') return unknown('round()');
      return a[1]?.k === 'num' ? num(Number(a[0].v.toFixed(a[1].v)), false) : num(Math.round(a[0].v), true);
    case 'divmod':
      return a[0]?.k === 'num' && a[1]?.k === 'num' && a[1].v !== 0
        ? tuple([num(Math.floor(a[0].v / a[1].v)), num(((a[0].v % a[1].v) + a[1].v) % a[1].v)])
        : unknown('divmod()');
    case 'pow':
      return a[0]?.k === 'num' && a[1]?.k === 'num' ? num(a[0].v ** a[1].v) : unknown('pow()');
    case 'sorted':
    case 'reversed': {
      const items = a[0] ? interp.iterate(a[0], args.node) : undefined;
      if (!items) return unknown(`${name}()`);
      if (name === 'reversed') return list([...items].reverse());
      const sortable = items.every((i) => i.k === 'num') || items.every((i) => i.k === 'str');
      if (!sortable) return unknown('sorted()');
      return list([...items].sort((x, y) => ((x as { v: number | string }).v < (y as { v: number | string }).v ? -1 : 1)));
    }
    case 'map': {
      const items = a[1] ? interp.iterate(a[1], args.node) : undefined;
      if (!items || !a[0]) return unknown('map()');
      return list(items.map((item) => interp.call(a[0], { ...args, positional: [item], keywords: new Map() })));
    }
    case 'filter': {
      const items = a[1] ? interp.iterate(a[1], args.node) : undefined;
      if (!items || !a[0]) return unknown('filter()');
      const kept: Value[] = [];
      for (const item of items) {
        const t = truthy(a[0].k === 'none' ? item : interp.call(a[0], { ...args, positional: [item], keywords: new Map() }));
        if (t === undefined) return unknown('filter()');
        if (t) kept.push(item);
      }
      return list(kept);
    }
    case 'any':
    case 'all': {
      const items = a[0] ? interp.iterate(a[0], args.node) : undefined;
      if (!items) return unknown(`${name}()`);
      const ts = items.map(truthy);
      if (ts.some((t) => t === undefined)) return unknown(`${name}()`);
      return bool(name === 'any' ? ts.some(Boolean) : ts.every(Boolean));
    }
    case 'print':
    case 'setattr':
      if (name === 'setattr' && a.length === 3 && a[1].k === 'str') interp.setAttr(a[0], a[1].v, a[2], args.node);
      return NONE;
    case 'getattr': {
      if (a.length >= 2 && a[1].k === 'str') {
        const v = interp.getAttr(a[0], a[1].v, args.node);
        return v.k === 'unknown' && a[2] ? a[2] : v;
      }
      return unknown('getattr()');
    }
    case 'hasattr':
    case 'isinstance':
    case 'type':
      return unknown(`${name}()`);
    case 'super':
      return interp.keras.superOf(args);
    default:
      return unknown(`${name}()`);
  }
}

function range(interp: Interpreter, a: Value[]): Value {
  const n = a.map((v) => (v.k === 'num' && v.int ? v.v : v.k === 'bool' ? Number(v.v) : undefined));
  if (n.some((v) => v === undefined) || n.length === 0) return unknown('range()');
  const [start, stop, step] = n.length === 1 ? [0, n[0]!, 1] : [n[0]!, n[1]!, n[2] ?? 1];
  if (step === 0) return unknown('range()');
  const count = Math.max(0, Math.ceil((stop - start) / step));
  if (count > MAX_RANGE || count > interp.budget.limits.loopIterations * 10) return unknown(`range() of ${count} items`);
  const items: Value[] = [];
  for (let i = 0; i < count; i++) items.push(num(start + i * step, true));
  return list(items);
}

function aggregate(interp: Interpreter, name: string, args: CallArgs): Value {
  const a = args.positional;
  const items = a.length === 1 ? interp.iterate(a[0], args.node) : a;
  if (!items || items.length === 0) return name === 'sum' && items ? num(0) : unknown(`${name}()`);
  if (!items.every((i) => i.k === 'num')) return unknown(`${name}()`);
  const values = items.map((i) => (i as { v: number }).v);
  const allInt = items.every((i) => (i as { int: boolean }).int);
  const result = name === 'min' ? Math.min(...values) : name === 'max' ? Math.max(...values) : values.reduce((x, y) => x + y, 0);
  return num(result, allInt);
}

/** Methods of lists, dicts and strings; everything else is delegated to the Keras runtime. */
export function valueMethod(interp: Interpreter, self: Value, name: string, args: CallArgs): Value {
  const a = args.positional;
  if (self.k === 'list') {
    switch (name) {
      case 'append':
        self.items.push(a[0] ?? unknown());
        return NONE;
      case 'extend': {
        const items = a[0] ? interp.iterate(a[0], args.node) : undefined;
        if (items) self.items.push(...items);
        return NONE;
      }
      case 'insert':
        if (a[0]?.k === 'num') self.items.splice(a[0].v < 0 ? self.items.length + a[0].v : a[0].v, 0, a[1] ?? unknown());
        return NONE;
      case 'pop': {
        const i = a[0]?.k === 'num' ? (a[0].v < 0 ? self.items.length + a[0].v : a[0].v) : self.items.length - 1;
        return self.items.splice(i, 1)[0] ?? unknown('pop');
      }
      case 'copy':
        return list([...self.items]);
      case 'index': {
        const i = self.items.findIndex((v) => a[0] && v.k === a[0].k && JSON.stringify(v) === JSON.stringify(a[0]));
        return i >= 0 ? num(i) : unknown('index');
      }
      case 'reverse':
        self.items.reverse();
        return NONE;
    }
  }
  if (self.k === 'dict') {
    switch (name) {
      case 'items':
        return list(self.keys.map((k, i) => tuple([k, self.values[i]])));
      case 'keys':
        return list([...self.keys]);
      case 'values':
        return list([...self.values]);
      case 'get':
        return (a[0] && dictGet(self, a[0])) ?? a[1] ?? NONE;
      case 'update':
        if (a[0]?.k === 'dict') a[0].keys.forEach((k, i) => dictSet(self, k, (a[0] as { values: Value[] }).values[i]));
        for (const [k, v] of args.keywords) dictSet(self, str(k), v);
        return NONE;
      case 'setdefault': {
        const existing = a[0] && dictGet(self, a[0]);
        if (existing) return existing;
        if (a[0]) dictSet(self, a[0], a[1] ?? NONE);
        return a[1] ?? NONE;
      }
      case 'pop': {
        const v = a[0] && dictGet(self, a[0]);
        if (a[0] && v) {
          const i = self.keys.indexOf(self.keys.find((k) => JSON.stringify(k) === JSON.stringify(a[0]))!);
          if (i >= 0) {
            self.keys.splice(i, 1);
            self.values.splice(i, 1);
          }
        }
        return v ?? a[1] ?? unknown('pop');
      }
      case 'copy':
        return { k: 'dict', keys: [...self.keys], values: [...self.values] };
    }
  }
  if (self.k === 'str') return stringMethod(self.v, name, a, args);
  if (self.k === 'tuple' && name === 'index') return valueMethod(interp, list(self.items), name, args);
  return interp.keras.method(self, name, args);
}

function stringMethod(s: string, name: string, a: Value[], args: CallArgs): Value {
  switch (name) {
    case 'format': {
      let auto = 0;
      let failed = false;
      const text = s.replace(/\{([^{}]*)\}/g, (_, field: string) => {
        const key = field.split(':')[0];
        const v = key === '' ? a[auto++] : /^\d+$/.test(key) ? a[Number(key)] : args.keywords.get(key);
        const out = v ? pyStr(v) : undefined;
        if (out === undefined) failed = true;
        return out ?? '';
      });
      return failed ? unknown('format') : str(text);
    }
    case 'join': {
      const items = a[0] && isSequence(a[0]) ? a[0].items : undefined;
      if (!items || !items.every((i) => i.k === 'str')) return unknown('join');
      return str(items.map((i) => (i as { v: string }).v).join(s));
    }
    case 'upper':
      return str(s.toUpperCase());
    case 'lower':
      return str(s.toLowerCase());
    case 'strip':
      return str(s.trim());
    case 'replace':
      return a[0]?.k === 'str' && a[1]?.k === 'str' ? str(s.split(a[0].v).join(a[1].v)) : unknown('replace');
    case 'startswith':
      return a[0]?.k === 'str' ? bool(s.startsWith(a[0].v)) : unknown('startswith');
    case 'endswith':
      return a[0]?.k === 'str' ? bool(s.endsWith(a[0].v)) : unknown('endswith');
    case 'split':
      return list(s.split(a[0]?.k === 'str' ? a[0].v : /\s+/).map(str));
    default:
      return unknown(`str.${name}`);
  }
}
