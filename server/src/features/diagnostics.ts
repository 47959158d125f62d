/**
 * Diagnostics: Keras mistakes that the model graph proves, each with a stable code (see Codes) and
 * a quick fix where one exists. Computed once per analysis in the worker (they need the tree);
 * the main thread publishes them when settings allow. Rule: a check stays silent when the part of
 * the analysis it relies on is approximate.
 */
import type { Diagnostic, Range } from 'vscode-languageserver';
import type { LayerNode, ModelNode } from '../../../graph/model-graph';
import { layerNamesAreExact, namesAreExact } from '../lookup';
import { rangeContains } from '../positions';
import type { Fix } from '../snapshot';
import { argument, callParts, enclosingFunction, nodeAtRange, rangeOfNode, sequenceElements, stringLiteral, unwrapParens, type Node } from '../tree';
import {
  CheckContext,
  closestNames,
  Codes,
  diagnostic,
  DiagnosticSeverity,
  modelLabel,
  quoteList,
  replaceFix,
} from './diagnostic-kit';
import { addLossTemplateFix, layerOfExpression, lossArityDiagnostics, lossDefinition, regularizerRewrite, weightReceiver } from './loss-fix';
import { recognizeLoss, requiredParameters } from './loss-penalty';
import { fitDataDiagnostics, outputsKnown } from './fit-data';
import { layerInputDiagnostics } from './layer-inputs';
import { lossTensorDiagnostics } from './loss-tensors';
import { tensorflowCallDiagnostics } from './tensorflow-calls';

