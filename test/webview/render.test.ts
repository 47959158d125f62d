// Pure parts of the canvas renderers: ticks, number formats, ridge selection, densities, rasterising.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fmt, fmtPercent, logTicks, mix, niceTicks, parseColor } from '../../webview/src/render/canvas';
import { yExtent } from '../../webview/src/render/curves';
import { binSpan, fillRidge, fillRidges, pairLayout, pickRows, ridgeHeight, rowDensity, SPIKE, xRange } from '../../webview/src/render/histograms';
import { CurveSeries, HistSeries } from '../../webview/src/series';

describe('axes and numbers', () => {
  it('nice ticks use 1-2-5 steps inside the range', () => {
    assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1].map((v) => v));
    assert.deepEqual(niceTicks(0, 200, 4), [0, 50, 100, 150, 200]);
    assert.deepEqual(niceTicks(3, 3), [3]);
    assert.deepEqual(niceTicks(NaN, 1), []);
    for (const t of niceTicks(-0.37, 0.41, 4)) assert.ok(t >= -0.37 && t <= 0.41);
    assert.deepEqual(logTicks(0.02, 3), [0.01, 0.1, 1, 10]);
    assert.deepEqual(logTicks(0, 3), []);
  });
  it('formats numbers compactly', () => {
    assert.equal(fmt(0), '0');
    assert.equal(fmt(0.123456), '0.123');
    assert.equal(fmt(-2.5), '−2.5');
    assert.equal(fmt(1234567), '1.23e6');
    assert.equal(fmt(0.00001234), '1.23e−5');
    assert.equal(fmt(NaN), 'NaN');
    assert.equal(fmt(-Infinity), '−∞');
    assert.equal(fmtPercent(0.456), '46 %');
    assert.equal(fmtPercent(0.05), '5.0 %');
  });
  it('y extent ignores non-finite values and non-positive ones on a log axis', () => {
    const s = new CurveSeries();
    [2, NaN, 0.5, Infinity, 0, 1].forEach((y, i) => s.push(i, y));
    const line = { key: 'k', color: '#fff', dash: [], width: 1, alpha: 1, series: s, dots: false };
    const [lo, hi] = yExtent([line], false)!;
    assert.ok(lo <= 0 && hi >= 2);
    assert.deepEqual(yExtent([line], true), [0.5, 2]);
  });
  it('parses and mixes colours', () => {
    assert.deepEqual(parseColor('#38f'), [0x33, 0x88, 0xff]);
    assert.deepEqual(parseColor('#3794ffcc'), [0x37, 0x94, 0xff]);
    assert.deepEqual(parseColor('rgba(1, 2, 3, 0.5)'), [1, 2, 3]);
    assert.equal(parseColor('red'), null);
    assert.equal(mix('#ffffff', '#000000', 0.5), 'rgb(128,128,128)');
    assert.equal(mix('red', '#000', 0.5), 'red');
  });
});

describe('histogram geometry', () => {
  it('picks evenly spaced ridges, always the first and the last', () => {
    assert.deepEqual(pickRows(3, 10), [0, 1, 2]);
    const r = pickRows(201, 25);
    assert.equal(r.length, 25);
    assert.equal(r[0], 0);
    assert.equal(r[24], 200);
    for (let i = 1; i < r.length; i++) assert.ok(r[i] > r[i - 1]);
    assert.deepEqual(pickRows(0, 5), []);
  });
  it('densities: a single spike is clipped to SPIKE × the second tallest bin', () => {
    const out = new Float64Array(4);
    const robust = rowDensity([90, 5, 3, 2], 0, 4, out);
    assert.ok(Math.abs(out[0] - 0.9) < 1e-12);
    assert.ok(Math.abs(robust - SPIKE * 0.05) < 1e-12);
    assert.ok(Math.abs(rowDensity([1, 2, 3, 4], 0, 4, out) - 0.4) < 1e-12, 'no spike: the maximum');
  });
  it('a constant tensor is a full-height spike outside the scale', () => {
    const out = new Float64Array(3);
    assert.equal(rowDensity([0, 10, 0], 0, 0, out), 0);
    assert.equal(ridgeHeight(out[1], 5), 1);
    assert.equal(ridgeHeight(out[0], 5), 0);
    const [a, b] = binSpan(0, 0);
    assert.ok(a < 0 && b > 0);
  });
  it('x range spans the drawn snapshots', () => {
    const h = new HistSeries('l', 'kernel', 2);
    const stats = { mean: 0, std: 0, min: 0, max: 0, zeroFraction: 0, nonFinite: 0 };
    h.push({ epoch: 0, step: 0, min: -1, max: 1, counts: [1, 1], stats });
    h.push({ epoch: 1, step: 1, min: -3, max: 0.5, counts: [1, 1], stats });
    assert.deepEqual(xRange(h, [0, 1]), [-3, 1]);
    assert.deepEqual(xRange(h, [0]), [-1, 1]);
  });
  it('splits a tensor row between ridgeline and overlay', () => {
    const l = pairLayout(1000, 150);
    assert.ok(l.ridge.w > l.overlay.w);
    assert.equal(l.ridge.x, 0);
    assert.equal(l.overlay.x + l.overlay.w, 1000);
  });
});

