/**
 * Real Keras is the judge: every fixture's analysis must agree with what Keras 3 recorded.
 * Target: ≥ 98 % of layers exact on name, class, output shape and params, and no confident
 * wrong answer anywhere (an unknown is allowed; a wrong value is not).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeSource } from '../../analysis/analyze';
import { summaryJson } from '../../graph/summary';
import { compareFile, type ExpectedFile, type Tally } from './keras-agreement';

const dir = join(__dirname, '..', 'fixtures', 'keras');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.py') && readdirSync(dir).includes(f.replace(/\.py$/, '.expected.json')));
const totals: Tally = { layers: 0, exactLayers: 0, opaqueLayers: 0, wrong: [], unknown: [] };

test('the corpus has at least 30 fixtures judged by real Keras', () => {
  assert.ok(fixtures.length >= 30, `only ${fixtures.length} fixtures`);
});

for (const file of fixtures) {
  test(`agrees with Keras: ${file}`, async () => {
    const source = readFileSync(join(dir, file), 'utf8');
    const expected = JSON.parse(readFileSync(join(dir, file.replace(/\.py$/, '.expected.json')), 'utf8')) as ExpectedFile;
    const { graph } = await analyzeSource(source, { file });
    const tally = compareFile(expected, summaryJson(graph));
    totals.layers += tally.layers;
    totals.exactLayers += tally.exactLayers;
    totals.opaqueLayers += tally.opaqueLayers;
    totals.wrong.push(...tally.wrong.map((w) => `${file}: ${w}`));
    totals.unknown.push(...tally.unknown.map((u) => `${file}: ${u}`));
    assert.deepEqual(tally.wrong, [], `confident answers that disagree with Keras in ${file}`);
  });
}

/** The target of the analyzer issue; what is not exact must be an honest unknown (listed on failure). */
const AGREEMENT_FLOOR = 0.98;

test(`layers exact on name, class, output shape and params: at least ${AGREEMENT_FLOOR * 100} %`, (t) => {
  const rate = totals.exactLayers / Math.max(1, totals.layers);
  assert.ok(totals.layers > 0, 'no layers compared');
  t.diagnostic(`agreement with Keras: ${(rate * 100).toFixed(1)} % (${totals.exactLayers}/${totals.layers} layers exact; ${totals.opaqueLayers} layers inside keras.applications architectures not listed)`);
  assert.ok(rate >= AGREEMENT_FLOOR, `${(rate * 100).toFixed(1)} % exact (${totals.exactLayers}/${totals.layers}); unknown:\n${totals.unknown.join('\n')}`);
});