export function computeDiagnostics(ctx: CheckContext): Diagnostic[] {
  const all = [
    ...unknownNames(ctx),
    ...duplicateNames(ctx),
    ...lossArityDiagnostics(ctx),
    ...compileLosses(ctx),
    ...fitDataDiagnostics(ctx),
    ...invalidInputs(ctx),
    ...weightOutputs(ctx),
    ...symbolicAddLoss(ctx),
    ...tensorflowCallDiagnostics(ctx),
    ...lossTensorDiagnostics(ctx),
    ...layerInputDiagnostics(ctx),
  ];
  noteDefaults(ctx, all);
  // Code run twice (a builder function called for two models) reports the same thing twice.
  const seen = new Set<string>();
  return all.filter((d) => {
    const key = `${d.code}@${d.range.start.line}:${d.range.start.character}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A diagnostic inside a function nothing in this file calls came from running it with its
 * parameter defaults (analyze.ts#runUncalledFunctions): it says so, since a caller may pass others.
 */
function noteDefaults(ctx: CheckContext, diagnostics: Diagnostic[]): void {
  const speculative = new Set(ctx.graph.models.map((m) => m.speculative).filter((s): s is string => !!s));
  if (speculative.size === 0) return;
  const defs = [...speculative].map((name) => ctx.functions.get(name)).filter((d): d is Node => !!d);
  for (const d of diagnostics) {
    const def = defs.find((f) => rangeContains(rangeOfNode(f), d.range.start));
    const name = def?.childForFieldName('name')?.text;
    if (name) d.message += ` (Found by running ${name}() with its parameter defaults: nothing in this file calls it, and a caller may pass other values.)`;
  }
}

// ───────────── layer and output names ─────────────

function unknownNames(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of ctx.index.strings) {
    if (!s.receiverKnown || s.modelIds.length !== 1 || s.text === '') continue; // "" is mid-typing
    const model = ctx.lookup.model(s.modelIds[0]);
    if (!model || !namesAreExact(model, ctx.graph)) continue;
    if (s.context === 'get_layer' && s.layerIds.length === 0) {
      const names = model.layers.map((l) => l.name);
      const guesses = closestNames(s.text, names);
      const hint = guesses.length > 0 ? `Did you mean '${guesses[0]}'?` : `Its layers: ${quoteList(names)}.`;
      out.push(
        diagnostic(s.range, Codes.unknownLayer, DiagnosticSeverity.Error, `No layer named '${s.text}' in model ${modelLabel(model)} (get_layer raises ValueError). ${hint}`, {
          fixes: guesses.map((g, i) => replaceFix(`Change to '${g}'`, ctx.uri, s.range, g, i === 0)),
        }),
      );
    }
    if (s.context === 'output_key') {
      const outputs = model.outputKeys ?? model.outputs;
      if (outputs.includes(s.text)) continue;
      const guesses = closestNames(s.text, outputs);
      out.push(
        diagnostic(s.range, Codes.unknownOutput, DiagnosticSeverity.Error, `'${s.text}' is not an output of model ${modelLabel(model)}; Keras expects the keys ${quoteList(outputs)}.${guesses.length ? ` Did you mean '${guesses[0]}'?` : ''}`, {
          fixes: guesses.map((g, i) => replaceFix(`Change to '${g}'`, ctx.uri, s.range, g, i === 0)),
        }),
      );
    }
  }
  return out;
}

function duplicateNames(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const model of ctx.graph.models) {
    if (!layerNamesAreExact(model, ctx.graph)) continue;
    const byName = new Map<string, LayerNode[]>();
    for (const layer of model.layers) byName.set(layer.name, [...(byName.get(layer.name) ?? []), layer]);
    const taken = new Set(model.layers.map((l) => l.name));
    for (const [name, layers] of byName) {
      if (layers.length < 2) continue;
      const sites = new Map(layers.map((l) => [l, nameSiteOf(ctx, l)]));
      for (const layer of layers.slice(1)) {
        // A model built by a module's function: Keras raises where this document calls it.
        const range = layer.file ? builderCall(ctx, model) : (sites.get(layer)?.uri === ctx.uri ? sites.get(layer)!.range : layer.range);
        if (!range) continue;
        const site = sites.get(layer);
        const fixes: Fix[] = [];
        // Renaming a literal the other duplicates spell their name with too (a shared constant) changes nothing.
        if (site && !layers.some((l) => l !== layer && sameSite(sites.get(l), site))) {
          const fresh = freshName(name, taken);
          taken.add(fresh);
          const where = site.uri === ctx.uri ? '' : ` (in ${ctx.file(site.file)?.label ?? site.file})`;
          fixes.push(replaceFix(`Rename this layer to '${fresh}'${where}`, site.uri, site.range, fresh, true));
        }
        const built = layer.file ? `, built by code in ${ctx.file(layer.file)?.label ?? layer.file} (line ${layer.range.start.line + 1})` : '';
        out.push(
          diagnostic(range, Codes.duplicateLayerName, DiagnosticSeverity.Error, `The name '${name}' is used ${layers.length} times in model ${modelLabel(model)}${built}; Keras raises when building it ("All operation names should be unique").`, {
            fixes,
            related: layers.filter((l) => l !== layer).map((l) => ({ location: { uri: ctx.uriOf(l.file), range: l.range }, message: `'${name}' is also used here` })),
          }),
        );
      }
    }
  }
  return out;
}

/** The literal that spells a layer's name, in whichever file it is (a constant imported from config.py, say). */
function nameSiteOf(ctx: CheckContext, layer: LayerNode): { uri: string; file?: string; range: Range } | undefined {
  if (layer.nameFile && layer.nameFile !== layer.file && layer.nameRange) {
    const home = ctx.file(layer.nameFile);
    const literal = home && stringLiteral(nodeAtRange(home.root, layer.nameRange, ['string']));
    return home && literal?.value === layer.name ? { uri: home.uri, file: layer.nameFile, range: literal.range } : undefined;
  }
  const site = ctx.index.nameSites.find((n) => n.layerId === layer.id);
  return site && { uri: ctx.uriOf(site.file), file: site.file, range: site.range };
}

function sameSite(a: { uri: string; range: Range } | undefined, b: { uri: string; range: Range }): boolean {
  return !!a && a.uri === b.uri && a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character;
}

/** `build_model()` in `model = build_model()`: where this document builds a model whose code is in a module. */
function builderCall(ctx: CheckContext, model: ModelNode): Range | undefined {
  const ref = ctx.graph.references.find((r) => r.kind === 'model_variable' && r.layerId === model.layerId && !r.file);
  const assignment = ref && nodeAtRange(ctx.root, ref.range, ['assignment']);
  const left = assignment?.childForFieldName('left');
  const right = assignment?.childForFieldName('right');
  if (!left || !right || right.type !== 'call' || left.startPosition.row !== ref!.range.start.line || left.startPosition.column !== ref!.range.start.character) return undefined;
  return rangeOfNode(right);
}

function freshName(name: string, taken: Set<string>): string {
  for (let i = 1; ; i++) if (!taken.has(`${name}_${i}`)) return `${name}_${i}`;
}

// ───────────── losses given to compile() ─────────────

/**
 * A list of losses longer than the outputs, or a dict missing some: Keras raises at fit(). A shorter
 * list: the outputs left over get no loss and are silently not trained (Keras only warns that
 * gradients do not exist).
 */
function compileLosses(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const model of ctx.graph.models) {
    const loss = model.compile?.loss;
    // A single-output model takes a list of losses without complaint (checked in Keras 3).
    if (!loss || model.compile?.file || !outputsKnown(model, ctx) || (model.outputKeys ?? model.outputs).length < 2) continue;
    const call = ctx.callAt(model.compile!.range, 'compile');
    const node = call ? argument(call, 'loss', 1) : undefined;
    if (!node) continue;
    const outputs = model.outputKeys ?? model.outputs;
    const literal = unwrapParens(node);
    if (Array.isArray(loss) && (literal.type === 'list' || literal.type === 'tuple') && loss.length !== outputs.length) {
      out.push(lossListDiagnostic(model, rangeOfNode(node), loss.length, outputs));
    } else if (!Array.isArray(loss) && !('kind' in loss) && literal.type === 'dictionary') {
      const missing = outputs.filter((o) => !(o in loss));
      const extra = Object.keys(loss).some((k) => !outputs.includes(k)); // reported as unknown-output
      if (missing.length > 0 && !extra) {
        out.push(
          diagnostic(rangeOfNode(node), Codes.lossCount, DiagnosticSeverity.Error, `The loss dict has no entry for ${quoteList(missing)} of model ${modelLabel(model)}; Keras raises at fit() ("Expected keys ${quoteList(outputs)} in loss dict").`),
        );
      }
    }
  }
  return out;
}

function lossListDiagnostic(model: ModelNode, range: Range, count: number, outputs: string[]): Diagnostic {
  const has = `Model ${modelLabel(model)} has ${outputs.length} output${outputs.length === 1 ? '' : 's'} (${quoteList(outputs)}) but compile() is given ${count} loss${count === 1 ? '' : 'es'}`;
  if (count > outputs.length) return diagnostic(range, Codes.lossCount, DiagnosticSeverity.Error, `${has}; Keras raises at fit() ("The path: (${outputs.length},) in the \`loss\` argument can't be found").`);
  const untrained = outputs.slice(count);
  return diagnostic(range, Codes.lossCount, DiagnosticSeverity.Warning, `${has}: ${quoteList(untrained)} get${untrained.length === 1 ? 's' : ''} no loss, so Keras does not train ${untrained.length === 1 ? 'it' : 'them'} (it only warns that gradients do not exist).`);
}

// ───────────── model inputs and outputs that are not Keras tensors ─────────────

/** `keras.Model(inputs=seq.input, ...)`: Keras 3's Sequential has `inputs` but raises on `input`. */
function invalidInputs(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const model of ctx.graph.models) {
    if (model.kind !== 'functional' || model.errorAt !== 'inputs' || model.file) continue;
    const call = ctx.callAt(model.range, '*');
    const inputs = call ? argument(call, 'inputs', 0) : undefined;
    if (!inputs) continue;
    const singular = /^(.*)\.\s*input$/s.exec(inputs.text);
    // `.inputs` helps only a Sequential that has inputs (one built from a keras.Input or build()).
    const source = singular ? ctx.lookup.modelForReceiver(singular[1].trim(), rangeOfNode(inputs).start) : undefined;
    const hasInputs = !!source && source.inputs.length > 0 && !source.unbuilt;
    const fixes = singular && hasInputs ? [replaceFix(`Use \`${singular[1]}.inputs\``, ctx.uri, rangeOfNode(inputs), `${singular[1]}.inputs`, true)] : [];
    const noInputs =
      singular && source && !hasInputs
        ? ` \`${singular[1]}\` has no inputs either until it gets an input shape (a keras.Input first, or build()).`
        : /has no defined inputs yet/.test(model.error!)
          ? ' Give it an input shape before this line: a keras.Input as its first layer, or build((None, ...)).'
          : '';
    out.push(diagnostic(rangeOfNode(inputs), Codes.invalidModelInput, DiagnosticSeverity.Error, `Keras raises when building this model: ${model.error!.replace(/; Keras raises when building this model$/, '')}.${noInputs}`, { fixes }));
  }
  return out;
}

