/**
 * EinsumDense shape analysis, a port of Keras's `_analyze_einsum_string` / `_analyze_split_string`
 * (keras/src/layers/core/einsum_dense.py). Ported literally, quirks included: the output shape is the
 * user's partial `output_shape` with the batch dim prepended (a `None` there stays `None` even when the
 * input knows it), and left-elided dims are inserted in reverse order (Keras inserts each at index 1).
 */
import type { Dim, Shape } from '../../graph/model-graph';
import type { Config } from './catalog';
import { isDefault, strArg } from './util';

export interface EinsumShapes {
  output: Shape;
  kernel: Dim[] | null;
  bias: Dim[] | null;
}

interface Split {
  input: string;
  weight: string;
  output: string;
  leftElided: boolean;
}

function splitEquation(equation: string): Split | null {
  const dotted = equation.replace(/\.\.\./g, '0');
  const plain = /^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)/.exec(dotted);
  if (plain) return { input: plain[1], weight: plain[2], output: plain[3], leftElided: false };
  const left = /^0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)/.exec(dotted);
  if (left) return { input: left[1], weight: left[2], output: left[3], leftElided: true };
  const right = /^([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0/.exec(dotted);
  if (right) return { input: right[1], weight: right[2], output: right[3], leftElided: false };
  return null;
}

/** `output_shape`: an int or a sequence whose `None`s stay unknown. */
function partialOutput(config: Config): Dim[] | null {
  const value = config.output_shape;
  if (typeof value === 'number') return [value];
  if (!Array.isArray(value)) return null;
  return value.map((d) => (typeof d === 'number' ? d : null));
}

function fullOutput(split: Split, input: Shape, partial: Dim[]): Dim[] {
  const elided = input.length - split.input.length;
  const output: Dim[] = [input[0], ...partial];
  if (elided > 0 && split.leftElided) {
    for (let i = 1; i < elided; i++) output.splice(1, 0, input[i]);
  } else if (elided > 0) {
    for (let i = input.length - elided; i < input.length; i++) output.push(input[i]);
  }
  return output;
}

function kernelShape(split: Split, input: Shape, output: Dim[]): Dim[] | null {
  const elided = input.length - split.input.length;
  const offset = split.leftElided ? elided : 0;
  const dims: Dim[] = [];
  for (const ch of split.weight) {
    const o = split.output.indexOf(ch);
    const i = split.input.indexOf(ch);
    if (o >= 0) dims.push(output[o + offset]);
    // Left-elided input dims are addressed from the end, as Keras's negative indexing does.
    else if (i >= 0) dims.push(split.leftElided ? input[input.length - split.input.length + i] : input[i]);
    else return null;
  }
  return dims;
}

function biasShape(split: Split, biasAxes: string, input: Shape, output: Dim[]): Dim[] | null {
  const elided = input.length - split.input.length;
  const offset = split.leftElided ? elided : 0;
  if ([...biasAxes].some((ch) => !split.output.includes(ch))) return null;
  const first = Math.min(...[...biasAxes].map((ch) => split.output.indexOf(ch)));
  const dims = [...split.output.slice(first)].map((ch) =>
    biasAxes.includes(ch) ? output[split.output.indexOf(ch) + offset] : 1,
  );
  if (!split.leftElided) for (let i = 0; i < elided; i++) dims.push(1);
  return dims;
}

export function parseEinsumDense(config: Config, input: Shape): EinsumShapes | null {
  const equation = strArg(config, 'equation', null);
  const split = equation === null ? null : splitEquation(equation);
  const partial = partialOutput(config);
  if (split === null || partial === null) return null;
  const output = fullOutput(split, input, partial);
  const biasAxes = isDefault(config, 'bias_axes') ? null : strArg(config, 'bias_axes', null);
  return {
    output,
    kernel: kernelShape(split, input, output),
    bias: biasAxes === null ? null : biasShape(split, biasAxes, input, output),
  };
}
