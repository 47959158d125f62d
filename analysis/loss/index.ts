/**
 * Loss interpretation: what a model's loss computes, statically, from the source and the model graph.
 *
 * API (also meant for the language server's quick fixes):
 *
 *   interpretLoss({ tree, graph, model }): LossProgram
 *
 *   - `tree`  the tree-sitter tree of the file (AnalysisResult.tree from analyzeSource);
 *   - `graph` the ModelGraph of the same analysis; `model` one of graph.models (the one trained).
 *
 * The returned LossProgram (analysis/loss/program.ts) is plain JSON:
 *   - `terms`: additive loss components, each `weight × mean(expr)`, where `expr` is a small
 *     expression language over targets (`{op:'target'}`), layer activations and weights
 *     (`{op:'tensor', layer, tensor:'activation'|'kernel'|'bias'}`), Keras losses, reductions and
 *     element-wise math; `line` points at the source construct of each term;
 *   - `targets`: which outputs need y_true, and in which encoding (one-hot, sparse, binary, values);
 *   - `tensors`: every activation/weight the loss reads (the trainer taps these);
 *   - `metrics`, `optimizer`: from `compile(...)`;
 *   - `interpretation`: the protocol's LossInterpretation (summary, components, `skipped`
 *     constructs with line and reason, and `kerasWarnings` where Keras itself would behave
 *     differently, e.g. reject a 3-argument loss).
 *
 * Supported subset of custom loss code: module-level functions and lambdas (including closures
 * returned by a factory call), `keras.losses.*` functions and classes, `tf.reduce_mean/sum/max/min`,
 * `tf.math.abs/square/sqrt/log/exp`, `tf.abs`, `keras.ops.*` / `keras.backend.*` equivalents,
 * `+ - * / **`, constants, default parameters, constant `if`s, and references to tapped tensors:
 * `model.get_layer(name).output / .kernel / .bias / .weights[i]`, layer variables, layer output
 * variables, and extra model outputs bound to extra loss parameters. Anything else is reported in
 * `interpretation.skipped` and the rest of the loss is kept.
 *
 * `interpretLoss` never throws for user code; it does not mutate the graph.
 */
import type { ConfigValue, KerasObjectValue, LayerNode, LossSpec, ModelGraph, ModelNode } from '../../graph/model-graph';
import { walkLayers } from '../../graph/model-graph';
import type { LossInterpretation } from '../../protocol/protocol';
import type { Tree } from '../parser';
import { lossByName } from './library';
import {
  componentInfos,
  renderExpr,
  formatNumber,
  tensorsOf,
  type BuiltinLoss,
  type BuiltinLossOptions,
  type LossExpr,
  type LossProgram,
  type LossTarget,
  type LossTerm,
  type MetricSpec,
  type OptimizerSpec,
} from './program';
import { callArgs, enclosingScope, field, functionDef, importAliases, line1, moduleDefinitions, named, nodeAtRange, snippet, statements, type Node } from './python';
import { describeSym, Env, modelCallNode, Translator, unknown, type Skip, type Sym, type Term } from './translate';

export * from './program';

export interface InterpretLossInput {
  tree: Tree;
  graph: ModelGraph;
  model: ModelNode;
}

export function interpretLoss(input: InterpretLossInput): LossProgram {
  return new LossInterpreter(input).run();
}

/** Per-sample target encoding a Keras loss expects. */
function encodingOf(fn: BuiltinLoss): LossTarget['encoding'] {
  switch (fn) {
    case 'categorical_crossentropy':
    case 'categorical_hinge':
    case 'kl_divergence':
      return 'one_hot';
    case 'sparse_categorical_crossentropy':
      return 'sparse';
    case 'binary_crossentropy':
    case 'hinge':
    case 'squared_hinge':
      return 'binary';
    default:
      return 'values';
  }
}

/** One intended model output: what the source passes as `outputs=` (may be a weight, which Keras rejects). */
interface OutputSlot {
  sym: Sym;
  /** The layer whose activation this output is, when it is an activation. */
  layer?: string;
  description: string;
}

class LossInterpreter {
  private readonly root: Node;
  private readonly tr: Translator;
  private readonly skips: Skip[] = [];
  private readonly kerasWarnings: string[] = [];
  private readonly notes: string[] = [];
  private readonly targets: LossTarget[] = [];
  private readonly terms: (LossTerm & { key: string })[] = [];
  private readonly summaryParts: string[] = [];

