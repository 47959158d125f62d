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
import { fmt, niceTicks, parseColor, type Palette, type Rect } from './canvas';

export const SPIKE = 3;
/** At most one ridge per RIDGE_SPACING px of plot height, and never more than MAX_RIDGES. */
export const RIDGE_SPACING = 5;
export const MAX_RIDGES = 40;
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
  if (!(hi > lo)) {
    // A constant tensor (e.g. zero-initialised biases): drawn as a full-height spike, and kept out
    // of the chart's scale (its density is unbounded).
    let total = 0;
    for (let i = 0; i < n; i++) total += counts[i];
    for (let i = 0; i < n; i++) out[i] = total > 0 && counts[i] > 0 ? Infinity : 0;
    return 0;
  }
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

/** Height of a density as a fraction of the peak: clipped at 1; a constant tensor's spike is 1. */
export function ridgeHeight(density: number, scale: number): number {
  if (density === Infinity) return 1;
  return scale > 0 ? Math.min(density / scale, 1) : 0;
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
  const rows = pickRows(h.length, Math.max(2, Math.min(MAX_RIDGES, Math.floor(r.h / RIDGE_SPACING))));
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
  const peak = n === 1 ? r.h * 0.92 : r.h * 0.45;
  const step = n === 1 ? 0 : (r.h - peak) / (n - 1);

  // Ridges are rasterised straight into pixels (back to front, opaque colours pre-mixed with the
  // background): a software canvas spends most of its time antialiasing and blending path fills,
  // and 40 overlapping ridges per chart are exactly that worst case.
  // The chart may be the left part of its canvas: pixels are written for [0, w) × [0, hgt) only.
  const H = ctx.canvas.height;
  const dpr = H / Math.max(1, hgt);
  const W = Math.min(ctx.canvas.width, Math.max(1, Math.round(w * dpr)));
  const img = pixelBuffer(ctx, W, H);
  const px = new Uint32Array(img.data.buffer);
  px.fill(0);
  const fillRgb = parseColor(o.color) ?? [55, 148, 255];
  const bgRgb = parseColor(p.background) ?? [30, 30, 30];
  const count = bins + 2;
  const set = ridgeSet(n, count);
  const sx = (r.w * dpr) / (x1 - x0);
  const ox = r.x * dpr;
  const lineWidth = Math.max(1, Math.round(dpr * p.lineScale));
  for (let k = 0; k < n; k++) {
    const i = rows[k];
    const base = (r.y + peak + k * step) * dpr;
    const [a, b] = binSpan(h.lo[i], h.hi[i]);
    const bw = (b - a) / bins;
    const d = dens.subarray(k * bins, (k + 1) * bins);
    const X = set.X.subarray(k * count, (k + 1) * count);
    const Y = set.Y.subarray(k * count, (k + 1) * count);
    X[0] = ox + (a - x0) * sx;
    Y[0] = base;
    for (let j = 0; j < bins; j++) {
      X[j + 1] = ox + (a + (j + 0.5) * bw - x0) * sx;
      Y[j + 1] = base - ridgeHeight(d[j], scale) * peak * dpr;
    }
    X[bins + 1] = ox + (b - x0) * sx;
    Y[bins + 1] = base;
    const recency = n === 1 ? 1 : k / (n - 1);
    set.base[k] = base;
    set.fill[k] = packRgb(mixRgb(fillRgb, bgRgb, 0.12 + 0.5 * recency));
    set.line[k] = packRgb(mixRgb(fillRgb, bgRgb, 0.45 + 0.55 * recency));
    set.lineWidth[k] = k === n - 1 ? lineWidth + 1 : lineWidth;
  }
  fillRidges(px, W, H, set);
  // Only the plot area holds ridge pixels (the margins keep the cleared canvas).
  const dx = Math.floor(r.x * dpr);
  const dy = Math.floor(r.y * dpr);
  ctx.putImageData(img, 0, 0, dx, dy, Math.min(W, Math.ceil((r.x + r.w) * dpr) + lineWidth) - dx, Math.min(H, Math.ceil((r.y + r.h) * dpr) + lineWidth) - dy);

  // Axis ticks and labels on top (vector).
  const tx = (v: number) => r.x + ((v - x0) / (x1 - x0)) * r.w;
  ctx.font = p.font;
  ctx.lineWidth = 1;
  ctx.strokeStyle = p.muted;
  ctx.fillStyle = p.muted;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.beginPath();
  for (const t of niceTicks(x0, x1, Math.max(2, Math.floor(r.w / 70)))) {
    const Xt = Math.round(tx(t)) + 0.5;
    ctx.moveTo(Xt, r.y + r.h);
    ctx.lineTo(Xt, r.y + r.h + 3);
    ctx.fillText(fmt(t, 2), Xt, r.y + r.h + 4);
  }
  ctx.stroke();
  // epoch labels at the right: first and last ridge (and the middle one when there is room)
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const labelled = n >= 3 && r.h > 80 ? [0, Math.floor((n - 1) / 2), n - 1] : n >= 2 ? [0, n - 1] : [0];
  for (const k of labelled) ctx.fillText(o.epochLabel(h.epoch[rows[k]]), r.x + r.w + 4, r.y + peak + k * step - 2);
  return r;
}

