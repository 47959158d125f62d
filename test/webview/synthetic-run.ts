/**
 * A generated SavedRun for development, unit tests of the reducer, and the bench (50 tapped
 * tensors × 200 epochs × 64 bins). Not a recording: the panel's browser test uses a real run
 * recorded by the trainer (test/fixtures/runs/*.run.json).
 */
import type { LayerNode, ModelNode } from '../../graph/model-graph';
import type { SavedRun, TapInfo, TensorKind, TrainerEvent } from '../../protocol/protocol';

export interface SyntheticOptions {
  layers?: number;
  epochs?: number;
  bins?: number;
  /** Tapped tensors in total, assigned activation, kernel, bias per layer in turn. */
  tensors?: number;
  batchesPerEpoch?: number;
  /** Epoch from which the layer `dense_1` is dead (zero fraction ≥ 0.9); -1 = never. */
  deadFrom?: number;
  /** Stop after this many epochs' events (a run still in progress). */
  truncateAt?: number;
}

const range = (line: number) => ({ start: { line, character: 4 }, end: { line, character: 40 } });

function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
const cdf = (x: number, mu: number, sd: number) => 0.5 * (1 + erf((x - mu) / (sd * Math.SQRT2)));

/** Counts of `n` normal samples over `bins` equal bins in [lo, hi] (truncated at the range). */
function normalCounts(n: number, mu: number, sd: number, lo: number, hi: number, bins: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < bins; i++) {
    const a = lo + ((hi - lo) * i) / bins;
    const b = lo + ((hi - lo) * (i + 1)) / bins;
    out.push(Math.round(n * (cdf(b, mu, sd) - cdf(a, mu, sd))));
  }
  return out;
}

export function syntheticModel(layers: number): ModelNode {
  const nodes: LayerNode[] = [];
  for (let i = 0; i < layers; i++) {
    const activation = i === layers - 1 ? 'softmax' : i === 2 ? 'sigmoid' : i === 3 ? 'tanh' : 'relu';
    const units = i === layers - 1 ? 10 : 64;
    nodes.push({
      id: `l${i}`,
      name: `dense_${i}`,
      nameSource: 'auto',
      className: 'Dense',
      known: true,
      config: { units, activation },
      outputShape: [null, units],
      params: 64 * units + units,
      trainable: true,
      kernelShape: [64, units],
      weights: [
        { name: 'kernel', shape: [64, units], trainable: true },
        { name: 'bias', shape: [units], trainable: true },
      ],
      inbound: i === 0 ? [] : [`dense_${i - 1}`],
      outbound: i === layers - 1 ? [] : [`dense_${i + 1}`],
      calls: [],
      range: range(10 + i),
    });
  }
  return {
    id: 'm0',
    layerId: 'm0',
    name: 'synthetic',
    nameSource: 'explicit',
    kind: 'sequential',
    className: 'Sequential',
    variables: ['model'],
    range: range(8),
    inputs: ['dense_0'],
    outputs: [`dense_${layers - 1}`],
    inputShapes: [[null, 64]],
    outputShapes: [[null, 10]],
    layers: nodes,
    totalParams: nodes.reduce((a, l) => a + (l.params ?? 0), 0),
    trainableParams: nodes.reduce((a, l) => a + (l.params ?? 0), 0),
    nonTrainableParams: 0,
    approximate: false,
  };
}

