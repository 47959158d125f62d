/**
 * Histogram renderers.
 * - Ridgeline (TensorBoard's "offset" mode): one ridge per snapshot, oldest at the back (top),
 *   newest in front (bottom), each drawn over the background so later ridges hide earlier ones.
 *   At most ~one ridge per 2.5 px of height is drawn (evenly spaced, first and last always kept).
 * - Overlay: the first snapshot (muted, dashed) and the latest (filled) on a common x axis.
 *
 * Heights are densities (count / (total × bin width)), so snapshots with different ranges compare
 * fairly. One scale per chart; a single spike bin (e.g. ReLU zeros) taller than SPIKE × the
 * row's second-tallest bin is clipped so it does not flatten everything else.
 */
import type { HistSeries } from '../series';
import { fmt, niceTicks, type Palette, type Rect } from './canvas';

export const SPIKE = 3;
export const HIST_MARGIN = { left: 8, right: 36, top: 6, bottom: 18 };

export function histPlotRect(w: number, h: number): Rect {
  const m = HIST_MARGIN;
  return { x: m.left, y: m.top, w: Math.max(1, w - m.left - m.right), h: Math.max(1, h - m.top - m.bottom) };
}

/** Up to `max` indices in [0, n), evenly spaced, always the first and the last. */
export function pickRows(n: number, max: number): number[] {
  if (n <= 0) return [];
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const m = Math.max(2, max);
  const out: number[] = [];
  for (let k = 0; k < m; k++) {
    const i = Math.round((k * (n - 1)) / (m - 1));
    if (out.length === 0 || out[out.length - 1] !== i) out.push(i);
  }
  return out;
}

/** The [lo, hi] a snapshot's bins span (a zero-width range is widened so it can be drawn). */
export function binSpan(lo: number, hi: number): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi > lo) return [lo, hi];
  const d = Math.max(Math.abs(lo) * 0.01, 1e-3);
  return [lo - d, lo + d];
}

