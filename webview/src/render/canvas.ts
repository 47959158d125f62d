/** Canvas plumbing shared by the renderers: device-pixel-ratio sizing, theme palette, ticks. */

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Palette {
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  /** Series colours in order: total, then components. */
  series: string[];
  first: string;
  latest: string;
  warning: string;
  error: string;
  font: string;
  /** Line width multiplier (high contrast themes draw thicker). */
  lineScale: number;
  highContrast: boolean;
}

export const FALLBACK_PALETTE: Palette = {
  background: '#1e1e1e',
  foreground: '#cccccc',
  muted: '#8b8b8b',
  grid: 'rgba(128,128,128,0.25)',
  series: ['#3794ff', '#f14c4c', '#cca700', '#89d185', '#b180d7', '#d18616'],
  first: '#8b8b8b',
  latest: '#3794ff',
  warning: '#cca700',
  error: '#f14c4c',
  font: '11px sans-serif',
  lineScale: 1,
  highContrast: false,
};

/** Reads VS Code's theme variables (falls back to a dark palette outside VS Code). */
export function readPalette(el: Element): Palette {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  const body = el.ownerDocument.body;
  const highContrast = body.classList.contains('vscode-high-contrast') || body.classList.contains('vscode-high-contrast-light');
  const f = FALLBACK_PALETTE;
  const foreground = v('--vscode-editor-foreground', v('--vscode-foreground', f.foreground));
  const series = [
    v('--vscode-charts-blue', f.series[0]),
    v('--vscode-charts-red', f.series[1]),
    v('--vscode-charts-yellow', f.series[2]),
    v('--vscode-charts-green', f.series[3]),
    v('--vscode-charts-purple', f.series[4]),
    v('--vscode-charts-orange', f.series[5]),
  ];
  return {
    background: v('--vscode-editor-background', f.background),
    foreground,
    muted: v('--vscode-descriptionForeground', f.muted),
    grid: highContrast ? v('--vscode-contrastBorder', foreground) : v('--vscode-charts-lines', f.grid),
    series,
    first: v('--vscode-descriptionForeground', f.first),
    latest: series[0],
    warning: v('--vscode-editorWarning-foreground', f.warning),
    error: v('--vscode-editorError-foreground', f.error),
    font: `11px ${v('--vscode-font-family', 'sans-serif')}`,
    lineScale: highContrast ? 2 : 1,
    highContrast,
  };
}

/**
 * A backing store is reallocated when the chart outgrows it, or when it would waste more than
 * this share of its width (so dragging a panel edge back and forth reuses one allocation).
 */
export const SHRINK_BELOW = 0.7;
const backingDpr = new WeakMap<HTMLCanvasElement, number>();

/**
 * Sizes a canvas's backing store for its CSS size and the device pixel ratio and returns a context
 * drawing in CSS pixels, in [0, cssW) × [0, cssH). The height is exact; the width only grows, or
 * shrinks when much too wide (SHRINK_BELOW): reallocating a backing store (and with it the
 * compositor's resource for the canvas, and a layout of the canvas element) on every step of a
 * resize cost more than the drawing. The canvas element is sized to its backing store (CSS px,
 * top left of its box) and the chart box (`contain: strict`) clips what lies beyond the chart.
 */
export function prepareCanvas(canvas: HTMLCanvasElement, cssW: number, cssH: number, dpr: number): CanvasRenderingContext2D | null {
  const w = Math.max(1, Math.round(cssW * dpr));
  const h = Math.max(1, Math.round(cssH * dpr));
  if (canvas.width < w || canvas.width * SHRINK_BELOW > w || backingDpr.get(canvas) !== dpr) {
    canvas.width = w;
    canvas.style.width = `${w / dpr}px`;
    backingDpr.set(canvas, dpr);
  }
  if (canvas.height !== h) {
    canvas.height = h;
    canvas.style.height = `${h / dpr}px`;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, canvas.width / dpr, cssH);
  return ctx;
}

/** "Nice" tick values covering [lo, hi] (1-2-5 steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

/** Powers of ten covering [lo, hi] for a log axis (at least the two around a narrow range). */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi > 0)) return [];
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const out: number[] = [];
  const step = Math.max(1, Math.ceil((b - a) / 6));
  for (let e = a; e <= b; e += step) out.push(10 ** e);
  return out;
}

/** Short number for axes and stats: 3 significant digits, exponent for very small/large. */
export function fmt(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(Math.max(0, digits - 1)).replace('e+', 'e').replace('-', '−');
  return Number(v.toPrecision(digits)).toString().replace('-', '−');
}

export function fmtPercent(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return `${(v * 100).toFixed(v < 0.1 && v > 0 ? 1 : 0)} %`;
}

/** Parses `#rgb`, `#rrggbb(aa)` and `rgb(a)(…)` colours; null for anything else. */
export function parseColor(c: string): [number, number, number] | null {
  const s = c.trim();
  let m = /^#([0-9a-f]{3,8})$/i.exec(s);
  if (m) {
    const hex = m[1];
    if (hex.length === 3 || hex.length === 4) return [0, 1, 2].map((i) => parseInt(hex[i] + hex[i], 16)) as [number, number, number];
    if (hex.length === 6 || hex.length === 8) return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
    return null;
  }
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return null;
}

const mixCache = new Map<string, string>();

/** `fg` over `bg` at opacity `t` as an opaque colour (falls back to `fg` when either is unparsable). */
export function mix(fg: string, bg: string, t: number): string {
  const q = Math.round(t * 64) / 64;
  const key = `${fg}|${bg}|${q}`;
  let out = mixCache.get(key);
  if (out === undefined) {
    const a = parseColor(fg);
    const b = parseColor(bg);
    out = a && b ? `rgb(${a.map((v, i) => Math.round(v * q + b[i] * (1 - q))).join(',')})` : fg;
    if (mixCache.size > 4096) mixCache.clear();
    mixCache.set(key, out);
  }
  return out;
}
