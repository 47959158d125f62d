/**
 * Wrappers: Bidirectional and TimeDistributed infer through the wrapped layer's own spec.
 * `config.layer` (and Bidirectional's `backward_layer`) arrive as `{ $class, args }`.
 *
 * Naming (for weight paths): Bidirectional re-creates the wrapped layer as `forward_<name>` and
 * `backward_<name>` (Keras strips an existing forward_/backward_ prefix first); an explicit
 * `backward_layer` keeps its own name. TimeDistributed keeps the wrapped layer under its own name.
 */
import type { OutputShape, Shape } from '../../graph/model-graph';
import type { Config, LayerInference, LayerSpec } from './catalog';
import { mul, nested, objectArg, snakeCase, weight, type CatalogWeight } from './util';

type Lookup = (name: string) => LayerSpec | undefined;

interface Inner {
  spec: LayerSpec;
  args: Config;
  name: string;
}

/** The inner layer's name: its explicit `name`, else the auto-name base (counter suffix unknown here). */
function innerLayer(config: Config, key: string, lookup: Lookup): Inner | null {
  const value = objectArg(config, key);
  const spec = value ? lookup(value.$class) : undefined;
  if (!value || !spec) return null;
  const name = typeof value.args.name === 'string' ? value.args.name : snakeCase(spec.className);
  return { spec, args: value.args, name };
}

/** An unknown wrapped layer: shape unknown, and a null-shaped weight so the parameter count is unknown. */
const UNKNOWN: LayerInference = { outputShape: null, weights: [weight('unknown', null)] };

const stripPrefix = (name: string, prefix: string) => (name.startsWith(prefix) ? name.slice(prefix.length) : name);

/** Bidirectional.compute_output_shape: built from the forward layer's shapes only. */
function mergeOutputs(forward: OutputShape, returnState: boolean, mode: string | null): OutputShape {
  if (forward === null) return null;
  const [output, ...states] = (returnState ? forward : [forward]) as Shape[];
  if (!Array.isArray(output)) return null;
  const merged = mode === 'concat' ? [[...output.slice(0, -1), mul(output[output.length - 1], 2)]] : mode === null ? [output, output] : [output];
  const all = [...merged, ...states, ...states];
  return all.length === 1 ? all[0] : all;
}

function bidirectional(lookup: Lookup): LayerSpec {
  return {
    className: 'Bidirectional',
    positional: ['layer', 'merge_mode', 'weights', 'backward_layer'],
    callTensors: ['sequences'],
    infer(config, inputs) {
      const inner = innerLayer(config, 'layer', lookup);
      const mode = config.merge_mode === undefined ? 'concat' : config.merge_mode;
      if (!inner || (mode !== null && typeof mode !== 'string')) return UNKNOWN;
      const returnState = inner.args.return_state === true;
      const forward = inner.spec.infer(inner.args, inputs, {});
      const explicitBackward = config.backward_layer !== undefined && config.backward_layer !== null;
      const backward = explicitBackward ? innerLayer(config, 'backward_layer', lookup) : inner;
      const backwardWeights: CatalogWeight[] = !backward
        ? UNKNOWN.weights
        : nested(explicitBackward ? backward.name : `backward_${stripPrefix(inner.name, 'backward_')}`,
          backward.spec.infer(backward.args, inputs, {}).weights);
      // The wrapper owns no variables, and its trainable=False does not reach the wrapped layers.
      const weights = [...nested(`forward_${stripPrefix(inner.name, 'forward_')}`, forward.weights), ...backwardWeights];
      return { outputShape: mergeOutputs(forward.outputShape, returnState, mode as string | null), weights };
    },
  };
}

function timeDistributed(lookup: Lookup): LayerSpec {
  return {
    className: 'TimeDistributed',
    positional: ['layer'],
    callTensors: ['inputs'],
    infer(config, [x]) {
      const inner = innerLayer(config, 'layer', lookup);
      if (!inner) return UNKNOWN;
      // The wrapped layer sees one time step: the batch dim followed by the dims after time.
      const step = x && x.length >= 3 ? [x[0], ...x.slice(2)] : null;
      const result = inner.spec.infer(inner.args, [step], {});
      const out = result.outputShape;
      const single = out !== null && out.every((d) => !Array.isArray(d)) ? (out as Shape) : null;
      const outputShape = x && single ? [single[0], x[1], ...single.slice(1)] : null;
      return { outputShape, weights: nested(inner.name, result.weights) };
    },
  };
}

export function wrapperSpecs(lookup: Lookup): LayerSpec[] {
  return [bidirectional(lookup), timeDistributed(lookup)];
}
