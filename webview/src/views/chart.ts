/**
 * Chart views: a canvas in a sized box, redrawn only when invalidated, resized, or when the theme
 * or device pixel ratio changed — and only while on screen (off-screen charts stay dirty and are
 * drawn when scrolled into view). All charts are drawn from one requestAnimationFrame callback:
 * sizes are read first (one layout), then every due chart is drawn.
 */
import type { Palette, Rect } from '../render/canvas';
import { prepareCanvas } from '../render/canvas';
import { h, setAttr } from './dom';

export type DrawFn = (ctx: CanvasRenderingContext2D, w: number, h: number, palette: Palette) => Rect | void;

export class ChartView {
  readonly box: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  dirty = true;
  private drawnW = 0;
  private drawnH = 0;
  private drawnDpr = 0;
  private drawnTheme = -1;

  constructor(
    readonly kind: string,
    private draw: DrawFn,
    className: string,
  ) {
    this.canvas = h('canvas', { role: 'img', 'data-chart': kind });
    this.box = h('div', { class: `chart ${className}` }, this.canvas);
  }

  setLabel(label: string): void {
    setAttr(this.canvas, 'aria-label', label);
  }

  invalidate(): void {
    this.dirty = true;
  }

  /** Whether this chart must be drawn for the given size/theme. */
  due(w: number, hgt: number, dpr: number, theme: number): boolean {
    return this.dirty || w !== this.drawnW || hgt !== this.drawnH || dpr !== this.drawnDpr || theme !== this.drawnTheme;
  }

  render(w: number, hgt: number, dpr: number, theme: number, palette: Palette): void {
    const ctx = prepareCanvas(this.canvas, w, hgt, dpr);
    this.dirty = false;
    this.drawnW = w;
    this.drawnH = hgt;
    this.drawnDpr = dpr;
    this.drawnTheme = theme;
    if (!ctx) return;
    const plot = this.draw(ctx, w, hgt, palette);
    if (plot) this.canvas.dataset.plot = `${plot.x},${plot.y},${plot.w},${plot.h}`;
  }
}

export interface FrameStats {
  /** Charts drawn in this frame. */
  drawn: number;
  /** Charts on screen. */
  visible: number;
}

/** Every chart of the panel; draws the due ones that are on screen. */
export class ChartSet {
  private charts = new Set<ChartView>();
  theme = 0;

  add(c: ChartView): ChartView {
    this.charts.add(c);
    return c;
  }

  delete(c: ChartView): void {
    this.charts.delete(c);
  }

  invalidateAll(): void {
    for (const c of this.charts) c.invalidate();
  }

  anyDirty(): boolean {
    for (const c of this.charts) if (c.dirty) return true;
    return false;
  }

  drawDue(palette: Palette, viewportH: number, dpr: number, margin = 150): FrameStats {
    // Read phase: one layout for all boxes.
    const due: [ChartView, number, number][] = [];
    let visible = 0;
    for (const c of this.charts) {
      if (!c.box.isConnected) continue;
      const rect = c.box.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      if (rect.bottom < -margin || rect.top > viewportH + margin) continue;
      visible++;
      const w = Math.floor(rect.width);
      const hgt = Math.floor(rect.height);
      if (c.due(w, hgt, dpr, this.theme)) due.push([c, w, hgt]);
    }
    // Write phase: draw.
    for (const [c, w, hgt] of due) c.render(w, hgt, dpr, this.theme, palette);
    return { drawn: due.length, visible };
  }
}
