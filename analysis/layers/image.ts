/**
 * Image preprocessing / augmentation layers that commonly sit at the start of a model.
 * Resizing, CenterCrop and RandomCrop set height and width; the random augmentations keep the shape
 * (BaseImagePreprocessingLayer.compute_output_shape). None of them owns weights (their seed
 * generators are variables, but not `layer.weights`).
 */
import type { Shape } from '../../graph/model-graph';
import type { LayerSpec } from './catalog';
import { channelsLast, intArg, passThrough } from './util';

/** Height/width axes for a batched (rank 4) or unbatched (rank 3) image, as Keras indexes them. */
function imageAxes(rank: number, last: boolean): [number, number] | null {
  if (rank !== 3 && rank !== 4) return null;
  const offset = rank === 4 ? 1 : 0;
  return last ? [offset, offset + 1] : [offset + 1, offset + 2];
}

function resizeTo(className: string, positional: string[]): LayerSpec {
  return {
    className,
    positional,
    callTensors: ['data'],
    infer(config, [x]) {
      const last = channelsLast(config);
      const axes = x && last !== null ? imageAxes(x.length, last) : null;
      if (!x || !axes) return { outputShape: null, weights: [] };
      const out: Shape = [...x];
      out[axes[0]] = intArg(config, 'height', null);
      out[axes[1]] = intArg(config, 'width', null);
      return { outputShape: out, weights: [] };
    },
  };
}

const keepShape = (className: string, positional: string[]) => passThrough(className, positional, ['data']);

export const IMAGE_SPECS: LayerSpec[] = [
  resizeTo('Resizing', [
    'height', 'width', 'interpolation', 'crop_to_aspect_ratio', 'pad_to_aspect_ratio', 'fill_mode', 'fill_value',
    'antialias', 'data_format',
  ]),
  resizeTo('CenterCrop', ['height', 'width', 'data_format']),
  resizeTo('RandomCrop', ['height', 'width', 'seed', 'data_format', 'name']),
  keepShape('RandomFlip', ['mode', 'seed', 'data_format']),
  keepShape('RandomRotation', ['factor', 'fill_mode', 'interpolation', 'seed', 'fill_value', 'data_format']),
  keepShape('RandomZoom', ['height_factor', 'width_factor', 'fill_mode', 'interpolation', 'seed', 'fill_value', 'data_format']),
  keepShape('RandomTranslation', ['height_factor', 'width_factor', 'fill_mode', 'interpolation', 'seed', 'fill_value', 'data_format']),
  keepShape('RandomContrast', ['factor', 'value_range', 'seed']),
  keepShape('RandomBrightness', ['factor', 'value_range', 'seed']),
];
