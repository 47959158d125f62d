/**
 * Chart views: a canvas in a sized box, redrawn only when invalidated, resized, or when the theme
 * or device pixel ratio changed — and only while on screen (off-screen charts stay dirty and are
 * drawn when scrolled into view). All charts are drawn from one requestAnimationFrame callback:
 * sizes are read first (one layout), then every due chart is drawn.
 */
import type { Palette, Rect } from '../render/canvas';
import { prepareCanvas } from '../render/canvas';
import { h, setAttr } from './dom';

/** Draws the chart; returns its plot rectangle(s) (CSS px), published as `data-plot[-name]` for tests. */
export type DrawFn = (ctx: CanvasRenderingContext2D, w: number, h: number, palette: Palette) => Rect | Record<string, Rect> | void;

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
    /** An ancestor (a layer card) checked for visibility first: charts of off-screen cards are not touched at all. */
    readonly scope?: HTMLElement,
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
    if (!plot) return;
    const rects: [string, Rect][] = 'w' in plot && typeof plot.w === 'number' ? [['plot', plot as Rect]] : Object.entries(plot as Record<string, Rect>).map(([k, r]) => [`plot${k[0].toUpperCase()}${k.slice(1)}`, r]);
    for (const [k, r] of rects) this.canvas.dataset[k] = `${r.x},${r.y},${r.w},${r.h}`;
  }
}

export interface FrameStats {
  /** Charts drawn in this frame. */
  drawn: number;
  /** Charts on screen. */
  visible: number;
  /** Drawing time per chart kind (ms). */
  byKind: Record<string, number>;
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

  drawDue(palette: Palette, viewportH: number, dpr: number, margin = 0): FrameStats {
    // Read phase: one layout for all boxes.
    const due: [ChartView, number, number][] = [];
    let visible = 0;
    const scopes = new Map<HTMLElement, boolean>();
    const onScreen = (el: HTMLElement): boolean => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && r.bottom >= -margin && r.top <= viewportH + margin;
    };
    for (const c of this.charts) {
      if (c.scope) {
        let v = scopes.get(c.scope);
        if (v === undefined) scopes.set(c.scope, (v = c.scope.isConnected && onScreen(c.scope)));
        if (!v) continue;
      }
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
    const byKind: Record<string, number> = {};
    for (const [c, w, hgt] of due) {
      const t = performance.now();
      c.render(w, hgt, dpr, this.theme, palette);
      byKind[c.kind] = (byKind[c.kind] ?? 0) + performance.now() - t;
    }
    return { drawn: due.length, visible, byKind };
  }
}
