/**
 * Training data for a run: picks the source (request, else what the code loads), adapts shapes
 * the way the code intends where that is unambiguous, and splits off validation data.
 *
 * Adaptations (each reported in DataDescription.adaptations):
 * - x reshaped when it holds exactly the model input's number of values per sample
 *   (28×28 → 784, 784 → 28×28×1, 28×28 → 28×28×1);
 * - integer pixels 0–255 scaled to [0, 1] when the code divides by 255;
 * - class labels one-hot encoded to the output's width (categorical losses), or one-hot labels
 *   turned into class ids (sparse losses);
 * - samples whose class the output cannot represent (class ≥ width) dropped.
 * Anything else that does not fit is a DataFileError with expected vs actual shapes.
 */
import type { Shape } from '../../graph/model-graph';
import type { LossTarget } from '../../analysis/loss/program';
import type { DataDescription, TrainRequest } from '../../protocol/protocol';
import { DataFileError, type NdArray } from './npy';
import { kerasCacheFile, loadBundledMnist, loadCsv, loadNpy, loadNpz, mulberry32, type RawData } from './sources';

export { DataFileError };

export interface Tensorish {
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface PreparedData {
  /** All samples of each model input, training first then validation. */
  xs: Tensorish[];
  /** One per loss target slot. */
  ys: Tensorish[];
  trainCount: number;
  valCount: number;
  description: DataDescription;
  /** Warnings to log (e.g. "the code loads nothing; using synthetic data"). */
  warnings: string[];
}

export interface DataContext {
  /** Model inputs: shape with the batch dimension (`[null, 784]`); `intMax` for token-id inputs. */
  inputs: { shape: Shape; intMax?: number }[];
  targets: LossTarget[];
  /** Keras datasets the code loads (`mnist`), from the source. */
  codeDatasets: string[];
  /** True when the code divides pixel values by 255. */
  codeScales255: boolean;
  /** fit(validation_split=...) from the code. */
  codeValidationSplit: number | undefined;
}

const fmt = (shape: (number | null)[]): string => `(${shape.map((d) => (d === null ? 'None' : d)).join(', ')})`;
const prod = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

export function prepareData(request: TrainRequest, ctx: DataContext): PreparedData {
  const warnings: string[] = [];
  const spec = request.data;
  let raw: RawData | 'synthetic';
  if (spec === undefined || spec === '') {
    const name = ctx.codeDatasets[0];
    if (name) {
      const cached = kerasCacheFile(name);
      if (cached) raw = loadNpz(cached, `Keras cache ${cached}`);
      else if (name === 'mnist') raw = loadBundledMnist(request.seed ?? 1);
      else {
        throw new DataFileError(
          `the code loads keras.datasets.${name}, which is neither in the Keras cache (${name}.npz) nor bundled; pass --data synthetic, --data mnist or --data PATH (.npz, .npy, .csv)`,
        );
      }
    } else {
      warnings.push('the code loads no Keras dataset and no --data was given: training on synthetic data shaped to the model');
      raw = 'synthetic';
    }
  } else if (spec === 'mnist') raw = loadBundledMnist(request.seed ?? 1);
  else if (spec === 'synthetic') raw = 'synthetic';
  else if (spec.startsWith('keras:')) {
    const name = spec.slice(6);
    const cached = kerasCacheFile(name);
    if (!cached) throw new DataFileError(`${name}.npz is not in the Keras cache`);
    raw = loadNpz(cached, `Keras cache ${cached}`);
  } else if (/\.npz$/i.test(spec)) raw = loadNpz(spec);
  else if (/\.npy(,|$)/i.test(spec)) raw = loadNpy(spec);
  else if (/\.csv$/i.test(spec)) raw = loadCsv(spec);
  else throw new DataFileError(`--data ${spec}: expected mnist, synthetic, keras:NAME, or a .npz, .npy or .csv file`);

  if (ctx.inputs.length !== 1 && raw !== 'synthetic') {
    throw new DataFileError(`the model has ${ctx.inputs.length} inputs; only synthetic data (--data synthetic) can feed multi-input models for now`);
  }
  const validationSplit = request.validationSplit ?? ctx.codeValidationSplit ?? 0;
  if (raw === 'synthetic') return synthetic(request, ctx, validationSplit, warnings);

  const adaptations: string[] = [...raw.notes];
  let x = adaptX(raw.x, ctx.inputs[0]!.shape, ctx.codeScales255, adaptations);
  let keep: Uint8Array | undefined;
  const ys: Tensorish[] = [];
  const yShapes: Shape[] = [];
  if (ctx.targets.length && !raw.y) throw new DataFileError(`${raw.source} has no labels (y), but the loss needs targets for ${ctx.targets.map((t) => t.output).join(', ')}`);
  if (raw.y && raw.y.shape[0] !== raw.x.shape[0]) {
    throw new DataFileError(`${raw.source}: x has ${raw.x.shape[0]} samples but y has ${raw.y.shape[0]}`);
  }
  for (const target of ctx.targets) {
    const adapted = adaptY(raw.y!, target, adaptations);
    if (adapted.keep) keep = keep ? keep.map((k, i) => k & adapted.keep![i]!) : adapted.keep;
    ys.push(adapted.y);
  }
  if (keep) {
    const kept = keep.reduce((n, k) => n + k, 0);
    if (kept === 0) throw new DataFileError(`${raw.source}: no sample has a class the model's output can represent`);
    x = select(x, keep);
    for (let i = 0; i < ys.length; i++) ys[i] = select(ys[i]!, keep);
  }
  for (const y of ys) yShapes.push(y.shape);
  return split(x, ys, yShapes, raw.source, adaptations, validationSplit, request.samples, warnings);
}

function adaptX(x: NdArray, inputShape: Shape, scale255: boolean, adaptations: string[]): Tensorish {
  const want = inputShape.slice(1);
  const have = x.shape.slice(1);
  const n = x.shape[0]!;
  let shape = x.shape;
  const fits = want.length === have.length && want.every((d, i) => d === null || d === have[i]);
  if (!fits) {
    if (want.some((d) => d === null) || prod(want as number[]) !== prod(have)) {
      throw new DataFileError(`the model's input expects shape ${fmt(inputShape)} but the data's x has shape ${fmt([null, ...have])} (${n} samples)`);
    }
    shape = [n, ...(want as number[])];
    adaptations.push(`x reshaped ${fmt(have)} → ${fmt(want)}`);
  }
  let data: Float32Array;
  if (x.integer) {
    let max = 0;
    for (const v of x.data) if (v > max) max = v;
    data = Float32Array.from(x.data);
    if (scale255 && max > 1 && max <= 255) {
      for (let i = 0; i < data.length; i++) data[i] = data[i]! / 255;
      adaptations.push('x scaled from 0–255 to [0, 1] (the code divides by 255)');
    }
  } else data = x.data as Float32Array;
  return { shape, data };
}

/**
 * Class ids per position of labels given as ids (`[N, ...P]` or `[N, ...P, 1]`) or one-hot rows
 * (`[N, ...P, C]`), where P are the output's positional dims (none for a classifier).
 */
function classIds(y: NdArray, positional: number[]): { ids: Int32Array; classes: number; oneHot: boolean } | undefined {
  const n = y.shape[0]!;
  const rest = y.shape.slice(1);
  const p = prod(positional);
  const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
  if (same(rest, positional) || same(rest, [...positional, 1])) {
    const ids = new Int32Array(n * p);
    let max = 0;
    for (let i = 0; i < n * p; i++) {
      const v = y.data[i]!;
      if (!Number.isInteger(v) || v < 0) return undefined;
      ids[i] = v;
      if (v > max) max = v;
    }
    return { ids, classes: max + 1, oneHot: false };
  }
  if (rest.length === positional.length + 1 && same(rest.slice(0, -1), positional)) {
    const c = rest[rest.length - 1]!;
    const ids = new Int32Array(n * p);
    for (let i = 0; i < n * p; i++) {
      let best = 0;
      let sum = 0;
      for (let k = 0; k < c; k++) {
        const v = y.data[i * c + k]!;
        if (v < 0 || v > 1) return undefined;
        sum += v;
        if (v > y.data[i * c + best]!) best = k;
      }
      if (Math.abs(sum - 1) > 1e-3) return undefined;
      ids[i] = best;
    }
    return { ids, classes: c, oneHot: true };
  }
  return undefined;
}

function adaptY(y: NdArray, target: LossTarget, adaptations: string[]): { y: Tensorish; keep?: Uint8Array } {
  const n = y.shape[0]!;
  const out = target.shape ?? [null];
  const width = out[out.length - 1];
  const where = `the target of ${target.output} (output shape ${fmt(out)})`;
  if (target.encoding === 'one_hot' || target.encoding === 'sparse') {
    if (typeof width !== 'number') throw new DataFileError(`${where}: the number of classes is unknown`);
    const positional = out.slice(1, -1);
    if (positional.some((d) => d === null)) throw new DataFileError(`${where}: the output shape is not fully known`);
    const pos = positional as number[];
    const p = prod(pos);
    const ids = classIds(y, pos);
    if (!ids) throw new DataFileError(`${where} needs class labels; the data's y has shape ${fmt([null, ...y.shape.slice(1)])} with values that are not class ids or one-hot rows of that shape`);
    let keep: Uint8Array | undefined;
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) {
        if (ids.ids[i * p + j]! < width) continue;
        if (p > 1) throw new DataFileError(`${where}: the labels have class ${ids.ids[i * p + j]} but the output has only ${width} classes`);
        keep ??= new Uint8Array(n).fill(1);
        keep[i] = 0;
        dropped++;
      }
    }
    if (dropped) adaptations.push(`kept the ${n - dropped} samples of classes 0–${width - 1} (${target.output} has ${width} outputs; ${dropped} samples of classes ≥ ${width} dropped)`);
    if (target.encoding === 'sparse') {
      if (ids.oneHot) adaptations.push(`one-hot labels → class ids for ${target.output}`);
      return { y: { shape: [n, ...pos], data: ids.ids }, ...(keep ? { keep } : {}) };
    }
    const data = new Float32Array(n * p * width);
    for (let i = 0; i < n * p; i++) if (ids.ids[i]! < width) data[i * width + ids.ids[i]!] = 1;
    if (!ids.oneHot) adaptations.push(`class ids one-hot encoded to ${width} classes for ${target.output}`);
    else if (ids.classes !== width) adaptations.push(`one-hot ${ids.classes} classes → ${width} for ${target.output}`);
    return { y: { shape: [n, ...pos, width], data }, ...(keep ? { keep } : {}) };
  }
  // binary / values: same number of values per sample as the output.
  const want = out.slice(1);
  const have = y.shape.slice(1);
  if (want.some((d) => d === null)) throw new DataFileError(`${where}: the output shape is not fully known`);
  if (prod(want as number[]) !== prod(have)) {
    throw new DataFileError(`${where} needs y of shape ${fmt(out)}; the data's y has shape ${fmt([null, ...have])}`);
  }
  if (target.encoding === 'binary') {
    for (const v of y.data) {
      if (!(v >= 0 && v <= 1)) throw new DataFileError(`${where} needs 0/1 (binary) targets; the data's y has the value ${v}`);
    }
  }
  if (have.length !== want.length || have.some((d, i) => d !== want[i])) adaptations.push(`y reshaped ${fmt(have)} → ${fmt(want)} for ${target.output}`);
  return { y: { shape: [n, ...(want as number[])], data: Float32Array.from(y.data) } };
}

