/**
 * Custom Keras layer classes defined in the user's file, recognised by what their code does.
 *
 * Recognised today: a Dense-equivalent (`ExposeWeightsDense` in the seed), i.e.
 *   build():  kernel = add_weight(shape=(input_shape[-1], self.units), ...), optional bias (self.units,)
 *   call():   out = matmul(inputs, self.kernel) [+ self.bias]; [if self.activation: out = self.activation(out)]; return out
 * It is built as a tfjs Dense with the same name, units, activation, initializers and use_bias.
 * Anything else fails the run before training, naming the class, the layer and the line.
 */
import type { ConfigValue, LayerNode } from '../graph/model-graph';
import { callArgs, classMethods, field, functionDef, line1, named, numberLiteral, statements, stringLiteral, type Node } from '../analysis/loss/python';
import { layerLabel, layerLine, ModelBuildError } from './keras-layers';

export interface CustomLayerPlan {
  /** The built-in class the custom layer is equivalent to. */
  className: string;
  config: Record<string, ConfigValue>;
  /** How it was recognised, for the `start` event. */
  note: string;
}

const MATMUL = /^(tf|tensorflow|keras\.ops|ops|K|keras\.backend|tf\.linalg)\.(matmul|dot)$/;

function strip(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression' && named(n)[0]) n = named(n)[0]!;
  return n;
}

/** `matmul(inputs, self.kernel)` or `inputs @ self.kernel`, with the input parameter name. */
function isMatmul(node: Node, input: string): boolean {
  const n = strip(node);
  if (n.type === 'binary_operator' && field(n, 'operator')?.text === '@') {
    return strip(field(n, 'left')!).text === input && strip(field(n, 'right')!).text === 'self.kernel';
  }
  if (n.type !== 'call') return false;
  const fn = field(n, 'function')!.text;
  if (!MATMUL.test(fn)) return false;
  const { positional } = callArgs(n);
  return positional.length === 2 && strip(positional[0]!).text === input && strip(positional[1]!).text === 'self.kernel';
}

/** `matmul(...) + self.bias` → { bias: true }; `matmul(...)` → { bias: false }. */
function affine(node: Node, input: string): { bias: boolean } | undefined {
  const n = strip(node);
  if (isMatmul(n, input)) return { bias: false };
  if (n.type === 'binary_operator' && field(n, 'operator')?.text === '+') {
    const l = field(n, 'left')!;
    const r = field(n, 'right')!;
    if (isMatmul(l, input) && strip(r).text === 'self.bias') return { bias: true };
    if (isMatmul(r, input) && strip(l).text === 'self.bias') return { bias: true };
  }
  if (n.type === 'call' && /^(tf|tensorflow)\.nn\.bias_add$/.test(field(n, 'function')!.text)) {
    const { positional } = callArgs(n);
    if (positional.length === 2 && isMatmul(positional[0]!, input) && strip(positional[1]!).text === 'self.bias') return { bias: true };
  }
  return undefined;
}

/** Checks `call()` is out = affine; [if self.activation: out = self.activation(out)]; return out. */
function recogniseCall(call: Node): { bias: boolean; activation: boolean } | string {
  const def = functionDef(call)!;
  const input = def.params[1]?.name;
  if (!input) return 'call() takes no input';
  let body = statements(def.body).filter((s) => !(s.type === 'expression_statement' && named(s)[0]?.type === 'string'));
  let variable: string | undefined;
  let result: { bias: boolean } | undefined;
  let activation = false;
  for (const s of body) {
    if (s.type === 'expression_statement' && named(s)[0]?.type === 'assignment') {
      const a = named(s)[0]!;
      const left = field(a, 'left')!.text;
      const right = field(a, 'right')!;
      if (!result) {
        result = affine(right, input);
        if (!result) return `\`${right.text}\` (line ${line1(right)}) is not matmul(${input}, self.kernel) [+ self.bias]`;
        variable = left;
        continue;
      }
      if (left === variable && strip(right).text === `self.activation(${variable})`) {
        activation = true;
        continue;
      }
      return `unexpected statement \`${s.text}\` (line ${line1(s)})`;
    }
    if (s.type === 'if_statement' && result && variable) {
      const cond = field(s, 'condition')!.text.replace(/\s+/g, ' ');
      const block = statements(field(s, 'consequence')!);
      const ok =
        /^self\.activation( is not None)?$/.test(cond) &&
        !s.childrenForFieldName('alternative').some((c) => c !== null) &&
        block.length === 1 &&
        block[0]!.text.replace(/\s+/g, '') === `${variable}=self.activation(${variable})`;
      if (!ok) return `\`if ${cond}:\` (line ${line1(s)}) is not the optional activation`;
      activation = true;
      continue;
    }
    if (s.type === 'return_statement') {
      const value = named(s)[0];
      if (!value) return 'call() returns nothing';
      if (result && variable && strip(value).text === variable) return { bias: result.bias, activation };
      if (!result) {
        const direct = affine(value, input);
        if (direct) return { bias: direct.bias, activation: false };
        const v = strip(value);
        if (v.type === 'call' && field(v, 'function')!.text === 'self.activation') {
          const inner = callArgs(v).positional[0];
          const a = inner ? affine(inner, input) : undefined;
          if (a) return { bias: a.bias, activation: true };
        }
      }
      return `call() returns \`${value.text}\` (line ${line1(value)})`;
    }
    return `unexpected statement \`${s.text.split('\n')[0]}\` (line ${line1(s)})`;
  }
  body = [];
  return 'call() has no return';
}