  constructor(private readonly input: InterpretLossInput) {
    this.root = input.tree.rootNode;
    const defs = moduleDefinitions(this.root);
    this.tr = new Translator({
      root: this.root,
      graph: input.graph,
      model: input.model,
      aliases: importAliases(this.root),
      functions: defs.functions,
      classes: defs.classes,
      skips: this.skips,
      kerasWarnings: this.kerasWarnings,
    });
  }

  run(): LossProgram {
    const { model } = this.input;
    const compile = model.compile;
    const outputs = this.outputSlots();
    if (!compile) {
      this.summaryParts.push(`model '${model.name}' is not compiled: there is no loss to train with`);
    } else if (compile.loss === null) {
      this.summaryParts.push(`compile(...) at line ${compile.range.start.line + 1} has no loss argument`);
    } else {
      this.compileLoss(compile.loss, outputs);
      this.applyLossWeights(compile.lossWeights, outputs);
    }
    this.regularization();
    this.finishTargets();
    const terms = this.uniqueNames();
    const tensors: { layer: string; tensor: 'activation' | 'kernel' | 'bias' }[] = [];
    for (const t of terms) tensorsOf(t.expr, tensors);
    const skipped = dedupe(this.skips).map((s) => ({ text: s.text, line: s.line, reason: s.reason }));
    const formula = terms.length ? terms.map((t) => (t.weight === 1 ? t.name : `${formatNumber(t.weight)} × ${t.name}`)).join(' + ') : '(nothing)';
    const interpretation: LossInterpretation = {
      summary: [...this.summaryParts, `Loss = ${formula}.`].join(' '),
      components: componentInfos(terms),
      skipped,
      kerasWarnings: [...new Set(this.kerasWarnings)],
    };
    return {
      version: 1,
      model: model.name,
      terms: terms.map((t) => withoutKey(t)),
      targets: this.targets,
      metrics: this.metrics(),
      optimizer: this.optimizer(),
      tensors,
      interpretation,
      empty: terms.length === 0,
    };
  }

  // ───────────── outputs ─────────────

  /** The model's outputs as the source writes them (falls back to the graph's outputs). */
  private outputSlots(): OutputSlot[] {
    const { model } = this.input;
    const fromGraph = (): OutputSlot[] =>
      model.outputs.map((name) => ({
        sym: { k: 'lin', terms: [{ coef: 1, expr: { op: 'tensor', layer: name, tensor: 'activation' }, line: model.range.start.line + 1, text: name }], skipped: [] },
        layer: name,
        description: `the activation of ${name}`,
      }));
    if (model.kind !== 'functional') return fromGraph();
    const call = modelCallNode(this.root, model);
    const sources = model.outputSources;
    if (sources?.length && sources.every((s) => s !== null) && (sources.length !== model.outputs.length || sources.some((s) => s!.tensor !== 'activation'))) {
      // The analyzer followed every output, including ones Keras rejects (a weight as an output).
      const line = call ? line1(call) : model.range.start.line + 1;
      const slots = sources.map((src): OutputSlot => {
        const s = src!;
        const tensor = s.tensor === 'weights' ? 'kernel' : s.tensor;
        const sym: Sym = { k: 'lin', terms: [{ coef: 1, expr: { op: 'tensor', layer: s.layer, tensor }, line, text: `${s.layer}.${tensor}` }], skipped: [] };
        return tensor === 'activation' ? { sym, layer: s.layer, description: `the activation of ${s.layer}` } : { sym, description: `the ${tensor} of ${s.layer}` };
      });
      const weights = slots.filter((s) => s.layer === undefined);
      if (weights.length) {
        this.kerasWarnings.push(
          `line ${line}: outputs= passes ${weights.map((s) => s.description).join(', ')} as a model output; Keras cannot build that model${model.error ? ` (${model.error})` : ''} — a weight is not a layer output. Interpreted as the intent: the loss reads that weight directly.`,
        );
      }
      // Attribute-on-tensor mistakes (the seed's intermediate_layer.get_weights()) are still reported from the source.
      if (call) this.sourceOutputs(call);
      return slots;
    }
    if (!call || call.type !== 'call') return fromGraph();
    const { positional, keywords } = callArgs(call);
    const outputsNode = keywords.get('outputs') ?? positional[1];
    if (!outputsNode) return fromGraph();
    const env = this.scopeEnv(call);
    const elements = outputsNode.type === 'list' || outputsNode.type === 'tuple' ? named(outputsNode) : [outputsNode];
    if (outputsNode.type === 'dictionary') return fromGraph();
    const slots = elements.map((el): OutputSlot => {
      const sym = this.tr.expr(el, env);
      const t = sym.k === 'lin' && sym.terms.length === 1 && sym.terms[0]!.coef === 1 ? sym.terms[0]!.expr : undefined;
      if (t?.op === 'tensor') {
        return t.tensor === 'activation'
          ? { sym, layer: t.layer, description: `the activation of ${t.layer}` }
          : { sym, description: `the ${t.tensor} of ${t.layer}` };
      }
      return { sym, description: describeSym(sym) };
    });
    // Trust the graph where the source could not be read.
    const graphOutputs = fromGraph();
    if (slots.length === graphOutputs.length) {
      return slots.map((s, i) => (s.sym.k === 'unknown' ? graphOutputs[i]! : s));
    }
    if (slots.length > graphOutputs.length) {
      const weightOutputs = slots.filter((s) => s.layer === undefined && s.sym.k === 'lin');
      if (weightOutputs.length) {
        const note = this.input.graph.notes.find((n) => n.line === line1(call) && n.severity === 'error');
        this.kerasWarnings.push(
          `line ${line1(call)}: \`${snippet(outputsNode)}\` passes ${weightOutputs.map((s) => s.description).join(', ')} as a model output; ` +
            `Keras cannot build that model${note ? ` (${note.message})` : ''} — a weight is not a layer output. Interpreted as the intent: the loss reads that weight directly.`,
        );
      }
    }
    return slots;
  }

