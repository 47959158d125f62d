/**
 * The seed's central mistake: a loss with a third required argument passed to compile(). Keras
 * calls `loss(y_true, y_pred)` only, so the third never arrives. When the extra term is a plain
 * L1/L2 penalty on a tapped layer's activations or kernel, the quick fix moves it where Keras
 * applies it (activity_regularizer= / kernel_regularizer=, or regularizer= on a custom layer's
 * add_weight), restores a standard loss, and removes the extra model output and fit target.
 * Otherwise it offers a layer template that adds the term with add_loss inside call().
 *
 * The model is often built by a function imported from another module (`from models import
 * build_model`): then the fix is one WorkspaceEdit over both files: compile(loss=) and fit() here,
 * the layer's construction and the model's outputs in the module.
 */
import type { Diagnostic, Position, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import type { CompileInfo, FitInfo, LayerNode, LossSpec, ModelNode } from '../../../graph/model-graph';
import type { Fix } from '../snapshot';
import { argument, callParts, children, nodeAtRange, rangeOfNode, sequenceElements, stringLiteral, unwrapParens, type Node } from '../tree';
import { appendArgument, CheckContext, Codes, diagnostic, DiagnosticSeverity, SourceFile } from './diagnostic-kit';
import { recognizeLoss, requiredParameters, type LossParts, type Penalty } from './loss-penalty';

/** A custom loss function (a def or a lambda) as the graph records it. */
export type FunctionLoss = Extract<LossSpec, { kind: 'function' }>;

export function lossArityDiagnostics(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  // A Loss subclass can only be one this file defines: without classes, only function losses matter.
  const lossClasses = ctx.definitions.classes.length > 0;
  for (const model of ctx.graph.models) {
    if (!model.compile || model.compile.file) continue; // compiled in another file: its diagnostic belongs there
    const specs = functionLosses(model.compile.loss);
    if (specs.length === 0 && !lossClasses) continue;
    const compile = ctx.callAt(model.compile.range, 'compile');
    if (!compile) continue;
    for (const spec of specs) {
      const home = ctx.file(spec.file); // the loss may be imported from another module
      const def = home && lossDefinition(home, spec);
      if (!home || !def) continue;
      const required = requiredParameters(def);
      if (required.length <= 2) continue;
      const at = lossArgumentNode(compile, spec, def);
      if (at) out.push(arityDiagnostic(ctx, model, spec.name, home, def, required, at));
    }
    if (lossClasses) out.push(...lossClassArity(ctx, compile));
  }
  return out;
}

/** The `def` (or lambda) of a custom loss, in the file the graph says it is in. */
export function lossDefinition(home: SourceFile, spec: FunctionLoss): Node | undefined {
  const def = nodeAtRange(home.root, spec.range, ['function_definition', 'lambda']);
  if (def?.type === 'lambda') return def;
  return def && def.childForFieldName('name')?.text === spec.name ? def : undefined;
}

/**
 * `loss=MyLoss()` where MyLoss subclasses keras.losses.Loss in this file and its call() takes a
 * third required argument: Keras calls `call(y_true, y_pred)` and raises TypeError (checked in Keras 3).
 */
function lossClassArity(ctx: CheckContext, compile: NonNullable<ReturnType<typeof callParts>>): Diagnostic[] {
  const value = argument(compile, 'loss', 1);
  if (!value) return [];
  const entries = value.type === 'dictionary' ? children(value).map((p) => p.childForFieldName('value')) : value.type === 'list' || value.type === 'tuple' ? sequenceElements(value) : [value];
  const out: Diagnostic[] = [];
  for (const entry of entries) {
    const cls = entry?.type === 'call' ? entry.childForFieldName('function') : undefined;
    const def = cls?.type === 'identifier' ? ctx.definitions.classes.find((c) => c.childForFieldName('name')?.text === cls.text) : undefined;
    if (!entry || !def || !/\bLoss\b/.test(def.childForFieldName('superclasses')?.text ?? '')) continue;
    const call = children(def.childForFieldName('body') ?? def).find((m) => m.type === 'function_definition' && m.childForFieldName('name')?.text === 'call');
    const required = call ? requiredParameters(call).slice(1) : []; // without self
    if (!call || required.length <= 2) continue;
    const missing = required.slice(2).map((p) => `'${p}'`).join(', ');
    out.push(
      diagnostic(rangeOfNode(entry), Codes.lossExtraArguments, DiagnosticSeverity.Error, `Keras calls a Loss as call(y_true, y_pred), but ${cls!.text}.call requires ${required.length} arguments: ${missing} never arrives (fit raises TypeError).\n${GENERAL_ADVICE}`, {
        fixes: [addLossTemplateFix(ctx, def)],
        related: [{ location: { uri: ctx.uri, range: rangeOfNode(call.childForFieldName('name') ?? call) }, message: `${cls!.text}.call is defined here` }],
      }),
    );
  }
  return out;
}

const GENERAL_ADVICE = "To add a term that depends on a layer's activations or weights, call self.add_loss(...) inside a layer's call(), use a layer regularizer, or write a custom train_step.";

function arityDiagnostic(ctx: CheckContext, model: ModelNode, name: string, home: SourceFile, def: Node, required: string[], at: Node): Diagnostic {
  const missing = required.slice(2).map((p) => `'${p}'`).join(', ');
  // A loss a factory call returns (a closure): no rewrite of code that builds the function elsewhere.
  const parts = at.type === 'identifier' && at.text === name ? recognizeLoss(def, home.functions) : undefined;
  const rewrite = parts ? regularizerRewrite(ctx, model, parts, home) : undefined;
  const made = at.type === 'call' ? ` (the function ${at.text.length > 40 ? 'this call' : `\`${at.text}\``} returns)` : at.type !== 'lambda' && at.text !== name ? ` (held by \`${at.text}\`)` : '';
  const lines = [`Keras calls a loss as loss(y_true, y_pred), but ${def.type === 'lambda' ? 'this lambda' : name}${made} requires ${required.length} arguments: ${missing} never arrives (fit raises TypeError).`];
  if (rewrite?.fix) {
    lines.push(`The extra term is ${rewrite.description}; Keras applies that with ${rewrite.argument} on layer '${rewrite.layer.name}'${rewrite.where}.`);
  } else {
    lines.push(GENERAL_ADVICE);
    if (rewrite?.refused) lines.push(`No automatic rewrite: the extra term is ${rewrite.description}, which Keras applies with ${rewrite.argument} on the layer${rewrite.where}, but ${rewrite.refused}.`);
  }
  const fixes: Fix[] = rewrite?.fix ? [rewrite.fix] : [];
  fixes.push(addLossTemplateFix(home, def));
  return diagnostic(rangeOfNode(at), Codes.lossExtraArguments, DiagnosticSeverity.Error, lines.join('\n'), {
    fixes,
    related: [{ location: { uri: home.uri, range: rangeOfNode(def.childForFieldName('name') ?? def) }, message: `${def.type === 'lambda' ? 'the lambda' : name} is defined here` }],
  });
}

