/**
 * A layer called on a tensor of a rank it refuses: a Conv2D given (None, None, 40, 40, 1) because
 * the batch dimension went into `Input(shape=...)`, an LSTM given a flat (None, 10). Keras raises at
 * the call (checked in Keras 3 for convolutions, pooling, padding, upsampling and recurrent layers).
 */
import type { Diagnostic } from 'vscode-languageserver';
import { CheckContext, Codes, diagnostic, DiagnosticSeverity, formatDims } from './diagnostic-kit';

export function layerInputDiagnostics(ctx: CheckContext): Diagnostic[] {
  return (ctx.graph.inputRankErrors ?? [])
    .filter((e) => !e.file) // in an imported module: reported when that file is open
    .map((e) => {
      const more = e.received.length > e.expected;
      const conv = /Conv/.test(e.className);
      const keras = more && conv ? 'Kernel shape must have the same length as input' : `expected ${conv ? 'min_ndim' : 'ndim'}=${e.expected}, found ndim=${e.received.length}`;
      // (None, None, 40, 40, 1): the classic `Input(shape=(None, 40, 40, 1))`, batch included twice.
      const hint = more && e.received.length === e.expected + 1 && e.received[1] === null ? ' If it comes from keras.Input(shape=(None, ...)), leave the batch dimension out of shape=.' : '';
      return diagnostic(e.range, Codes.layerInputRank, DiagnosticSeverity.Error, `${e.className} layer '${e.layer}' takes inputs of rank ${e.expected} (batch included) but is called on shape ${formatDims(e.received)}; Keras raises here ("${keras}").${hint}`);
    });
}
