/** Loss curves: epoch on x, loss on y (linear or log); train solid, validation dashed, batches faint. */
import type { CurveSeries } from '../series';
import { fmt, logTicks, niceTicks, type Palette, type Rect } from './canvas';

export interface CurveLine {
  key: string;
  color: string;
  dash: number[];
  width: number;
  alpha: number;
  series: CurveSeries;
  /** Draw a dot at each point (epoch-level series with few points). */
  dots: boolean;
}

export interface CurveOptions {
  palette: Palette;
  yScale: 'linear' | 'log';
  /** Right end of the x axis (planned epochs), at least the data's extent. */
  xMax: number;
}

/** Segments per stroke of a solid line wider than a device pixel (see drawCurves). */
export const STROKE_PIECE = 32;

export const CURVE_MARGIN = { left: 48, right: 12, top: 10, bottom: 24 };

export function curvePlotRect(w: number, h: number): Rect {
  const m = CURVE_MARGIN;
  return { x: m.left, y: m.top, w: Math.max(1, w - m.left - m.right), h: Math.max(1, h - m.top - m.bottom) };
}

/** y extent of the visible lines (positive values only on a log axis). */
export function yExtent(lines: CurveLine[], log: boolean): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of lines) {
    const n = l.series.pointCount();
    for (let i = 0; i < n; i++) {
      const y = l.series.y(i);
      if (!Number.isFinite(y) || (log && y <= 0)) continue;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
  }
  if (lo > hi) return null;
  if (log) return lo === hi ? [lo / 2, hi * 2] : [lo, hi];
  if (lo === hi) return [lo - Math.abs(lo || 1) * 0.1, hi + Math.abs(hi || 1) * 0.1];
  const pad = (hi - lo) * 0.05;
  return [lo >= 0 && lo - pad < 0 ? 0 : lo - pad, hi + pad];
}

/** Draws axes and lines; returns the plot rectangle. */
export function drawCurves(ctx: CanvasRenderingContext2D, w: number, h: number, lines: CurveLine[], o: CurveOptions): Rect {
  const p = o.palette;
  const r = curvePlotRect(w, h);
  const log = o.yScale === 'log';
  let xMax = Math.max(1, o.xMax);
  for (const l of lines) {
    const n = l.series.pointCount();
    if (n > 0) xMax = Math.max(xMax, l.series.x(n - 1));
  }
  const ext = yExtent(lines, log) ?? [0, 1];
  const [y0, y1] = ext;
  const ty = log
    ? (v: number) => r.y + r.h - ((Math.log10(v) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0) || 1)) * r.h
    : (v: number) => r.y + r.h - ((v - y0) / (y1 - y0 || 1)) * r.h;
  const tx = (v: number) => r.x + (v / xMax) * r.w;

  ctx.font = p.font;
  ctx.lineWidth = 1;
  ctx.strokeStyle = p.grid;
  ctx.fillStyle = p.muted;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  ctx.beginPath();
  for (const t of log ? logTicks(y0, y1) : niceTicks(y0, y1, 4)) {
    if (t < y0 || t > y1) continue;
    const y = Math.round(ty(t)) + 0.5;
    ctx.moveTo(r.x, y);
    ctx.lineTo(r.x + r.w, y);
    ctx.fillText(fmt(t, 2), r.x - 4, y);
  }
  ctx.stroke();
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const xt = niceTicks(0, xMax, Math.min(8, Math.max(2, Math.floor(r.w / 60)))).filter((t) => Number.isInteger(t));
  for (const t of xt) ctx.fillText(String(t), tx(t), r.y + r.h + 5);
  ctx.strokeStyle = p.muted;
  ctx.beginPath();
  ctx.moveTo(r.x + 0.5, r.y);
  ctx.lineTo(r.x + 0.5, r.y + r.h + 0.5);
  ctx.lineTo(r.x + r.w, r.y + r.h + 0.5);
  ctx.stroke();

  ctx.save();
  ctx.beginPath();
  ctx.rect(r.x, r.y - 2, r.w + 2, r.h + 4);
  ctx.clip();
  // Bevel joins: at these widths they look like round ones, and cost the software rasteriser less.
  ctx.lineJoin = 'bevel';
  const dpr = ctx.getTransform().a;
  for (const l of lines) {
    const n = l.series.pointCount();
    if (n === 0) continue;
    ctx.globalAlpha = l.alpha;
    ctx.strokeStyle = l.color;
    ctx.fillStyle = l.color;
    ctx.lineWidth = l.width * p.lineScale;
    ctx.setLineDash(l.dash);
    // A solid line wider than a device pixel is stroked in pieces: one stroke of a long, noisy
    // polyline (the per-batch series) costs the software rasteriser far more than its pieces
    // (measured at devicePixelRatio 2: 19 → 8 ms for three 1560-point lines). Pieces share their
    // end points; with butt caps and bevel joins they only overlap inside a turn.
    const piece = l.dash.length === 0 && ctx.lineWidth * dpr > 1 ? STROKE_PIECE : Infinity;
    ctx.beginPath();
    let pen = false;
    let segments = 0;
    for (let i = 0; i < n; i++) {
      const y = l.series.y(i);
      if (!Number.isFinite(y) || (log && y <= 0)) {
        pen = false;
        continue;
      }
      const X = tx(l.series.x(i));
      const Y = ty(y);
      if (pen) {
        ctx.lineTo(X, Y);
        if (++segments >= piece) {
          ctx.stroke();
          ctx.beginPath();
          ctx.moveTo(X, Y);
          segments = 0;
        }
      } else ctx.moveTo(X, Y);
      pen = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
    if (l.dots && n <= 60) {
      ctx.beginPath();
      for (let i = 0; i < n; i++) {
        const y = l.series.y(i);
        if (!Number.isFinite(y) || (log && y <= 0)) continue;
        const X = tx(l.series.x(i));
        const Y = ty(y);
        ctx.moveTo(X + 2.5 * p.lineScale, Y);
        ctx.arc(X, Y, 2.5 * p.lineScale, 0, Math.PI * 2);
      }
      ctx.fill();
    }
  }
  ctx.restore();
  ctx.globalAlpha = 1;
  return r;
}