export function functionLosses(loss: CompileInfo['loss']): FunctionLoss[] {
  if (!loss) return [];
  const all: LossSpec[] = Array.isArray(loss) ? loss : 'kind' in loss ? [loss as LossSpec] : Object.values(loss);
  return all.filter((s): s is FunctionLoss => s.kind === 'function');
}

/** The `loss=` argument (or the dict/list entry) that names the function, or is the lambda. */
function lossArgumentNode(compile: NonNullable<ReturnType<typeof callParts>>, spec: FunctionLoss, def: Node): Node | undefined {
  const value = argument(compile, 'loss', 1);
  if (!value) return undefined;
  // One loss for every output: the argument is that function, whatever it is spelled as (its own
  // name, a variable holding what `make_loss(2.0)` returned, that call itself, or a lambda).
  if (value.type === 'identifier' || value.type === 'call' || value.type === 'lambda') return value;
  const entries = value.type === 'dictionary' ? children(value).map((p) => p.childForFieldName('value')) : sequenceElements(value);
  return entries.find((e) => (e?.type === 'identifier' && e.text === spec.name) || (e?.type === 'lambda' && e.same(def))) ?? undefined;
}

// ───────────── the regulariser rewrite ─────────────

/**
 * The recognised extra term and where Keras applies it. `fix` rewrites the code (across files when
 * the model is built in an imported module); without it, `refused` says why the rewrite is unsafe.
 */
