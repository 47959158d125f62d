/**
 * Workaround (notes/analyzer-requests.md #7 and #2): layers and models built by a function of an
 * imported module, called from this document, come without `file`, and references recorded while
 * running imported code have ranges in the other file. Before anything reads the graph, the worker
 * checks each range against the text it claims to be in and, when it is not this document's,
 * attributes it to the one imported module whose text matches. References from other files move
 * out of `graph.references` into the index's `foreign` list, with their file.
 */
import type { LayerNode, ModelGraph, ModelNode, Reference, SourceRange } from '../../graph/model-graph';
import type { ForeignReference, NameSite } from './snapshot';
import { TextLines } from './text-lines';

export interface Attribution {
  foreign: ForeignReference[];
  /** name= literals of explicitly named layers built in imported modules. */
  foreignNameSites: NameSite[];
}

/** `own`: the analysed document's text. */
export function attributeFiles(graph: ModelGraph, own: TextLines, modules: { file: string; text: string }[]): Attribution {
  const others = modules.map((m) => ({ file: m.file, index: new TextLines(m.text) }));
  const place = (range: SourceRange, matches: (source: string | undefined) => boolean): string | null | undefined => {
    if (matches(own.slice(range))) return null; // this document's
    const found = others.filter((o) => matches(o.index.slice(range)));
    return found.length === 1 ? found[0].file : undefined;
  };
  const seen = new Set<object>();
  const fixLayer = (layer: LayerNode) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (!layer.file) {
      const file = place(layer.range, (s) => constructs(s, layer.className));
      if (file) layer.file = file;
    }
    if (layer.model) fixModel(layer.model);
  };
  const fixModel = (model: ModelNode) => {
    if (seen.has(model)) return;
    seen.add(model);
    if (!model.file) {
      const file = place(model.range, (s) => constructs(s, model.className));
      if (file) model.file = file;
    }
    model.layers.forEach(fixLayer);
  };
  // Without imported modules every layer and model is this document's: nothing to attribute.
  if (others.length > 0) graph.models.forEach(fixModel);

  const foreign: ForeignReference[] = [];
  graph.references = graph.references.filter((ref) => {
    if (isAt(ref, own)) return true;
    const home = others.filter((o) => matchesReference(ref, o.index.slice(ref.range)));
    if (home.length === 1) foreign.push({ file: home[0].file, kind: ref.kind, range: contentRange(ref, home[0].index), text: ref.text, layerId: ref.layerId });
    return false;
  });
  return { foreign, foreignNameSites: nameSitesIn(graph, others) };
}

function nameSitesIn(graph: ModelGraph, others: { file: string; index: TextLines }[]): NameSite[] {
  const out: NameSite[] = [];
  for (const model of graph.models) {
    for (const layer of model.layers) {
      const home = layer.file ? others.find((o) => o.file === layer.file) : undefined;
      if (!home || !layer.nameRange || layer.nameSource !== 'explicit') continue;
      const literal = home.index.slice(layer.nameRange);
      if (!literal || !isStringOf(literal, layer.name)) continue;
      out.push({ layerId: layer.id, range: stringContents(layer.nameRange, literal), file: layer.file });
    }
  }
  return out;
}

/** Does this source text construct a `className`: `layers.Dense(`, `keras.Input(`, `keras.Model(`, `layers.add(`? */
function constructs(source: string | undefined, className: string): boolean {
  if (!source) return false;
  const callee = /^([\w.]+)\s*\(/.exec(source)?.[1];
  if (!callee) return false;
  const name = normalize(callee.split('.').pop()!);
  const cls = normalize(className);
  return name === cls || ALIASES[cls]?.includes(name) === true;
}

const ALIASES: Record<string, string[]> = {
  inputlayer: ['input'],
  functional: ['model'],
};

function normalize(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

const STRING_KINDS = new Set<Reference['kind']>(['get_layer', 'name_argument', 'output_key']);

function matchesReference(ref: Reference, source: string | undefined): boolean {
  if (source === undefined) return false;
  return STRING_KINDS.has(ref.kind) ? isStringOf(source, ref.text) : source === ref.text;
}

/** matchesReference on this text, without copying the range's text out (most references are checked here). */
function isAt(ref: Reference, lines: TextLines): boolean {
  const start = lines.offset(ref.range.start);
  const end = lines.offset(ref.range.end);
  if (start === undefined || end === undefined || end < start) return false;
  const text = lines.text;
  if (!STRING_KINDS.has(ref.kind)) return end - start === ref.text.length && text.startsWith(ref.text, start);
  // A string literal: prefix letters, then the same quotes around exactly ref.text.
  let quoteAt = start;
  while (quoteAt < end && 'rRbBuU'.includes(text[quoteAt])) quoteAt++;
  const quote = text[quoteAt];
  if (quote !== '"' && quote !== "'") return false;
  const width = end - quoteAt >= 6 && text.startsWith(quote.repeat(3), quoteAt) && text.startsWith(quote.repeat(3), end - 3) ? 3 : 1;
  return end - quoteAt - 2 * width === ref.text.length && text.startsWith(ref.text, quoteAt + width) && text.startsWith(quote.repeat(width), end - width);
}

function isStringOf(literal: string, value: string): boolean {
  const m = /^([rRbBuU]*)("""|'''|"|')([\s\S]*)\2$/.exec(literal);
  return !!m && m[3] === value;
}

/** A string literal's range without its prefix and quotes; other references unchanged. */
function contentRange(ref: Reference, index: TextLines): SourceRange {
  const literal = index.slice(ref.range);
  return STRING_KINDS.has(ref.kind) && literal ? stringContents(ref.range, literal) : ref.range;
}

function stringContents(range: SourceRange, literal: string): SourceRange {
  const open = /^[rRbBuU]*("""|'''|"|')/.exec(literal)![0].length;
  const close = open - (/^[rRbBuU]*/.exec(literal)![0].length);
  return {
    start: { line: range.start.line, character: range.start.character + open },
    end: { line: range.end.line, character: range.end.character - close },
  };
}