  /** Evaluates the `outputs=` elements of a Model call (for the Keras warnings they produce). */
  private sourceOutputs(call: Node): void {
    const { positional, keywords } = callArgs(call);
    const outputsNode = keywords.get('outputs') ?? positional[1];
    if (!outputsNode || outputsNode.type === 'dictionary') return;
    const env = this.scopeEnv(call);
    const elements = outputsNode.type === 'list' || outputsNode.type === 'tuple' ? named(outputsNode) : [outputsNode];
    for (const el of elements) this.tr.expr(el, env);
  }

  /** Local variables of the function (or module) around `node`, as far as they are layers or layer outputs. */
  private scopeEnv(node: Node): Env {
    const scope = enclosingScope(node);
    const env = new Env(this.tr.moduleEnv);
    const body = scope.type === 'module' ? scope : field(scope, 'body');
    if (!body) return env;
    // Assignments before the call, in order (a later reassignment must not leak backwards).
    for (const s of statements(body)) {
      if (s.startIndex >= node.startIndex) break;
      if (s.type !== 'expression_statement') continue;
      const a = named(s)[0];
      if (a?.type !== 'assignment') continue;
      const left = field(a, 'left');
      const right = field(a, 'right');
      if (left?.type !== 'identifier' || !right) continue;
      env.vars.set(left.text, this.tr.boundTo(left, right) ?? this.tr.expr(right, env));
    }
    const def = functionDef(scope);
    for (const p of def?.params ?? []) if (!env.vars.has(p.name)) env.vars.set(p.name, unknown(scope, `parameter \`${p.name}\``));
    return env;
  }

  // ───────────── compile(loss=...) ─────────────

  private targetFor(output: string): number {
    const i = this.targets.findIndex((t) => t.output === output);
    if (i >= 0) return i;
    const layer = this.layer(output);
    const shape = layer && Array.isArray(layer.outputShape) && !Array.isArray(layer.outputShape[0]) ? (layer.outputShape as (number | null)[]) : null;
    this.targets.push({ output, shape, encoding: 'values' });
    return this.targets.length - 1;
  }

  private layer(name: string): LayerNode | undefined {
    for (const l of walkLayers(this.input.model)) if (l.name === name) return l;
    return undefined;
  }

