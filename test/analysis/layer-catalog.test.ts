/**
 * The layer catalog against real Keras: every case in test/fixtures/layer-cases.json was built by
 * tools/keras-truth/layer_cases.py with Keras 3.15 and records what Keras reports.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { OutputShape, Shape, WeightInfo } from '../../graph/model-graph';
import {
  countParams, kernelShapeOf, knownLayerClasses, lookupLayerClass, type CatalogWeight, type Config, type LayerSpec,
} from '../../analysis/layers/catalog';
import { snakeCase } from '../../analysis/layers/util';

interface FixtureWeight {
  name: string;
  path: string;
  shape: Shape;
  trainable: boolean;
}

interface Fixture {
  className: string;
  config: Config;
  inputs: Shape[];
  options: Config;
  outputShape: OutputShape;
  params: number;
  kernelShape: Shape | null;
  weights: FixtureWeight[];
  autoName: string;
  positional: string[];
  /** Set when Keras rejects the case; shapes and weights are then absent. */
  error?: string;
}

const cases: Fixture[] = JSON.parse(readFileSync(new URL('../fixtures/layer-cases.json', import.meta.url), 'utf8'));

function spec(name: string): LayerSpec {
  const found = lookupLayerClass(name);
  assert.ok(found, `no spec for ${name}`);
  return found;
}

function label(c: Fixture): string {
  return `${c.className}(${JSON.stringify(c.config)}) on ${JSON.stringify(c.inputs)} ${JSON.stringify(c.options)}`;
}

function weightView(weights: WeightInfo[]) {
  return (weights as CatalogWeight[]).map((w) => ({ name: w.name, path: w.path ?? w.name, shape: w.shape, trainable: w.trainable }));
}

const accepted = cases.filter((c) => c.error === undefined);
const rejected = cases.filter((c) => c.error !== undefined);

describe('layer catalog matches Keras 3 on every fixture case', () => {
  assert.ok(accepted.length >= 150, 'fixture should hold at least 150 cases');
  for (const c of accepted) {
    it(label(c), () => {
      const s = spec(c.className);
      assert.equal(s.className, c.className);
      const result = s.infer(c.config, c.inputs, c.options);
      assert.deepEqual(result.outputShape, c.outputShape, 'outputShape');
      assert.deepEqual(weightView(result.weights), c.weights, 'weights');
      assert.equal(countParams(result.weights), c.params, 'params');
      assert.deepEqual(kernelShapeOf(result.weights), c.kernelShape, 'kernelShape');
    });
  }
});

/** Some dimension past the batch dim (or the whole shape) is unknown. */
function hasUnknown(shape: OutputShape): boolean {
  if (shape === null) return true;
  const shapes = (shape.length > 0 && Array.isArray(shape[0]) ? shape : [shape]) as Shape[];
  return shapes.some((s) => s.slice(1).includes(null));
}

describe('configurations Keras rejects never get a fully known answer', () => {
  for (const c of rejected) {
    it(`${label(c)}: ${c.error}`, () => {
      const result = spec(c.className).infer(c.config, c.inputs, c.options);
      assert.ok(hasUnknown(result.outputShape) || countParams(result.weights) === null, JSON.stringify(result));
    });
  }
});

describe('positional parameter lists match the Keras __init__ signatures', () => {
  const seen = new Map<string, string[]>();
  for (const c of cases) seen.set(c.className, c.positional);
  for (const [className, positional] of seen) {
    it(className, () => assert.deepEqual(spec(className).positional, positional));
  }
  it('covers the most common classes', () => {
    for (const name of ['Dense', 'Conv1D', 'Conv2D', 'Dropout', 'Embedding', 'LSTM', 'GRU', 'SimpleRNN', 'MaxPooling2D', 'Activation', 'Reshape', 'Concatenate']) {
      assert.ok(seen.has(name), name);
    }
    assert.deepEqual(spec('Dense').positional.slice(0, 3), ['units', 'activation', 'use_bias']);
    assert.deepEqual(spec('Conv2D').positional.slice(0, 6), ['filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate']);
    assert.deepEqual(spec('Concatenate').positional, ['axis']);
  });
});

