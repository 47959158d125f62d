// Re-records the saved runs the panel's browser test replays (test/fixtures/runs/*.run.json) with
// the real trainer: `node scripts/record-run.mjs [name…]`. Builds first if dist/cli.js is missing.
// Runs are seeded, but floating-point results can differ between machines and backends; the
// test asserts structure and drawing, never exact values.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'test/fixtures/runs');

/** name → trainer arguments (`model-lens train …`). */
export const RECORDINGS = {
  // A custom loss that reads an intermediate activation (tapped by the loss) plus user taps,
  // loss components, and a validation split.
  'seed-activation-loss': ['examples/seed_activation_loss.py', '--data', 'mnist', '--epochs', '3', '--validation-split', '0.1', '--tap', 'dense', '--tap', 'dense_1', '--seed', '1'],
  // The CNN with its convolutions and classifier tapped: more epochs, so the ridgelines have depth.
  'mnist-cnn': ['examples/mnist_cnn.py', '--data', 'mnist', '--epochs', '6', '--samples', '1500', '--tap', 'conv1', '--tap', 'conv2', '--tap', 'classifier', '--seed', '1'],
};

const only = process.argv.slice(2);
if (!existsSync(join(root, 'dist/cli.js'))) {
  const b = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
mkdirSync(out, { recursive: true });
let failed = 0;
for (const [name, args] of Object.entries(RECORDINGS)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const file = join(out, `${name}.run.json`);
  process.stderr.write(`[record-run] ${name}: model-lens train ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'train', ...args, '--out', file], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write(`[record-run] ${name}: trainer exited with ${r.status}\n`);
    failed++;
    continue;
  }
  const run = JSON.parse(readFileSync(file, 'utf8'));
  const counts = {};
  for (const e of run.events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  process.stderr.write(`[record-run] ${name}: ${JSON.stringify(counts)} → ${file}\n`);
}
process.exit(failed ? 1 : 0);
