// Analyzer benchmark: `summary` on generated files (1,000 layers; 20k lines), measured as the
// time beyond Node start-up: `node dist/cli.js summary` minus `node -e ""` in the same run.
// Prints JSON. Target: 1,000-layer file under 200 ms beyond start-up.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'model-lens-bench-'));

function thousandLayerFile() {
  const lines = ['from tensorflow import keras', 'from tensorflow.keras import layers', '', 'inputs = keras.Input(shape=(64,))', 'x = inputs'];
  for (let i = 0; i < 500; i++) {
    lines.push(`x = layers.Dense(${32 + (i % 4) * 16}, activation="relu", name="block${i}_dense")(x)`);
    lines.push(`x = layers.Dropout(0.1)(x)`);
  }
  lines.push('model = keras.Model(inputs, x)');
  return lines.join('\n');
}

function loopFile() {
  return [
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    'def block(x, units):',
    '    x = layers.Dense(units)(x)',
    '    return layers.BatchNormalization()(x)',
    'inputs = keras.Input(shape=(32,))',
    'x = inputs',
    'for i in range(1000):',
    '    x = block(x, 16)',
    'model = keras.Model(inputs, x)',
  ].join('\n');
}

function time(args, runs = 7) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const files = { 'dense-1000-layers': thousandLayerFile(), 'loop-2000-layers': loopFile() };
const nodeStartup = time(['-e', 'require("node:fs")']);
const results = {};
for (const [name, text] of Object.entries(files)) {
  const file = join(dir, `${name}.py`);
  writeFileSync(file, text);
  const total = time([join(root, 'dist', 'cli.js'), 'summary', file, '--json']);
  results[name] = { medianMs: +total.toFixed(1), beyondStartupMs: +(total - nodeStartup).toFixed(1), targetMs: 200, meetsTarget: total - nodeStartup < 200 };
}
console.log(JSON.stringify({ nodeStartupMs: +nodeStartup.toFixed(1), summary: results }, null, 2));
