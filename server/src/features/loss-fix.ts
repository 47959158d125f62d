/**
 * The seed's central mistake: a loss with a third required argument passed to compile(). Keras
 * calls `loss(y_true, y_pred)` only, so the third never arrives. When the extra term is a plain
 * L1/L2 penalty on a tapped layer's activations or kernel, the quick fix moves it where Keras
 * applies it (activity_regularizer= / kernel_regularizer=, or regularizer= on a custom layer's
 * add_weight), restores a standard loss, and removes the extra model output and fit target.
 * Otherwise it offers a layer template that adds the term with add_loss inside call().
 */
import type { Diagnostic, Range, TextEdit } from 'vscode-languageserver';
import type { CompileInfo, FitInfo, LayerNode, LossSpec, ModelNode } from '../../../graph/model-graph';
import type { Fix } from '../snapshot';
import { argument, callParts, children, nodeAtRange, rangeOfNode, sequenceElements, stringLiteral, unwrapParens, type Node } from '../tree';
import { appendArgument, CheckContext, Codes, diagnostic, DiagnosticSeverity } from './diagnostic-kit';
import { recognizeLoss, requiredParameters, type LossParts, type Penalty } from './loss-penalty';

export function lossArityDiagnostics(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const model of ctx.graph.models) {
    const specs = functionLosses(model.compile?.loss ?? null);
    if (!model.compile || specs.length === 0) continue;
    const compile = ctx.callAt(model.compile.range, 'compile');
    if (!compile) continue;
    for (const spec of specs) {
      const def = nodeAtRange(ctx.root, spec.range, ['function_definition']);
      if (!def || def.childForFieldName('name')?.text !== spec.name) continue;
      const required = requiredParameters(def);
      if (required.length <= 2) continue;
      const at = lossArgumentNode(compile, spec.name);
      if (at) out.push(arityDiagnostic(ctx, model, spec.name, def, required, at));
    }
  }
  return out;
}

function arityDiagnostic(ctx: CheckContext, model: ModelNode, name: string, def: Node, required: string[], at: Node): Diagnostic {
  const missing = required.slice(2).map((p) => `'${p}'`).join(', ');
  const parts = recognizeLoss(def, ctx.functions);
  const rewrite = parts ? regularizerRewrite(ctx, model, parts) : undefined;
  const lines = [
    `Keras calls a loss as loss(y_true, y_pred), but ${name} requires ${required.length} arguments: ${missing} never arrives (fit raises TypeError).`,
    rewrite
      ? `The extra term is ${rewrite.description}; Keras applies that with ${rewrite.argument} on layer '${rewrite.layer.name}'.`
      : "To add a term that depends on a layer's activations or weights, call self.add_loss(...) inside a layer's call(), use a layer regularizer, or write a custom train_step.",
  ];
  const fixes: Fix[] = rewrite ? [rewrite.fix] : [];
  fixes.push(addLossTemplateFix(ctx, def));
  return diagnostic(rangeOfNode(at), Codes.lossExtraArguments, DiagnosticSeverity.Error, lines.join('\n'), {
    fixes,
    related: [{ location: { uri: ctx.uri, range: rangeOfNode(def.childForFieldName('name') ?? def) }, message: `${name} is defined here` }],
  });
}

function functionLosses(loss: CompileInfo['loss']): Extract<LossSpec, { kind: 'function' }>[] {
  if (!loss) return [];
  const all: LossSpec[] = Array.isArray(loss) ? loss : 'kind' in loss ? [loss as LossSpec] : Object.values(loss);
  return all.filter((s): s is Extract<LossSpec, { kind: 'function' }> => s.kind === 'function');
}

/** The `loss=` argument (or the dict/list entry) that names the function. */
function lossArgumentNode(compile: NonNullable<ReturnType<typeof callParts>>, name: string): Node | undefined {
  const value = argument(compile, 'loss', 1);
  if (!value) return undefined;
  if (value.type === 'identifier') return value.text === name ? value : undefined;
  const entries = value.type === 'dictionary' ? children(value).map((p) => p.childForFieldName('value')) : sequenceElements(value);
  return entries.find((e) => e?.type === 'identifier' && e.text === name) ?? undefined;
}

