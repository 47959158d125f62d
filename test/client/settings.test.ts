// Settings: validated reads per resource, and package.json contributing every one of them.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../protocol/protocol';
import { CONFIGURATION, DEFAULT_TRAINING, readTrainingSettings, RESTRICTED_SETTINGS, TRAINING_KEYS, type ConfigReader } from '../../client/src/settings';
import { ROOT } from './helpers';

const reader = (values: Record<string, unknown>): ConfigReader => ({ get: <T>(key: string) => values[key] as T | undefined });

describe('readTrainingSettings', () => {
  it('gives the defaults when nothing is set', () => {
    assert.deepEqual(readTrainingSettings(reader({})), DEFAULT_TRAINING);
  });
  it('reads each setting by its key', () => {
    const s = readTrainingSettings(
      reader({
        [TRAINING_KEYS.epochs]: 3,
        [TRAINING_KEYS.batchSize]: 16,
        [TRAINING_KEYS.data]: '  mnist ',
        [TRAINING_KEYS.histogramBins]: 40,
        [TRAINING_KEYS.tapInterval]: 0,
        [TRAINING_KEYS.backend]: 'wasm',
        [TRAINING_KEYS.nodePath]: '/usr/bin/node',
      }),
    );
    assert.deepEqual(s, { epochs: 3, batchSize: 16, data: 'mnist', histogramBins: 40, tapInterval: 0, backend: 'wasm', nodePath: '/usr/bin/node' });
  });
  it('falls back on wrong types and clamps numbers to their range', () => {
    const s = readTrainingSettings(
      reader({ [TRAINING_KEYS.epochs]: '5', [TRAINING_KEYS.batchSize]: -3, [TRAINING_KEYS.histogramBins]: 1e9, [TRAINING_KEYS.tapInterval]: 2.6, [TRAINING_KEYS.backend]: 'gpu', [TRAINING_KEYS.data]: 7 }),
    );
    assert.equal(s.epochs, DEFAULT_TRAINING.epochs);
    assert.equal(s.batchSize, 0);
    assert.equal(s.histogramBins, 512);
    assert.equal(s.tapInterval, 3);
    assert.equal(s.backend, 'auto');
    assert.equal(s.data, '');
  });
});

describe('contributed configuration', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { configuration: typeof CONFIGURATION } };
  it('package.json contributes exactly client/src/settings.ts CONFIGURATION', () => {
    assert.deepEqual(pkg.contributes.configuration, JSON.parse(JSON.stringify(CONFIGURATION)), 'run: node --import tsx client/update-package-json.ts');
  });
  it("includes every setting the language server reads, with protocol's defaults", () => {
    for (const [group, fields] of Object.entries(DEFAULT_SETTINGS)) {
      for (const [key, value] of Object.entries(fields as Record<string, unknown>)) {
        const prop = CONFIGURATION.properties[`modelLens.${group}.${key}`];
        assert.ok(prop, `modelLens.${group}.${key} is contributed`);
        assert.equal(prop.default, value);
      }
    }
  });
  it('includes every training setting with a type, a default matching DEFAULT_TRAINING and a description', () => {
    for (const [field, key] of Object.entries(TRAINING_KEYS)) {
      const prop = CONFIGURATION.properties[`modelLens.${key}`];
      assert.ok(prop, key);
      assert.equal(prop.default, DEFAULT_TRAINING[field as keyof typeof DEFAULT_TRAINING]);
      assert.ok(prop.description || prop.markdownDescription, `${key} has a description`);
      assert.ok(prop.type, `${key} has a type`);
    }
    for (const p of Object.values(CONFIGURATION.properties)) {
      if (p.type === 'integer') assert.ok(Number.isInteger(p.default) && p.minimum !== undefined && (p.default as number) >= p.minimum);
    }
  });
  it('restricts only settings that exist', () => {
    for (const key of RESTRICTED_SETTINGS) assert.ok(CONFIGURATION.properties[key], key);
  });
});
