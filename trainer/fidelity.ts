/**
 * Fidelity check for the benchmark: trains a few batches from given initial weights (e.g. the ones
 * Keras initialised) without shuffling, and returns the running mean of the batch losses — what
 * Keras's `fit` reports in `on_train_batch_end` — so both can be compared step by step.
 */
import * as fs from 'node:fs';
import { analyzeSource } from '../analysis/analyze';
import type { Tf } from './backend';
import { parseNpz } from './data/npy';
import { Engine, type TrainEngine } from './engine';
import { FastEngine, planFast } from './fast/engine';
import { disposeBuiltModel } from './model-builder';
import { createOptimizer } from './optimizers';
import { prepare } from './run';

export interface FidelityOptions {
  file: string;
  /** A data file whose first `steps × batchSize` samples are used, in order. */
  data: string;
  /** `.npz` of initial weights keyed `layer/kernel`, `layer/bias`. */
  weights: string;
  steps: number;
  batchSize: number;
  engine: 'fast' | 'general';
}

export async function runningLosses(tf: Tf, o: FidelityOptions): Promise<number[]> {
  const source = fs.readFileSync(o.file, 'utf8');
  const { graph, tree } = await analyzeSource(source, { file: o.file });
  const p = prepare(tf, { file: o.file, data: o.data, validationSplit: 0, samples: o.steps * o.batchSize }, graph, tree.rootNode, () => undefined);
  tree.delete();
  let engine: TrainEngine | undefined;
  const tensors: ReturnType<Tf['tensor']>[] = [];
  try {
    const init = parseNpz(fs.readFileSync(o.weights), o.weights);
    for (const w of p.built.model.trainableWeights) {
      const a = init.get(w.originalName);
      if (!a) throw new Error(`${o.weights} has no ${w.originalName}`);
      const t = tf.tensor(a.data, a.shape);
      w.write(t);
      t.dispose();
    }
    const general = new Engine(tf, p.built, p.program, createOptimizer(tf, p.program.optimizer));
    const plan = planFast(tf, p.built, p.program);
    engine = o.engine === 'fast' && 'layers' in plan ? new FastEngine(tf, general, plan, p.program) : general;
    const x = tf.tensor(p.data.xs[0]!.data, p.data.xs[0]!.shape);
    const y = tf.tensor(p.data.ys[0]!.data, p.data.ys[0]!.shape, p.data.ys[0]!.data instanceof Int32Array ? 'int32' : 'float32');
    tensors.push(x, y);
    const out: number[] = [];
    let sum = 0;
    for (let b = 0; b < o.steps; b++) {
      const xb = x.slice(b * o.batchSize, o.batchSize);
      const yb = y.slice(b * o.batchSize, o.batchSize);
      sum += engine.step([xb], [yb]).values[0]!;
      out.push(sum / (b + 1));
      tf.dispose([xb, yb]);
    }
    return out;
  } finally {
    engine?.dispose();
    tf.dispose(tensors);
    disposeBuiltModel(tf, p.built);
  }
}
