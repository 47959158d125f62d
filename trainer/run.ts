/**
 * One training run: source file → analysis → loss program → tfjs model → data → training loop,
 * reporting TrainerEvents (protocol/protocol.ts) in order:
 *   start, then per epoch: batch…, histogram… (every N steps if asked), epoch, histogram… (epoch end),
 *   and finally end (completed | stopped | failed).
 * Histograms at epoch 0 / step 0 show the initial state.
 *
 * Stopping: `signal` can abort at any moment; the loop checks it between batches and between the
 * gradient computation and the weight update, yields to the event loop regularly so a stop
 * message can arrive, and always disposes every tensor it created (the `end` event reports the
 * tensor count before and after).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource } from '../analysis/analyze';
import { interpretLoss } from '../analysis/loss';
import type { LossProgram } from '../analysis/loss/program';
import type { ModelGraph, ModelNode } from '../graph/model-graph';
import { walkLayers } from '../graph/model-graph';
import type { RunStatus, TapInfo, TensorKind, TrainerEvent, TrainRequest } from '../protocol/protocol';
import { loadBackend, nativeSetupHint, type LoadedBackend, type Tf } from './backend';
import { DataFileError, prepareData, type PreparedData } from './data';
import { Engine, regularization, type TrainEngine } from './engine';
import { FastEngine, planFast } from './fast/engine';
import { layerLabel, ModelBuildError } from './keras-layers';
import { termValue } from './loss';
import { assertBuildable, buildModel, disposeBuiltModel, type BuiltModel } from './model-builder';
import { createOptimizer, OptimizerError } from './optimizers';
import { kerasDatasets, scalesBy255 } from './source-hints';
import { histograms, type TapTensor } from './taps';

type Tensor = ReturnType<Tf['tensor']>;

export type Emit = (event: TrainerEvent) => void;

export interface RunOptions {
  emit: Emit;
  signal?: AbortSignal;
  /** A backend already loaded in this process (tests, bench); default: loadBackend(request.backend). */
  backend?: LoadedBackend;
  /** Source text instead of reading request.file. */
  source?: string;
}

/** Errors that end a run with `failed` and a message for the user (no stack). */
export class RunError extends Error {}

const DEFAULT_BINS = 30;
const DEFAULT_PROBE = 256;
const DEFAULT_BATCH_EVENT_MS = 100;
const YIELD_MS = 15;