function weightOutputs(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const model of ctx.graph.models) {
    if (model.kind !== 'functional') continue;
    if (model.file) {
      out.push(...moduleModelError(ctx, model));
      continue;
    }
    if (model.errorAt === 'inputs') continue; // reported by invalidInputs
    if (!model.error && !WEIGHT_TEXT.test(ctx.lines.slice(model.range) ?? '')) continue; // cheap text test before the tree
    const call = ctx.callAt(model.range, '*');
    const outputs = call ? argument(call, 'outputs', 1) : undefined;
    if (!outputs) continue;
    const elements = unwrapParens(outputs).type === 'dictionary' ? dictValues(unwrapParens(outputs)) : sequenceElements(outputs);
    let flagged = false;
    for (const element of elements) {
      const receiver = weightReceiver(element);
      if (!receiver) continue;
      flagged = true;
      out.push(diagnostic(rangeOfNode(element), Codes.weightAsOutput, DiagnosticSeverity.Error, weightMessage(ctx, element, receiver), { fixes: lossFixesFor(ctx, model) }));
    }
    if (!flagged && model.error && call) {
      // Something else the analyzer knows Keras refuses (e.g. `.output` of a Sequential never called).
      out.push(diagnostic(rangeOfNode(outputs), Codes.invalidModelOutput, DiagnosticSeverity.Error, `Keras raises when building this model: ${model.error}.`));
    }
  }
  return out;
}