export function xRange(h: HistSeries, rows: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of rows) {
    const [a, b] = binSpan(h.lo[i], h.hi[i]);
    if (a < lo) lo = a;
    if (b > hi) hi = b;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** Densities of one snapshot into `out`; returns the row's robust maximum (spike clipped). */
export function rowDensity(counts: ArrayLike<number>, lo: number, hi: number, out: Float64Array): number {
  const n = counts.length;
  const [a, b] = binSpan(lo, hi);
  const bw = (b - a) / n;
  let total = 0;
  for (let i = 0; i < n; i++) total += counts[i];
  let max = 0;
  let second = 0;
  for (let i = 0; i < n; i++) {
    const d = total > 0 ? counts[i] / (total * bw) : 0;
    out[i] = d;
    if (d > max) {
      second = max;
      max = d;
    } else if (d > second) second = d;
  }
  return second > 0 && max > SPIKE * second ? SPIKE * second : max;
}

let scratch = new Float64Array(64);
function scratchFor(bins: number, rows: number): Float64Array {
  if (scratch.length < bins * rows) scratch = new Float64Array(bins * rows * 2);
  return scratch;
}

export interface RidgelineOptions {
  palette: Palette;
  color: string;
  epochLabel: (epoch: number) => string;
}

export function drawRidgeline(ctx: CanvasRenderingContext2D, w: number, hgt: number, h: HistSeries, o: RidgelineOptions): Rect {
  const p = o.palette;
  const r = histPlotRect(w, hgt);
  if (h.length === 0) return r;
  const rows = pickRows(h.length, Math.max(2, Math.min(60, Math.floor(r.h / 2.5))));
  const n = rows.length;
  const bins = h.bins;
  const dens = scratchFor(bins, n);
  let scale = 0;
  for (let k = 0; k < n; k++) {
    const i = rows[k];
    const m = rowDensity(h.row(i), h.lo[i], h.hi[i], dens.subarray(k * bins, (k + 1) * bins));
    if (m > scale) scale = m;
  }
  const [x0, x1] = xRange(h, rows);
  const tx = (v: number) => r.x + ((v - x0) / (x1 - x0)) * r.w;
  const peak = n === 1 ? r.h * 0.92 : r.h * 0.45;
  const step = n === 1 ? 0 : (r.h - peak) / (n - 1);

  ctx.font = p.font;
  // zero line and x ticks
  ctx.lineWidth = 1;
  ctx.strokeStyle = p.grid;
  ctx.fillStyle = p.muted;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.beginPath();
  for (const t of niceTicks(x0, x1, Math.max(2, Math.floor(r.w / 70)))) {
    const X = Math.round(tx(t)) + 0.5;
    ctx.moveTo(X, r.y);
    ctx.lineTo(X, r.y + r.h);
    ctx.fillText(fmt(t, 2), X, r.y + r.h + 4);
  }
  ctx.stroke();

  ctx.lineJoin = 'round';
  const lw = p.lineScale;
  for (let k = 0; k < n; k++) {
    const i = rows[k];
    const base = r.y + peak + k * step;
    const [a, b] = binSpan(h.lo[i], h.hi[i]);
    const bw = (b - a) / bins;
    const d = dens.subarray(k * bins, (k + 1) * bins);
    ctx.beginPath();
    ctx.moveTo(tx(a), base);
    for (let j = 0; j < bins; j++) {
      const v = scale > 0 ? Math.min(d[j] / scale, 1) : 0;
      ctx.lineTo(tx(a + (j + 0.5) * bw), base - v * peak);
    }
    ctx.lineTo(tx(b), base);
    ctx.closePath();
    const recency = n === 1 ? 1 : k / (n - 1);
    ctx.globalAlpha = 1;
    ctx.fillStyle = p.background;
    ctx.fill();
    ctx.globalAlpha = 0.12 + 0.5 * recency;
    ctx.fillStyle = o.color;
    ctx.fill();
    ctx.globalAlpha = 0.45 + 0.55 * recency;
    ctx.strokeStyle = o.color;
    ctx.lineWidth = (k === n - 1 ? 1.5 : 1) * lw;
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  // epoch labels at the right: first and last ridge (and the middle one when there is room)
  ctx.fillStyle = p.muted;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const labelled = n >= 3 && r.h > 80 ? [0, Math.floor((n - 1) / 2), n - 1] : n >= 2 ? [0, n - 1] : [0];
  for (const k of labelled) ctx.fillText(o.epochLabel(h.epoch[rows[k]]), r.x + r.w + 4, r.y + peak + k * step - 2);
  return r;
}

export interface OverlayOptions {
  palette: Palette;
  firstLabel: string;
  latestLabel: string;
}

/** The first snapshot against the latest, as step outlines on one x axis. */
export function drawOverlay(ctx: CanvasRenderingContext2D, w: number, hgt: number, h: HistSeries, o: OverlayOptions): Rect {
  const p = o.palette;
  const r = histPlotRect(w, hgt);
  r.y += 12;
  r.h = Math.max(1, r.h - 12);
  if (h.length === 0) return r;
  const rows = h.length === 1 ? [0] : [0, h.length - 1];
  const bins = h.bins;
  const dens = scratchFor(bins, 2);
  let scale = 0;
  rows.forEach((i, k) => {
    const m = rowDensity(h.row(i), h.lo[i], h.hi[i], dens.subarray(k * bins, (k + 1) * bins));
    if (m > scale) scale = m;
  });
  const [x0, x1] = xRange(h, rows);
  const tx = (v: number) => r.x + ((v - x0) / (x1 - x0)) * r.w;
  const base = r.y + r.h;

  ctx.font = p.font;
  ctx.lineWidth = 1;
  ctx.strokeStyle = p.grid;
  ctx.fillStyle = p.muted;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.beginPath();
  for (const t of niceTicks(x0, x1, Math.max(2, Math.floor(r.w / 70)))) {
    const X = Math.round(tx(t)) + 0.5;
    ctx.moveTo(X, r.y);
    ctx.lineTo(X, base);
    ctx.fillText(fmt(t, 2), X, base + 4);
  }
  ctx.stroke();

  rows.forEach((i, k) => {
    const latest = k === rows.length - 1;
    const [a, b] = binSpan(h.lo[i], h.hi[i]);
    const bw = (b - a) / bins;
    const d = dens.subarray(k * bins, (k + 1) * bins);
    ctx.beginPath();
    ctx.moveTo(tx(a), base);
    for (let j = 0; j < bins; j++) {
      const y = base - (scale > 0 ? Math.min(d[j] / scale, 1) : 0) * r.h;
      ctx.lineTo(tx(a + j * bw), y);
      ctx.lineTo(tx(a + (j + 1) * bw), y);
    }
    ctx.lineTo(tx(b), base);
    const color = latest ? p.latest : p.first;
    ctx.globalAlpha = latest ? 0.35 : 0.15;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = color;
    ctx.lineWidth = (latest ? 1.5 : 1) * p.lineScale;
    ctx.setLineDash(latest ? [] : [4, 3]);
    ctx.stroke();
    ctx.setLineDash([]);
  });
  // legend
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  let lx = r.x;
  const ly = r.y - 8;
  const legend: [string, string, boolean][] =
    rows.length === 2
      ? [
          [o.firstLabel, p.first, true],
          [o.latestLabel, p.latest, false],
        ]
      : [[o.latestLabel, p.latest, false]];
  for (const [text, color, dashed] of legend) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5 * p.lineScale;
    ctx.setLineDash(dashed ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(lx, ly);
    ctx.lineTo(lx + 14, ly);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = p.foreground;
    ctx.fillText(text, lx + 18, ly);
    lx += 18 + ctx.measureText(text).width + 12;
  }
  return r;
}