export async function runTraining(request: TrainRequest, options: RunOptions): Promise<RunStatus> {
  const { emit } = options;
  let backend: LoadedBackend;
  try {
    backend = options.backend ?? (await loadBackend(request.backend ?? 'auto'));
  } catch (error) {
    emit({ type: 'end', status: 'failed', message: (error as Error).message });
    return 'failed';
  }
  const tf = backend.tf;
  const baseline = tf.memory().numTensors;
  const owned: { dispose(): void }[] = [];
  let status: RunStatus = 'failed';
  let message = '';
  try {
    const result = await train(request, options, backend, owned);
    status = result.status;
    message = result.message;
  } catch (error) {
    status = 'failed';
    message =
      error instanceof RunError || error instanceof ModelBuildError || error instanceof DataFileError || error instanceof OptimizerError
        ? error.message
        : `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  } finally {
    for (const o of owned.reverse()) {
      try {
        o.dispose();
      } catch {
        // already disposed
      }
    }
  }
  emit({ type: 'end', status, message, tensors: { baseline, end: tf.memory().numTensors } });
  return status;
}

/**
 * The model to train: by name or variable, else the one `fit` is called on, else the compiled one,
 * else the last; models the file really builds before those only its uncalled functions build.
 */
export function pickModel(graph: ModelGraph, wanted: string | undefined): ModelNode {
  const nested = new Set<string>();
  for (const m of graph.models) for (const l of walkLayers(m)) if (l.model) nested.add(l.model.id);
  const built = graph.models.filter((m) => !m.speculative);
  const models = built.length ? built : graph.models;
  const top = models.filter((m) => !nested.has(m.id));
  if (wanted) {
    const found = graph.models.find((m) => m.name === wanted || m.variables.includes(wanted));
    if (!found) throw new RunError(`no model named '${wanted}' in ${graph.file} (models: ${graph.models.map((m) => m.name).join(', ') || 'none'})`);
    return found;
  }
  const candidates = top.length ? top : models;
  const pick = models.find((m) => m.fit?.length) ?? models.find((m) => m.compile) ?? candidates[candidates.length - 1];
  if (!pick) throw new RunError(`${graph.file} builds no Keras model that the analyzer could see`);
  return pick;
}

export interface Prepared {
  program: LossProgram;
  built: BuiltModel;
  taps: TapInfo[];
  data: PreparedData;
  graphModel: ModelNode;
}

async function train(request: TrainRequest, options: RunOptions, backend: LoadedBackend, owned: { dispose(): void }[]): Promise<{ status: RunStatus; message: string }> {
  const { emit, signal } = options;
  const tf = backend.tf;
  const stopped = (): boolean => signal?.aborted === true;
  if (backend.fellBackFrom) emit({ type: 'log', level: 'warning', message: `Training on the WebAssembly backend: ${backend.detail}` });

  // ── analysis ──
  const file = path.resolve(request.file);
  let source = options.source;
  if (source === undefined) {
    try {
      source = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new RunError(`cannot read ${request.file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  }
  const analysis = await analyzeSource(source, { file });
  const root = analysis.tree.rootNode;
  try {
    const prepared = prepare(tf, request, analysis.graph, root, emit);
    owned.push({ dispose: () => disposeBuiltModel(tf, prepared.built) });
    return await loop(tf, backend, request, prepared, owned, emit, stopped);
  } finally {
    analysis.tree.delete();
  }
}

export function prepare(tf: Tf, request: TrainRequest, graph: ModelGraph, root: Parameters<typeof kerasDatasets>[0], emit: Emit): Prepared {
  const graphModel = pickModel(graph, request.model);
  assertBuildable(graphModel);
  const program = interpretLoss({ tree: root.tree, graph, model: graphModel });
  if (program.empty) {
    const skipped = program.interpretation.skipped.map((s) => `line ${s.line}: \`${s.text}\`: ${s.reason}`);
    throw new RunError(`no part of the loss could be interpreted: ${program.interpretation.summary}${skipped.length ? ` Skipped: ${skipped.join('; ')}` : ''}`);
  }
  // Taps: the layers the loss reads, plus the ones the user names.
  const layerNames = new Set<string>();
  for (const l of walkLayers(graphModel)) layerNames.add(l.name);
  const tapReasons = new Map<string, 'loss' | 'user'>();
  for (const t of program.tensors) {
    if (!program.targets.some((tg) => tg.output === t.layer) || t.tensor !== 'activation') tapReasons.set(t.layer, 'loss');
  }
  for (const t of request.taps ?? []) {
    if (!layerNames.has(t)) throw new RunError(`--tap ${t}: model '${graphModel.name}' has no layer '${t}' (layers: ${[...layerNames].join(', ')})`);
    if (!tapReasons.has(t)) tapReasons.set(t, 'user');
  }
  const inputLayers = new Set(graphModel.layers.filter((l) => l.className === 'InputLayer').map((l) => l.name));
  const activations = [...program.tensors.filter((t) => t.tensor === 'activation').map((t) => t.layer), ...[...tapReasons.keys()].filter((l) => !inputLayers.has(l))];
  // In a tidy scope: some tfjs initializers (LSTM's unit_forget_bias) leave temporaries behind.
  let builtOrUndefined: BuiltModel | undefined;
  tf.tidy(() => {
    builtOrUndefined = buildModel(tf, graphModel, { activations: [...new Set(activations)], root });
  });
  const built = builtOrUndefined!;
  try {
    checkKernels(tf, built);
    return withModel(request, graphModel, program, built, root, tapReasons, inputLayers, emit);
  } catch (error) {
    disposeBuiltModel(tf, built);
    throw error;
  }
}

function withModel(
  request: TrainRequest,
  graphModel: ModelNode,
  program: LossProgram,
  built: BuiltModel,
  root: Parameters<typeof kerasDatasets>[0],
  tapReasons: Map<string, 'loss' | 'user'>,
  inputLayers: Set<string>,
  emit: Emit,
): Prepared {
  for (const note of built.notes) emit({ type: 'log', level: 'info', message: note });
  const taps: TapInfo[] = [...tapReasons].map(([layer, reason]) => {
    const tensors: TensorKind[] = [];
    if (!inputLayers.has(layer)) tensors.push('activation');
    const l = built.layers.get(layer);
    for (const kind of ['kernel', 'bias'] as const) {
      if (l?.tfjs.weights.some((v) => v.originalName.split('/').pop() === kind)) tensors.push(kind);
    }
    return { layer, tensors, reason };
  });
  // The loss may read a weight the tfjs layer lacks (e.g. use_bias=False): fail before training.
  for (const t of program.tensors) {
    if (t.tensor === 'activation') continue;
    const l = built.layers.get(t.layer);
    if (!l?.tfjs.weights.some((v) => v.originalName.split('/').pop() === t.tensor)) {
      throw new RunError(`the loss reads the ${t.tensor} of '${t.layer}', which the built layer does not have`);
    }
  }
  const fit = graphModel.fit?.[0];
  const vs = fit?.args['validation_split'];
  const data = prepareData(request, {
    inputs: built.inputs,
    targets: program.targets,
    codeDatasets: kerasDatasets(root).map((d) => d.name),
    codeScales255: scalesBy255(root),
    codeValidationSplit: typeof vs === 'number' ? vs : undefined,
  });
  for (const w of data.warnings) emit({ type: 'log', level: 'warning', message: w });
  const codeSamples = fit?.xShapes?.[0]?.[0];
  if (typeof codeSamples === 'number' && request.samples === undefined && codeSamples < data.trainCount) {
    data.description.adaptations.push(`the code's fit() gets ${codeSamples} samples; training on ${data.trainCount} (pass --samples ${codeSamples} to match)`);
  }
  return { program, built, taps, data, graphModel };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function loop(
  tf: Tf,
  backend: LoadedBackend,
  request: TrainRequest,
  p: Prepared,
  owned: { dispose(): void }[],
  emit: Emit,
  stopped: () => boolean,
): Promise<{ status: RunStatus; message: string }> {
  const { program, built, data, graphModel } = p;
  const fitArgs = graphModel.fit?.[0]?.args ?? {};
  const epochs = request.epochs ?? (typeof fitArgs['epochs'] === 'number' ? fitArgs['epochs'] : 1);
  const batchSize = request.batchSize ?? (typeof fitArgs['batch_size'] === 'number' ? fitArgs['batch_size'] : 32);
  const bins = request.bins ?? DEFAULT_BINS;
  const every = request.every ?? 0;
  const batchEventMs = request.batchEventMs ?? DEFAULT_BATCH_EVENT_MS;
  if (!(epochs >= 1) || !(batchSize >= 1)) throw new RunError(`epochs (${epochs}) and batch size (${batchSize}) must be at least 1`);

  const optimizer = createOptimizer(tf, program.optimizer);
  const general = new Engine(tf, built, program, optimizer);
  const plan = request.engine === 'general' ? { reason: 'requested' } : planFast(tf, built, program);
  let engine: TrainEngine = general;
  if ('layers' in plan) engine = new FastEngine(tf, general, plan, program);
  owned.push(engine);
  const engineText = 'layers' in plan ? engine.description : `${general.description} (no fast path: ${plan.reason})`;

  // Data on the backend, once.
  const all = (t: { shape: number[]; data: Float32Array | Int32Array }): Tensor => tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? 'int32' : 'float32');
  const xAll = data.xs.map(all);
  const yAll = data.ys.map(all);
  owned.push({ dispose: () => tf.dispose([...xAll, ...yAll]) });
  const n = data.trainCount;
  const xTrain = xAll.map((x) => x.slice(0, n));
  const yTrain = yAll.map((y) => y.slice(0, n));
  owned.push({ dispose: () => tf.dispose([...xTrain, ...yTrain]) });
  const xVal = data.valCount ? xAll.map((x) => x.slice(n, data.valCount)) : undefined;
  const yVal = data.valCount ? yAll.map((y) => y.slice(n, data.valCount)) : [];
  owned.push({ dispose: () => tf.dispose([...(xVal ?? []), ...yVal]) });
  const probeSize = Math.min(request.probeSize ?? DEFAULT_PROBE, n);
  const probe = xTrain.map((x) => x.slice(0, probeSize));
  owned.push({ dispose: () => tf.dispose(probe) });

  // Dry run of the forward pass and the loss (no gradients), so shape errors surface clearly
  // before training, naming the loss term.
  tf.tidy(() => {
    const outs = engine.forward(probe.map((x) => x.slice(0, Math.min(2, probeSize))), false);
    const ys = yTrain.map((y) => y.slice(0, Math.min(2, probeSize)));
    const inputs = {
      targets: ys,
      activation: (layer: string) => outs.get(layer)!,
      weight: (layer: string, kind: 'kernel' | 'bias') => engine.weight(layer, kind),
      regularization: () => regularization(tf, built, outs),
    };
    for (const term of program.terms) {
      try {
        termValue(tf, term, inputs);
      } catch (error) {
        throw new RunError(`the loss term '${term.name}'${term.line ? ` (line ${term.line})` : ''} cannot be computed on this model: ${firstLine(error)}`);
      }
    }
  });

  const summary = { ...graphModel };
  emit({
    type: 'start',
    backend: backend.name,
    backendDetail: `${backend.detail}; optimizer ${optimizer.description}; custom training loop, ${engineText}`,
    model: summary,
    data: data.description,
    taps: p.taps,
    loss: program.interpretation,
    epochs,
    batchSize,
    startedAt: Date.now(),
  });

  const tapHistograms = (epoch: number, step: number): void => {
    if (!p.taps.length || request.histograms === false) return;
    if (engine.histograms) {
      for (const h of engine.histograms(probe, p.taps, bins)) emit({ type: 'histogram', epoch, step, ...h });
      return;
    }
    const outs: TapTensor[] = [];
    tf.tidy(() => {
      const need = p.taps.filter((t) => t.tensors.includes('activation')).map((t) => t.layer);
      const fwd = need.length ? engine.forward(probe, false) : new Map<string, Tensor>();
      for (const t of p.taps) {
        for (const kind of t.tensors) {
          const value = kind === 'activation' ? fwd.get(t.layer)! : engine.weight(t.layer, kind);
          outs.push({ layer: t.layer, tensor: kind, value: tf.keep(kind === 'activation' ? value : value.clone()) });
        }
      }
    });
    try {
      for (const h of histograms(tf, outs, bins)) emit({ type: 'histogram', epoch, step, ...h });
    } finally {
      tf.dispose(outs.map((o) => o.value));
    }
  };

  tapHistograms(0, 0);
  const batches = Math.ceil(n / batchSize);
  const rng = seeded(request.seed ?? 1);
  let step = 0;
  let lastYield = Date.now();
  const names = engine.valueNames;
  const termCount = program.terms.length;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const started = process.hrtime.bigint();
    // Keras shuffles the training data every epoch.
    const perm = shuffled(n, rng);
    const parts = tf.tidy(() => {
      const idx = tf.tensor1d(perm, 'int32');
      const sizes = Array.from({ length: batches }, (_, b) => Math.min(batchSize, n - b * batchSize));
      const xs = xTrain.map((x) => tf.split(tf.gather(x, idx), sizes));
      const ys = yTrain.map((y) => tf.split(tf.gather(y, idx), sizes));
      return { xs, ys };
    });
    const sums = new Float64Array(names.length);
    let seen = 0;
    let lastBatchEvent = 0;
    try {
      for (let b = 0; b < batches; b++) {
        if (stopped()) return { status: 'stopped', message: `stopped at epoch ${epoch}, batch ${b + 1} of ${batches}` };
        const x = parts.xs.map((list) => list[b]!);
        const ys = parts.ys.map((list) => list[b]!);
        const r = engine.step(x, ys);
        if (!r.applied) {
          return { status: 'failed', message: diagnoseNonFinite(tf, engine, built, program, x, ys, epoch, b + 1, r.values, names) };
        }
        const size = x[0]!.shape[0]!;
        for (let i = 0; i < names.length; i++) sums[i]! += r.values[i]! * size;
        seen += size;
        step++;
        const now = Date.now();
        if (b === 0 || b === batches - 1 || now - lastBatchEvent >= batchEventMs) {
          lastBatchEvent = now;
          const components: Record<string, number> = {};
          for (let i = 0; i < termCount; i++) components[names[1 + i]!] = r.values[1 + i]!;
          emit({ type: 'batch', epoch, batch: b + 1, batches, loss: r.values[0]!, components });
        }
        if (every > 0 && step % every === 0) tapHistograms(epoch, step);
        if (now - lastYield >= YIELD_MS) {
          await yieldToEventLoop();
          lastYield = Date.now();
        }
      }
    } finally {
      tf.dispose([...parts.xs.flat(), ...parts.ys.flat()]);
    }
    const trainSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const mean = (i: number): number => sums[i]! / seen;
    const components: Record<string, number> = {};
    for (let i = 0; i < termCount; i++) components[names[1 + i]!] = mean(1 + i);
    const metrics: Record<string, number> = {};
    program.metrics.forEach((m, i) => (metrics[m.name] = mean(1 + termCount + i)));
    const event: Extract<TrainerEvent, { type: 'epoch' }> = { type: 'epoch', epoch, loss: mean(0), components, metrics, samplesPerSecond: seen / trainSeconds };
    if (xVal) {
      if (stopped()) return { status: 'stopped', message: `stopped at the end of epoch ${epoch}` };
      event.validation = validate(tf, engine, xVal, yVal, batchSize, names, termCount, program.metrics.map((m) => m.name));
    }
    emit(event);
    if (stopped()) return { status: 'stopped', message: `stopped at the end of epoch ${epoch}` };
    tapHistograms(epoch, step);
    await yieldToEventLoop();
    lastYield = Date.now();
  }
  return { status: 'completed', message: `trained ${epochs} epoch${epochs > 1 ? 's' : ''} of ${n} samples` };
}