/**
 * A model built by a module's function that Keras refuses to build: reported where this document
 * calls the function (Keras raises there), with the loss rewrite when the seed's pattern applies.
 */
function moduleModelError(ctx: CheckContext, model: ModelNode): Diagnostic[] {
  const range = model.error ? builderCall(ctx, model) : undefined;
  if (!range) return [];
  const where = `${ctx.file(model.file)?.label ?? model.file}:${model.range.start.line + 1}`;
  const weight = model.outputSources?.find((s) => s && s.tensor !== 'activation');
  const error = model.error!.replace(/[;.]?\s*Keras raises when building this model\.?$/, '');
  const advice = weight ? " To penalise a layer's kernel, use kernel_regularizer= on the layer (or regularizer= in add_weight)." : '';
  const message = `Keras raises when building this model (${where}): ${error}.${advice}`;
  return [
    diagnostic(range, weight ? Codes.weightAsOutput : Codes.invalidModelOutput, DiagnosticSeverity.Error, message, {
      fixes: weight ? lossFixesFor(ctx, model) : [],
      related: [{ location: { uri: ctx.uriOf(model.file), range: model.range }, message: 'the model is built here' }],
    }),
  ];
}

const WEIGHT_TEXT = /\.\s*(kernel|bias|weights|trainable_weights|trainable_variables|non_trainable_weights|variables|embeddings|gamma|beta|moving_mean|moving_variance|recurrent_kernel|depthwise_kernel|pointwise_kernel|get_weights)\b/;