  private compileLoss(loss: NonNullable<NonNullable<ModelNode['compile']>['loss']>, outputs: OutputSlot[]): void {
    const activationOutputs = outputs.filter((o) => o.layer !== undefined);
    if (!activationOutputs.length) {
      const m = this.input.model;
      this.summaryParts.push(`the outputs of model '${m.name}' are not known statically${m.kind === 'subclassed' ? ` (${m.className} is a subclassed model)` : ''}, so no loss term can be bound to them.`);
    }
    if (Array.isArray(loss)) {
      loss.forEach((spec, i) => {
        if (spec.kind === 'unknown' && /^none$/i.test(spec.text.trim())) return; // no loss for this output
        const out = activationOutputs[i];
        if (!out) this.skips.push({ text: specText(spec), line: this.compileLine(), reason: `there is no model output ${i} for this loss` });
        else this.applySpec(spec, [out], false, true);
      });
      return;
    }
    if (isLossSpec(loss)) {
      this.applySpec(loss, outputs, true, activationOutputs.length > 1);
      return;
    }
    const keys = this.input.model.outputKeys;
    for (const [key, spec] of Object.entries(loss)) {
      if (spec.kind === 'unknown' && /^none$/i.test(spec.text.trim())) continue;
      const idx = keys ? keys.indexOf(key) : -1;
      const name = idx >= 0 ? this.input.model.outputs[idx] : key;
      const out = activationOutputs.find((o) => o.layer === name);
      if (!out) this.skips.push({ text: `${key}: ${specText(spec)}`, line: this.compileLine(), reason: `the model has no output named '${key}'` });
      else this.applySpec(spec, [out], false, true);
    }
  }

  private compileLine(): number {
    return (this.input.model.compile?.range.start.line ?? 0) + 1;
  }

  /**
   * Applies one loss spec. `all`: the same loss for every output (Keras 3 applies a single loss to
   * each output); `perOutputNames`: suffix component names with the output.
   */
  private applySpec(spec: LossSpec, outputs: OutputSlot[], all: boolean, perOutputNames: boolean): void {
    const line = this.compileLine();
    if (spec.kind === 'builtin') {
      const fn = lossByName(spec.name);
      if (!fn) {
        this.skips.push({ text: spec.name, line, reason: `loss '${spec.name}' has no tfjs counterpart in Model Lens` });
        return;
      }
      const options = builtinOptions(spec.args ?? {});
      if ('unsupported' in options) {
        this.skips.push({ text: spec.name, line, reason: options.unsupported });
        return;
      }
      for (const out of outputs) {
        if (out.layer === undefined) continue;
        const expr: LossExpr = { op: 'loss', fn, yTrue: { op: 'target', target: this.targetFor(out.layer) }, yPred: { op: 'tensor', layer: out.layer, tensor: 'activation' }, options: options };
        const opts = describeOptions(options);
        this.addTerm(
          { coef: 1, expr, line, text: spec.name },
          perOutputNames ? out.layer : undefined,
          `Keras ${fn}${opts} between y_true and the output of ${out.layer}, averaged over the batch (compile, line ${line})`,
          perOutputNames ? `${fn}[${out.layer}]` : fn,
        );
      }
      this.summaryParts.push(`compile(loss=${JSON.stringify(spec.name)}) (line ${line}) → Keras ${fn}${outputs.length > 1 ? ' on each output' : ''}.`);
      return;
    }
    if (spec.kind === 'unknown') {
      const value = this.compileLossNode();
      if (value) {
        const sym = this.tr.expr(value, this.tr.moduleEnv);
        if (sym.k === 'fn') {
          this.applyFunction(sym, snippet(value), outputs, all, perOutputNames);
          return;
        }
        if (sym.k === 'lossobj' || sym.k === 'lib') {
          this.applyCallable(sym, snippet(value), outputs, perOutputNames);
          return;
        }
        if (sym.k === 'unknown') {
          this.skips.push(sym.skip);
          return;
        }
      }
      this.skips.push({ text: spec.text, line, reason: 'the loss could not be resolved statically' });
      return;
    }
    // A user function: find its definition by range (a `def` or a lambda).
    const node = nodeAtRange(this.root, spec.range);
    const def = node ? functionDef(node) : undefined;
    let sym: Sym | undefined = def ? { k: 'fn', def, env: this.tr.moduleEnv } : this.tr.moduleName(spec.name, this.root);
    if (node && enclosingScope(node).type !== 'module') {
      // A closure (loss factory): evaluate the compile argument to capture its environment.
      const value = this.compileLossNode();
      const closure = value ? this.tr.expr(value, this.tr.moduleEnv) : undefined;
      if (closure?.k === 'fn') sym = closure;
    }
    if (!sym || sym.k !== 'fn') {
      this.skips.push({ text: spec.name, line, reason: `loss function '${spec.name}' was not found` });
      return;
    }
    this.applyFunction(sym, spec.name, outputs, all, perOutputNames);
  }

  /** The `loss=` argument node of the compile call. */
  private compileLossNode(): Node | undefined {
    const range = this.input.model.compile?.range;
    const call = range ? nodeAtRange(this.root, range, 'call') : undefined;
    if (!call) return undefined;
    const { positional, keywords } = callArgs(call);
    return keywords.get('loss') ?? positional[1];
  }