function validate(tf: Tf, engine: TrainEngine, x: Tensor[], ys: Tensor[], batchSize: number, names: string[], termCount: number, metricNames: string[]): NonNullable<Extract<TrainerEvent, { type: 'epoch' }>['validation']> {
  const n = x[0]!.shape[0]!;
  const sums = new Float64Array(names.length);
  for (let s = 0; s < n; s += batchSize) {
    const size = Math.min(batchSize, n - s);
    const xb = x.map((t) => t.slice(s, size));
    const yb = ys.map((y) => y.slice(s, size));
    try {
      const v = engine.evaluate(xb, yb);
      for (let i = 0; i < names.length; i++) sums[i]! += v[i]! * size;
    } finally {
      tf.dispose([...xb, ...yb]);
    }
  }
  const components: Record<string, number> = {};
  for (let i = 0; i < termCount; i++) components[names[1 + i]!] = sums[1 + i]! / n;
  const metrics: Record<string, number> = {};
  metricNames.forEach((m, i) => (metrics[m] = sums[1 + termCount + i]! / n));
  return { loss: sums[0]! / n, components, metrics };
}

/** Names the first layer (in execution order) whose output is non-finite on the failing batch. */
function diagnoseNonFinite(tf: Tf, engine: TrainEngine, built: BuiltModel, program: LossProgram, x: Tensor[], ys: Tensor[], epoch: number, batch: number, values: Float32Array, names: string[]): string {
  const where = `the loss became ${String(values[0])} at epoch ${epoch}, batch ${batch}`;
  const bad = names.slice(1, 1 + program.terms.length).filter((_, i) => !Number.isFinite(values[1 + i]!));
  const termText = bad.length ? ` (non-finite loss component${bad.length > 1 ? 's' : ''}: ${bad.join(', ')})` : '';
  engine.sync();
  return tf.tidy(() => {
    const badInput = x.findIndex((t) => !tf.all(tf.isFinite(t)).dataSync()[0]);
    if (badInput >= 0) return `${where}${termText}: the input batch itself contains NaN or Inf values (first non-finite output: the input '${built.inputs[badInput]?.name ?? 'input'}')`;
    const { model, layers } = built.diagnostic();
    const outs = model.apply(x.length === 1 ? x[0]! : x, { training: true }) as Tensor | Tensor[];
    const list = Array.isArray(outs) ? outs : [outs];
    const flags = tf.stack(list.map((t) => tf.all(tf.isFinite(t)))).dataSync();
    const i = Array.from(flags).findIndex((f) => !f);
    const tapped = new Set(program.tensors.map((t) => t.layer));
    if (i >= 0) {
      const name = layers[i]!;
      const l = built.layers.get(name);
      const label = l ? layerLabel({ name, className: l.className, line: l.line }) : `layer '${name}'`;
      return `${where}${termText}: the first layer whose output went non-finite is ${label}${tapped.has(name) ? ' (tapped)' : ' (not tapped)'}`;
    }
    // Every activation is finite: a loss term produced the non-finite value (e.g. log of 0).
    const fin = engine.forward(x, true);
    const inputs = {
      targets: ys,
      activation: (layer: string) => fin.get(layer)!,
      weight: (layer: string, kind: 'kernel' | 'bias') => engine.weight(layer, kind),
      regularization: () => regularization(tf, built, fin),
    };
    const culprits = program.terms.filter((t) => !Number.isFinite(termValue(tf, t, inputs).dataSync()[0]!));
    const what = culprits.map((t) => `'${t.name}'${t.line ? ` (line ${t.line})` : ''}`).join(', ');
    return `${where}: every layer output is finite; the non-finite value comes from the loss term${culprits.length > 1 ? 's' : ''} ${what || termText}`;
  });
}

