/**
 * Append-only series in typed arrays. They are mutated in place for speed (one run can hold
 * 50 tensors × 200 epochs × 64 bins); every mutation bumps `version` so views redraw only what changed.
 */
import type { HistogramStats, TensorKind } from '../../protocol/protocol';

// ───────────── curves ─────────────

/** (x, y) points; x strictly grows. With `capacity`, old points are merged pairwise when full. */
export class CurveSeries {
  xs: Float64Array;
  ys: Float64Array;
  length = 0;
  version = 0;
  /** How many raw points each stored point averages (doubles at each decimation). */
  stride = 1;
  private pendingX = 0;
  private pendingY = 0;
  private pendingN = 0;

  constructor(readonly capacity = 0, initial = 16) {
    const n = capacity > 0 ? capacity : initial;
    this.xs = new Float64Array(n);
    this.ys = new Float64Array(n);
  }

  /** Adds a point; a point at the same x as the last one replaces it. */
  push(x: number, y: number): void {
    if (this.stride > 1) {
      this.pendingX += x;
      this.pendingY += y;
      this.pendingN++;
      this.version++;
      if (this.pendingN < this.stride) return;
      x = this.pendingX / this.pendingN;
      y = this.pendingY / this.pendingN;
      this.pendingX = this.pendingY = this.pendingN = 0;
    } else if (this.length > 0 && this.xs[this.length - 1] === x) {
      this.ys[this.length - 1] = y;
      this.version++;
      return;
    }
    if (this.length === this.xs.length) {
      if (this.capacity > 0) this.decimate();
      else this.grow();
    }
    this.xs[this.length] = x;
    this.ys[this.length] = y;
    this.length++;
    this.version++;
  }

  /** Points including a partially filled averaging bucket (so the newest batches show at once). */
  pointCount(): number {
    return this.length + (this.pendingN > 0 ? 1 : 0);
  }
  x(i: number): number {
    return i < this.length ? this.xs[i] : this.pendingX / this.pendingN;
  }
  y(i: number): number {
    return i < this.length ? this.ys[i] : this.pendingY / this.pendingN;
  }
  last(): number | undefined {
    const n = this.pointCount();
    return n === 0 ? undefined : this.y(n - 1);
  }

  private grow(): void {
    const xs = new Float64Array(this.xs.length * 2);
    const ys = new Float64Array(this.ys.length * 2);
    xs.set(this.xs);
    ys.set(this.ys);
    this.xs = xs;
    this.ys = ys;
  }

  private decimate(): void {
    const half = this.length >> 1;
    for (let i = 0; i < half; i++) {
      this.xs[i] = (this.xs[2 * i] + this.xs[2 * i + 1]) / 2;
      this.ys[i] = (this.ys[2 * i] + this.ys[2 * i + 1]) / 2;
    }
    this.length = half;
    this.stride *= 2;
  }

  toJSON(): SerializedCurve {
    const n = this.pointCount();
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < n; i++) {
      xs.push(this.x(i));
      ys.push(this.y(i));
    }
    return { capacity: this.capacity, xs, ys };
  }

  static fromJSON(s: SerializedCurve): CurveSeries {
    const c = new CurveSeries(s.capacity, Math.max(16, s.xs.length));
    for (let i = 0; i < s.xs.length; i++) c.push(s.xs[i], s.ys[i]);
    return c;
  }
}

export interface SerializedCurve {
  capacity: number;
  xs: number[];
  ys: number[];
}

// ───────────── histograms ─────────────

export const STAT_FIELDS = ['mean', 'std', 'min', 'max', 'zeroFraction', 'nonFinite'] as const;
const NSTATS = STAT_FIELDS.length;

export interface HistogramSnapshot {
  epoch: number;
  step: number;
  min: number;
  max: number;
  counts: ArrayLike<number>;
  stats: HistogramStats;
}

/** Every histogram of one tapped tensor, in arrival order. All snapshots share one bin count. */
export class HistSeries {
  length = 0;
  version = 0;
  epoch: Int32Array;
  step: Int32Array;
  lo: Float64Array;
  hi: Float64Array;
  /** `length × bins` counts, row-major. */
  counts: Float32Array;
  /** `length × 6` stats in STAT_FIELDS order. */
  stats: Float64Array;

  constructor(
    readonly layer: string,
    readonly tensor: TensorKind,
    readonly bins: number,
    capacity = 8,
  ) {
    this.epoch = new Int32Array(capacity);
    this.step = new Int32Array(capacity);
    this.lo = new Float64Array(capacity);
    this.hi = new Float64Array(capacity);
    this.counts = new Float32Array(capacity * bins);
    this.stats = new Float64Array(capacity * NSTATS);
  }

