/**
 * Health warnings for tapped tensors, computed from the histograms alone (pure).
 *
 * Rules (evaluated on each snapshot; a warning reports the latest one and since when it holds):
 * - dead: an activation tensor whose layer's activation is ReLU-like (`relu`, `relu6`, a `ReLU`
 *   layer) — or is not known but never negative on the probe batch (min ≥ 0, e.g. a pooling layer
 *   after a ReLU) — with zero fraction ≥ 0.9 over the probe batch (DEAD_ZERO_FRACTION).
 * - saturating: an activation tensor of a sigmoid-like (`sigmoid`, `hard_sigmoid`, output range
 *   [0, 1]) or tanh-like (`tanh`, `softsign`, range [-1, 1]) layer with at least half of the probe
 *   values (SATURATION_MASS) in the outer 5 % of that range at either end (SATURATION_EDGE), i.e.
 *   sigmoid outputs < 0.05 or > 0.95, tanh outputs < -0.9 or > 0.9. Bins that straddle a zone
 *   boundary count in proportion to their overlap (bins are equal-width over [min, max]).
 * - nonFinite: any tensor (activation, kernel, bias) with NaN or ±Inf values: always an error.
 */
import type { LayerNode, ModelNode } from '../../graph/model-graph';
import { walkLayers } from '../../graph/model-graph';
import type { TensorKind } from '../../protocol/protocol';
import type { HistSeries } from './series';

export const DEAD_ZERO_FRACTION = 0.9;
export const SATURATION_MASS = 0.5;
export const SATURATION_EDGE = 0.05;

export type ActivationFamily = 'relu' | 'sigmoid' | 'tanh' | 'other' | 'unknown';

export interface Warning {
  kind: 'dead' | 'saturating' | 'nonFinite';
  severity: 'warning' | 'error';
  layer: string;
  tensor: TensorKind;
  /** Epoch of the first snapshot of the latest unbroken streak in which the rule held. */
  since: number;
  message: string;
}

const RELU = new Set(['relu', 'relu6']);
const SIGMOID = new Set(['sigmoid', 'hard_sigmoid', 'hardsigmoid']);
const TANH = new Set(['tanh', 'softsign', 'hard_tanh']);

function activationName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.$class === 'string') return o.$class;
    if (typeof o.$unknown === 'string') return o.$unknown;
  }
  return undefined;
}

/** The family of a layer's output activation, from its class and `activation` argument. */
export function activationFamily(layer: Pick<LayerNode, 'className' | 'config'> | undefined): ActivationFamily {
  if (!layer) return 'unknown';
  if (layer.className === 'ReLU') return 'relu';
  const raw = activationName(layer.config.activation);
  if (raw === undefined) return layer.className === 'Activation' ? 'unknown' : 'other';
  const name = raw
    .replace(/^.*\./, '')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
  if (RELU.has(name)) return 'relu';
  if (SIGMOID.has(name)) return 'sigmoid';
  if (TANH.has(name)) return 'tanh';
  return 'other';
}

export function findLayerNode(model: ModelNode | undefined, name: string): LayerNode | undefined {
  if (!model) return undefined;
  for (const l of walkLayers(model)) if (l.name === name) return l;
  return undefined;
}

/** Fraction of a snapshot's mass inside [a, b], bins equal-width over [lo, hi]. */
export function massIn(counts: ArrayLike<number>, lo: number, hi: number, a: number, b: number): number {
  let total = 0;
  let inside = 0;
  const n = counts.length;
  const w = (hi - lo) / n;
  for (let i = 0; i < n; i++) {
    const c = counts[i];
    total += c;
    if (c === 0) continue;
    if (w <= 0) {
      if (lo >= a && lo <= b) inside += c;
      continue;
    }
    const x0 = lo + i * w;
    const x1 = x0 + w;
    const overlap = Math.min(b, x1) - Math.max(a, x0);
    if (overlap > 0) inside += (c * overlap) / w;
  }
  return total > 0 ? inside / total : 0;
}

export function isDead(family: ActivationFamily, zeroFraction: number, min: number): boolean {
  const reluLike = family === 'relu' || (family === 'unknown' && min >= 0);
  return reluLike && zeroFraction >= DEAD_ZERO_FRACTION;
}

export function saturation(family: ActivationFamily, counts: ArrayLike<number>, lo: number, hi: number): number {
  const [a, b] = family === 'sigmoid' ? [0, 1] : family === 'tanh' ? [-1, 1] : [NaN, NaN];
  if (Number.isNaN(a)) return 0;
  const edge = (b - a) * SATURATION_EDGE;
  return massIn(counts, lo, hi, -Infinity, a + edge) + massIn(counts, lo, hi, b - edge, Infinity);
}

/** Warnings for one tensor's histogram series (latest snapshot decides; `since` looks back). */
export function tensorWarnings(series: HistSeries, family: ActivationFamily): Warning[] {
  const n = series.length;
  if (n === 0) return [];
  const out: Warning[] = [];
  const streak = (test: (i: number) => boolean): number => {
    let i = n - 1;
    while (i > 0 && test(i - 1)) i--;
    return series.epoch[i];
  };
  const last = n - 1;
  const { layer, tensor } = series;
  const nonFinite = (i: number) => series.stat(i, 'nonFinite') > 0;
  if (nonFinite(last)) {
    const count = series.stat(last, 'nonFinite');
    out.push({ kind: 'nonFinite', severity: 'error', layer, tensor, since: streak(nonFinite), message: `${count} non-finite value${count === 1 ? '' : 's'} (NaN/Inf)` });
  }
  if (tensor === 'activation') {
    const dead = (i: number) => isDead(family, series.stat(i, 'zeroFraction'), series.stat(i, 'min'));
    if (dead(last)) {
      const z = series.stat(last, 'zeroFraction');
      out.push({ kind: 'dead', severity: 'warning', layer, tensor, since: streak(dead), message: `dead: ${(z * 100).toFixed(0)} % of outputs are zero on the probe batch` });
    }
    const sat = (i: number) => saturation(family, series.row(i), series.lo[i], series.hi[i]) >= SATURATION_MASS;
    if (sat(last)) {
      const m = saturation(family, series.row(last), series.lo[last], series.hi[last]);
      out.push({ kind: 'saturating', severity: 'warning', layer, tensor, since: streak(sat), message: `saturating: ${(m * 100).toFixed(0)} % of outputs at the ${family} extremes` });
    }
  }
  return out;
}