// ───────────── the regulariser rewrite ─────────────

interface Rewrite {
  layer: LayerNode;
  argument: string; // `activity_regularizer=keras.regularizers.L1(0.1 / 32)`
  description: string; // "an L1 penalty on the activations of 'dense_intermediate'"
  fix: Fix;
}

/** The layer whose output (or kernel) the model exposes as its extra output: `outputs=[out, tapped]`. */
interface Tap {
  kind: 'activity' | 'kernel';
  layer: LayerNode;
  outputs: Node; // the outputs= argument
  kept: Node; // the real output, which stays
}

export function regularizerRewrite(ctx: CheckContext, model: ModelNode, loss: LossParts): Rewrite | undefined {
  if (!loss.standardLoss || model.file || !model.compile) return undefined;
  const tap = tapOf(ctx, model);
  if (!tap || tap.layer.file) return undefined;
  const keras = ctx.kerasModule();
  const strength = strengthOf(loss.penalty, tap, model);
  if (!strength) return undefined;
  const regularizer = `${keras.prefix}.regularizers.${loss.penalty.norm}(${strength})`;
  const placement = tap.kind === 'activity' ? activityPlacement(ctx, tap.layer, regularizer) : kernelPlacement(ctx, tap.layer, regularizer);
  if (!placement) return undefined;
  const edits: TextEdit[] = [placement.edit];
  const compile = ctx.callAt(model.compile.range, 'compile');
  const lossValue = compile ? argument(compile, 'loss', 1) : undefined;
  if (!lossValue || lossValue.type !== 'identifier') return undefined; // dict/list losses: left to the user
  edits.push({ range: rangeOfNode(lossValue), newText: loss.standardLoss });
  edits.push({ range: rangeOfNode(tap.outputs), newText: tap.kept.text });
  for (const fit of model.fit ?? []) {
    const edit = singleTargetEdit(ctx, fit);
    if (edit === null) return undefined;
    if (edit) edits.push(edit);
  }
  if (keras.importEdit) edits.push(keras.importEdit);
  const what = tap.kind === 'activity' ? 'activation' : 'kernel';
  return {
    layer: tap.layer,
    argument: placement.argument,
    description: `an ${loss.penalty.norm} penalty on the ${tap.kind === 'activity' ? 'activations' : 'kernel'} of layer '${tap.layer.name}'`,
    fix: {
      title: `Move the ${loss.penalty.norm} ${what} penalty to layer '${tap.layer.name}' (${placement.argument}) and use loss=${loss.standardLoss}`,
      isPreferred: true,
      edit: { changes: { [ctx.uri]: sortEdits(edits) } },
    },
  };
}

function tapOf(ctx: CheckContext, model: ModelNode): Tap | undefined {
  const call = ctx.callAt(model.range, '*');
  const outputs = call ? argument(call, 'outputs', 1) : undefined;
  if (!outputs) return undefined;
  const list = unwrapParens(outputs);
  if (list.type !== 'list' && list.type !== 'tuple') return undefined;
  const elements = sequenceElements(list);
  if (elements.length !== 2) return undefined;
  const [kept, extra] = elements;
  const weight = weightReceiver(extra);
  const layer = layerOfExpression(ctx, weight ?? extra);
  if (!layer) return undefined;
  return { kind: weight ? 'kernel' : 'activity', layer, outputs, kept };
}

/** For `x.kernel`, `x.get_weights()`, `x.weights[0]`: the `x`. */
export function weightReceiver(node: Node): Node | undefined {
  const n = unwrapParens(node);
  if (n.type === 'subscript') return weightReceiver(n.childForFieldName('value')!);
  if (n.type === 'attribute' && WEIGHT_ATTRIBUTES.has(n.childForFieldName('attribute')?.text ?? '')) return n.childForFieldName('object') ?? undefined;
  if (n.type === 'call') {
    const parts = callParts(n);
    if (parts?.name === 'get_weights' && parts.receiver) return parts.receiver;
  }
  return undefined;
}