function weightMessage(ctx: CheckContext, element: Node, receiver: Node): string {
  const what = element.text.length > 60 ? 'this expression' : `\`${element.text}\``;
  const binding = receiver.type === 'identifier' ? ctx.lookup.bindingAt(receiver.text, rangeOfNode(receiver).start) : undefined;
  const layer = layerOfExpression(ctx, receiver);
  const tensorNote =
    binding?.kind === 'tensor_variable' && layer
      ? ` \`${receiver.text}\` is a Keras tensor (the output of layer '${layer.name}'), which has no weights: Keras raises AttributeError here.`
      : '';
  return `A model output must be a Keras tensor; ${what} is a weight, not a tensor (Keras raises when building the model).${tensorNote} To penalise a layer's kernel, use kernel_regularizer= on the layer (or regularizer= in add_weight).`;
}

/** The loss rewrite, offered on the weight-output diagnostic too when the model's loss is the seed's pattern. */
function lossFixesFor(ctx: CheckContext, model: ModelNode): Fix[] {
  const loss = model.compile?.loss;
  if (!loss || Array.isArray(loss) || !('kind' in loss) || loss.kind !== 'function') return [];
  const home = ctx.file(loss.file);
  const def = home && lossDefinition(home, loss);
  if (!home || !def || requiredParameters(def).length !== 3) return [];
  const parts = recognizeLoss(def, home.functions);
  const fix = parts ? regularizerRewrite(ctx, model, parts, home)?.fix : undefined;
  return fix ? [fix] : [];
}

function dictValues(dict: Node): Node[] {
  return dict.namedChildren.filter((p): p is Node => p?.type === 'pair').map((p) => p.childForFieldName('value')!).filter(Boolean);
}

// ───────────── add_loss outside call() ─────────────

const LOSS_METHODS = new Set(['call', 'build', 'train_step', 'test_step', 'compute_loss']);

function symbolicAddLoss(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const match of ctx.text.matchAll(/\.\s*add_loss\s*\(/g)) {
    const pos = ctx.lines.position(match.index! + match[0].length - 1);
    let node: Node | null = ctx.root.descendantForPosition({ row: pos.line, column: pos.character });
    while (node && node.type !== 'call') node = node.parent;
    const parts = node ? callParts(node) : undefined;
    if (!node || !parts || parts.name !== 'add_loss' || parts.receiver?.type !== 'identifier') continue;
    const fn = enclosingFunction(node);
    if (fn?.inClass && LOSS_METHODS.has(fn.name)) continue;
    const binding = ctx.lookup.bindingAt(parts.receiver.text, rangeOfNode(parts.receiver).start);
    const model = ctx.lookup.modelForReceiver(parts.receiver.text, rangeOfNode(parts.receiver).start);
    if (!model && binding?.kind !== 'layer_variable') continue;
    out.push(
      diagnostic(rangeOfNode(node), Codes.symbolicAddLoss, DiagnosticSeverity.Error, `Keras 3 removed symbolic add_loss: \`${parts.receiver.text}.add_loss(...)\` outside a layer's call() raises. Compute the term inside a layer's call() with self.add_loss(...), use a layer regularizer, or override train_step.`, {
        fixes: [addLossTemplateFix(ctx, node)],
      }),
    );
  }
  return out;
}

// ───────────── publishing (main thread) ─────────────

/** Sends an analysis's diagnostics, if the document's settings allow them. */
export async function publishDiagnostics(
  connection: { sendDiagnostics(params: { uri: string; version?: number; diagnostics: Diagnostic[] }): Promise<void> },
  settingsFor: (uri: string) => Promise<{ diagnostics: { enabled: boolean } }>,
  snapshot: { uri: string; version: number; data: { diagnostics: Diagnostic[] } },
  isStillCurrent: () => boolean,
): Promise<void> {
  const settings = await settingsFor(snapshot.uri);
  if (!isStillCurrent()) return; // a newer analysis will publish
  const diagnostics = settings.diagnostics.enabled ? snapshot.data.diagnostics : [];
  await connection.sendDiagnostics({ uri: snapshot.uri, version: snapshot.version, diagnostics });
}
