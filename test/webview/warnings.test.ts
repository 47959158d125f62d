// Layer health rules: dead ReLU layers, saturating sigmoid/tanh layers, non-finite values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistogramStats, TensorKind } from '../../protocol/protocol';
import { HistSeries } from '../../webview/src/series';
import { activationFamily, DEAD_ZERO_FRACTION, isDead, massIn, saturation, tensorWarnings, type ActivationFamily } from '../../webview/src/warnings';

const stats = (over: Partial<HistogramStats> = {}): HistogramStats => ({ mean: 0, std: 1, min: 0, max: 1, zeroFraction: 0, nonFinite: 0, ...over });

function series(tensor: TensorKind, snapshots: { counts: number[]; min: number; max: number; stats?: Partial<HistogramStats> }[]): HistSeries {
  const h = new HistSeries('layer', tensor, snapshots[0].counts.length);
  snapshots.forEach((s, i) => h.push({ epoch: i, step: i, min: s.min, max: s.max, counts: s.counts, stats: stats({ min: s.min, max: s.max, ...s.stats }) }));
  return h;
}

describe('activation families', () => {
  const fam = (className: string, activation?: unknown): ActivationFamily => activationFamily({ className, config: activation === undefined ? {} : { activation: activation as string } });
  it('reads the activation argument and activation layers', () => {
    assert.equal(fam('Dense', 'relu'), 'relu');
    assert.equal(fam('Conv2D', 'relu6'), 'relu');
    assert.equal(fam('ReLU'), 'relu');
    assert.equal(fam('Dense', 'sigmoid'), 'sigmoid');
    assert.equal(fam('Dense', 'hard_sigmoid'), 'sigmoid');
    assert.equal(fam('Dense', 'tanh'), 'tanh');
    assert.equal(fam('Dense', { $class: 'keras.activations.tanh', args: {} }), 'tanh');
    assert.equal(fam('Dense', 'softmax'), 'other');
    assert.equal(fam('Dense'), 'other', 'no activation = linear');
    assert.equal(fam('Activation', { $unknown: 'act_fn' }), 'other');
    assert.equal(fam('Activation'), 'unknown');
    assert.equal(activationFamily(undefined), 'unknown');
  });
});

describe('dead layers', () => {
  it('fires for ReLU-like outputs with ≥ 90 % zeros, and says since when', () => {
    const h = series('activation', [
      { counts: [50, 30, 20], min: 0, max: 2, stats: { zeroFraction: 0.5 } },
      { counts: [95, 3, 2], min: 0, max: 2, stats: { zeroFraction: 0.95 } },
      { counts: [99, 1, 0], min: 0, max: 2, stats: { zeroFraction: 0.99 } },
    ]);
    const w = tensorWarnings(h, 'relu');
    assert.equal(w.length, 1);
    assert.equal(w[0].kind, 'dead');
    assert.equal(w[0].since, 1);
    assert.match(w[0].message, /99 %/);
    assert.equal(tensorWarnings(h, 'other').length, 0, 'a linear layer with many zeros is not "dead"');
    assert.equal(tensorWarnings(h, 'unknown').length, 1, 'unknown activation, never negative: treated as ReLU-like');
  });
  it('uses the threshold exactly', () => {
    assert.equal(isDead('relu', DEAD_ZERO_FRACTION, 0), true);
    assert.equal(isDead('relu', DEAD_ZERO_FRACTION - 0.001, 0), false);
    assert.equal(isDead('unknown', 0.95, -0.1), false);
  });
  it('never fires for kernels and biases', () => {
    const h = series('kernel', [{ counts: [0, 100, 0], min: -1, max: 1, stats: { zeroFraction: 1 } }]);
    assert.equal(tensorWarnings(h, 'relu').length, 0);
  });
});

describe('saturation', () => {
  it('counts the mass in the outer 5 % of the output range (bins split by overlap)', () => {
    assert.equal(massIn([10, 10], 0, 1, 0, 0.25), 0.25);
    assert.ok(Math.abs(saturation('sigmoid', [40, 10, 10, 40], 0, 1) - (40 * 0.2 + 40 * 0.2) / 100) < 1e-9);
    // all mass at the ends of [0, 1]
    const ends = new Array(20).fill(0);
    ends[0] = 60;
    ends[19] = 40;
    assert.ok(Math.abs(saturation('sigmoid', ends, 0, 1) - 1) < 1e-9);
    assert.equal(saturation('relu', ends, 0, 1), 0, 'only sigmoid/tanh saturate');
  });
  it('fires for sigmoid and tanh with most mass at the extremes', () => {
    const bins = (lo: number, hi: number, f: (x: number) => number) => Array.from({ length: 40 }, (_, i) => f(lo + ((i + 0.5) * (hi - lo)) / 40));
    const edges = series('activation', [
      { counts: bins(-1, 1, () => 1), min: -1, max: 1 },
      { counts: bins(-1, 1, (x) => (Math.abs(x) > 0.9 ? 30 : 1)), min: -1, max: 1 },
    ]);
    const w = tensorWarnings(edges, 'tanh');
    assert.deepEqual(
      w.map((x) => [x.kind, x.since]),
      [['saturating', 1]],
    );
    assert.equal(tensorWarnings(series('activation', [{ counts: bins(0, 1, () => 1), min: 0, max: 1 }]), 'sigmoid').length, 0, 'uniform is fine');
  });
});

describe('non-finite values', () => {
  it('is an error for any tensor', () => {
    for (const t of ['activation', 'kernel', 'bias'] as TensorKind[]) {
      const w = tensorWarnings(series(t, [{ counts: [1, 1], min: 0, max: 1, stats: { nonFinite: 7 } }]), 'other');
      assert.deepEqual(
        w.map((x) => [x.kind, x.severity]),
        [['nonFinite', 'error']],
      );
      assert.match(w[0].message, /7 non-finite values/);
    }
  });
});