/** `self.add_weight(shape=..., initializer=..., name=...)` calls in build(), by weight attribute. */
function weightsOf(build: Node): Map<string, { initializer?: string; shape: string }> {
  const out = new Map<string, { initializer?: string; shape: string }>();
  for (const call of build.descendantsOfType('call')) {
    if (!call || field(call, 'function')?.text !== 'self.add_weight') continue;
    const parent = call.parent;
    const target = parent?.type === 'assignment' ? field(parent, 'left')?.text : undefined;
    const { keywords } = callArgs(call);
    const init = keywords.get('initializer');
    const entry: { initializer?: string; shape: string } = { shape: keywords.get('shape')?.text.replace(/\s+/g, '') ?? '' };
    const initName = init ? stringLiteral(init) : undefined;
    if (initName !== undefined) entry.initializer = initName;
    const attr = target?.replace(/^self\./, '') ?? (keywords.get('name') ? stringLiteral(keywords.get('name')!) : undefined);
    if (attr) out.set(attr, entry);
  }
  return out;
}

/** Constant value of a constructor argument node. */
function constant(node: Node): ConfigValue | undefined {
  const s = stringLiteral(node);
  if (s !== undefined) return s;
  if (node.type === 'none') return null;
  if (node.type === 'true') return true;
  if (node.type === 'false') return false;
  return numberLiteral(node);
}

/**
 * Plans how to build a custom layer, or throws a ModelBuildError. `classNode` is the class
 * definition, `ctorCall` the call that constructs the layer (LayerNode.range).
 */
export function planCustomLayer(layer: LayerNode, classNode: Node | undefined, ctorCall: Node | undefined): CustomLayerPlan {
  const label = layerLabel({ name: layer.name, className: layer.className, line: layerLine(layer) });
  const fail = (why: string): never => {
    throw new ModelBuildError(`${label}: custom layer class ${layer.className} has no tfjs counterpart: ${why}`, layer.name, layerLine(layer));
  };
  if (!classNode) return fail('its class definition is not in this file');
  const methods = classMethods(classNode);
  const call = methods.get('call');
  const build = methods.get('build');
  const init = methods.get('__init__');
  if (!call) return fail('it has no call() method');
  const recognised = recogniseCall(call);
  if (typeof recognised === 'string') return fail(`call() is not recognisably a Dense layer: ${recognised}`);
  const weights = build ? weightsOf(build) : new Map();
  const kernel = weights.get('kernel');
  if (!kernel) return fail('build() does not create self.kernel with add_weight');
  if (!/^\(input_shape\[-1\],self\.units\)$/.test(kernel.shape)) return fail(`self.kernel has shape ${kernel.shape}, not (input_shape[-1], self.units)`);
  const bias = weights.get('bias');
  if (recognised.bias && (!bias || !/^\(self\.units,?\)$/.test(bias.shape))) return fail('self.bias is not a (self.units,) weight');

  // Constructor arguments, mapped through __init__'s signature.
  const initDef = init ? functionDef(init) : undefined;
  const params = (initDef?.params ?? []).slice(1).filter((p) => !p.splat);
  const values = new Map<string, ConfigValue>();
  for (const p of params) if (p.default) values.set(p.name, constant(p.default) ?? null);
  if (ctorCall?.type === 'call') {
    const { positional, keywords } = callArgs(ctorCall);
    positional.forEach((arg, i) => {
      const p = params[i];
      if (!p) fail(`too many positional arguments in \`${ctorCall.text}\``);
      const v = constant(arg);
      if (v === undefined) fail(`argument ${p!.name}=\`${arg.text}\` is not a constant`);
      values.set(p!.name, v!);
    });
    for (const [k, arg] of keywords) {
      if (k === 'name' || k === 'trainable' || k === 'dtype') continue;
      const v = constant(arg);
      if (v === undefined) fail(`argument ${k}=\`${arg.text}\` is not a constant`);
      values.set(k, v!);
    }
  }
  // self.units = units / self.activation = activations.get(activation) in __init__.
  const initText = init?.text.replace(/\s+/g, '') ?? '';
  const unitsParam = /self\.units=(\w+)/.exec(initText)?.[1];
  const activationParam = /self\.activation=(?:[\w.]+\.)?(?:activations\.get)\((\w+)\)/.exec(initText)?.[1] ?? /self\.activation=(\w+)/.exec(initText)?.[1];
  const units = unitsParam ? values.get(unitsParam) : undefined;
  const outUnits = Array.isArray(layer.outputShape) ? layer.outputShape[layer.outputShape.length - 1] : undefined;
  const unitsValue = typeof units === 'number' ? units : typeof outUnits === 'number' ? outUnits : undefined;
  if (unitsValue === undefined) return fail('the number of units is not known');
  const config: Record<string, ConfigValue> = { units: unitsValue, use_bias: recognised.bias };
  if (recognised.activation) {
    const act = activationParam ? values.get(activationParam) : undefined;
    if (act !== undefined && act !== null) {
      if (typeof act !== 'string') return fail(`activation ${JSON.stringify(act)} is not an activation name`);
      config['activation'] = act;
    }
  }
  if (kernel.initializer) config['kernel_initializer'] = kernel.initializer;
  if (recognised.bias && bias?.initializer) config['bias_initializer'] = bias.initializer;
  const activation = config['activation'] ? `activation '${String(config['activation'])}'` : 'no activation';
  return {
    className: 'Dense',
    config,
    note: `${label}: custom class ${layer.className} (line ${line1(classNode)}) computes matmul(inputs, kernel)${recognised.bias ? ' + bias' : ''} then its activation; built as a tfjs Dense(${unitsValue}) with ${activation}`,
  };
}