describe('auto-name prefixes', () => {
  it('Keras names an unnamed layer by the snake_case of its class', () => {
    for (const c of accepted.filter((k) => k.config.name === undefined)) assert.equal(snakeCase(c.className), c.autoName, c.className);
  });
  it('non-obvious prefixes', () => {
    assert.equal(snakeCase('ReLU'), 're_lu');
    assert.equal(snakeCase('PReLU'), 'p_re_lu');
    assert.equal(snakeCase('LeakyReLU'), 'leaky_re_lu');
    assert.equal(snakeCase('Conv2DTranspose'), 'conv2d_transpose');
    assert.equal(snakeCase('GRU'), 'gru');
    assert.equal(snakeCase('ELU'), 'elu');
    assert.equal(snakeCase('MultiHeadAttention'), 'multi_head_attention');
  });
});

describe('aliases', () => {
  const pairs: [string, string][] = [
    ['MaxPool1D', 'MaxPooling1D'], ['MaxPool2D', 'MaxPooling2D'], ['MaxPool3D', 'MaxPooling3D'],
    ['AvgPool1D', 'AveragePooling1D'], ['AvgPool2D', 'AveragePooling2D'], ['AvgPool3D', 'AveragePooling3D'],
    ['GlobalAvgPool1D', 'GlobalAveragePooling1D'], ['GlobalAvgPool2D', 'GlobalAveragePooling2D'],
    ['GlobalAvgPool3D', 'GlobalAveragePooling3D'], ['GlobalMaxPool2D', 'GlobalMaxPooling2D'],
    ['Convolution1D', 'Conv1D'], ['Convolution2D', 'Conv2D'], ['Convolution3D', 'Conv3D'],
    ['Convolution2DTranspose', 'Conv2DTranspose'], ['Convolution3DTranspose', 'Conv3DTranspose'],
    ['SeparableConvolution2D', 'SeparableConv2D'],
  ];
  for (const [alias, canonical] of pairs) {
    it(`${alias} -> ${canonical}`, () => assert.equal(lookupLayerClass(alias)?.className, canonical));
  }
  it('unknown classes are undefined', () => {
    assert.equal(lookupLayerClass('MyCustomLayer'), undefined);
    assert.equal(lookupLayerClass('dense'), undefined);
  });
  it('every fixture class is known, and every known class has a fixture case', () => {
    const fixtureClasses = new Set(cases.map((c) => c.className));
    assert.deepEqual([...fixtureClasses].filter((c) => !lookupLayerClass(c)), []);
    assert.deepEqual(knownLayerClasses().filter((c) => !fixtureClasses.has(c)), []);
  });
});