function select(t: Tensorish, keep: Uint8Array): Tensorish {
  const n = t.shape[0]!;
  const per = t.data.length / n;
  const count = keep.reduce((a, k) => a + k, 0);
  const data = t.data instanceof Int32Array ? new Int32Array(count * per) : new Float32Array(count * per);
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    data.set(t.data.subarray(i * per, (i + 1) * per), j * per);
    j++;
  }
  return { shape: [count, ...t.shape.slice(1)], data };
}

function head(t: Tensorish, count: number, from = 0): Tensorish {
  const per = t.data.length / t.shape[0]!;
  return { shape: [count, ...t.shape.slice(1)], data: t.data.subarray(from * per, (from + count) * per) as Float32Array | Int32Array };
}

function concat(a: Tensorish, b: Tensorish): Tensorish {
  const data = a.data instanceof Int32Array ? new Int32Array(a.data.length + b.data.length) : new Float32Array(a.data.length + b.data.length);
  data.set(a.data, 0);
  data.set(b.data, a.data.length);
  return { shape: [a.shape[0]! + b.shape[0]!, ...a.shape.slice(1)], data };
}

/** Keras's validation_split takes the last fraction of the data, before shuffling. */
function split(
  x0: Tensorish,
  ys: Tensorish[],
  yShapes: Shape[],
  source: string,
  adaptations: string[],
  validationSplit: number,
  samples: number | undefined,
  warnings: string[],
): PreparedData {
  let x = x0;
  const n = x.shape[0]!;
  if (!(validationSplit >= 0 && validationSplit < 1)) throw new DataFileError(`validation split ${validationSplit} must be in [0, 1)`);
  const valCount = Math.floor(n * validationSplit);
  let trainCount = n - valCount;
  if (samples !== undefined && samples > 0 && samples < trainCount) {
    adaptations.push(`using ${samples} of ${trainCount} training samples (--samples)`);
    // Keep the validation tail intact: training = first `samples`, validation = the last valCount.
    const tx = head(x, samples);
    const vx = head(x, valCount, n - valCount);
    const tys = ys.map((y) => head(y, samples));
    const vys = ys.map((y) => head(y, valCount, n - valCount));
    x = concat(tx, vx);
    ys = tys.map((t, i) => concat(t, vys[i]!));
    trainCount = samples;
  }
  if (trainCount === 0) throw new DataFileError(`${source}: no training samples left`);
  return {
    xs: [x],
    ys,
    trainCount,
    valCount,
    warnings,
    description: {
      source,
      trainSamples: trainCount,
      validationSamples: valCount,
      xShape: [trainCount, ...x.shape.slice(1)],
      yShapes: yShapes.map((s) => [trainCount, ...s.slice(1)]),
      adaptations,
    },
  };
}