export const WEIGHT_ATTRIBUTES = new Set([
  'kernel', 'bias', 'weights', 'trainable_weights', 'trainable_variables', 'non_trainable_weights', 'variables',
  'embeddings', 'gamma', 'beta', 'moving_mean', 'moving_variance', 'recurrent_kernel', 'depthwise_kernel', 'pointwise_kernel',
]);

/** The layer an expression stands for: a variable bound to a layer or tensor, `x.output`, `m.get_layer("n")`. */
export function layerOfExpression(ctx: CheckContext, node: Node): LayerNode | undefined {
  const n = unwrapParens(node);
  if (n.type === 'identifier') {
    const binding = ctx.lookup.bindingAt(n.text, rangeOfNode(n).start);
    if (binding?.kind === 'layer_variable' || binding?.kind === 'tensor_variable') return ctx.lookup.layer(binding.layerId)[0]?.layer;
    return undefined;
  }
  if (n.type === 'attribute' && n.childForFieldName('attribute')?.text === 'output') return layerOfExpression(ctx, n.childForFieldName('object')!);
  if (n.type === 'call') {
    const parts = callParts(n);
    const literal = parts?.name === 'get_layer' ? stringLiteral(argument(parts, 'name', 0)) : undefined;
    const indexed = literal && ctx.index.strings.find((s) => s.range.start.line === literal.range.start.line && s.range.start.character === literal.range.start.character);
    return indexed?.layerIds.length ? ctx.lookup.layer(indexed.layerIds[0])[0]?.layer : undefined;
  }
  return undefined;
}

/**
 * The regulariser strength equivalent to the loss's term. Keras's L1(l) is l·sum|x|; for activity
 * regularisers Keras 3 also divides by the batch size. So a mean over (batch, n) activations
 * needs l = c / n, and a mean over a kernel of k weights l = c / k.
 */
function strengthOf(penalty: Penalty, tap: Tap, model: ModelNode): string | undefined {
  const c = formatNumber(penalty.coefficient);
  if (tap.kind === 'activity') {
    if (penalty.reduce === 'sum') {
      const batch = model.fit?.[0]?.args.batch_size;
      return `${c} * ${typeof batch === 'number' ? batch : 32}`; // fit's default batch size is 32
    }
    const shape = Array.isArray(tap.layer.outputShape?.[0]) ? null : (tap.layer.outputShape as (number | null)[] | null);
    const n = product(shape?.slice(1) ?? null);
    return n === null ? undefined : n === 1 ? c : `${c} / ${n}`;
  }
  if (penalty.reduce === 'sum') return c;
  const kernel = tap.layer.kernelShape ?? tap.layer.weights.find((w) => w.name === 'kernel')?.shape ?? null;
  const k = product(kernel);
  return k === null ? undefined : `${c} / ${k}`;
}

function product(dims: (number | null)[] | null): number | null {
  if (!dims) return null;
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}

