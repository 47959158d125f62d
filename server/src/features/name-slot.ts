/**
 * Where the cursor is, in terms of "Keras wants a layer name here": read from the text just before
 * the cursor, not from a tree, because the user is mid-typing (`get_layer("` is a syntax error until
 * the quote closes) and this runs on every keystroke.
 *
 *   model.get_layer("|")  get_layer(name=|)  compile(loss={"|": ...})  fit(x, {|})  ["enc", "|"]
 */
import type { Position, Range } from 'vscode-languageserver';

export interface NameSlot {
  kind: 'get_layer' | 'output_key' | 'name_list';
  /** The receiver expression (`model`, `self.model`), null when there is none or it is complex. */
  receiver: string | null;
  /** The quote already typed, or null (then completions bring their own quotes). */
  quote: '"' | "'" | null;
  /** What is typed of the name so far, and its range (what a completion replaces). */
  prefix: string;
  replace: Range;
  /** name_list: the other strings already in the list, and the variable it is assigned to. */
  siblings?: string[];
  listVariable?: string;
  /** name_list: the list is what a loop runs over, and the loop passes each item to `get_layer` (receiver in `receiver`). */
  loopGetLayer?: boolean;
}

const WINDOW = 4000;
const OUTPUT_METHODS = new Set(['fit', 'evaluate', 'train_on_batch', 'test_on_batch']);

