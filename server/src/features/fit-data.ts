/**
 * Diagnostics on the data given to fit(): the number of targets and their shapes against the
 * model's outputs (as each built-in loss treats a difference, checked in Keras 3), x against the
 * declared Input shapes, and the number of samples of x and y; the same for validation_data.
 */
import type { Diagnostic } from 'vscode-languageserver';
import type { LayerNode, LossSpec, ModelNode, Shape } from '../../../graph/model-graph';
import { argument, nodeAtRange, rangeOfNode, sequenceElements, unwrapParens, type Node } from '../tree';
import { CheckContext, Codes, diagnostic, DiagnosticSeverity, formatDims, modelLabel, quoteList } from './diagnostic-kit';

export function fitDataDiagnostics(ctx: CheckContext): Diagnostic[] {
  return [...fitTargets(ctx), ...inputShapes(ctx)];
}

function fitTargets(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const model of ctx.graph.models) {
    if (!outputsKnown(model, ctx)) continue;
    for (const fit of model.fit ?? []) {
      const call = ctx.callAt(fit.range, 'fit');
      const y = call ? argument(call, 'y', 1) : undefined;
      if (!y) continue;
      const outputs = model.outputKeys ?? model.outputs;
      const literal = unwrapParens(y);
      const isLiteralList = literal.type === 'list' || literal.type === 'tuple' || literal.type === 'dictionary';
      const countKnown = fit.targetCount !== null && (isLiteralList || (fit.yShapes ?? []).every((s) => s !== null));
      if (countKnown && fit.targetCount !== outputs.length && !(outputs.length === 1 && fit.targetCount === 1)) {
        out.push(
          diagnostic(rangeOfNode(y), Codes.targetCount, DiagnosticSeverity.Error, `Model ${modelLabel(model)} has ${outputs.length} output${outputs.length === 1 ? '' : 's'} (${quoteList(outputs)}) but fit() is given ${fit.targetCount} target${fit.targetCount === 1 ? '' : 's'}.`),
        );
        continue;
      }
      out.push(...targetShapes(ctx, model, fit.yShapes ?? [], literal));
    }
  }
  return out;
}

function targetShapes(ctx: CheckContext, model: ModelNode, yShapes: (Shape | null)[], y: Node): Diagnostic[] {
  const out: Diagnostic[] = [];
  const elements = y.type === 'list' || y.type === 'tuple' ? sequenceElements(y) : [y];
  if (y.type === 'dictionary' || elements.length !== yShapes.length || yShapes.length !== model.outputs.length) return out;
  yShapes.forEach((target, i) => {
    const layer = model.layers.find((l) => l.name === model.outputs[i]);
    const output = singleShape(layer?.outputShape);
    const loss = lossSpecFor(model, i);
    if (!target || !output || !layer || isSparse(loss)) return;
    if (sameShapes(squeezedTarget(target, output), output)) return;
    const verdict = target.length < output.length ? labelsVerdict(target, output, loss) : shapeVerdict(target, output, loss);
    if (!verdict) return;
    const which = `Target ${yShapes.length > 1 ? `${i + 1} ` : ''}has shape ${formatDims(target)} but output '${layer.name}' of model ${modelLabel(model)} has shape ${formatDims(output)}`;
    out.push(
      diagnostic(rangeOfNode(elements[i]), Codes.targetShape, verdict.raises ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, `${which}; ${verdict.consequence}`, {
        related: [{ location: { uri: ctx.uriOf(layer.file), range: layer.range }, message: `'${layer.name}' outputs ${formatDims(output)}` }],
      }),
    );
  });
  return out;
}

/** Keras squeezes a target's trailing 1 when it has one dimension more than the output ((N, 2, 1) vs (None, 2)). */
function squeezedTarget(target: Shape, output: Shape): Shape {
  return target.length === output.length + 1 && target[target.length - 1] === 1 ? target.slice(0, -1) : target;
}

function sameShapes(target: Shape, output: Shape): boolean {
  return target.length === output.length && target.slice(1).every((d, j) => d === null || output[j + 1] === null || d === output[j + 1]);
}

/** Built-in losses that check shapes themselves (the rest compute element-wise and broadcast). */
const SHAPE_CHECKING_LOSSES = new Set(['binarycrossentropy', 'bce', 'categoricalcrossentropy', 'binaryfocalcrossentropy']);

/** A built-in loss's name as Keras's string and class spellings share it (`binary_crossentropy`, `BinaryCrossentropy`). */
function lossKey(name: string): string {
  return name.toLowerCase().replace(/_/g, '');
}

/**
 * What Keras does with a target whose shape differs from the output's (checked against Keras 3 for
 * 16 built-in losses): the crossentropies above raise; the others (mse, mae, huber, hinge, …)
 * broadcast when every dimension matches or is 1, silently training on the wrong objective, and
 * raise otherwise. A custom loss function may do either.
 */