const UNKNOWN_DIM = 16;

function synthetic(request: TrainRequest, ctx: DataContext, validationSplit: number, warnings: string[]): PreparedData {
  const rng = mulberry32(request.seed ?? 1);
  const train = request.samples ?? 2048;
  const total = Math.max(train, Math.round(train / (1 - validationSplit)));
  const adaptations: string[] = [];
  const xs = ctx.inputs.map((input, k) => {
    const dims = input.shape.slice(1).map((d) => d ?? UNKNOWN_DIM);
    if (input.shape.slice(1).some((d) => d === null)) adaptations.push(`input ${k}: unknown dimensions set to ${UNKNOWN_DIM} → ${fmt([null, ...dims])}`);
    const per = prod(dims);
    if (input.intMax !== undefined) {
      adaptations.push(`input ${k}: random token ids in [0, ${input.intMax}) (it feeds an Embedding)`);
      return { shape: [total, ...dims], data: Float32Array.from({ length: total * per }, () => Math.floor(rng() * input.intMax!)) };
    }
    return { shape: [total, ...dims], data: Float32Array.from({ length: total * per }, () => rng()) };
  });
  const ys: Tensorish[] = [];
  for (const t of ctx.targets) {
    const out = (t.shape ?? [null]).slice(1).map((d) => d ?? UNKNOWN_DIM);
    const width = out[out.length - 1] ?? 1;
    const positions = prod(out.slice(0, -1));
    if (t.encoding === 'sparse') {
      ys.push({ shape: [total, ...out.slice(0, -1)], data: Int32Array.from({ length: total * positions }, () => Math.floor(rng() * width)) });
    } else if (t.encoding === 'one_hot') {
      const data = new Float32Array(total * positions * width);
      for (let i = 0; i < total * positions; i++) data[i * width + Math.floor(rng() * width)] = 1;
      ys.push({ shape: [total, ...out], data });
    } else {
      const size = prod(out);
      const data = new Float32Array(total * size);
      for (let i = 0; i < data.length; i++) data[i] = t.encoding === 'binary' ? (rng() < 0.5 ? 0 : 1) : gaussian(rng);
      ys.push({ shape: [total, ...out], data });
    }
  }
  const valCount = total - train;
  void warnings;
  return {
    xs,
    ys,
    trainCount: train,
    valCount,
    warnings,
    description: {
      source: 'synthetic (uniform [0, 1) inputs, random targets shaped to the outputs)',
      trainSamples: train,
      validationSamples: valCount,
      xShape: [train, ...xs[0]!.shape.slice(1)],
      yShapes: ys.map((y) => [train, ...y.shape.slice(1)]),
      adaptations,
    },
  };
}

function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
