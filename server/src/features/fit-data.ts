/**
 * Diagnostics on the data given to fit(): the number of targets and their shapes against the
 * model's outputs (as each built-in loss treats a difference, checked in Keras 3), x against the
 * declared Input shapes, and the number of samples of x and y; the same for validation_data.
 */
import type { Diagnostic } from 'vscode-languageserver';
import type { FitInfo, LayerNode, LossSpec, ModelNode, Shape } from '../../../graph/model-graph';
import { argument, nodeAtRange, rangeOfNode, sequenceElements, unwrapParens, type Node } from '../tree';
import { CheckContext, Codes, diagnostic, DiagnosticSeverity, formatDims, modelLabel, quoteList } from './diagnostic-kit';

export function fitDataDiagnostics(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const model of ctx.graph.models) {
    for (const fit of model.fit ?? []) {
      const call = ctx.callAt(fit.range, 'fit');
      if (!call) continue;
      const given: DataGiven[] = [{ phase: TRAINING, xShapes: fit.xShapes, yShapes: fit.yShapes, targetCount: fit.targetCount, x: argument(call, 'x', 0), y: argument(call, 'y', 1) }];
      const validation = argument(call, 'validation_data', 7);
      if (fit.validation && validation) {
        const literal = unwrapParens(validation);
        const [x, y] = literal.type === 'tuple' || literal.type === 'list' ? sequenceElements(literal) : [validation, validation];
        given.push({ phase: VALIDATION, ...fit.validation, x, y });
      }
      for (const data of given) {
        out.push(...sampleCounts(data));
        if (outputsKnown(model, ctx)) out.push(...targets(ctx, model, data));
        out.push(...inputShapes(ctx, model, fit, data));
      }
    }
  }
  return out;
}

/** Where the data comes from: fit()'s x and y, or validation_data, which Keras first uses after the first epoch. */
interface Phase {
  /** What gives the targets, in a sentence: `fit() is given`. */
  given: string;
  /** How a target is named: `Target`, `Validation target`. */
  target: string;
  /** When Keras raises, a sentence appended to the message. */
  when: string;
}

const TRAINING: Phase = { given: 'fit() is given', target: 'Target', when: '' };
const VALIDATION: Phase = { given: 'validation_data gives', target: 'Validation target', when: ' It does so when it evaluates validation_data, after training the first epoch.' };

interface DataGiven {
  phase: Phase;
  xShapes: (Shape | null)[] | null;
  yShapes: (Shape | null)[] | null;
  targetCount: number | null;
  x: Node | undefined;
  y: Node | undefined;
}

/** Arrays of x and y with different first dimensions (checked in Keras 3: "Data cardinality is ambiguous"). */
function sampleCounts(data: DataGiven): Diagnostic[] {
  const counts = (shapes: (Shape | null)[] | null) => (shapes ?? []).map((s) => s?.[0]).filter((n): n is number => typeof n === 'number');
  const xs = counts(data.xShapes);
  const ys = counts(data.yShapes);
  const at = data.y ?? data.x;
  if (!at || new Set([...xs, ...ys]).size < 2) return [];
  const list = (name: string, n: number[]) => (n.length === 0 ? [] : [`${name} has ${n.join(', ')}`]);
  const which = [...list('x', xs), ...list('y', ys)].join(' and ');
  return [
    diagnostic(rangeOfNode(at), Codes.sampleCount, DiagnosticSeverity.Error, `${data.phase.given} arrays with different numbers of samples: ${which}. Keras raises "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples".${data.phase.when}`),
  ];
}

function targets(ctx: CheckContext, model: ModelNode, data: DataGiven): Diagnostic[] {
  if (!data.y) return [];
  const outputs = model.outputKeys ?? model.outputs;
  const literal = unwrapParens(data.y);
  const isLiteralList = literal.type === 'list' || literal.type === 'tuple' || literal.type === 'dictionary';
  const countKnown = data.targetCount !== null && (isLiteralList || (data.yShapes ?? []).every((s) => s !== null));
  if (countKnown && data.targetCount !== outputs.length && !(outputs.length === 1 && data.targetCount === 1)) {
    const count = `${data.targetCount} target${data.targetCount === 1 ? '' : 's'}`;
    return [diagnostic(rangeOfNode(data.y), Codes.targetCount, DiagnosticSeverity.Error, `Model ${modelLabel(model)} has ${outputs.length} output${outputs.length === 1 ? '' : 's'} (${quoteList(outputs)}) but ${data.phase.given} ${count}.`)];
  }
  return targetShapes(ctx, model, data.yShapes ?? [], literal, data.phase);
}