export function syntheticRun(o: SyntheticOptions = {}): SavedRun {
  const layers = o.layers ?? 6;
  const epochs = o.epochs ?? 10;
  const bins = o.bins ?? 32;
  const tensors = o.tensors ?? layers;
  const batches = o.batchesPerEpoch ?? 5;
  const deadFrom = o.deadFrom ?? -1;
  const model = syntheticModel(layers);
  const kinds: TensorKind[] = ['activation', 'kernel', 'bias'];
  const taps: TapInfo[] = [];
  const assigned: [string, TensorKind][] = [];
  for (let k = 0; assigned.length < tensors && k < kinds.length; k++)
    for (let i = 0; i < layers && assigned.length < tensors; i++) assigned.push([`dense_${i}`, kinds[k]]);
  for (const [layer, tensor] of assigned) {
    let t = taps.find((x) => x.layer === layer);
    if (!t) taps.push((t = { layer, tensors: [], reason: layer === 'dense_1' ? 'loss' : 'user' }));
    t.tensors.push(tensor);
  }
  const events: TrainerEvent[] = [
    {
      type: 'start',
      backend: 'wasm',
      backendDetail: 'synthetic (generated, not a recording)',
      model,
      data: { source: 'synthetic', trainSamples: 1000, validationSamples: 200, xShape: [null, 64], yShapes: [[null, 10]], adaptations: [] },
      taps,
      loss: {
        summary: 'categorical crossentropy + 0.01 × L1 of dense_1 activations',
        components: [
          { name: 'categorical_crossentropy', description: 'builtin loss', weight: 1, line: 30 },
          { name: 'activation_l1(dense_1)', description: 'mean |activation| of dense_1', weight: 0.01, layer: 'dense_1', tensor: 'activation', line: 22 },
        ],
        skipped: [],
        kerasWarnings: [],
      },
      epochs,
      batchSize: 32,
    },
  ];
  const last = Math.min(epochs, o.truncateAt ?? epochs);
  const n = 256;
  // Like the trainer: epochs and batches count from 1; histograms at epoch 0 are the initial state.
  for (let e = 0; e <= last; e++) {
    const progress = e / epochs;
    const ce = 2.3 * Math.exp(-3 * progress) + 0.1;
    const l1 = 0.5 * Math.exp(-2 * progress) + 0.05;
    if (e > 0) {
      for (let b = 1; b <= batches; b++) {
        const wobble = 1 + 0.05 * Math.sin(e * 7 + b);
        events.push({ type: 'batch', epoch: e, batch: b, batches, loss: (ce + 0.01 * l1) * wobble, components: { categorical_crossentropy: ce * wobble, 'activation_l1(dense_1)': l1 * wobble } });
      }
      events.push({
        type: 'epoch',
        epoch: e,
        loss: ce + 0.01 * l1,
        components: { categorical_crossentropy: ce, 'activation_l1(dense_1)': l1 },
        metrics: { accuracy: 1 - ce / 2.5 },
        validation: { loss: ce * 1.1 + 0.01 * l1, components: { categorical_crossentropy: ce * 1.1, 'activation_l1(dense_1)': l1 }, metrics: { accuracy: 1 - ce / 2.3 } },
        samplesPerSecond: 5000,
      });
    }
    for (const [layer, tensor] of assigned) {
      const i = Number(layer.slice(6));
      const act = model.layers[i].config.activation;
      let lo: number;
      let hi: number;
      let counts: number[];
      let zero = 0;
      let mean: number;
      let std: number;
      if (tensor === 'activation') {
        if (act === 'sigmoid' || act === 'tanh' || act === 'softmax') {
          lo = act === 'tanh' ? -1 : 0;
          hi = 1;
          const spread = (hi - lo) * 0.3 * (1 - 0.85 * progress);
          const mid = (lo + hi) / 2;
          // Mass drifts to the extremes and narrows as training goes on (saturation).
          const left = normalCounts(n / 2, lo + (hi - lo) * 0.25 * (1 - progress), spread, lo, hi, bins);
          const right = normalCounts(n / 2, hi - (hi - lo) * 0.25 * (1 - progress), spread, lo, hi, bins);
          counts = left.map((c, j) => c + right[j]);
          mean = mid;
          std = (hi - lo) * (0.2 + progress * 0.2);
        } else {
          const dead = layer === 'dense_1' && deadFrom >= 0 && e >= deadFrom;
          zero = dead ? 0.95 : 0.3 + 0.2 * Math.sin(i + progress);
          lo = 0;
          hi = 2 + i * 0.1 + progress;
          const pos = normalCounts(n * (1 - zero), hi * 0.35, hi * 0.2, lo, hi, bins);
          pos[0] += Math.round(n * zero);
          counts = pos;
          mean = hi * 0.35 * (1 - zero);
          std = hi * 0.2;
        }
      } else {
        const sd = tensor === 'kernel' ? 0.1 + 0.05 * progress : 0.01 + 0.02 * progress;
        lo = -4 * sd;
        hi = 4 * sd;
        counts = normalCounts(tensor === 'kernel' ? 4096 : 64, 0, sd, lo, hi, bins);
        mean = 0;
        std = sd;
      }
      events.push({ type: 'histogram', epoch: e, step: e * batches, layer, tensor, min: lo, max: hi, counts, stats: { mean, std, min: lo, max: hi, zeroFraction: zero, nonFinite: 0 } });
    }
  }
  if (last === epochs) events.push({ type: 'end', status: 'completed', message: `trained ${epochs} epochs` });
  return { version: 1, file: '/work/synthetic/model.py', request: { file: '/work/synthetic/model.py', epochs, batchSize: 32, data: 'synthetic' }, events };
}