function formatNumber(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/** activity_regularizer= on the layer's constructor (custom layers only when they pass **kwargs to Layer). */
function activityPlacement(ctx: CheckContext, layer: LayerNode, regularizer: string): { edit: TextEdit; argument: string } | undefined {
  const call = nodeAtRange(ctx.root, layer.range, ['call']);
  if (!call || (!layer.known && !customClassTakesKwargs(ctx, layer.className))) return undefined;
  const arg = `activity_regularizer=${regularizer}`;
  const edit = appendArgument(call, arg);
  return edit && { edit, argument: arg };
}

/** kernel_regularizer= on a Keras layer; regularizer= on the add_weight that makes a custom layer's kernel. */
function kernelPlacement(ctx: CheckContext, layer: LayerNode, regularizer: string): { edit: TextEdit; argument: string } | undefined {
  if (layer.known) {
    const call = nodeAtRange(ctx.root, layer.range, ['call']);
    if (!call || !layer.weights.some((w) => w.name === 'kernel')) return undefined;
    const arg = `kernel_regularizer=${regularizer}`;
    const edit = appendArgument(call, arg);
    return edit && { edit, argument: arg };
  }
  const addWeight = kernelAddWeight(ctx, layer.className);
  if (!addWeight) return undefined;
  const arg = `regularizer=${regularizer}`;
  const edit = appendArgument(addWeight, arg);
  return edit && { edit, argument: `${arg} (in ${layer.className}.build)` };
}

function classDefinition(ctx: CheckContext, name: string): Node | undefined {
  return ctx.definitions.classes.find((c) => c.childForFieldName('name')?.text === name);
}

function customClassTakesKwargs(ctx: CheckContext, className: string): boolean {
  const cls = classDefinition(ctx, className);
  if (!cls) return false;
  const init = cls.descendantsOfType('function_definition').find((f) => f?.childForFieldName('name')?.text === '__init__');
  if (!init) return true; // inherits keras.layers.Layer.__init__, which takes activity_regularizer
  const params = init.childForFieldName('parameters');
  return !!params && children(params).some((p) => p.type === 'dictionary_splat_pattern');
}

/** `self.kernel = self.add_weight(...)` or `add_weight(..., name="kernel")` inside the class. */
function kernelAddWeight(ctx: CheckContext, className: string): Node | undefined {
  const cls = classDefinition(ctx, className);
  if (!cls) return undefined;
  for (const call of cls.descendantsOfType('call')) {
    const parts = call ? callParts(call) : undefined;
    if (!call || parts?.name !== 'add_weight') continue;
    const name = stringLiteral(parts.keywords.get('name'))?.value;
    const assigned = call.parent?.type === 'assignment' ? call.parent.childForFieldName('left')?.text : undefined;
    if (name === 'kernel' || assigned === 'self.kernel') return call;
  }
  return undefined;
}

/** `fit(x, [y, extra])` → `fit(x, y)`; null when the targets are not a literal pair (no safe rewrite). */
function singleTargetEdit(ctx: CheckContext, fit: FitInfo): TextEdit | undefined | null {
  const call = ctx.callAt(fit.range, 'fit');
  if (!call) return undefined;
  const y = argument(call, 'y', 1);
  if (!y) return undefined;
  const list = unwrapParens(y);
  if ((list.type !== 'list' && list.type !== 'tuple') || sequenceElements(list).length !== 2) return null;
  return { range: rangeOfNode(y), newText: sequenceElements(list)[0].text };
}

function sortEdits(edits: TextEdit[]): TextEdit[] {
  return [...edits].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

// ───────────── the add_loss template ─────────────

/**
 * Inserts a layer that adds an activation penalty with add_loss inside call(), above `anchor`'s
 * top-level statement: the general way when the term is not a standard regulariser.
 */
export function addLossTemplateFix(ctx: CheckContext, anchor: Node): Fix {
  const keras = ctx.kerasModule();
  const k = keras.prefix;
  let top = anchor;
  while (top.parent && top.parent.type !== 'module') top = top.parent;
  const at: Range = { start: { line: top.startPosition.row, character: 0 }, end: { line: top.startPosition.row, character: 0 } };
  const template = [
    `class ActivationPenalty(${k}.layers.Layer):`,
    `    """Adds a penalty on the activations passing through it to the model's losses.`,
    ``,
    `    Keras calls a loss as loss(y_true, y_pred) only. A term that depends on a layer's`,
    `    activations belongs in a layer's call() via self.add_loss (or in a custom train_step).`,
    `    Use it after the layer to penalise:  x = ActivationPenalty(0.1)(x)`,
    `    """`,
    ``,
    `    def __init__(self, strength=0.1, **kwargs):`,
    `        super().__init__(**kwargs)`,
    `        self.strength = strength`,
    ``,
    `    def call(self, inputs):`,
    `        self.add_loss(self.strength * ${k}.ops.mean(${k}.ops.abs(inputs)))`,
    `        return inputs`,
    ``,
    ``,
  ].join('\n');
  const edits: TextEdit[] = [{ range: at, newText: template }];
  if (keras.importEdit) edits.unshift(keras.importEdit);
  return { title: 'Insert a layer that adds the penalty with add_loss() in call() (template)', edit: { changes: { [ctx.uri]: edits } } };
}