function shapeVerdict(target: Shape, output: Shape, loss: LossSpec | undefined): { raises: boolean; consequence: string } {
  const broadcasts = broadcastable(target.slice(1), output.slice(1));
  const name = loss?.kind === 'builtin' ? loss.name : undefined;
  if (name && SHAPE_CHECKING_LOSSES.has(lossKey(name))) return { raises: true, consequence: `Keras raises when computing the loss (${name} needs equal shapes).` };
  if (name && broadcasts) {
    return { raises: false, consequence: `Keras does not raise: ${name} broadcasts the two shapes and compares every target value with every output value, which trains the model on the wrong objective.` };
  }
  if (name || !broadcasts) return { raises: true, consequence: 'Keras raises when computing the loss.' };
  return { raises: false, consequence: 'built-in losses such as mse broadcast these shapes silently (the wrong objective) and crossentropies raise; check what the loss expects.' };
}

/**
 * Targets of one dimension less than the output, such as (N,) integer labels against a (None, C)
 * output (checked in Keras 3). Against (None, 1), Keras squeezes the output and all is well. The
 * crossentropies refuse a different rank. The rest broadcast the target's last dimension (N)
 * against C, which raises unless the two happen to match.
 */
function labelsVerdict(target: Shape, output: Shape, loss: LossSpec | undefined): { raises: boolean; consequence: string } | undefined {
  const labels = target[target.length - 1];
  const classes = output[output.length - 1];
  if (target.length !== output.length - 1 || classes === 1 || labels === null || classes === null) return undefined;
  // A custom loss may turn labels into one-hot itself: only built-in losses are certain.
  if (loss?.kind !== 'builtin') return undefined;
  const key = lossKey(loss.name);
  if (SHAPE_CHECKING_LOSSES.has(key)) {
    const hint = key === 'categoricalcrossentropy' ? ' (one-hot targets, or sparse_categorical_crossentropy for integer labels)' : '';
    return { raises: true, consequence: `Keras raises: ${loss.name} needs targets of the output's rank${hint}.` };
  }
  if (labels === classes) return undefined; // broadcasts by coincidence: nothing certain to say
  return { raises: true, consequence: 'Keras raises when computing the loss.' };
}

/** NumPy broadcasting of the non-batch dimensions, aligned from the right; an unknown dimension may match. */
function broadcastable(a: Shape, b: Shape): boolean {
  for (let i = 1; i <= Math.min(a.length, b.length); i++) {
    const x = a[a.length - i];
    const y = b[b.length - i];
    if (x !== null && y !== null && x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
}

function inputShapes(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const model of ctx.graph.models) {
    if (model.kind === 'subclassed' || model.inputs.includes('?')) continue;
    for (const fit of model.fit ?? []) {
      const xs = fit.xShapes ?? [];
      if (xs.length !== model.inputs.length) continue;
      xs.forEach((x, i) => {
        const input = model.layers.find((l) => l.name === model.inputs[i] && l.className === 'InputLayer');
        const declared = singleShape(input?.outputShape);
        if (!x || !declared || !input || input.nameSource === 'approximate') return;
        const agree = x.length === declared.length && x.slice(1).every((d, j) => d === null || declared[j + 1] === null || d === declared[j + 1]);
        if (agree) return;
        const fitCall = ctx.callAt(fit.range, 'fit');
        const xNode = fitCall ? argument(fitCall, 'x', 0) : undefined;
        const inThisFile = !input.file && nodeAtRange(ctx.root, input.range, ['call']);
        const range = inThisFile ? input.range : xNode ? rangeOfNode(xNode) : undefined;
        if (!range) return;
        out.push(
          diagnostic(range, Codes.inputShape, DiagnosticSeverity.Error, `Input '${input.name}' declares shape ${formatDims(declared.slice(1))} but fit() feeds x with shape ${formatDims(x)} (line ${fit.range.start.line + 1}); Keras raises "incompatible with the layer: expected shape=${formatDims([null, ...declared.slice(1)])}".`, {
            related: [
              { location: { uri: ctx.uriOf(fit.file), range: fit.range }, message: `fit() feeds ${formatDims(x)} here` },
              ...(inThisFile ? [] : [{ location: { uri: ctx.uriOf(input.file), range: input.range }, message: `'${input.name}' is declared here` }]),
            ],
          }),
        );
      });
    }
  }
  return out;
}

export function outputsKnown(model: ModelNode, ctx: CheckContext): boolean {
  return model.kind !== 'subclassed' && !model.error && !ctx.graph.truncated && model.outputs.length > 0 && !model.outputs.includes('?');
}

function singleShape(shape: LayerNode['outputShape'] | undefined): Shape | null {
  if (!shape || shape.length === 0 || Array.isArray(shape[0])) return null;
  return shape as Shape;
}

/** The loss compile() gives output `output` (one loss for all, a list by position or a dict by name). */
function lossSpecFor(model: ModelNode, output: number): LossSpec | undefined {
  const loss = model.compile?.loss;
  if (!loss) return undefined;
  if (Array.isArray(loss)) return loss[output];
  return 'kind' in loss ? (loss as LossSpec) : (loss as Record<string, LossSpec>)[model.outputs[output]];
}

/** Sparse losses take class indices, not targets shaped like the output. */
function isSparse(loss: LossSpec | undefined): boolean {
  return !!loss && 'name' in loss && /sparse/i.test(loss.name);
}