describe('ridge rasteriser', () => {
  it('fills under the polyline down to the base and draws the top edge', () => {
    const W = 10;
    const H = 10;
    const px = new Uint32Array(W * H);
    // a triangle: (0, base 9) → (5, top 1) → (10, base 9)
    fillRidge(px, W, H, [0, 5, 10], [9, 1, 9], 3, 9, 1, 2, 1);
    const at = (x: number, y: number) => px[y * W + x];
    // column 5 samples x = 5.5: y = 1 + 8 × 0.1 = 1.8 → row 2
    assert.equal(at(5, 1), 0, 'above the ridge stays empty');
    assert.equal(at(5, 2), 2, 'top edge');
    assert.equal(at(5, 5), 1, 'filled body');
    assert.equal(at(5, 9), 0, 'nothing at or below the base row');
    assert.equal(at(0, 2), 0, 'outside the triangle');
    // a later ridge overwrites (painter's order)
    fillRidge(px, W, H, [0, 10], [9, 9], 2, 9, 3, 3, 1);
    assert.equal(at(3, 8), 1, 'a flat ridge only draws its edge at the base');
  });
  it('clips to the buffer', () => {
    const px = new Uint32Array(4 * 4);
    assert.doesNotThrow(() => fillRidge(px, 4, 4, [-10, 0, 20], [20, -5, 20], 3, 20, 1, 2, 2));
  });
  it('skips covered pixels with exactly the result of painting every ridge in turn', () => {
    // Random ridgelines: bases moving down (as drawn) or not, flat runs, spikes, edges of 1–4 px,
    // ridges overhanging the buffer. Reference: the one-ridge-at-a-time painter's algorithm.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 300; trial++) {
      const W = 5 + Math.floor(rnd() * 60);
      const H = 5 + Math.floor(rnd() * 60);
      const n = 1 + Math.floor(rnd() * 30);
      const count = 3 + Math.floor(rnd() * 12);
      const monotone = trial % 4 !== 0;
      const set = { n, count, X: new Float64Array(n * count), Y: new Float64Array(n * count), base: new Float64Array(n), fill: new Uint32Array(n), line: new Uint32Array(n), lineWidth: new Int32Array(n) };
      const peak = H * (0.2 + rnd() * 0.8);
      for (let k = 0; k < n; k++) {
        const base = monotone ? peak * 0.5 + ((H * 1.1 - peak * 0.5) * k) / Math.max(1, n - 1) : rnd() * H * 1.2;
        const x0 = -5 + rnd() * W * 0.5;
        const x1 = x0 + 1 + rnd() * W;
        for (let j = 0; j < count; j++) {
          set.X[k * count + j] = x0 + ((x1 - x0) * j) / (count - 1);
          set.Y[k * count + j] = j === 0 || j === count - 1 || rnd() < 0.25 ? base : base - rnd() * peak * (rnd() < 0.1 ? 2 : 1);
        }
        set.base[k] = base;
        set.fill[k] = 2 * k + 1;
        set.line[k] = 2 * k + 2;
        set.lineWidth[k] = 1 + Math.floor(rnd() * 4);
      }
      const fast = new Uint32Array(W * H);
      fillRidges(fast, W, H, set);
      const ref = new Uint32Array(W * H);
      for (let k = 0; k < n; k++)
        referenceFillRidge(ref, W, H, set.X.subarray(k * count, (k + 1) * count), set.Y.subarray(k * count, (k + 1) * count), count, set.base[k], set.fill[k], set.line[k], set.lineWidth[k]);
      const diff = ref.findIndex((v, i) => v !== fast[i]);
      assert.equal(diff, -1, `trial ${trial}: pixel ${diff % W},${Math.floor(diff / W)} is ${fast[diff]}, painter's order gives ${ref[diff]}`);
    }
  });
});

/** The straightforward painter's rasteriser (every ridge filled down to its base), as the reference. */
function referenceFillRidge(px: Uint32Array, W: number, H: number, X: ArrayLike<number>, Y: ArrayLike<number>, count: number, base: number, fill: number, line: number, lineWidth: number): void {
  const c0 = Math.max(0, Math.ceil(X[0] - 0.5));
  const c1 = Math.min(W - 1, Math.floor(X[count - 1] - 0.5));
  const yb = Math.min(H, Math.round(base));
  let seg = 0;
  let prevTop = -1;
  for (let c = c0; c <= c1; c++) {
    const xc = c + 0.5;
    while (seg < count - 2 && X[seg + 1] < xc) seg++;
    const xa = X[seg];
    const xb = X[seg + 1];
    const t = xb > xa ? Math.min(1, Math.max(0, (xc - xa) / (xb - xa))) : 0;
    const top = Math.max(0, Math.round(Y[seg] + (Y[seg + 1] - Y[seg]) * t));
    const l0 = prevTop < 0 ? top : Math.min(top, prevTop);
    const l1 = Math.min(H, (prevTop < 0 ? top : Math.max(top, prevTop)) + lineWidth);
    for (let i = top * W + c, end = yb * W; i < end; i += W) px[i] = fill;
    for (let i = Math.max(0, l0 - (lineWidth >> 1)) * W + c, end = (l1 - (lineWidth >> 1)) * W; i < end; i += W) px[i] = line;
    prevTop = top;
  }
}
