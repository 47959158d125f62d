// Trainer benchmark: training samples/s of the tfjs-node trainer (dist/trainer.js, in this process)
// next to Keras 3 / TensorFlow 2.21 `model.fit` — same models, same data files, same batch sizes.
//
//   • models: the seed's MLP (examples/seed_activation_loss.py: CE + 0.1·mean|activation|) and the
//     small CNN of examples/mnist_cnn.py (Conv2D–Pool–Conv2D–Pool–Dense on 28×28×1);
//   • batch sizes 32 and 256; for tfjs: taps off (no histograms), taps on (every layer with weights
//     tapped: activation, kernel and bias histograms at every epoch end, the default), taps every 50
//     steps (the same, plus histograms every 50 steps), and the general tape-based engine;
//   • data: the bundled MNIST sample written to .bench/*.npz, read by both sides;
//   • samples/s: the best epoch after the first (warm-up: tracing for Keras, kernel caches) — the
//     most robust statistic on a shared machine; the mean of those epochs is reported too;
//   • Keras runs in a Python venv: $MODEL_LENS_KERAS_PYTHON, else .bench/keras-venv, else one is
//     created with `python3 -m venv` + `pip install tensorflow-cpu==2.21.0` (offline when pip is
//     configured for a local index). Without Python the Keras columns are null, with the reason.
//
// Prints one JSON object on stdout (progress on stderr). Targets: taps overhead < 10 %, tfjs
// throughput ≥ Keras fit. `--quick` runs fewer epochs and samples; `--rounds=N` (default 2),
// `--models=mlp,cnn` select what runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const benchDir = join(root, '.bench');
const quick = process.argv.includes('--quick');
const log = (m) => process.stderr.write(`[bench-trainer] ${m}\n`);

const trainerBundle = join(root, 'dist', 'trainer.js');
if (!existsSync(trainerBundle)) {
  console.log(JSON.stringify({ error: 'dist/trainer.js is missing: run npm run build' }));
  process.exit(1);
}
const trainer = require(trainerBundle);
mkdirSync(benchDir, { recursive: true });

// ───────────── data: one file per model, shared by tfjs and Keras ─────────────
const EPOCHS = quick ? 3 : 5;
const FIDELITY_STEPS = 8;
const mnist = trainer.loadBundledMnist(1);
const n = mnist.y.shape[0];
function dataset(kind) {
  const keepClasses = kind === 'mlp' ? 5 : 10;
  const idx = [];
  for (let i = 0; i < n; i++) if (mnist.y.data[i] < keepClasses) idx.push(i);
  const limit = kind === "mlp" ? idx.length : quick ? 2000 : 4000;
  const rows = idx.slice(0, limit);
  const x = new Float32Array(rows.length * 784);
  const y = new Float32Array(rows.length * keepClasses);
  rows.forEach((i, r) => {
    x.set(mnist.x.data.subarray(i * 784, (i + 1) * 784), r * 784);
    y[r * keepClasses + mnist.y.data[i]] = 1;
  });
  const file = join(benchDir, `${kind}.npz`);
  const xShape = kind === 'mlp' ? [rows.length, 784] : [rows.length, 28, 28, 1];
  writeFileSync(file, trainer.writeNpz({ x: { shape: xShape, data: x }, y: { shape: [rows.length, keepClasses], data: y } }));
  return { file, samples: rows.length };
}
const data = { mlp: dataset('mlp'), cnn: dataset('cnn') };
const models = {
  mlp: { file: join(root, 'examples', 'seed_activation_loss.py'), taps: ['dense', 'dense_intermediate', 'dense_1'] },
  cnn: { file: join(root, 'examples', 'mnist_cnn.py'), taps: ['conv1', 'conv2', 'classifier'] },
};

// ───────────── tfjs ─────────────
const backend = await trainer.loadBackend('native');
log(backend.detail);