/** Kernels some layers need to train, which not every tfjs backend has (tfjs-backend-wasm lacks several). */
const TRAINING_KERNELS: Record<string, string[]> = {
  Conv1D: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
  Conv2D: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
  Conv2DTranspose: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
  Conv3D: ['Conv3DBackpropFilterV2', 'Conv3DBackpropInputV2'],
  SeparableConv2D: ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'Conv2DBackpropFilter'],
  DepthwiseConv2D: ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'],
  Embedding: ['UnsortedSegmentSum'],
  ZeroPadding2D: ['PadV2'],
  MaxPooling2D: ['MaxPoolGrad'],
  AveragePooling2D: ['AvgPoolGrad'],
};

/** Fails before training when the backend cannot compute a layer's gradient. */
function checkKernels(tf: Tf, built: BuiltModel): void {
  const backend = tf.getBackend();
  if (backend === 'tensorflow') return;
  for (const layer of built.layers.values()) {
    const cls = layer.tfjs.getClassName();
    const missing = (TRAINING_KERNELS[cls] ?? []).filter((k) => !tf.getKernel(k, backend));
    if (missing.length) {
      throw new RunError(
        `${layerLabel({ name: layer.name, className: layer.className, line: layer.line })} cannot be trained on the ${backend} backend: it lacks the kernel${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. Use the native backend (${nativeSetupHint()}).`,
      );
    }
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').filter((l) => l.trim()).slice(0, 2).join(' ').replace(/^Invalid TF_Status: \d+\s*Message:\s*/, '');
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(n: number, rng: () => number): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}
