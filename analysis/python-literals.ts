/** Python literals and plain-data operations: numbers, string escapes, f-string formats, indexing and slicing. */
import { dictGet, isSequence, list, num, pyStr, str, tuple, unknown, type Value } from './values';

export function parseInteger(text: string): Value {
  if (isDigits(text)) return num(Number(text), true);
  const clean = text.replace(/_/g, '').toLowerCase();
  if (/^0[xob]/.test(clean)) return num(Number(clean), true);
  if (clean.endsWith('j')) return unknown('complex');
  return num(Number(clean.replace(/l$/, '')), true);
}

function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function unescapePython(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(n|t|r|\\|'|"|\n)/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === '\n' ? '' : c,
  );
}

export function formatValue(value: Value, spec: string | undefined): string | undefined {
  if (!spec) return pyStr(value);
  if (value.k !== 'num') return pyStr(value);
  const m = /^([0<>^]?)(\d*)(?:\.(\d+))?([dfe%]?)$/.exec(spec);
  if (!m) return undefined;
  const [, fill, width, precision, type] = m;
  let text: string;
  if (type === 'f') text = value.v.toFixed(Number(precision ?? 6));
  else if (type === 'e') text = value.v.toExponential(Number(precision ?? 6));
  else if (type === '%') text = `${(value.v * 100).toFixed(Number(precision ?? 6))}%`;
  else text = String(value.v);
  if (width) text = fill === '0' ? text.padStart(Number(width), '0') : text.padStart(Number(width));
  return text;
}

/** Indexing and slicing of plain Python sequences and dicts. */
export function subscriptValue(obj: Value, keys: Value[]): Value {
  if (keys.length !== 1) return unknown('subscript');
  const key = keys[0];
  if (obj.k === 'dict') return dictGet(obj, key) ?? unknown('dict key');
  if (!isSequence(obj) && obj.k !== 'str') return unknown('subscript');
  const items = obj.k === 'str' ? [...obj.v].map(str) : obj.items;
  if (key.k === 'slice') {
    const picked = sliceItems(items, key.parts);
    if (!picked) return unknown('slice');
    if (obj.k === 'str') return str(picked.map((p) => (p as { v: string }).v).join(''));
    return obj.k === 'tuple' ? tuple(picked) : list(picked);
  }
  if (key.k !== 'num' && key.k !== 'bool') return unknown('index');
  const i = Number(key.v) < 0 ? items.length + Number(key.v) : Number(key.v);
  return items[i] ?? unknown('index out of range');
}

export function sliceItems<T>(items: T[], slice: (Value | null)[]): T[] | undefined {
  const bound = (v: Value | null): number | null | undefined => {
    if (!v || v.k === 'none') return null;
    return v.k === 'num' ? v.v : undefined;
  };
  const [start, stop, step] = slice.map(bound);
  if (start === undefined || stop === undefined || step === undefined) return undefined;
  const n = items.length;
  const s = step ?? 1;
  if (s === 0) return undefined;
  const norm = (x: number) => (x < 0 ? Math.max(0, n + x) : Math.min(n, x));
  const out: T[] = [];
  if (s > 0) {
    for (let i = start === null ? 0 : norm(start); i < (stop === null ? n : norm(stop)); i += s) out.push(items[i]);
  } else {
    const first = start === null ? n - 1 : Math.min(n - 1, start < 0 ? n + start : start);
    const last = stop === null ? -1 : stop < 0 ? n + stop : stop;
    for (let i = first; i > last; i += s) out.push(items[i]);
  }
  return out;
}