  private applyCallable(sym: Sym, text: string, outputs: OutputSlot[], perOutputNames: boolean): void {
    const line = this.compileLine();
    for (const out of outputs) {
      if (out.layer === undefined) continue;
      const target = this.targetSym(out.layer, line);
      const result = this.tr.apply(sym, [target, out.sym], new Map(), this.compileLossNode() ?? this.root);
      this.addResult(result, perOutputNames ? out.layer : undefined, `${text} (line ${line})`);
    }
  }

  private targetSym(layer: string, line: number): Sym {
    return { k: 'lin', terms: [{ coef: 1, expr: { op: 'target', target: this.targetFor(layer) }, line, text: `the targets for ${layer}` }], skipped: [] };
  }

  private applyFunction(fn: Extract<Sym, { k: 'fn' }>, name: string, outputs: OutputSlot[], all: boolean, perOutputNames: boolean): void {
    const { def } = fn;
    const required = def.params.filter((p) => !p.default && !p.splat);
    const line = this.compileLine();
    const signature = `${def.name}(${def.params.map((p) => (p.default ? `${p.name}=${p.default.text}` : p.splat === 'list' ? `*${p.name}` : p.splat === 'dict' ? `**${p.name}` : p.name)).join(', ')})`;
    const defLine = line1(def.node);
    if (required.length > 2) {
      // Keras calls loss(y_true, y_pred) per output: a third required argument is a TypeError.
      const extra = required.slice(2);
      this.kerasWarnings.push(
        `line ${line}: compile(loss=${name}): Keras calls the loss as ${def.name}(y_true, y_pred) for each output, so it raises ` +
          `TypeError: ${def.name}() missing ${extra.length} required positional argument${extra.length > 1 ? 's' : ''}: ${extra.map((p) => `'${p.name}'`).join(', ')}. ` +
          `Interpreted as the intent: called once, with y_pred = model output 0 and ${extra.map((p, i) => `${p.name} = model output ${i + 1}`).join(', ')}.`,
      );
      const first = outputs[0];
      if (!first || first.layer === undefined) {
        this.skips.push({ text: signature, line: defLine, reason: 'model output 0 is not a layer output' });
        return;
      }
      const args: Sym[] = [this.targetSym(first.layer, line), first.sym];
      extra.forEach((p, i) => {
        const out = outputs[i + 1];
        args.push(out ? out.sym : { k: 'unknown', skip: { text: p.name, line: defLine, reason: `there is no model output ${i + 1} to bind \`${p.name}\` to` } });
      });
      const bindings: string[] = [];
      const result = this.tr.callFunction(fn, args, new Map(), def.node, bindings);
      const binding = bindings.map((b, i) => (i >= 2 && i < 2 + extra.length ? `${b} (model output ${i - 1})` : b));
      this.summaryParts.push(`${signature} (line ${defLine}) is called once with ${binding.join('; ')}.`);
      this.addResult(result, undefined, `${def.name} (line ${defLine})`);
      this.unusedTargets(outputs, 1);
      return;
    }
    const targets = all ? outputs.filter((o) => o.layer !== undefined) : outputs;
    for (const out of targets) {
      if (out.layer === undefined) continue;
      const bindings: string[] = [];
      const result = this.tr.callFunction(fn, [this.targetSym(out.layer, line), out.sym], new Map(), def.node, bindings);
      this.summaryParts.push(`${signature} (line ${defLine})${targets.length > 1 ? ` on output ${out.layer}` : ''}: ${bindings.join('; ')}.`);
      this.addResult(result, perOutputNames ? out.layer : undefined, `${def.name} (line ${defLine})`);
    }
  }

  /** Notes fit targets beyond the ones the interpreted loss uses. */
  private unusedTargets(outputs: OutputSlot[], used: number): void {
    const fit = this.input.model.fit?.[0];
    const count = fit?.targetCount ?? null;
    if (count === null || count <= used) return;
    const unused: string[] = [];
    for (let i = used; i < count; i++) {
      const shape = fit?.yShapes?.[i];
      unused.push(`target ${i}${shape ? ` (shape (${shape.map((d) => (d === null ? 'None' : d)).join(', ')}))` : ''} for ${outputs[i]?.description ?? `output ${i}`}`);
    }
    this.kerasWarnings.push(`line ${fit!.range.start.line + 1}: fit passes ${count} targets; ${unused.join(', ')} ${unused.length > 1 ? 'are' : 'is'} not used by the interpreted loss.`);
  }

