/**
 * The problem Model Lens exists for, in its most common broken form: a loss that reads a layer's
 * activations through a symbolic Keras tensor (`model.get_layer("hidden").output`, or the tensor
 * variable the model was built from). That tensor describes the layer while the model is built
 * and holds no values of a batch; Keras calls a loss with (y_true, y_pred) only, and fit raises
 * (checked in Keras 3: TypeError "Failed to convert elements of (None,) to Tensor", or, through a
 * TensorFlow function, "A KerasTensor cannot be used as input to a TensorFlow function").
 */
import type { Diagnostic } from 'vscode-languageserver';
import type { LayerNode } from '../../../graph/model-graph';
import { rangeOfNode, type Node } from '../tree';
import { CheckContext, Codes, diagnostic, DiagnosticSeverity } from './diagnostic-kit';
import { addLossTemplateFix, functionLosses, layerOfExpression, lossDefinition, type FunctionLoss } from './loss-fix';

export function lossTensorDiagnostics(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { spec, def } of lossFunctionsHere(ctx)) {
    const name = def.type === 'lambda' ? 'The lambda loss' : `The loss \`${spec.name}\``;
    for (const read of symbolicReads(ctx, def)) {
      out.push(
        diagnostic(rangeOfNode(read.node), Codes.lossReadsKerasTensor, DiagnosticSeverity.Error, `${name} reads \`${read.node.text}\`, the symbolic output of layer '${read.layer.name}': it describes the layer while the model is built and holds no values of a batch. Keras calls a loss with (y_true, y_pred) only, and fit raises (TypeError "Failed to convert elements of (None,) to Tensor"). To penalise the layer's activations, pass activity_regularizer= to the layer, or add the term with self.add_loss() inside a layer's call().`, {
          fixes: [addLossTemplateFix(ctx, def)],
          related: [{ location: { uri: ctx.uriOf(read.layer.file), range: read.layer.range }, message: `'${read.layer.name}' is built here` }],
        }),
      );
    }
  }
  return out;
}

/** The custom loss functions (defs and lambdas) of this document that its compile() calls pass. */
export function lossFunctionsHere(ctx: CheckContext): { spec: FunctionLoss; def: Node }[] {
  const out: { spec: FunctionLoss; def: Node }[] = [];
  for (const model of ctx.graph.models) {
    if (!model.compile || model.compile.file) continue;
    for (const spec of functionLosses(model.compile.loss)) {
      const def = spec.file ? undefined : lossDefinition(ctx, spec);
      if (def && !out.some((o) => o.def.same(def))) out.push({ spec, def });
    }
  }
  return out;
}

/** Where a loss's body reads a Keras tensor of the model: `.output` of a layer, or a module-level tensor variable. */
function symbolicReads(ctx: CheckContext, def: Node): { node: Node; layer: LayerNode }[] {
  const own = new Set([...parameterNames(def), ...assignedNames(def)]);
  const reads: { node: Node; layer: LayerNode }[] = [];
  const visit = (node: Node) => {
    if (node.type === 'attribute' && node.childForFieldName('attribute')?.text === 'output') {
      const layer = layerOfExpression(ctx, node);
      if (layer) return void reads.push({ node, layer });
    }
    if (node.type === 'identifier' && !own.has(node.text) && isRead(node)) {
      const binding = ctx.lookup.bindingAt(node.text, rangeOfNode(node).start);
      const layer = binding?.kind === 'tensor_variable' ? ctx.lookup.layer(binding.layerId)[0]?.layer : undefined;
      if (layer) return void reads.push({ node, layer });
    }
    for (const child of node.namedChildren) if (child) visit(child);
  };
  const body = def.childForFieldName('body');
  if (body) visit(body);
  return reads;
}

/** An identifier used as a value (not an attribute name, a keyword or a call's keyword argument name). */
function isRead(node: Node): boolean {
  const parent = node.parent;
  if (!parent) return true;
  if (parent.type === 'attribute' && parent.childForFieldName('attribute')?.same(node)) return false;
  if (parent.type === 'keyword_argument' && parent.childForFieldName('name')?.same(node)) return false;
  return true;
}

function parameterNames(def: Node): string[] {
  const params = def.childForFieldName('parameters');
  return (params?.namedChildren ?? []).map((p) => (p?.type === 'identifier' ? p.text : (p?.childForFieldName('name')?.text ?? p?.namedChildren[0]?.text ?? ''))).filter(Boolean);
}

/** Names the function assigns (its locals): `acts = ...`, `for a in ...`. */
function assignedNames(def: Node): string[] {
  const out: string[] = [];
  const visit = (node: Node) => {
    const target = node.type === 'assignment' || node.type === 'augmented_assignment' ? node.childForFieldName('left') : node.type === 'for_statement' ? node.childForFieldName('left') : undefined;
    if (target) collectNames(target, out);
    for (const child of node.namedChildren) if (child && child.type !== 'function_definition' && child.type !== 'lambda') visit(child);
  };
  const body = def.childForFieldName('body');
  if (body) visit(body);
  return out;
}

function collectNames(target: Node, out: string[]): void {
  if (target.type === 'identifier') out.push(target.text);
  else if (target.type === 'pattern_list' || target.type === 'tuple_pattern' || target.type === 'list_pattern') for (const c of target.namedChildren) if (c) collectNames(c, out);
}