  get capacity(): number {
    return this.epoch.length;
  }

  /** Appends a snapshot; one at the same (epoch, step) as the last replaces it. Counts are resampled if their bin count differs. */
  push(h: HistogramSnapshot): void {
    let i = this.length;
    if (i > 0 && this.epoch[i - 1] === h.epoch && this.step[i - 1] === h.step) i--;
    else if (i === this.capacity) this.grow();
    this.epoch[i] = h.epoch;
    this.step[i] = h.step;
    this.lo[i] = h.min;
    this.hi[i] = h.max;
    const row = this.counts.subarray(i * this.bins, (i + 1) * this.bins);
    if (h.counts.length === this.bins) row.set(h.counts);
    else resample(h.counts, row);
    for (let k = 0; k < NSTATS; k++) this.stats[i * NSTATS + k] = h.stats[STAT_FIELDS[k]];
    this.length = Math.max(this.length, i + 1);
    this.version++;
  }

  row(i: number): Float32Array {
    return this.counts.subarray(i * this.bins, (i + 1) * this.bins);
  }

  stat(i: number, field: (typeof STAT_FIELDS)[number]): number {
    return this.stats[i * NSTATS + STAT_FIELDS.indexOf(field)];
  }

  statsAt(i: number): HistogramStats {
    const o = i * NSTATS;
    const s = this.stats;
    return { mean: s[o], std: s[o + 1], min: s[o + 2], max: s[o + 3], zeroFraction: s[o + 4], nonFinite: s[o + 5] };
  }

  snapshot(i: number): HistogramSnapshot {
    return { epoch: this.epoch[i], step: this.step[i], min: this.lo[i], max: this.hi[i], counts: this.row(i), stats: this.statsAt(i) };
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const g = <T extends Int32Array | Float64Array | Float32Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.epoch = g(this.epoch, cap);
    this.step = g(this.step, cap);
    this.lo = g(this.lo, cap);
    this.hi = g(this.hi, cap);
    this.counts = g(this.counts, cap * this.bins);
    this.stats = g(this.stats, cap * NSTATS);
  }

  /** Typed arrays as base64 of their bytes: ~10× cheaper to stringify than number arrays, NaN kept. */
  toJSON(): SerializedHist {
    const n = this.length;
    return {
      layer: this.layer,
      tensor: this.tensor,
      bins: this.bins,
      length: n,
      epoch: toBase64(this.epoch.subarray(0, n)),
      step: toBase64(this.step.subarray(0, n)),
      lo: toBase64(this.lo.subarray(0, n)),
      hi: toBase64(this.hi.subarray(0, n)),
      counts: toBase64(this.counts.subarray(0, n * this.bins)),
      stats: toBase64(this.stats.subarray(0, n * NSTATS)),
    };
  }

  static fromJSON(s: SerializedHist): HistSeries {
    const n = s.length;
    const h = new HistSeries(s.layer, s.tensor, s.bins, Math.max(8, n));
    h.epoch.set(new Int32Array(fromBase64(s.epoch)));
    h.step.set(new Int32Array(fromBase64(s.step)));
    h.lo.set(new Float64Array(fromBase64(s.lo)));
    h.hi.set(new Float64Array(fromBase64(s.hi)));
    h.counts.set(new Float32Array(fromBase64(s.counts)));
    h.stats.set(new Float64Array(fromBase64(s.stats)));
    if (h.epoch.length < n || h.counts.length < n * s.bins) throw new Error('corrupt histogram state');
    h.length = n;
    h.version = 1;
    return h;
  }
}

export interface SerializedHist {
  layer: string;
  tensor: TensorKind;
  bins: number;
  length: number;
  /** base64 of the typed arrays' bytes (platform byte order: state never leaves the machine). */
  epoch: string;
  step: string;
  lo: string;
  hi: string;
  counts: string;
  stats: string;
}

export function toBase64(a: ArrayBufferView): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  return btoa(bin);
}

export function fromBase64(s: string): ArrayBuffer {
  const bin = atob(s);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

/** Redistributes counts over a different number of equal-width bins (mass preserving). */
export function resample(src: ArrayLike<number>, dst: Float32Array): void {
  dst.fill(0);
  const n = src.length;
  const m = dst.length;
  if (n === 0) return;
  for (let i = 0; i < n; i++) {
    const a = (i / n) * m;
    const b = ((i + 1) / n) * m;
    for (let j = Math.floor(a); j < Math.min(m, Math.ceil(b)); j++) {
      const overlap = Math.min(b, j + 1) - Math.max(a, j);
      if (overlap > 0) dst[j] += (src[i] * overlap) / (b - a);
    }
  }
}