  private addResult(result: Sym, output: string | undefined, origin: string): void {
    if (result.k === 'unknown') {
      this.skips.push(result.skip);
      return;
    }
    if (result.k === 'num') {
      this.addTerm({ coef: 1, expr: { op: 'const', value: result.v }, line: this.compileLine(), text: formatNumber(result.v) }, output, `the constant ${formatNumber(result.v)} from ${origin}`);
      return;
    }
    if (result.k !== 'lin') {
      this.skips.push({ text: origin, line: this.compileLine(), reason: `the loss returns ${describeSym(result)}, not a tensor` });
      return;
    }
    for (const s of result.skipped) this.skips.push({ ...s, reason: `${s.reason}; this term is left out of the loss` });
    for (const t of result.terms) this.addTerm(t, output, `from ${origin}, line ${t.line}: \`${t.text}\``);
  }

  private addTerm(t: Term, output: string | undefined, origin: string, name?: string): void {
    const targets = this.targets;
    const expr = t.expr;
    const single = tensorsOf(expr);
    const base = name ?? (expr.op === 'loss' ? expr.fn : renderExpr(expr, targets));
    const fullName = output !== undefined && name === undefined ? `${base}[${output}]` : base;
    // The same term from two calls (e.g. a loss applied per output) is summed, as Keras would.
    const key = `${renderExpr(expr, targets)}|${output ?? ''}`;
    const existing = this.terms.find((x) => x.key === key);
    if (existing) {
      existing.weight += t.coef;
      return;
    }
    const term: LossTerm & { key: string } = {
      key,
      name: fullName,
      weight: t.coef,
      expr,
      description: `${t.coef === 1 ? '' : `${formatNumber(t.coef)} × `}${explain(expr, targets)} — ${origin}`,
      line: t.line,
    };
    const tapped = single.filter((s) => !(expr.op === 'loss' && s.tensor === 'activation' && expr.yPred.op === 'tensor' && expr.yPred.layer === s.layer));
    if (tapped.length === 1) {
      term.layer = tapped[0]!.layer;
      term.tensor = tapped[0]!.tensor;
    }
    if (output !== undefined) term.output = output;
    this.terms.push(term);
  }

  private applyLossWeights(weights: ConfigValue, outputs: OutputSlot[]): void {
    if (weights === null || weights === undefined) return;
    const line = this.compileLine();
    const byOutput = new Map<string, number>();
    if (Array.isArray(weights)) {
      const acts = outputs.filter((o) => o.layer !== undefined);
      weights.forEach((w, i) => {
        if (typeof w === 'number' && acts[i]) byOutput.set(acts[i]!.layer!, w);
        else this.skips.push({ text: `loss_weights[${i}]`, line, reason: 'not a constant number' });
      });
    } else if (typeof weights === 'object' && !('$class' in weights) && !('$unknown' in weights)) {
      const keys = this.input.model.outputKeys;
      for (const [k, w] of Object.entries(weights)) {
        const idx = keys ? keys.indexOf(k) : -1;
        const name = idx >= 0 ? this.input.model.outputs[idx]! : k;
        if (typeof w === 'number') byOutput.set(name, w);
        else this.skips.push({ text: `loss_weights[${JSON.stringify(k)}]`, line, reason: 'not a constant number' });
      }
    } else {
      this.skips.push({ text: 'loss_weights', line, reason: 'not a constant list or dict' });
      return;
    }
    for (const term of this.terms) {
      const out = term.output ?? (outputs.length === 1 ? outputs[0]?.layer : undefined);
      const w = out !== undefined ? byOutput.get(out) : undefined;
      if (w !== undefined && w !== 1) {
        term.weight *= w;
        term.description += ` (× loss_weights ${formatNumber(w)} for ${out})`;
      }
    }
  }