async function tfjsRun(model, batchSize, mode) {
  const perEpoch = [];
  const cpuPerEpoch = [];
  let end;
  let detail = '';
  let cpu = process.cpuUsage();
  const request = {
    file: models[model].file,
    data: data[model].file,
    epochs: EPOCHS,
    batchSize,
    validationSplit: 0,
    batchEventMs: 1000,
    ...(mode === 'tapsOff' ? { histograms: false } : {}),
    ...(mode === 'tapsOn' ? { taps: models[model].taps } : {}),
    ...(mode === 'tapsEvery50' ? { taps: models[model].taps, every: 50 } : {}),
    ...(mode === 'general' ? { engine: 'general', histograms: false } : {}),
  };
  await trainer.runTraining(request, {
    backend,
    emit: (e) => {
      if (e.type === 'epoch') {
        perEpoch.push(e.samplesPerSecond);
        const used = process.cpuUsage(cpu);
        cpuPerEpoch.push(data[model].samples / ((used.user + used.system) / 1e6));
        cpu = process.cpuUsage();
      }
      if (e.type === 'start') {
        detail = e.backendDetail;
        cpu = process.cpuUsage();
      }
      if (e.type === 'end') end = e;
    },
  });
  if (end.status !== 'completed') throw new Error(`${model} ${batchSize} ${mode}: ${end.message}`);
  const measured = perEpoch.slice(1);
  return {
    samplesPerSecond: Math.round(Math.max(...measured)),
    meanSamplesPerSecond: Math.round(measured.reduce((a, b) => a + b, 0) / measured.length),
    perEpoch: perEpoch.map(Math.round),
    samplesPerCpuSecond: Math.round(Math.max(...cpuPerEpoch.slice(1))),
    engine: /fast path/.test(detail) ? 'fast' : 'general',
  };
}

// ───────────── Keras ─────────────
const KERAS_SCRIPT = String.raw`
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
import keras
from keras import layers

cfg = json.loads(sys.argv[1])
d = np.load(cfg["data"])
x, y = d["x"], d["y"]

class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.t = time.perf_counter()
        self.c = time.process_time()
    def on_epoch_end(self, epoch, logs=None):
        times.append(time.perf_counter() - self.t)
        cpu.append(time.process_time() - self.c)

def mlp():
    inputs = keras.Input(shape=(784,))
    h = layers.Dense(64, activation="relu", name="dense")(inputs)
    a = layers.Dense(32, activation="relu", name="dense_intermediate")(h)
    out = layers.Dense(5, activation="softmax", name="dense_1")(a)
    m = keras.Model(inputs, [out, a])
    # The seed's intent: CE on the first output + 0.1 * mean|activation of dense_intermediate|.
    m.compile(optimizer="adam", loss=["categorical_crossentropy", lambda yt, yp: 0.1 * tf.reduce_mean(tf.abs(yp))])
    return m, [y, np.zeros((len(x), 32), "float32")]

def targets_for(kind, t, n):
    return [t[0][:n], t[1][:n]] if kind == "mlp" else t[:n]

def cnn():
    m = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(16, 3, activation="relu", name="conv1"), layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(32, 3, activation="relu", name="conv2"), layers.MaxPooling2D(2, name="pool2"),
        layers.Flatten(name="flatten"), layers.Dense(10, activation="softmax", name="classifier"),
    ])
    m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return m, y

out = {"tensorflow": tf.__version__, "keras": keras.__version__, "cases": []}

# Fidelity: the initial weights and the running batch losses of fit() without shuffling, so the
# tfjs trainer can start from the same weights and be compared step by step.
keras.utils.set_random_seed(7)
model, targets = mlp() if cfg["model"] == "mlp" else cnn()
weights = {}
for layer in model.layers:
    for v in layer.weights:
        weights["%s/%s" % (layer.name, v.name.split("/")[-1])] = v.numpy()
np.savez(cfg["weights"], **weights)
running = []
class Running(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        running.append(float(logs["loss"]))
n = cfg["fidelitySteps"] * 32
model.fit(x[:n], targets_for(cfg["model"], targets, n), batch_size=32, epochs=1, shuffle=False, verbose=0, callbacks=[Running()])
out["fidelity"] = {"weights": cfg["weights"], "runningLoss": running}
for batch in cfg["batches"]:
    keras.utils.set_random_seed(1)
    model, targets = mlp() if cfg["model"] == "mlp" else cnn()
    times = []
    cpu = []
    model.fit(x, targets, batch_size=batch, epochs=cfg["epochs"], shuffle=True, verbose=0, callbacks=[Timer()])
    measured = times[1:]
    out["cases"].append({"batchSize": batch, "samplesPerSecond": round(len(x) / min(measured)), "meanSamplesPerSecond": round(len(x) / (sum(measured) / len(measured))), "perEpoch": [round(len(x) / t) for t in times], "samplesPerCpuSecond": round(len(x) / min(cpu[1:]))})
print(json.dumps(out))
`;

