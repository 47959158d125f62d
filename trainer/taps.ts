/**
 * Histograms and statistics of tapped tensors, computed on the backend: min/max, bin indices and
 * bincount are tensor ops; all histograms of one probe are packed into one tensor so a single
 * read brings only the bins and the stats into JavaScript.
 */
import type { HistogramStats, TensorKind } from '../protocol/protocol';
import type { Tf } from './backend';

type Tensor = ReturnType<Tf['tensor']>;

export interface TapTensor {
  layer: string;
  tensor: TensorKind;
  value: Tensor;
}

export interface Histogram {
  layer: string;
  tensor: TensorKind;
  min: number;
  max: number;
  counts: number[];
  stats: HistogramStats;
}

const STATS = 6; // min, max, mean, std, zeroFraction, nonFinite

/** Stats and bin counts of one tensor as one 1-D tensor [min, max, mean, std, zero, nonFinite, ...counts]. */
function packed(tf: Tf, t: Tensor, bins: number): Tensor {
  const x = tf.reshape(t, [-1]);
  const n = x.shape[0]!;
  if (n === 0) return tf.zeros([STATS + bins]);
  const finite = tf.isFinite(x);
  const finiteF = tf.cast(finite, 'float32');
  const count = tf.sum(finiteF);
  const nonFinite = tf.sub(n, count);
  const safe = tf.where(finite, x, tf.zerosLike(x));
  const min = tf.min(tf.where(finite, x, tf.fill([n], Infinity)));
  const max = tf.max(tf.where(finite, x, tf.fill([n], -Infinity)));
  const denom = tf.maximum(count, 1);
  const mean = tf.div(tf.sum(safe), denom);
  const centred = tf.mul(tf.sub(safe, mean), finiteF);
  const std = tf.sqrt(tf.div(tf.sum(tf.square(centred)), denom));
  const zero = tf.div(tf.sum(tf.cast(tf.equal(x, 0), 'float32')), n);
  // Bin i holds [min + i·w, min + (i+1)·w); the maximum goes into the last bin.
  const range = tf.sub(max, min);
  const width = tf.where(tf.greater(range, 0), range, tf.onesLike(range));
  const scaled = tf.floor(tf.mul(tf.div(tf.sub(safe, min), width), bins));
  const idx = tf.cast(tf.clipByValue(scaled, 0, bins - 1), 'int32');
  const counts = tf.bincount(idx as ReturnType<Tf['tensor1d']>, finiteF as ReturnType<Tf['tensor1d']>, bins);
  const head = tf.stack([
    tf.where(tf.greater(count, 0), min, tf.scalar(0)),
    tf.where(tf.greater(count, 0), max, tf.scalar(0)),
    mean,
    std,
    zero,
    nonFinite,
  ]);
  return tf.concat([head, counts]);
}

/** Histograms of several tensors with one read from the backend. */
export function histograms(tf: Tf, taps: TapTensor[], bins: number): Histogram[] {
  if (!taps.length) return [];
  const all = tf.tidy(() => tf.concat(taps.map((t) => packed(tf, t.value, bins))));
  const data = all.dataSync();
  all.dispose();
  return taps.map((t, i) => {
    const o = i * (STATS + bins);
    const counts = Array.from(data.subarray(o + STATS, o + STATS + bins), (v) => Math.round(v));
    return {
      layer: t.layer,
      tensor: t.tensor,
      min: data[o]!,
      max: data[o + 1]!,
      counts,
      stats: { mean: data[o + 2]!, std: data[o + 3]!, min: data[o]!, max: data[o + 1]!, zeroFraction: data[o + 4]!, nonFinite: Math.round(data[o + 5]!) },
    };
  });
}