  private regularization(): void {
    const parts: string[] = [];
    for (const layer of walkLayers(this.input.model)) {
      for (const key of ['kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'depthwise_regularizer', 'pointwise_regularizer', 'recurrent_regularizer', 'embeddings_regularizer', 'beta_regularizer', 'gamma_regularizer']) {
        const v = layer.config[key];
        if (v === undefined || v === null) continue;
        parts.push(`${describeConfig(v)} on ${layer.name}.${key.replace('_regularizer', '')}`);
      }
    }
    if (!parts.length) return;
    this.terms.push({
      key: 'regularization',
      name: 'regularization',
      weight: 1,
      expr: { op: 'regularization' },
      description: `the layers' own regularization losses, which Keras adds to the loss: ${parts.join(', ')}`,
    });
  }

  private finishTargets(): void {
    const visit = (e: LossExpr): void => {
      if (e.op === 'loss') {
        if (e.yTrue.op === 'target') {
          const t = this.targets[e.yTrue.target]!;
          if (t.encoding === 'values') t.encoding = encodingOf(e.fn);
        }
        visit(e.yPred);
      } else if (e.op === 'reduce' || e.op === 'unary') visit(e.x);
      else if (e.op === 'binary') {
        visit(e.a);
        visit(e.b);
      }
    };
    for (const t of this.terms) visit(t.expr);
  }

  private uniqueNames(): LossTerm[] {
    const seen = new Map<string, number>();
    return this.terms
      .filter((t) => t.weight !== 0)
      .map((t) => {
        const n = (seen.get(t.name) ?? 0) + 1;
        seen.set(t.name, n);
        return n === 1 ? t : { ...t, name: `${t.name}#${n}` };
      });
  }

  // ───────────── metrics, optimizer ─────────────

  private metrics(): MetricSpec[] {
    const compile = this.input.model.compile;
    if (!compile || compile.metrics === null) return [];
    const list = Array.isArray(compile.metrics) ? compile.metrics : [compile.metrics];
    const out: MetricSpec[] = [];
    const firstLoss = new Map<number, BuiltinLoss>();
    for (const t of this.terms) if (t.expr.op === 'loss' && t.expr.yTrue.op === 'target' && !firstLoss.has(t.expr.yTrue.target)) firstLoss.set(t.expr.yTrue.target, t.expr.fn);
    const multi = this.targets.length > 1;
    for (const m of list) {
      const name = typeof m === 'string' ? m : m && typeof m === 'object' && '$class' in m ? String(m.$class) : undefined;
      if (!name) continue;
      this.targets.forEach((target, i) => {
        const loss = firstLoss.get(i);
        const kind = metricKind(name, loss, target);
        if (!kind) {
          if (i === 0) this.notes.push(`metric ${name} is not computed (no tfjs counterpart in Model Lens)`);
          return;
        }
        const label = name === 'acc' ? 'accuracy' : typeof m === 'string' ? name : snake(name);
        out.push({ name: multi ? `${target.output}_${label}` : label, kind, target: i, output: target.output });
      });
    }
    return out;
  }

  private optimizer(): OptimizerSpec {
    const compile = this.input.model.compile;
    const line = compile ? compile.range.start.line + 1 : undefined;
    const opt = compile?.optimizer;
    const base = (className: string, args: OptimizerSpec['args'] = {}): OptimizerSpec => (line === undefined ? { className, args } : { className, args, line });
    if (opt === undefined || opt === null) return base('RMSprop'); // Keras's compile() default
    if (typeof opt === 'string') return base(OPTIMIZER_NAMES[opt.toLowerCase()] ?? opt);
    if (typeof opt === 'object' && !Array.isArray(opt) && '$class' in opt) {
      const args: OptimizerSpec['args'] = {};
      for (const [k, v] of Object.entries((opt as KerasObjectValue).args)) {
        if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' || v === null) args[k] = v;
        else args[k] = `$unknown:${JSON.stringify(v)}`;
      }
      return base(String(opt.$class), args);
    }
    return base(`$unknown:${JSON.stringify(opt)}`);
  }
}

const OPTIMIZER_NAMES: Record<string, string> = {
  adam: 'Adam',
  sgd: 'SGD',
  rmsprop: 'RMSprop',
  adagrad: 'Adagrad',
  adadelta: 'Adadelta',
  adamax: 'Adamax',
  adamw: 'AdamW',
  nadam: 'Nadam',
  ftrl: 'Ftrl',
  lion: 'Lion',
};

function metricKind(name: string, loss: BuiltinLoss | undefined, target: LossTarget): MetricSpec['kind'] | undefined {
  const n = name.toLowerCase().replace(/_/g, '');
  if (n === 'accuracy' || n === 'acc') {
    if (loss === 'sparse_categorical_crossentropy') return 'sparse_categorical_accuracy';
    if (loss === 'binary_crossentropy' || loss === 'hinge' || loss === 'squared_hinge') return 'binary_accuracy';
    if (loss === 'categorical_crossentropy' || loss === 'kl_divergence' || loss === 'categorical_hinge') return 'categorical_accuracy';
    const width = target.shape?.[target.shape.length - 1];
    return width === 1 ? 'binary_accuracy' : 'categorical_accuracy';
  }
  if (n === 'categoricalaccuracy') return 'categorical_accuracy';
  if (n === 'sparsecategoricalaccuracy') return 'sparse_categorical_accuracy';
  if (n === 'binaryaccuracy') return 'binary_accuracy';
  if (n === 'mae' || n === 'meanabsoluteerror') return 'mean_absolute_error';
  if (n === 'mse' || n === 'meansquarederror') return 'mean_squared_error';
  return undefined;
}

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function isLossSpec(v: unknown): v is LossSpec {
  return typeof v === 'object' && v !== null && 'kind' in v && typeof (v as { kind: unknown }).kind === 'string' && ['builtin', 'function', 'unknown'].includes((v as { kind: string }).kind);
}

function specText(spec: LossSpec): string {
  return spec.kind === 'unknown' ? spec.text : spec.name;
}

function builtinOptions(args: { [key: string]: ConfigValue }): BuiltinLossOptions | { unsupported: string } {
  const options: BuiltinLossOptions = {};
  for (const [k, v] of Object.entries(args)) {
    if (k === 'from_logits') {
      if (typeof v !== 'boolean') return { unsupported: 'from_logits is not a constant' };
      options.fromLogits = v;
    } else if (k === 'label_smoothing') {
      if (typeof v !== 'number') return { unsupported: 'label_smoothing is not a constant' };
      if (v !== 0) options.labelSmoothing = v;
    } else if (k === 'delta') {
      if (typeof v !== 'number') return { unsupported: 'delta is not a constant' };
      options.delta = v;
    } else if (k === 'axis') {
      if (v !== -1) return { unsupported: 'a class axis other than -1 is not supported' };
    } else if (k === 'reduction') {
      if (v !== 'sum_over_batch_size' && v !== 'auto' && v !== null) return { unsupported: `reduction=${JSON.stringify(v)} is not supported (only the default, sum_over_batch_size)` };
    } else if (k === 'name' || k === 'dtype') {
      // no effect on the value
    } else if (k === 'ignore_class') {
      if (v !== null) return { unsupported: 'ignore_class is not supported' };
    } else {
      return { unsupported: `loss argument ${k}= is not supported` };
    }
  }
  return options;
}

function describeOptions(o: BuiltinLossOptions): string {
  const parts: string[] = [];
  if (o.fromLogits) parts.push('from_logits=True');
  if (o.labelSmoothing) parts.push(`label_smoothing=${o.labelSmoothing}`);
  if (o.delta !== undefined) parts.push(`delta=${o.delta}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function describeConfig(v: ConfigValue): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && !Array.isArray(v) && '$class' in v) {
    const args = Object.entries((v as KerasObjectValue).args).map(([k, a]) => `${k}=${JSON.stringify(a)}`);
    return `${v.$class}(${args.join(', ')})`;
  }
  return JSON.stringify(v);
}

/** A sentence for a term's expression. */
function explain(e: LossExpr, targets: LossTarget[]): string {
  if (e.op === 'loss') {
    const of = e.yPred.op === 'tensor' ? `the output of ${e.yPred.layer}` : renderExpr(e.yPred, targets);
    return `Keras ${e.fn}${describeOptions(e.options)} between y_true and ${of}, averaged over the batch`;
  }
  const tensors = tensorsOf(e);
  if (e.op === 'reduce' && tensors.length === 1) {
    const t = tensors[0]!;
    const what = t.tensor === 'activation' ? `the activation of ${t.layer}` : `the ${t.tensor} of ${t.layer}`;
    const inner = e.x.op === 'unary' && e.x.x.op === 'tensor' ? ({ abs: '|x|', square: 'x²', sqrt: '√x', log: 'log x', exp: 'exp x' } as Record<string, string>)[e.x.fn] : e.x.op === 'tensor' ? 'x' : undefined;
    if (inner && e.axis === null) return `${e.fn} of ${inner} over ${what} (${renderExpr(e, targets)})`;
  }
  return renderExpr(e, targets);
}

function withoutKey(t: LossTerm): LossTerm {
  const { key: _key, ...rest } = t as LossTerm & { key?: string };
  return rest;
}

function dedupe(skips: Skip[]): Skip[] {
  const out: Skip[] = [];
  for (const s of skips) if (!out.some((o) => o.line === s.line && o.text === s.text)) out.push(s);
  return out.sort((a, b) => a.line - b.line);
}