function run(cmd, args, options = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
}

function kerasPython() {
  const works = (python) => run(python, ['-c', 'import tensorflow, keras; print(tensorflow.__version__)'], { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } }).status === 0;
  const fromEnv = process.env.MODEL_LENS_KERAS_PYTHON;
  if (fromEnv) return works(fromEnv) ? { python: fromEnv } : { reason: `$MODEL_LENS_KERAS_PYTHON (${fromEnv}) cannot import tensorflow and keras` };
  const venv = join(benchDir, 'keras-venv');
  const python = join(venv, 'bin', 'python');
  if (existsSync(python) && works(python)) return { python };
  const system = ['python3', 'python'].find((p) => run(p, ['--version']).status === 0);
  if (!system) return { reason: 'no python3 on PATH' };
  log(`creating ${venv} and installing tensorflow-cpu==2.21.0 (once; several minutes)…`);
  if (!existsSync(python)) {
    const v = run(system, ['-m', 'venv', venv], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (v.status !== 0) return { reason: `${system} -m venv failed` };
  }
  const pip = run(python, ['-m', 'pip', 'install', 'tensorflow-cpu==2.21.0'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (pip.status !== 0) return { reason: 'pip install tensorflow-cpu==2.21.0 failed (no reachable package index?)' };
  return works(python) ? { python } : { reason: 'tensorflow installed but does not import' };
}

const keras = kerasPython();
if (keras.reason) log(`Keras side skipped: ${keras.reason}`);
const scriptFile = join(benchDir, 'keras_bench.py');
writeFileSync(scriptFile, KERAS_SCRIPT);

function kerasRun(model, batches) {
  if (!keras.python) return null;
  const config = { model, data: data[model].file, batches, epochs: EPOCHS, weights: join(benchDir, `${model}-keras-init.npz`), fidelitySteps: FIDELITY_STEPS };
  const r = run(keras.python, [scriptFile, JSON.stringify(config)], { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
  const line = r.stdout.trim().split('\n').pop();
  try {
    return JSON.parse(line);
  } catch {
    log(`Keras ${model} failed: ${r.stderr.slice(-800)}`);
    return null;
  }
}

// ───────────── run ─────────────
const load = [loadavg()[0]];
const cases = [];
const fidelity = {};
// Rounds interleave Keras and tfjs over time, so a burst of other load on the machine does not
// hit one side only; each figure is the best epoch over all rounds.
const MODELS = (process.argv.find((a) => a.startsWith('--models='))?.slice(9) ?? 'mlp,cnn').split(',');
const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? (quick ? 1 : 2));
const merge = (a, b) => {
  if (!a) return b;
  if (!b) return a;
  const best = b.samplesPerSecond > a.samplesPerSecond ? b : a;
  return {
    ...best,
    samplesPerCpuSecond: Math.max(a.samplesPerCpuSecond ?? 0, b.samplesPerCpuSecond ?? 0) || null,
    perEpoch: [...a.perEpoch, ...b.perEpoch],
    meanSamplesPerSecond: Math.round((a.meanSamplesPerSecond + b.meanSamplesPerSecond) / 2),
  };
};
const results = {};
const MODES = ['tapsOff', 'tapsOn', 'tapsEvery50', 'general'];
for (let round = 1; round <= ROUNDS; round++) {
  for (const model of MODELS) {
    log(`round ${round}/${ROUNDS}: Keras fit, ${model}…`);
    const k = kerasRun(model, [32, 256]);
    if (k?.fidelity && !fidelity[model]) {
      const keras = k.fidelity.runningLoss;
      const opts = { file: models[model].file, data: data[model].file, weights: k.fidelity.weights, steps: FIDELITY_STEPS, batchSize: 32 };
      try {
        const fast = await trainer.runningLosses(backend.tf, { ...opts, engine: 'fast' });
        const general = await trainer.runningLosses(backend.tf, { ...opts, engine: 'general' });
        const maxDiff = (a) => Math.max(...a.map((v, i) => Math.abs(v - keras[i])));
        fidelity[model] = { steps: FIDELITY_STEPS, kerasRunningLoss: keras, fastRunningLoss: fast, maxAbsDiffFast: maxDiff(fast), maxAbsDiffGeneral: maxDiff(general) };
      } catch (error) {
        fidelity[model] = { error: String(error.message ?? error) };
      }
    }
    for (const batchSize of [32, 256]) {
      const key = `${model}/${batchSize}`;
      const r = (results[key] ??= { keras: null });
      r.keras = merge(r.keras, k?.cases.find((c) => c.batchSize === batchSize) ?? null);
      log(`round ${round}/${ROUNDS}: tfjs, ${model}, batch ${batchSize}…`);
      for (const mode of MODES) r[mode] = merge(r[mode], await tfjsRun(model, batchSize, mode));
    }
  }
}
for (const model of MODELS) {
  for (const batchSize of [32, 256]) {
    const { keras: kerasCase, tapsOff, tapsOn, tapsEvery50, general } = results[`${model}/${batchSize}`];
    const ratio = (a, b) => (a && b ? Math.round((a / b) * 100) / 100 : null);
    cases.push({
      model,
      batchSize,
      samples: data[model].samples,
      tfjs: { tapsOff, tapsOn, tapsEvery50, generalEngine: general },
      keras: kerasCase,
      ratioToKeras: {
        tapsOff: ratio(tapsOff.samplesPerSecond, kerasCase?.samplesPerSecond),
        tapsOn: ratio(tapsOn.samplesPerSecond, kerasCase?.samplesPerSecond),
        generalEngine: ratio(general.samplesPerSecond, kerasCase?.samplesPerSecond),
        perCpuSecond: ratio(tapsOff.samplesPerCpuSecond, kerasCase?.samplesPerCpuSecond),
      },
      tapsOverheadPercent: Math.round((1 - tapsOn.samplesPerSecond / tapsOff.samplesPerSecond) * 1000) / 10,
      tapsEvery50OverheadPercent: Math.round((1 - tapsEvery50.samplesPerSecond / tapsOff.samplesPerSecond) * 1000) / 10,
      fastOverGeneral: ratio(tapsOff.samplesPerSecond, general.samplesPerSecond),
    });
  }
}
load.push(loadavg()[0]);

const report = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', node: process.version, loadAverage: load.map((l) => Math.round(l * 100) / 100) },
  tfjs: backend.detail,
  keras: keras.python ? { python: keras.python } : { skipped: keras.reason },
  epochs: EPOCHS,
  rounds: ROUNDS,
  fidelity: Object.keys(fidelity).length
    ? { description: `running batch loss of ${FIDELITY_STEPS} Adam steps from Keras's initial weights, same batches, no shuffling: tfjs fast and general engines vs Keras fit`, ...fidelity }
    : null,
  note:
    'samples/s = training samples / epoch wall time of the best epoch after the first (mean also given); ratios use the best epochs; ' +
    'samplesPerCpuSecond divides by the process CPU time instead (all threads; less sensitive to other load on the machine, but blind to parallelism); ' +
    'same .npz data, models and batch sizes on both sides',
  cases,
  targets: {
    tapsOverheadBelow10Percent: cases.every((c) => c.tapsOverheadPercent < 10),
    throughputAtLeastKeras: cases.every((c) => c.ratioToKeras.tapsOff !== null && c.ratioToKeras.tapsOff >= 1),
  },
};
console.log(JSON.stringify(report, null, 2));
