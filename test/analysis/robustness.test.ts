/**
 * Bad input never crashes or hangs the analyzer: broken syntax keeps the intact models, and
 * pathological code ends with a note within the time budget.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeSource } from '../../analysis/analyze';

const HEADER = 'from tensorflow import keras\nfrom tensorflow.keras import layers\n';
const MODEL_A = 'a = keras.Sequential([layers.Dense(8, input_shape=(4,)), layers.Dense(2)], name="a")\n';
const MODEL_B = 'b = keras.Sequential([layers.Dense(3, input_shape=(5,))], name="b")\n';

async function analyze(source: string, limits = {}) {
  const started = Date.now();
  const { graph } = await analyzeSource(source, { file: 'test.py', limits });
  return { graph, ms: Date.now() - started };
}

test('a half-typed line in the middle keeps the models before and after it', async () => {
  const { graph } = await analyze(`${HEADER}${MODEL_A}x = layers.Dense(3,\n${MODEL_B}`);
  assert.deepEqual(graph.models.map((m) => m.name), ['a', 'b']);
  assert.ok(graph.notes.some((n) => /syntax error/.test(n.message) && n.line === 4), JSON.stringify(graph.notes));
});

test('a syntax error inside a function body keeps the module-level models', async () => {
  const source = `${HEADER}def broken():\n    return layers.Dense(\n${MODEL_A}def ok():\n    pass\n${MODEL_B}`;
  const { graph } = await analyze(source);
  assert.deepEqual(graph.models.map((m) => m.name), ['a', 'b']);
});

test('while True ends with a note, not a hang, and later names become approximate', async () => {
  const source = `${HEADER}n = 0\nwhile True:\n    n += 1\n${MODEL_A}`;
  const { graph, ms } = await analyze(source);
  assert.ok(ms < 3000, `took ${ms} ms`);
  assert.ok(graph.notes.some((n) => /while loop cut/.test(n.message)));
  assert.equal(graph.models[0].layers[0].nameSource, 'approximate');
});

test('a huge range is not unrolled and marks what follows approximate', async () => {
  const source = `${HEADER}xs = []\nfor i in range(10**9):\n    xs.append(layers.Dense(1))\n${MODEL_A}`;
  const { graph, ms } = await analyze(source);
  assert.ok(ms < 3000, `took ${ms} ms`);
  assert.equal(graph.models[0].layers[0].nameSource, 'approximate');
});

test('unbounded recursion stops at the depth limit with a note', async () => {
  const source = `${HEADER}def f(n):\n    return f(n + 1)\nf(0)\n${MODEL_A}`;
  const { graph } = await analyze(source);
  assert.ok(graph.notes.some((n) => /call depth limit/.test(n.message)));
  assert.equal(graph.models.length, 1);
});

test('the time budget ends a slow file with a note and a truncated graph', async () => {
  const source = `${HEADER}${MODEL_A}for i in range(9000):\n    for j in range(9000):\n        k = i * j\n${MODEL_B}`;
  const { graph, ms } = await analyze(source, { timeMs: 300 });
  assert.ok(ms < 2000, `took ${ms} ms`);
  assert.equal(graph.truncated, true);
  assert.ok(graph.notes.some((n) => /time budget/.test(n.message)));
  assert.deepEqual(graph.models.map((m) => m.name), ['a']);
});

test('deeply nested expressions and blocks do not overflow the stack', async () => {
  const nested = `${'('.repeat(300)}1${')'.repeat(300)}`;
  let blocks = '';
  for (let i = 0; i < 80; i++) blocks += `${'    '.repeat(i)}if True:\n`;
  blocks += `${'    '.repeat(80)}pass\n`;
  const { graph } = await analyze(`${HEADER}x = ${nested}\n${blocks}${MODEL_A}`);
  assert.equal(graph.models.length, 1);
});

test('a 5 MB file ends with a note instead of being evaluated', async () => {
  const big = `${HEADER}${'# padding line for a very large generated file\n'.repeat(110_000)}${MODEL_A}`;
  assert.ok(big.length > 5_000_000);
  const { graph, ms } = await analyze(big);
  assert.ok(ms < 3000, `took ${ms} ms`);
  assert.equal(graph.truncated, true);
  assert.ok(graph.notes.some((n) => /not analyzed/.test(n.message)));
});

test('garbage input yields notes, not exceptions', async () => {
  const garbage = Array.from({ length: 2000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join('');
  const { graph } = await analyze(garbage);
  assert.deepEqual(graph.models, []);
});

test('an expression nested deeper than the stack is skipped with a note; the models around it stay', async () => {
  const deep = `x = ${'('.repeat(20000)}1${')'.repeat(20000)}\n`;
  const { graph } = await analyze(`${HEADER}${MODEL_A}${deep}${MODEL_B}`);
  assert.deepEqual(graph.models.map((m) => m.name), ['a', 'b']);
  assert.ok(graph.notes.some((n) => /nested too deeply/.test(n.message) && n.line === 4), JSON.stringify(graph.notes));
});
