/**
 * Shared helpers for the layer catalog: reading resolved constructor config with Keras defaults,
 * null-propagating dimension arithmetic, and building weight lists in Keras's `layer.weights` order.
 *
 * Fidelity rule (see graph/model-graph.ts): anything that cannot be determined is `null`, never a guess.
 * Readers therefore return `null` for `{ $unknown }` values and for values of the wrong type.
 */
import type { ConfigValue, Dim, Shape, WeightInfo } from '../../graph/model-graph';
import type { Config, LayerSpec } from './catalog';

/** A weight as the catalog builds it: `path` is set for weights owned by a sublayer (see catalog.ts). */
export type CatalogWeight = WeightInfo & { path?: string };

// ---------------------------------------------------------------- config readers

export function isUnknown(value: ConfigValue | undefined): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && '$unknown' in value;
}

/** True when the key is absent or Python `None`: Keras then applies its default. */
export function isDefault(config: Config, key: string): boolean {
  return config[key] === undefined || config[key] === null;
}

function asInt(value: ConfigValue | undefined): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** An integer argument; `def` when absent or None, null when unknown or not an integer. */
export function intArg(config: Config, key: string, def: number | null): number | null {
  return isDefault(config, key) ? def : asInt(config[key]);
}

export function numArg(config: Config, key: string, def: number | null): number | null {
  if (isDefault(config, key)) return def;
  const value = config[key];
  return typeof value === 'number' ? value : null;
}

export function strArg(config: Config, key: string, def: string | null): string | null {
  if (isDefault(config, key)) return def;
  const value = config[key];
  return typeof value === 'string' ? value : null;
}

export function boolArg(config: Config, key: string, def: boolean): boolean | null {
  if (isDefault(config, key)) return def;
  const value = config[key];
  return typeof value === 'boolean' ? value : null;
}

/**
 * Keras's `standardize_tuple`: an int is repeated `n` times, a sequence must have length `n`.
 * Unknown elements become null; an unknown or malformed whole value gives null.
 */
export function toTuple(value: ConfigValue | undefined, n: number): Dim[] | null {
  if (typeof value === 'number') return Number.isInteger(value) ? Array(n).fill(value) : null;
  if (!Array.isArray(value) || value.length !== n) return null;
  return value.map(asInt);
}

export function tupleArg(config: Config, key: string, n: number, def: number | Dim[] | null): Dim[] | null {
  if (isDefault(config, key)) return def === null ? null : toTuple(def, n);
  return toTuple(config[key], n);
}

/** An int or a list of ints (axes arguments). */
export function intListArg(config: Config, key: string, def: number[] | number | null): number[] | null {
  const value = isDefault(config, key) ? def : config[key];
  if (value === null || value === undefined) return null;
  const list = Array.isArray(value) ? value : [value];
  return list.every((v) => typeof v === 'number' && Number.isInteger(v)) ? (list as number[]) : null;
}

/** `data_format`: Keras defaults to the `image_data_format` setting, channels_last out of the box. */
export function channelsLast(config: Config): boolean | null {
  const format = strArg(config, 'data_format', 'channels_last');
  if (format === null) return null;
  const lower = format.toLowerCase();
  return lower === 'channels_last' ? true : lower === 'channels_first' ? false : null;
}

/** `padding` strings are case-insensitive in Keras (`standardize_padding` lowercases them). */
export function paddingArg(config: Config, def = 'valid'): string | null {
  const padding = strArg(config, 'padding', def);
  return padding === null ? null : padding.toLowerCase();
}