export interface Rewrite {
  layer: LayerNode;
  argument: string; // `activity_regularizer=keras.regularizers.L1(0.1 / 32)`
  description: string; // "an L1 penalty on the activations of layer 'dense_intermediate'"
  /** ` (in models.py)` when the layer is built in another file, else empty. */
  where: string;
  fix?: Fix;
  refused?: string;
}

/** The layer whose output (or kernel) the model exposes as its extra output: `outputs=[out, tapped]`. */
interface Tap {
  kind: 'activity' | 'kernel';
  layer: LayerNode;
  /** The file the model (its `outputs=` list) is built in. */
  home: SourceFile;
  outputs: Node; // the outputs= argument
  kept: Node; // the real output, which stays
}

/**
 * `lossHome` is the file the loss function is defined in (this document unless it is imported).
 * The compile() call must be in this document; the model, the layer and a custom layer's class
 * may each be in an imported module, and the fix edits them there.
 */
export function regularizerRewrite(ctx: CheckContext, model: ModelNode, loss: LossParts, lossHome: SourceFile = ctx): Rewrite | undefined {
  if (!loss.standardLoss || !model.compile || model.compile.file) return undefined;
  // A loss object's text (`keras.losses.Huber()`) is spelled for the file it was written in.
  if (lossHome !== ctx && !/^'\w+'$/.test(loss.standardLoss)) return undefined;
  const compile = ctx.callAt(model.compile.range, 'compile');
  const lossValue = compile ? argument(compile, 'loss', 1) : undefined;
  if (!lossValue || lossValue.type !== 'identifier') return undefined; // dict/list losses: left to the user
  const tap = tapOf(ctx, model);
  const layerHome = tap && ctx.file(tap.layer.file);
  const construction = tap && layerHome?.callAt(tap.layer.range, '*')?.call;
  if (!tap || !layerHome || !construction) return undefined;
  const strength = strengthOf(loss.penalty, tap, model);
  if (!strength) return undefined;
  const regularizer = (file: SourceFile) => `${file.kerasModule().prefix}.regularizers.${loss.penalty.norm}(${strength})`;
  const where = layerHome === ctx ? '' : ` (in ${layerHome.label})`;
  const description = `an ${loss.penalty.norm} penalty on the ${tap.kind === 'activity' ? 'activations' : 'kernel'} of layer '${tap.layer.name}'`;
  const refused = unsafeReason(ctx, tap, layerHome, construction);
  if (refused) {
    const argument = `${tap.kind === 'activity' ? 'activity_regularizer' : tap.layer.known ? 'kernel_regularizer' : 'regularizer'}=${regularizer(layerHome)}`;
    return { layer: tap.layer, argument, description, where, refused };
  }
  const placement = tap.kind === 'activity' ? activityPlacement(ctx, tap.layer, layerHome, construction, regularizer) : kernelPlacement(ctx, tap.layer, layerHome, construction, regularizer);
  if (!placement) return undefined;
  const edits = new FileEdits();
  edits.add(placement.file, placement.edit);
  const importEdit = placement.file.kerasModule().importEdit;
  if (importEdit) edits.add(placement.file, importEdit);
  edits.add(ctx, { range: rangeOfNode(lossValue), newText: loss.standardLoss });
  edits.add(tap.home, { range: rangeOfNode(tap.outputs), newText: tap.kept.text });
  for (const fit of model.fit ?? []) {
    const fitHome = ctx.file(fit.file);
    if (!fitHome) return undefined;
    const edit = singleTargetEdit(fitHome, fit);
    if (edit === null) return undefined;
    if (edit) edits.add(fitHome, edit);
  }
  const what = tap.kind === 'activity' ? 'activation' : 'kernel';
  const others = edits.labelsOtherThan(ctx);
  return {
    layer: tap.layer,
    argument: placement.argument,
    description,
    where,
    fix: {
      title: `Move the ${loss.penalty.norm} ${what} penalty to layer '${tap.layer.name}' (${placement.argument}) and use loss=${loss.standardLoss}${others.length ? ` (also edits ${others.join(', ')})` : ''}`,
      isPreferred: true,
      edit: edits.workspaceEdit(),
    },
  };
}

