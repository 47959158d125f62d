/**
 * Compares the analyzer's `summary --json` output with what real Keras recorded for the same file
 * (test/fixtures/keras/*.expected.json, made by tools/keras-truth/generate.py).
 *
 * A field is `exact` when it equals Keras's value, `unknown` when the analyzer said it cannot know
 * (null, or an approximate name), and `wrong` when the analyzer gave a confident different answer.
 */
import type { SummaryJson, SummaryLayer, SummaryModel } from '../../graph/summary';

export interface ExpectedLayer {
  name: string;
  className: string;
  outputShape: unknown;
  params: number | null;
  trainable: boolean;
  kernelShape: unknown;
  inbound: string[];
  line: number | null;
  layers?: ExpectedLayer[];
}

export interface ExpectedModel {
  name: string;
  className: string;
  kind: string;
  variables: string[];
  line: number;
  built: boolean;
  inputs: string[];
  outputs: string[];
  totalParams: number | null;
  layers: ExpectedLayer[];
}

export interface ExpectedFile {
  file: string;
  error: string | null;
  errorLine?: number | null;
  models: ExpectedModel[];
}

export interface Tally {
  layers: number;
  exactLayers: number;
  /**
   * Layers inside keras.applications architectures: never listed (the architecture shows as one
   * opaque model, its name, shapes and counts compared above), so counted apart from `layers`.
   */
  opaqueLayers: number;
  wrong: string[];
  unknown: string[];
}

const LAYER_FIELDS = ['name', 'className', 'outputShape', 'params', 'kernelShape', 'inbound', 'trainable', 'line'] as const;
/** The fields the ≥98 % target is about. */
const CORE_FIELDS = new Set(['name', 'className', 'outputShape', 'params']);

export function compareFile(expected: ExpectedFile, actual: SummaryJson): Tally {
  const tally: Tally = { layers: 0, exactLayers: 0, opaqueLayers: 0, wrong: [], unknown: [] };
  // Models Keras refused to build (the script crashed there) are reported by us with an error.
  const ours = actual.models.filter((m) => !m.error);
  if (ours.length !== expected.models.length) {
    tally.wrong.push(`model count: analyzer ${ours.length} (${ours.map((m) => m.name).join(', ')}), keras ${expected.models.length} (${expected.models.map((m) => m.name).join(', ')})`);
  }
  expected.models.forEach((em, i) => {
    const am = ours[i];
    if (am) compareModel(em, am, tally);
  });
  return tally;
}

function compareModel(em: ExpectedModel, am: SummaryModel, tally: Tally): void {
  const where = `model ${em.name}`;
  field(tally, where, 'name', am.nameSource === 'approximate' ? undefined : am.name, em.name);
  field(tally, where, 'className', am.className, em.className);
  field(tally, where, 'kind', am.kind, em.kind);
  field(tally, where, 'line', am.line, em.line);
  field(tally, where, 'variables', am.variables, em.variables);
  if (em.built) field(tally, where, 'totalParams', am.totalParams, em.totalParams);
  if (am.opaque) {
    // An architecture whose layers we do not list: each is an honest unknown, counted apart.
    tally.opaqueLayers += em.layers.length;
    tally.unknown.push(`${where}: ${am.opaque} not analyzed (${em.layers.length} layers)`);
    return;
  }
  if (em.built && em.kind !== 'subclassed') {
    field(tally, where, 'inputs', am.inputs, em.inputs);
    field(tally, where, 'outputs', am.outputs, em.outputs);
  }
  compareLayers(em.layers, am.layers, where, tally);
}

function compareLayers(expected: ExpectedLayer[], actual: SummaryLayer[], where: string, tally: Tally): void {
  if (expected.length !== actual.length) {
    tally.wrong.push(`${where}: ${actual.length} layers (${actual.map((l) => l.name).join(', ')}), keras ${expected.length} (${expected.map((l) => l.name).join(', ')})`);
  }
  expected.forEach((el, i) => {
    const al = actual[i];
    tally.layers++;
    if (!al) return;
    const at = `${where} layer ${i} (${el.name})`;
    let exact = true;
    for (const key of LAYER_FIELDS) {
      const approximate = (key === 'name' && al.nameSource === 'approximate') || (key === 'inbound' && al.inboundApproximate);
      const ours = approximate ? undefined : al[key];
      const verdict = field(tally, at, key, ours, el[key]);
      if (CORE_FIELDS.has(key) && verdict !== 'exact' && verdict !== 'skipped') exact = false;
    }
    if (exact) tally.exactLayers++;
    if (el.layers && al.opaque) tally.unknown.push(`${at}: ${al.opaque} not analyzed`);
    else if (el.layers) compareLayers(el.layers, al.layers ?? [], `${at} nested`, tally);
  });
}

/** Fields where Keras's null means "not built / no such value", so a value from us would be wrong. */
const NULL_MEANS_NONE = new Set(['params', 'outputShape', 'kernelShape', 'totalParams']);

function field(tally: Tally, where: string, key: string, ours: unknown, keras: unknown): 'exact' | 'unknown' | 'wrong' | 'skipped' {
  if (keras === null || keras === undefined) {
    if (keras === null && NULL_MEANS_NONE.has(key) && ours !== null && ours !== undefined) {
      tally.wrong.push(`${where}.${key}: analyzer ${JSON.stringify(ours)}, keras has none (null)`);
      return 'wrong';
    }
    return 'skipped'; // Keras itself had no answer, and neither do we
  }
  if (ours === null || ours === undefined) {
    tally.unknown.push(`${where}.${key}: unknown, keras ${JSON.stringify(keras)}`);
    return 'unknown';
  }
  if (JSON.stringify(ours) === JSON.stringify(keras)) return 'exact';
  if (partiallyUnknown(ours, keras)) {
    tally.unknown.push(`${where}.${key}: partly unknown ${JSON.stringify(ours)}, keras ${JSON.stringify(keras)}`);
    return 'unknown';
  }
  tally.wrong.push(`${where}.${key}: analyzer ${JSON.stringify(ours)}, keras ${JSON.stringify(keras)}`);
  return 'wrong';
}

/** A shape whose null dimensions are unknowns and whose known dimensions all agree. */
function partiallyUnknown(ours: unknown, keras: unknown): boolean {
  if (!Array.isArray(ours) || !Array.isArray(keras) || ours.length !== keras.length) return false;
  return ours.every((d, i) => d === null || JSON.stringify(d) === JSON.stringify(keras[i]) || partiallyUnknown(d, keras[i]));
}