let imageCache: ImageData | null = null;
/** One reusable ImageData per size (charts are drawn one after the other). */
function pixelBuffer(ctx: CanvasRenderingContext2D, W: number, H: number): ImageData {
  if (!imageCache || imageCache.width !== W || imageCache.height !== H) imageCache = ctx.createImageData(W, H);
  return imageCache;
}
/** Ridges to rasterise, back to front: ridge k is the polyline (X, Y)[k × stride, k × stride + count). */
export interface RidgeSet {
  n: number;
  count: number;
  X: Float64Array;
  Y: Float64Array;
  base: Float64Array;
  fill: Uint32Array;
  line: Uint32Array;
  lineWidth: Int32Array;
}
let setScratch: RidgeSet | null = null;
/** A reusable RidgeSet (charts are drawn one after the other). */
function ridgeSet(n: number, count: number): RidgeSet {
  const s = setScratch;
  if (s && s.base.length >= n && s.X.length >= n * count) {
    s.n = n;
    s.count = count;
    return s;
  }
  const m = Math.max(n, MAX_RIDGES);
  setScratch = { n, count, X: new Float64Array(m * count), Y: new Float64Array(m * count), base: new Float64Array(m), fill: new Uint32Array(m), line: new Uint32Array(m), lineWidth: new Int32Array(m) };
  return setScratch;
}

export function mixRgb(fg: [number, number, number], bg: [number, number, number], t: number): [number, number, number] {
  return [0, 1, 2].map((i) => Math.round(fg[i] * t + bg[i] * (1 - t))) as [number, number, number];
}

