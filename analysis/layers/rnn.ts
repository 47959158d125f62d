/**
 * Recurrent layers: SimpleRNN, LSTM, GRU and ConvLSTM1D/2D/3D. In Keras 3 the weights belong to the
 * cell sublayer (`lstm_cell/kernel`, ...), so the RNN layer itself has no `kernel` attribute.
 * Output structure follows RNN.compute_output_shape: the output, then one shape per state when
 * return_state=True (LSTM: h and c; GRU/SimpleRNN: h).
 */
import type { Dim, OutputShape, Shape } from '../../graph/model-graph';
import type { Config, LayerSpec } from './catalog';
import { convGeometry, convOutput } from './conv';
import { boolArg, channelsLast, intArg, mul, nested, optionalWeight, ownWeights, weight } from './util';

const RNN_TAIL = ['dropout', 'recurrent_dropout'];
const RNN_FLAGS = ['return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll'];

/** Assembles [output, ...states] from the per-step state shape (without batch). */
export function rnnOutputs(config: Config, x: Shape | null, step: Dim[] | null, states: number): OutputShape {
  const sequences = boolArg(config, 'return_sequences', false);
  const returnState = boolArg(config, 'return_state', false);
  if (!x || !step || sequences === null || returnState === null) return null;
  const output = sequences ? [x[0], x[1], ...step] : [x[0], ...step];
  if (!returnState) return output;
  return [output, ...Array.from({ length: states }, () => [x[0], ...step])];
}

function recurrent(className: string, cell: string, gates: number, states: number, positional: string[]): LayerSpec {
  return {
    className,
    positional,
    callTensors: ['sequences'],
    infer(config, [x]) {
      const units = intArg(config, 'units', null);
      const inDim = x ? x[x.length - 1] : null;
      // GRU's default reset_after=True keeps separate input and recurrent biases: shape (2, 3*units).
      const resetAfter = className === 'GRU' ? boolArg(config, 'reset_after', true) : false;
      const width = mul(units, gates);
      const weights = [
        weight('kernel', [inDim, width]),
        weight('recurrent_kernel', [units, width]),
        ...optionalWeight(boolArg(config, 'use_bias', true), 'bias', resetAfter === null ? null : resetAfter ? [2, width] : [width]),
      ];
      // The cell is constructed with the layer's `trainable` kwarg, so it freezes with the layer.
      return { outputShape: rnnOutputs(config, x ?? null, [units], states), weights: nested(cell, ownWeights(config, weights)) };
    },
  };
}

const INIT = ['kernel_initializer', 'recurrent_initializer', 'bias_initializer'];
const REG = ['kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer', 'activity_regularizer'];
const CONSTRAINT = ['kernel_constraint', 'recurrent_constraint', 'bias_constraint'];

function convLstm(rank: number): LayerSpec {
  return {
    className: `ConvLSTM${rank}D`,
    positional: [
      'filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'activation',
      'recurrent_activation', 'use_bias', ...INIT, 'unit_forget_bias', ...REG, ...CONSTRAINT, ...RNN_TAIL, 'seed',
      'return_sequences', 'return_state', 'go_backwards', 'stateful',
    ],
    callTensors: ['sequences'],
    infer(config, [x]) {
      const filters = intArg(config, 'filters', null);
      const g = convGeometry(config, rank);
      // Each time step is a conv input: the batch dim followed by the per-step dims.
      const step = x && x.length === rank + 3 ? [x[0], ...x.slice(2)] : null;
      const last = channelsLast(config);
      const inDim = step && last !== null ? (last ? step[step.length - 1] : step[1]) : null;
      const kernel = g.kernel ?? Array(rank).fill(null);
      const weights = [
        weight('kernel', [...kernel, inDim, mul(filters, 4)]),
        weight('recurrent_kernel', [...kernel, filters, mul(filters, 4)]),
        ...optionalWeight(boolArg(config, 'use_bias', true), 'bias', [mul(filters, 4)]),
      ];
      const stepOut = convOutput(step, g, rank, filters);
      const outputShape = rnnOutputs(config, x ?? null, stepOut ? stepOut.slice(1) : null, 2);
      return { outputShape, weights: nested('conv_lstm_cell', ownWeights(config, weights)) };
    },
  };
}

export const RNN_SPECS: LayerSpec[] = [
  recurrent('SimpleRNN', 'simple_rnn_cell', 1, 1, [
    'units', 'activation', 'use_bias', ...INIT, ...REG, ...CONSTRAINT, ...RNN_TAIL, ...RNN_FLAGS, 'seed',
  ]),
  recurrent('LSTM', 'lstm_cell', 4, 2, [
    'units', 'activation', 'recurrent_activation', 'use_bias', ...INIT, 'unit_forget_bias', ...REG, ...CONSTRAINT,
    ...RNN_TAIL, 'seed', ...RNN_FLAGS, 'use_cudnn',
  ]),
  recurrent('GRU', 'gru_cell', 3, 1, [
    'units', 'activation', 'recurrent_activation', 'use_bias', ...INIT, ...REG, ...CONSTRAINT, ...RNN_TAIL, 'seed',
    ...RNN_FLAGS, 'reset_after', 'use_cudnn',
  ]),
  convLstm(1),
  convLstm(2),
  convLstm(3),
];