function targetShapes(ctx: CheckContext, model: ModelNode, yShapes: (Shape | null)[], y: Node, phase: Phase): Diagnostic[] {
  const out: Diagnostic[] = [];
  const elements = y.type === 'list' || y.type === 'tuple' ? sequenceElements(y) : [y];
  if (y.type === 'dictionary' || elements.length !== yShapes.length || yShapes.length !== model.outputs.length) return out;
  yShapes.forEach((target, i) => {
    const layer = model.layers.find((l) => l.name === model.outputs[i]);
    const output = singleShape(layer?.outputShape);
    const loss = lossSpecFor(model, i);
    if (!target || !output || !layer) return;
    const verdict = isSparse(loss) ? sparseVerdict(target, output, loss) : targetVerdict(target, output, loss);
    if (!verdict) return;
    const which = `${phase.target} ${yShapes.length > 1 ? `${i + 1} ` : ''}has shape ${formatDims(target)} but output '${layer.name}' of model ${modelLabel(model)} has shape ${formatDims(output)}`;
    const consequence = verdict.raises ? verdict.consequence + phase.when : verdict.consequence;
    out.push(
      diagnostic(rangeOfNode(elements[i]), Codes.targetShape, verdict.raises ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, `${which}; ${consequence}`, {
        related: [{ location: { uri: ctx.uriOf(layer.file), range: layer.range }, message: `'${layer.name}' outputs ${formatDims(output)}` }],
      }),
    );
  });
  return out;
}

function targetVerdict(target: Shape, output: Shape, loss: LossSpec | undefined): Verdict | undefined {
  if (sameShapes(squeezedTarget(target, output), output)) return undefined;
  return target.length < output.length ? labelsVerdict(target, output, loss) : shapeVerdict(target, output, loss);
}

/**
 * Sparse crossentropy takes integer labels, (N,) or (N, 1), for a (None, C) output. Keras 3
 * squeezes a trailing 1 and then needs the target one rank below the output; one-hot targets
 * (N, C) are the classic mix-up (checked: "Argument `output` must have rank (ndim) `target.ndim - 1`").
 */
function sparseVerdict(target: Shape, output: Shape, loss: BuiltinLoss): Verdict | undefined {
  const labels = target.length === output.length && target[target.length - 1] === 1 ? target.slice(0, -1) : target;
  if (labels.length === output.length - 1) return undefined;
  const oneHot = target.length === output.length && target[target.length - 1] === output[output.length - 1];
  const hint = oneHot ? ': these look like one-hot targets, which take categorical_crossentropy (or pass the labels, y.argmax(-1))' : '';
  return { raises: true, consequence: `Keras raises: ${loss.name} takes integer labels of shape ${formatDims(output.slice(0, -1))}, optionally with a trailing 1${hint}.` };
}

type BuiltinLoss = Extract<LossSpec, { kind: 'builtin' }>;

type Verdict = { raises: boolean; consequence: string };

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
function shapeVerdict(target: Shape, output: Shape, loss: LossSpec | undefined): Verdict {
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
function labelsVerdict(target: Shape, output: Shape, loss: LossSpec | undefined): Verdict | undefined {
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

/** x against the model's declared Input shapes (Keras raises "incompatible with the layer"). */
function inputShapes(ctx: CheckContext, model: ModelNode, fit: FitInfo, data: DataGiven): Diagnostic[] {
  const out: Diagnostic[] = [];
  const xs = data.xShapes ?? [];
  if (model.kind === 'subclassed' || model.inputs.includes('?') || xs.length !== model.inputs.length) return out;
  xs.forEach((x, i) => {
    const input = model.layers.find((l) => l.name === model.inputs[i] && l.className === 'InputLayer');
    const declared = singleShape(input?.outputShape);
    if (!x || !declared || !input || input.nameSource === 'approximate') return;
    const agree = x.length === declared.length && x.slice(1).every((d, j) => d === null || declared[j + 1] === null || d === declared[j + 1]);
    if (agree) return;
    const expected = `Keras raises "incompatible with the layer: expected shape=${formatDims([null, ...declared.slice(1)])}".${data.phase.when}`;
    if (data.phase === VALIDATION) {
      // The training data fits the Input (or has its own diagnostic): the validation data is what differs.
      if (data.x) out.push(diagnostic(rangeOfNode(data.x), Codes.inputShape, DiagnosticSeverity.Error, `validation_data's x has shape ${formatDims(x)} but Input '${input.name}' declares ${formatDims(declared.slice(1))}; ${expected}`));
      return;
    }
    const inThisFile = !input.file && nodeAtRange(ctx.root, input.range, ['call']);
    const range = inThisFile ? input.range : data.x ? rangeOfNode(data.x) : undefined;
    if (!range) return;
    out.push(
      diagnostic(range, Codes.inputShape, DiagnosticSeverity.Error, `Input '${input.name}' declares shape ${formatDims(declared.slice(1))} but fit() feeds x with shape ${formatDims(x)} (line ${fit.range.start.line + 1}); ${expected}`, {
        related: [
          { location: { uri: ctx.uriOf(fit.file), range: fit.range }, message: `fit() feeds ${formatDims(x)} here` },
          ...(inThisFile ? [] : [{ location: { uri: ctx.uriOf(input.file), range: input.range }, message: `'${input.name}' is declared here` }]),
        ],
      }),
    );
  });
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
/** Keras's sparse crossentropy (`sparse_categorical_crossentropy`, `SparseCategoricalCrossentropy`), not a custom loss that happens to say sparse. */
function isSparse(loss: LossSpec | undefined): loss is BuiltinLoss {
  return loss?.kind === 'builtin' && lossKey(loss.name) === 'sparsecategoricalcrossentropy';
}