/** An opaque RGBA pixel for a little-endian Uint32Array view of ImageData. */
export function packRgb([r, g, b]: [number, number, number]): number {
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/**
 * Rasterises one ridge into `px` (W×H, row-major): the polyline (X[i], Y[i]) for i < count, x
 * increasing, filled down to `base` with `fill`, its top edge drawn `lineWidth` px thick with
 * `line`. Later ridges overwrite earlier ones (painter's order). Pure.
 */
export function fillRidge(px: Uint32Array, W: number, H: number, X: ArrayLike<number>, Y: ArrayLike<number>, count: number, base: number, fill: number, line: number, lineWidth: number): void {
  fillRidges(px, W, H, {
    n: 1,
    count,
    X: Float64Array.from({ length: count }, (_, i) => X[i]),
    Y: Float64Array.from({ length: count }, (_, i) => Y[i]),
    base: Float64Array.of(base),
    fill: Uint32Array.of(fill),
    line: Uint32Array.of(line),
    lineWidth: Int32Array.of(lineWidth),
  });
}

let geometry = new Int32Array(0);

/**
 * Rasterises ridges 0 … n−1 back to front, with the same result as fillRidge on each in turn
 * (painter's order), but without writing the pixels a ridge further in front paints over: the
 * stacked fills of a ridgeline overlap a lot, and writing each one down to its base cost most of
 * the drawing time.
 *
 * In a column, a ridge writes its fill rows [top, yb) and its edge rows [ls, le), one run
 * [a, max(yb, le)) whenever the edge touches the fill. A ridge f in front of ridge k with
 * yb_f ≥ yb_k (bases move down towards the front) therefore paints every row of [a_f, yb_k),
 * so ridge k skips the rows [min over f > k of a_f, yb_k): the last ridge writing a pixel in
 * painter's order is the one that still writes it here. Edge rows below yb_k are always written.
 * When bases do not move down towards the front, nothing is skipped.
 */
export function fillRidges(px: Uint32Array, W: number, H: number, set: RidgeSet): void {
  const { n, count, X, Y } = set;
  W |= 0; // small integers from here on: the loops below stay in integer arithmetic
  H |= 0;
  if (n <= 0 || W <= 0 || H <= 0) return;
  const size = n * W;
  if (geometry.length < size * 4) geometry = new Int32Array(size * 4);
  // per ridge and column: fill top, edge start, edge end (rows), rows skipped from (cover)
  const T = geometry.subarray(0, size);
  const LS = geometry.subarray(size, 2 * size);
  const LE = geometry.subarray(2 * size, 3 * size);
  const C = geometry.subarray(3 * size, 4 * size);
  const yb = new Int32Array(n);
  const span = new Int32Array(2 * n);
  let monotone = true;
  for (let k = 0; k < n; k++) {
    yb[k] = Math.min(H, Math.round(set.base[k]));
    if (k > 0 && yb[k] < yb[k - 1]) monotone = false;
    const o = k * W;
    const x0 = k * count;
    const lw = set.lineWidth[k];
    const half = lw >> 1;
    T.fill(H, o, o + W);
    LS.fill(0, o, o + W);
    LE.fill(0, o, o + W);
    const c0 = Math.max(0, Math.ceil(X[x0] - 0.5));
    const c1 = Math.min(W - 1, Math.floor(X[x0 + count - 1] - 0.5));
    span[2 * k] = c0;
    span[2 * k + 1] = c1;
    let seg = 0;
    let prevTop = -1;
    for (let c = c0; c <= c1; c++) {
      const xc = c + 0.5;
      while (seg < count - 2 && X[x0 + seg + 1] < xc) seg++;
      const xa = X[x0 + seg];
      const xb = X[x0 + seg + 1];
      const t = xb > xa ? Math.min(1, Math.max(0, (xc - xa) / (xb - xa))) : 0;
      const ya = Y[x0 + seg];
      const y = Math.round(ya + (Y[x0 + seg + 1] - ya) * t);
      if (y !== y) {
        // not a number: nothing in this column, and the edge restarts after it
        prevTop = -1;
        continue;
      }
      const top = y <= 0 ? 0 : y >= H ? H : y | 0;
      // outline: connect to the previous column's top so steep flanks stay continuous
      const l0 = prevTop < 0 ? top : Math.min(top, prevTop);
      const l1 = Math.min(H, (prevTop < 0 ? top : Math.max(top, prevTop)) + lw);
      T[o + c] = top;
      LS[o + c] = Math.max(0, l0 - half);
      LE[o + c] = l1 - half;
      prevTop = top;
    }
  }
  // C[k] = min over ridges f > k of the top of f's run reaching down to yb_f (H: none)
  C.fill(H, (n - 1) * W, n * W);
  for (let k = n - 1; k > 0; k--) {
    const o = k * W;
    const yk = yb[k];
    for (let c = 0; c < W; c++) {
      const top = T[o + c];
      const ls = LS[o + c];
      const le = LE[o + c];
      let a = H;
      if (top < yk) a = ls < le && ls < top && le >= top ? ls : top;
      else if (ls < le && le >= yk) a = ls;
      const below = C[o + c];
      C[o - W + c] = monotone && a < below ? a : below;
    }
  }
  if (!monotone) C.fill(H, 0, size);
  for (let k = 0; k < n; k++) {
    const o = k * W;
    const yk = yb[k];
    const fill = set.fill[k];
    const line = set.line[k];
    for (let c = span[2 * k], c1 = span[2 * k + 1]; c <= c1; c++) {
      const top = T[o + c];
      const cv = Math.min(C[o + c], yk);
      for (let i = top * W + c, end = cv * W; i < end; i += W) px[i] = fill;
      const ls = LS[o + c];
      const le = LE[o + c];
      for (let i = ls * W + c, end = Math.min(le, cv) * W; i < end; i += W) px[i] = line;
      for (let i = Math.max(ls, yk) * W + c, end = le * W; i < end; i += W) px[i] = line;
    }
  }
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
      const y = base - ridgeHeight(d[j], scale) * r.h;
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

export const PAIR_GAP = 16;
/** Share of a tensor row's width given to the ridgeline (the overlay gets the rest). */
export const RIDGE_SHARE = 0.6;

export interface PairLayout {
  ridge: Rect;
  overlay: Rect;
}

/** Where the ridgeline and the overlay go in one tensor row's canvas (CSS px). */
export function pairLayout(w: number, hgt: number): PairLayout {
  const rw = Math.max(1, Math.round((w - PAIR_GAP) * RIDGE_SHARE));
  return { ridge: { x: 0, y: 0, w: rw, h: hgt }, overlay: { x: rw + PAIR_GAP, y: 0, w: Math.max(1, w - rw - PAIR_GAP), h: hgt } };
}

/**
 * Both histogram views of one tensor in one canvas (one canvas per tapped tensor, not two: each
 * canvas costs the compositor a resource per frame it is on screen). Returns both plot rectangles
 * in canvas CSS px.
 */
export function drawTensorPair(ctx: CanvasRenderingContext2D, w: number, hgt: number, h: HistSeries, ridge: RidgelineOptions, overlay: OverlayOptions): PairLayout {
  const l = pairLayout(w, hgt);
  const rr = drawRidgeline(ctx, l.ridge.w, hgt, h, ridge);
  ctx.save();
  ctx.translate(l.overlay.x, 0);
  const or = drawOverlay(ctx, l.overlay.w, hgt, h, overlay);
  ctx.restore();
  return { ridge: rr, overlay: { ...or, x: or.x + l.overlay.x } };
}
