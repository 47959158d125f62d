/**
 * Chart views: a canvas in a sized box, redrawn only when invalidated, resized, or when the theme
 * or device pixel ratio changed — and only while on screen (off-screen charts stay dirty and are
 * drawn when scrolled into view).
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
  /** Charts drawn. */
  drawn: number;
  /** Charts on (or near) the screen. */
  visible: number;
  /** Drawing time per chart kind (ms). */
  byKind: Record<string, number>;
}

export interface ChartSetHost {
  palette(): Palette;
  /** Ask for an animation frame (something became visible with a stale drawing). */
  requestFrame(): void;
  /** Charts were drawn outside the animation frame (in a ResizeObserver callback). */
  drewLate(stats: FrameStats, ms: number): void;
}

/** Drawing time an animation frame spends before leaving the remaining due charts to the next. */
const FRAME_DRAW_BUDGET_MS = 1.5;

/** How far outside the viewport a chart counts as visible. 0: only what is on screen is drawn;
 * scrolling updates visibility synchronously (refreshVisibility), so nothing shows up blank. */
const VISIBILITY_MARGIN = 0;

/**
 * Every chart of the panel; draws the due ones that are on screen, without ever forcing a layout:
 * sizes come from a ResizeObserver and visibility from an IntersectionObserver. A chart whose size
 * changed (window resize, a card shown) is drawn in the ResizeObserver callback, which runs after
 * layout and before paint, so the new drawing is on screen in the same frame.
 */
export class ChartSet {
  private charts = new Set<ChartView>();
  private byBox = new Map<Element, ChartView>();
  private sizes = new Map<ChartView, [number, number]>();
  /** Per chart box: on screen (IntersectionObserver, refreshed synchronously on scroll). */
  private visible = new Map<Element, boolean>();
  private ro: ResizeObserver;
  private io: IntersectionObserver;
  theme = 0;

  constructor(private host: ChartSetHost) {
    this.ro = new ResizeObserver((entries) => this.resized(entries));
    this.io = new IntersectionObserver((entries) => this.intersected(entries), { rootMargin: `${VISIBILITY_MARGIN}px 0px` });
  }

  add(c: ChartView): ChartView {
    this.charts.add(c);
    this.byBox.set(c.box, c);
    this.ro.observe(c.box);
    this.io.observe(c.box);
    return c;
  }

  delete(c: ChartView): void {
    if (!this.charts.delete(c)) return;
    this.byBox.delete(c.box);
    this.sizes.delete(c);
    this.ro.unobserve(c.box);
    this.io.unobserve(c.box);
    this.visible.delete(c.box);
  }

  invalidateAll(): void {
    for (const c of this.charts) c.invalidate();
  }

  anyDirty(): boolean {
    for (const c of this.charts) if (c.dirty) return true;
    return false;
  }

  /** From the animation frame: draws due charts whose size and visibility are known. No layout reads. */
  drawDue(palette: Palette, dpr: number): FrameStats {
    const due: [ChartView, number, number][] = [];
    let visible = 0;
    for (const c of this.charts) {
      if (!this.visible.get(c.box)) continue;
      const size = this.sizes.get(c);
      if (!size || size[0] === 0 || size[1] === 0) continue;
      visible++;
      if (c.due(size[0], size[1], dpr, this.theme)) due.push([c, size[0], size[1]]);
    }
    return this.draw(due, visible, palette, dpr, FRAME_DRAW_BUDGET_MS);
  }

  /**
   * Draws `due` in order; with a budget, stops once drawing took that long and asks for another
   * frame for the rest (a frame that brings several charts into view spreads them over frames).
   */
  private draw(due: [ChartView, number, number][], visible: number, palette: Palette, dpr: number, budgetMs = Infinity): FrameStats {
    const byKind: Record<string, number> = {};
    const started = performance.now();
    let drawn = 0;
    for (const [c, w, hgt] of due) {
      if (drawn > 0 && performance.now() - started >= budgetMs) {
        this.host.requestFrame();
        break;
      }
      const t = performance.now();
      c.render(w, hgt, dpr, this.theme, palette);
      byKind[c.kind] = (byKind[c.kind] ?? 0) + performance.now() - t;
      drawn++;
    }
    return { drawn, visible, byKind };
  }

  /** After layout: new sizes; draw what changed and is on screen (rects are cheap to read here). */
  private resized(entries: ResizeObserverEntry[]): void {
    const t0 = performance.now();
    const dpr = window.devicePixelRatio || 1;
    const vh = window.innerHeight;
    const due: [ChartView, number, number][] = [];
    for (const e of entries) {
      const c = this.byBox.get(e.target);
      if (!c) continue;
      const w = Math.floor(e.contentRect.width);
      const hgt = Math.floor(e.contentRect.height);
      this.sizes.set(c, [w, hgt]);
      if (w === 0 || hgt === 0) continue;
      const v = onScreen(c.box, vh);
      this.visible.set(c.box, v);
      if (v && c.due(w, hgt, dpr, this.theme)) due.push([c, w, hgt]);
    }
    if (due.length === 0) return;
    const stats = this.draw(due, due.length, this.host.palette(), dpr);
    this.host.drewLate(stats, performance.now() - t0);
  }

  /**
   * Re-reads which charts are on screen. Called from `scroll` handlers: layout is clean there (all
   * DOM writes happen in the animation frame), so the reads are cheap and the charts scrolled into
   * view are drawn in the same frame. Returns whether a frame is needed.
   */
  refreshVisibility(): boolean {
    const vh = window.innerHeight;
    let need = false;
    // A chart's own box is read only when its card is on screen: reading inside an off-screen
    // `content-visibility: auto` card would force that card's layout.
    const scopes = new Map<Element, boolean>();
    for (const c of this.charts) {
      let v: boolean;
      if (c.scope) {
        let sv = scopes.get(c.scope);
        if (sv === undefined) scopes.set(c.scope, (sv = onScreen(c.scope, vh)));
        v = sv && onScreen(c.box, vh);
      } else v = onScreen(c.box, vh);
      if (v && !this.visible.get(c.box) && c.dirty) need = true;
      this.visible.set(c.box, v);
    }
    return need || this.anyDueVisible();
  }

  private anyDueVisible(): boolean {
    const dpr = window.devicePixelRatio || 1;
    for (const c of this.charts) {
      const size = this.sizes.get(c);
      if (size && this.visible.get(c.box) && c.due(size[0], size[1], dpr, this.theme)) return true;
    }
    return false;
  }

  private intersected(entries: IntersectionObserverEntry[]): void {
    for (const e of entries) this.visible.set(e.target, e.isIntersecting);
    if (this.anyDueVisible()) this.host.requestFrame();
  }
}

function onScreen(el: Element, vh: number): boolean {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.bottom >= -VISIBILITY_MARGIN && r.top <= vh + VISIBILITY_MARGIN;
}
