/**
 * TensorFlow functions on symbolic Keras tensors: `tf.reduce_mean(x)` while a functional model is
 * built worked in Keras 2 (tf.keras wrapped it in a TFOpLambda layer) and raises in Keras 3 ("A
 * KerasTensor cannot be used as input to a TensorFlow function"), checked with TF 2.21 / Keras 3.15.
 * The analyzer lists such calls (ModelGraph.tfOnKerasTensors); the fix swaps in the keras.ops
 * function where it takes the same arguments.
 */
import type { Diagnostic } from 'vscode-languageserver';
import type { Fix } from '../snapshot';
import { callParts, nodeAtRange, rangeOfNode, type Node } from '../tree';
import { rangeContains } from '../positions';
import { CheckContext, Codes, diagnostic, DiagnosticSeverity } from './diagnostic-kit';
import { lossFunctionsHere } from './loss-tensors';

/** keras.ops functions that take a TensorFlow function's positional arguments in the same order. */
const KERAS_OPS: Record<string, string> = {
  reduce_mean: 'mean',
  reduce_sum: 'sum',
  reduce_max: 'max',
  reduce_min: 'min',
  reduce_prod: 'prod',
  concat: 'concatenate',
  stack: 'stack',
  square: 'square',
  sqrt: 'sqrt',
  abs: 'abs',
  exp: 'exp',
  log: 'log',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  relu: 'relu',
  softmax: 'softmax',
  reshape: 'reshape',
  transpose: 'transpose',
  expand_dims: 'expand_dims',
  squeeze: 'squeeze',
  matmul: 'matmul',
  cast: 'cast',
  tile: 'tile',
  maximum: 'maximum',
  minimum: 'minimum',
  add: 'add',
  subtract: 'subtract',
  multiply: 'multiply',
  'image.resize': 'image.resize',
};

/** Keyword arguments spelled the same by both (any other keyword: no automatic rewrite). */
const SHARED_KEYWORDS = new Set(['axis', 'keepdims', 'dtype']);

export function tensorflowCallDiagnostics(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Inside a custom loss, the mistake is reading a Keras tensor at all (loss-tensors.ts says so).
  const losses = lossFunctionsHere(ctx).map((l) => rangeOfNode(l.def));
  for (const call of ctx.graph.tfOnKerasTensors ?? []) {
    if (call.file) continue; // in an imported module: reported when that file is open
    if (losses.some((range) => rangeContains(range, call.range.start))) continue;
    const node = nodeAtRange(ctx.root, call.range, ['call']);
    const callee = node?.childForFieldName('function');
    if (!node || !callee) continue;
    const fix = kerasOpsFix(ctx, node, callee, call.path);
    const instead = fix ? ` Use ${fix.title.replace(/^Use /, '')} instead,` : ' Use the keras.ops function that does the same,';
    out.push(
      diagnostic(rangeOfNode(callee), Codes.tfOnKerasTensor, DiagnosticSeverity.Error, `Keras 3 raises: ${callee.text}() is a TensorFlow function, and a Keras tensor cannot be its input while a model is built ("A KerasTensor cannot be used as input to a TensorFlow function").${instead} or call it inside a layer's call() (a custom layer or layers.Lambda).`, {
        fixes: fix ? [fix] : [],
      }),
    );
  }
  return out;
}

function kerasOpsFix(ctx: CheckContext, call: Node, callee: Node, path: string): Fix | undefined {
  const op = KERAS_OPS[path.replace(/^tf\.(?:math\.|nn\.|linalg\.)?/, '')];
  const parts = callParts(call);
  if (!op || !parts || [...parts.keywords.keys()].some((k) => !SHARED_KEYWORDS.has(k))) return undefined;
  const keras = ctx.kerasModule();
  const replacement = `${keras.prefix}.ops.${op}`;
  const edits = [{ range: rangeOfNode(callee), newText: replacement }];
  if (keras.importEdit) edits.unshift(keras.importEdit);
  return { title: `Use \`${replacement}\``, isPreferred: true, edit: { changes: { [ctx.uri]: edits } } };
}