describe('unknown values propagate as null', () => {
  const unknown = (text: string) => ({ $unknown: text });
  const run = (name: string, config: Config, inputs: (Shape | null)[], options: Config = {}) => spec(name).infer(config, inputs, options);

  it('Dense with unknown units: last dim and weights unknown', () => {
    const r = run('Dense', { units: unknown('n') }, [[null, 8]]);
    assert.deepEqual(r.outputShape, [null, null]);
    assert.deepEqual(r.weights.map((w) => w.shape), [null, null]);
    assert.equal(countParams(r.weights), null);
  });
  it('Dense with unknown input: shape unknown, bias still known', () => {
    const r = run('Dense', { units: 4 }, [null]);
    assert.equal(r.outputShape, null);
    assert.deepEqual(r.weights.map((w) => w.shape), [null, [4]]);
    assert.equal(countParams(r.weights), null);
  });
  it('Dense with unknown use_bias: bias present with unknown shape', () => {
    const r = run('Dense', { units: 4, use_bias: unknown('flag') }, [[null, 3]]);
    assert.deepEqual(r.weights.map((w) => [w.name, w.shape]), [['kernel', [3, 4]], ['bias', null]]);
  });
  it('Embedding weights do not depend on the input', () => {
    const r = run('Embedding', { input_dim: 100, output_dim: 8 }, [null]);
    assert.equal(r.outputShape, null);
    assert.equal(countParams(r.weights), 800);
  });
  it('Conv2D with one unknown kernel dim: only that spatial dim is unknown', () => {
    const r = run('Conv2D', { filters: 8, kernel_size: [3, unknown('k')] }, [[null, 28, 28, 1]]);
    assert.deepEqual(r.outputShape, [null, 26, null, 8]);
    assert.equal(r.weights[0].shape, null);
    assert.deepEqual(r.weights[1].shape, [8]);
  });
  it('Conv2D with same padding does not need the kernel size for the output', () => {
    const r = run('Conv2D', { filters: 8, kernel_size: unknown('k'), padding: 'same', strides: 2 }, [[null, 28, 28, 1]]);
    assert.deepEqual(r.outputShape, [null, 14, 14, 8]);
  });
  it('Conv2D with unknown data_format: output unknown', () => {
    assert.equal(run('Conv2D', { filters: 8, kernel_size: 3, data_format: unknown('fmt') }, [[null, 28, 28, 1]]).outputShape, null);
  });
  it('MaxPooling2D with unknown strides', () => {
    assert.deepEqual(run('MaxPooling2D', { strides: unknown('s') }, [[null, 28, 28, 3]]).outputShape, [null, null, null, 3]);
  });
  it('Reshape with an unknown target element', () => {
    assert.deepEqual(run('Reshape', { target_shape: [unknown('h'), 4] }, [[null, 12]]).outputShape, [null, null, 4]);
  });
  it('LSTM with unknown return_sequences: shape unknown, weights known', () => {
    const r = run('LSTM', { units: 8, return_sequences: unknown('flag') }, [[null, 5, 3]]);
    assert.equal(r.outputShape, null);
    assert.equal(countParams(r.weights), 4 * (3 * 8 + 8 * 8 + 8));
  });
  it('LSTM on an unknown input keeps the recurrent weights known', () => {
    const r = run('LSTM', { units: 8 }, [null]);
    assert.deepEqual(r.weights.map((w) => w.shape), [null, [8, 32], [32]]);
  });
  it('Concatenate with one unknown input', () => {
    assert.equal(run('Concatenate', {}, [[null, 4], null]).outputShape, null);
  });
  it('BatchNormalization with unknown center flag', () => {
    const r = run('BatchNormalization', { center: unknown('c') }, [[null, 4]]);
    assert.deepEqual(r.weights.map((w) => [w.name, w.shape]), [['gamma', [4]], ['beta', null], ['moving_mean', [4]], ['moving_variance', [4]]]);
  });
  it('Lambda with a list of output shapes has several outputs, each with the batch dim', () => {
    const r = run('Lambda', { function: unknown('split'), output_shape: [[2], [3, 1]] }, [[7, 5]]);
    assert.deepEqual(r.outputShape, [[7, 2], [7, 3, 1]]);
  });
  it('Lambda without output_shape is unknown', () => {
    assert.equal(run('Lambda', { function: unknown('lambda x: x') }, [[null, 4]]).outputShape, null);
    assert.equal(run('Lambda', { function: unknown('f'), output_shape: unknown('g') }, [[null, 4]]).outputShape, null);
  });
  it('Bidirectional around an unknown layer: shape and params unknown', () => {
    const r = run('Bidirectional', { layer: { $class: 'MyRNN', args: {} } }, [[null, 5, 3]]);
    assert.equal(r.outputShape, null);
    assert.equal(countParams(r.weights), null);
  });
  it('TimeDistributed with an unknown input', () => {
    const r = run('TimeDistributed', { layer: { $class: 'Dense', args: { units: 4 } } }, [null]);
    assert.equal(r.outputShape, null);
    assert.deepEqual(r.weights.map((w) => w.shape), [null, [4]]);
  });
  it('MultiHeadAttention with unknown num_heads', () => {
    const r = run('MultiHeadAttention', { num_heads: unknown('h'), key_dim: 4 }, [[null, 5, 8], [null, 5, 8]]);
    assert.deepEqual(r.outputShape, [null, 5, 8]);
    assert.equal(countParams(r.weights), null);
  });
  it('trainable=false freezes a layer and its RNN cell', () => {
    assert.ok(run('GRU', { units: 2, trainable: false }, [[null, 5, 3]]).weights.every((w) => !w.trainable));
    const inner = run('Bidirectional', { layer: { $class: 'GRU', args: { units: 2, trainable: false } } }, [[null, 5, 3]]);
    assert.ok(inner.weights.every((w) => !w.trainable));
  });
  it('trainable=false on a wrapper does not reach the wrapped layer (Keras 3 behaviour)', () => {
    const r = run('Bidirectional', { layer: { $class: 'GRU', args: { units: 2 } }, trainable: false }, [[null, 5, 3]]);
    assert.ok(r.weights.every((w) => w.trainable));
  });
});

describe('kernelShapeOf', () => {
  it('is null without a top-level kernel', () => {
    assert.equal(kernelShapeOf([]), null);
    const lstm = spec('LSTM').infer({ units: 4 }, [[null, 3, 2]], {});
    assert.equal(kernelShapeOf(lstm.weights), null);
  });
});