export function nameSlotAt(text: string, offset: number, position: Position): NameSlot | undefined {
  const start = Math.max(0, offset - WINDOW);
  const scan = maskStringsAndComments(text.slice(start, offset));
  if (scan.inComment || scan.inTripleString) return undefined;
  let prefix: string;
  let headEnd: number; // end of the structural text before the name
  let quote: NameSlot['quote'] = null;
  if (scan.openString) {
    prefix = text.slice(start + scan.openString.contentStart, offset);
    if (!/^\w*$/.test(prefix)) return undefined;
    quote = scan.openString.quote;
    headEnd = scan.openString.quoteIndex;
  } else {
    prefix = /\w*$/.exec(scan.masked)![0];
    headEnd = scan.masked.length - prefix.length;
  }
  const head = scan.masked.slice(0, headEnd);
  const replace: Range = { start: { line: position.line, character: position.character - prefix.length }, end: position };
  const base = { quote, prefix, replace };

  const getLayer = /(?:([A-Za-z_][\w.]*)\s*\.\s*)?\bget_layer\s*\(\s*(?:name\s*=\s*)?$/.exec(head);
  if (getLayer) return { kind: 'get_layer', receiver: getLayer[1] ?? null, ...base };

  const opener = enclosingOpener(head);
  if (!opener || !opener.atElementStart) return undefined;
  if (head[opener.index] === '{') return outputKeySlot(head, opener.index, base);
  if (head[opener.index] === '[') return nameListSlot(text.slice(start, start + headEnd), head, opener.index, text.slice(offset, offset + WINDOW), base);
  return undefined;
}

/** `X.compile(loss={` / `loss_weights=` / `metrics=`, or `X.fit(y={` / `X.fit(x, {`. */
function outputKeySlot(head: string, brace: number, base: Pick<NameSlot, 'quote' | 'prefix' | 'replace'>): NameSlot | undefined {
  const before = head.slice(0, brace);
  const call = enclosingOpener(before);
  if (!call || before[call.index] !== '(') return undefined;
  const callee = /(?:([A-Za-z_][\w.]*)\s*\.\s*)?(\w+)\s*$/.exec(before.slice(0, call.index));
  if (!callee) return undefined;
  const [, receiver, method] = callee;
  const keyword = /(\w+)\s*=\s*$/.exec(before)?.[1];
  const argsSoFar = before.slice(call.index + 1);
  const positionalIndex = keyword ? -1 : topLevelCommas(argsSoFar);
  const ok =
    (method === 'compile' && (keyword === 'loss' || keyword === 'loss_weights' || keyword === 'metrics' || (!keyword && positionalIndex === 1))) ||
    (OUTPUT_METHODS.has(method) && (keyword === 'y' || (!keyword && positionalIndex === 1)));
  return ok ? { kind: 'output_key', receiver: receiver ?? null, ...base } : undefined;
}

/** A list of strings, e.g. `layer_names = ["encoder", |` or `for n in ["dense", |`. */
function nameListSlot(raw: string, head: string, bracket: number, after: string, base: Pick<NameSlot, 'quote' | 'prefix' | 'replace'>): NameSlot | undefined {
  const before = head.slice(0, bracket);
  if (/(\boutputs|\binputs)\s*=\s*$/.test(before)) return undefined; // tensors, not names
  const siblings = [...raw.slice(bracket).matchAll(/(["'])(\w+)\1/g)].map((m) => m[2]);
  const loopVariable = /\bfor\s+(\w+)\s+in\s*$/.exec(before)?.[1];
  const listVariable = /(\w+)\s*=\s*$/.exec(before)?.[1] ?? loopVariable;
  const use = loopVariable ? loopGetLayer(before, after, loopVariable) : undefined;
  if (use) return { kind: 'name_list', receiver: use.receiver, siblings, listVariable, loopGetLayer: true, ...base };
  return { kind: 'name_list', receiver: null, siblings, listVariable, ...base };
}

/**
 * `X.get_layer(v)` where `v` runs over the list: in a comprehension's element, before the `for` on
 * the same line (`[m.get_layer(n).output for n in [|`), or in a for statement's body, the lines after
 * it indented deeper than the `for`.
 */
function loopGetLayer(before: string, after: string, variable: string): { receiver: string | null } | undefined {
  const use = new RegExp(String.raw`(?:([A-Za-z_][\w.]*)\s*\.\s*)?\bget_layer\s*\(\s*(?:name\s*=\s*)?${variable}\s*\)`);
  const line = before.slice(before.lastIndexOf('\n') + 1);
  const indent = /^\s*/.exec(line)![0].length;
  const comprehension = /^\s*for\b/.test(line) ? undefined : use.exec(line);
  if (comprehension) return { receiver: comprehension[1] ?? null };
  if (!/^\s*for\b/.test(line)) return undefined;
  const body: string[] = [];
  for (const next of after.split('\n').slice(1)) {
    if (next.trim() === '') continue;
    if (/^\s*/.exec(next)![0].length <= indent) break;
    body.push(next);
  }
  const inBody = use.exec(body.join('\n'));
  return inBody ? { receiver: inBody[1] ?? null } : undefined;
}

/** The innermost unclosed bracket, and whether the cursor is at the start of an element (after it or a comma). */
function enclosingOpener(masked: string): { index: number; atElementStart: boolean } | undefined {
  let depth = 0;
  let sawColon = false;
  let sawContent = false;
  let afterComma = false;
  for (let i = masked.length - 1; i >= 0; i--) {
    const c = masked[i];
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') {
      if (depth === 0) return { index: i, atElementStart: !sawColon && (afterComma || !sawContent) };
      depth--;
    } else if (depth === 0) {
      if (c === ',' && !afterComma && !sawContent) afterComma = true;
      else if (c === ':' && !afterComma) sawColon = true;
      else if (!/\s/.test(c) && !afterComma) sawContent = true;
    }
  }
  return undefined;
}

function topLevelCommas(args: string): number {
  let depth = 0;
  let commas = 0;
  for (const c of args) {
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) commas++;
  }
  return commas;
}

interface Scan {
  /** The text with string contents and comments blanked (quotes kept), same length. */
  masked: string;
  inComment: boolean;
  inTripleString: boolean;
  openString: { quote: '"' | "'"; quoteIndex: number; contentStart: number } | undefined;
}

/** Forward scan of Python text: blanks string contents and comments so brackets can be counted. */
export function maskStringsAndComments(text: string): Scan {
  const out = text.split('');
  let i = 0;
  let openString: Scan['openString'];
  let inComment = false;
  let inTripleString = false;
  while (i < text.length) {
    const c = text[i];
    if (c === '#') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      for (let j = i; j < stop; j++) out[j] = ' ';
      if (end === -1) inComment = true;
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const delimiter = triple ? c.repeat(3) : c;
      let j = i + delimiter.length;
      let closed = false;
      while (j < text.length) {
        if (text[j] === '\\') {
          j += 2;
          continue;
        }
        if (!triple && text[j] === '\n') break; // unterminated single-line string ends at the line
        if (text.startsWith(delimiter, j)) {
          closed = true;
          break;
        }
        j++;
      }
      for (let k = i + delimiter.length; k < Math.min(j, text.length); k++) if (text[k] !== '\n') out[k] = ' ';
      if (!closed && j >= text.length) {
        if (triple) inTripleString = true;
        else openString = { quote: c, quoteIndex: i, contentStart: i + 1 };
        break;
      }
      i = closed ? j + delimiter.length : j;
      continue;
    }
    i++;
  }
  return { masked: out.join(''), inComment, inTripleString, openString };
}