/** Text edits grouped by file, for a WorkspaceEdit that may span several files. */
class FileEdits {
  private readonly byUri = new Map<string, { file: SourceFile; edits: TextEdit[] }>();

  add(file: SourceFile, edit: TextEdit): void {
    const entry = this.byUri.get(file.uri) ?? { file, edits: [] };
    const duplicate = entry.edits.some((e) => e.newText === edit.newText && samePosition(e.range.start, edit.range.start) && samePosition(e.range.end, edit.range.end));
    if (!duplicate) entry.edits.push(edit); // one `import keras` per file
    this.byUri.set(file.uri, entry);
  }

  labelsOtherThan(file: SourceFile): string[] {
    return [...this.byUri.values()].filter((e) => e.file.uri !== file.uri).map((e) => e.file.label);
  }

  workspaceEdit(): WorkspaceEdit {
    const changes: Record<string, TextEdit[]> = {};
    for (const [uri, entry] of this.byUri) changes[uri] = sortEdits(entry.edits);
    return { changes };
  }
}

function samePosition(a: Position, b: Position): boolean {
  return a.line === b.line && a.character === b.character;
}

const LOOPS = new Set(['for_statement', 'while_statement', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression', 'lambda']);

/**
 * Why adding the regulariser at the layer's construction would change more than the loss did:
 * the construction runs in a loop or more than once (a builder called twice), or, for an activity
 * penalty, the layer is shared (the regulariser applies to every call's output, the loss to one).
 */
function unsafeReason(ctx: CheckContext, tap: Tap, home: SourceFile, construction: Node): string | undefined {
  const line = construction.startPosition.row + 1;
  const at = home === ctx ? `line ${line}` : `${home.label}:${line}`;
  for (let n = construction.parent; n; n = n.parent) {
    if (LOOPS.has(n.type)) return `layer '${tap.layer.name}' is constructed inside a loop (${at}), so the regularizer would apply to every layer that loop builds`;
  }
  const built = new Set<string>();
  for (const model of ctx.graph.models) {
    for (const layer of model.layers) {
      if ((layer.file ?? '') === (tap.layer.file ?? '') && samePosition(layer.range.start, tap.layer.range.start) && layer.className === tap.layer.className) built.add(layer.id);
    }
  }
  if (built.size > 1) return `the construction at ${at} builds ${built.size} layers (its code runs more than once), so the regularizer would apply to all of them`;
  if (tap.kind === 'activity' && tap.layer.calls.length > 1) return `layer '${tap.layer.name}' is shared (called ${tap.layer.calls.length} times), so activity_regularizer= would penalise the output of every call, the loss only one`;
  return undefined;
}

function tapOf(ctx: CheckContext, model: ModelNode): Tap | undefined {
  const home = ctx.file(model.file);
  const call = home?.callAt(model.range, '*');
  const outputs = call ? argument(call, 'outputs', 1) : undefined;
  if (!home || !outputs) return undefined;
  const list = unwrapParens(outputs);
  if (list.type !== 'list' && list.type !== 'tuple') return undefined;
  const elements = sequenceElements(list);
  if (elements.length !== 2) return undefined;
  const [kept, extra] = elements;
  const weight = weightReceiver(extra);
  const kind = weight ? 'kernel' : 'activity';
  // Bindings are known for this document only; elsewhere the graph says what the output is.
  const layer = (home === ctx ? layerOfExpression(ctx, weight ?? extra) : undefined) ?? outputSourceLayer(model, 1, kind);
  if (!layer) return undefined;
  return { kind, layer, home, outputs, kept };
}

/** The layer behind output `index` per the graph's `outputSources`, when it is the expected kind of tensor. */
function outputSourceLayer(model: ModelNode, index: number, kind: Tap['kind']): LayerNode | undefined {
  const source = model.outputSources?.[index];
  if (!source) return undefined;
  const fits = kind === 'activity' ? source.tensor === 'activation' : source.tensor === 'kernel' || source.tensor === 'weights';
  const matches = model.layers.filter((l) => l.name === source.layer);
  return fits && matches.length === 1 ? matches[0] : undefined;
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

interface Placement {
  file: SourceFile;
  edit: TextEdit;
  argument: string;
}

/** activity_regularizer= on the layer's constructor (custom layers only when they pass **kwargs to Layer). */
function activityPlacement(ctx: CheckContext, layer: LayerNode, home: SourceFile, call: Node, regularizer: (file: SourceFile) => string): Placement | undefined {
  if (!layer.known && !customClassTakesKwargs(ctx, layer.className, home)) return undefined;
  const arg = `activity_regularizer=${regularizer(home)}`;
  const edit = appendArgument(call, arg);
  return edit && { file: home, edit, argument: arg };
}

/** kernel_regularizer= on a Keras layer; regularizer= on the add_weight that makes a custom layer's kernel. */
function kernelPlacement(ctx: CheckContext, layer: LayerNode, home: SourceFile, call: Node, regularizer: (file: SourceFile) => string): Placement | undefined {
  if (layer.known) {
    if (!layer.weights.some((w) => w.name === 'kernel')) return undefined;
    const arg = `kernel_regularizer=${regularizer(home)}`;
    const edit = appendArgument(call, arg);
    return edit && { file: home, edit, argument: arg };
  }
  const found = kernelAddWeight(ctx, layer.className, home);
  if (!found) return undefined;
  const arg = `regularizer=${regularizer(found.file)}`;
  const edit = appendArgument(found.call, arg);
  return edit && { file: found.file, edit, argument: `${arg} (in ${layer.className}.build)` };
}

/** A class's definition: in `near` (where the layer is built) first, then this document, then the other modules read. */
function classDefinition(ctx: CheckContext, name: string, near: SourceFile): { file: SourceFile; node: Node } | undefined {
  const inFile = (file: SourceFile) => file.definitions.classes.find((c) => c.childForFieldName('name')?.text === name);
  for (const file of [near, ctx]) {
    const node = inFile(file);
    if (node) return { file, node };
  }
  const declares = new RegExp(`^\\s*class\\s+${name}\\b`, 'm');
  for (const path of ctx.modulePaths()) {
    const file = ctx.file(path);
    if (!file || file === near || !declares.test(file.text)) continue;
    const node = inFile(file);
    if (node) return { file, node };
  }
  return undefined;
}

function customClassTakesKwargs(ctx: CheckContext, className: string, near: SourceFile): boolean {
  const cls = classDefinition(ctx, className, near)?.node;
  if (!cls) return false;
  const init = cls.descendantsOfType('function_definition').find((f) => f?.childForFieldName('name')?.text === '__init__');
  if (!init) return true; // inherits keras.layers.Layer.__init__, which takes activity_regularizer
  const params = init.childForFieldName('parameters');
  return !!params && children(params).some((p) => p.type === 'dictionary_splat_pattern');
}

/** `self.kernel = self.add_weight(...)` or `add_weight(..., name="kernel")` inside the class. */
function kernelAddWeight(ctx: CheckContext, className: string, near: SourceFile): { file: SourceFile; call: Node } | undefined {
  const cls = classDefinition(ctx, className, near);
  if (!cls) return undefined;
  for (const call of cls.node.descendantsOfType('call')) {
    const parts = call ? callParts(call) : undefined;
    if (!call || parts?.name !== 'add_weight') continue;
    const name = stringLiteral(parts.keywords.get('name'))?.value;
    const assigned = call.parent?.type === 'assignment' ? call.parent.childForFieldName('left')?.text : undefined;
    if (name === 'kernel' || assigned === 'self.kernel') return { file: cls.file, call };
  }
  return undefined;
}

/** `fit(x, [y, extra])` → `fit(x, y)`; null when the targets are not a literal pair (no safe rewrite). */
function singleTargetEdit(home: SourceFile, fit: FitInfo): TextEdit | undefined | null {
  const call = home.callAt(fit.range, 'fit');
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
export function addLossTemplateFix(file: SourceFile, anchor: Node): Fix {
  const keras = file.kerasModule();
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
  return { title: 'Insert a layer that adds the penalty with add_loss() in call() (template)', edit: { changes: { [file.uri]: edits } } };
}