/** A nested `{ $class, args }` value (wrapped layers), or null. */
export function objectArg(config: Config, key: string): { $class: string; args: Config } | null {
  const value = config[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  if (!('$class' in value) || typeof value.$class !== 'string') return null;
  const args = (value as { args?: ConfigValue }).args;
  const plainArgs = typeof args === 'object' && args !== null && !Array.isArray(args) ? (args as Config) : {};
  return { $class: value.$class, args: plainArgs };
}

// ---------------------------------------------------------------- dimension arithmetic

export function mul(...xs: Dim[]): Dim {
  return xs.some((x) => x === null) ? null : (xs as number[]).reduce((a, b) => a * b, 1);
}

export function add(...xs: Dim[]): Dim {
  return xs.some((x) => x === null) ? null : (xs as number[]).reduce((a, b) => a + b, 0);
}

/** Python-style index into a shape (negative counts from the end); null when out of range. */
export function axisIndex(axis: number, rank: number): number | null {
  const index = axis < 0 ? axis + rank : axis;
  return index >= 0 && index < rank ? index : null;
}

export function dimAt(shape: Shape, axis: number): Dim {
  const index = axisIndex(axis, shape.length);
  return index === null ? null : shape[index];
}

/** Spatial dims and channel dim of an input, given the data format. */
export function splitChannels(shape: Shape, last: boolean): { spatial: Dim[]; channels: Dim } {
  return last
    ? { spatial: shape.slice(1, -1), channels: shape[shape.length - 1] }
    : { spatial: shape.slice(2), channels: shape[1] };
}

export function joinChannels(batch: Dim, spatial: Dim[], channels: Dim, last: boolean): Shape {
  return last ? [batch, ...spatial, channels] : [batch, channels, ...spatial];
}

// ---------------------------------------------------------------- weights

/** A weight whose shape becomes null as soon as any dimension is unknown. */
export function weight(name: string, dims: Dim[] | null, trainable = true): CatalogWeight {
  const known = dims !== null && dims.every((d) => d !== null);
  return { name, shape: known ? (dims as Shape) : null, trainable };
}

/**
 * Keras's `layer.weights` lists the layer's own trainable variables, then its own non-trainable ones
 * (each in creation order), then sublayers' weights. The constructor kwarg `trainable=False` keeps that
 * order but marks the layer's OWN variables non-trainable (Layer._track_variable). It does not reach
 * sublayers that are built separately (MultiHeadAttention's projections, a wrapper's inner layer):
 * Keras 3 leaves those variables trainable and counts them as trainable in `model.trainable_weights`.
 * (Assigning `layer.trainable = False` later does propagate; that is the evaluator's business.)
 */
export function ownWeights(config: Config, created: CatalogWeight[], sublayers: CatalogWeight[] = []): CatalogWeight[] {
  // Trainable ones first, then the rest, then the sublayers': one array of the final size.
  const frozen = config.trainable === false;
  const out = new Array<CatalogWeight>(created.length + sublayers.length);
  let i = 0;
  for (const w of created) if (w.trainable) out[i++] = frozen ? { ...w, trainable: false } : w;
  for (const w of created) if (!w.trainable) out[i++] = frozen ? { ...w, trainable: false } : w;
  for (const w of sublayers) out[i++] = w;
  return out;
}

/** A weight that exists only when `flag` is true (use_bias, center, ...); null-shaped when the flag is unknown. */
export function optionalWeight(flag: boolean | null, name: string, dims: Dim[] | null, trainable = true): CatalogWeight[] {
  if (flag === false) return [];
  return [weight(name, flag === null ? null : dims, trainable)];
}

/** A layer whose output has its input's shape and which owns no weights. */
export function passThrough(className: string, positional: string[], callTensors = ['inputs']): LayerSpec {
  return {
    className,
    positional,
    callTensors,
    infer: (_config, inputs) => ({ outputShape: inputs[0] ? [...inputs[0]] : null, weights: [] }),
  };
}

/**
 * LoRA (`lora_rank=r`): `enable_lora` appends two trainable factors after the layer's weights and then
 * freezes the base weight in place, so the base keeps its position but becomes non-trainable.
 */
export function loraFactors(config: Config, prefix: string, shapes: [Dim[] | null, Dim[] | null]): CatalogWeight[] {
  if (isDefault(config, 'lora_rank') || config.lora_rank === 0) return [];
  const known = intArg(config, 'lora_rank', null) !== null;
  return [weight(`${prefix}_a`, known ? shapes[0] : null), weight(`${prefix}_b`, known ? shapes[1] : null)];
}

export function freeze(weights: CatalogWeight[], name: string, when: boolean): CatalogWeight[] {
  return when ? weights.map((w) => (w.name === name && w.path === undefined ? { ...w, trainable: false } : w)) : weights;
}

/** Weights of a sublayer named `owner`, re-rooted under it as Keras's variable paths are. */
export function nested(owner: string, weights: CatalogWeight[]): CatalogWeight[] {
  return weights.map((w) => ({ ...w, path: `${owner}/${w.path ?? w.name}` }));
}

/** Keras's auto-name base for a class (`to_snake_case`): ReLU -> re_lu, Conv2DTranspose -> conv2d_transpose. */
export function snakeCase(className: string): string {
  const s = className.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2');
  return s.toLowerCase();
}
