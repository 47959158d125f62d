/**
 * Model Lens: Tap Layer / Untap Layer — on a layer reference (its construction, name, a
 * `get_layer("…")` string, a variable bound to it) or `{ uri, layer, modelName? }` arguments.
 * Taps are per model and apply to the model's next runs (the panel's checkboxes are the same
 * list). Returns `{ key, layer, taps }`.
 */
import * as vscode from 'vscode';
import { Commands } from '../../../protocol/protocol';
import type { LensContext } from '../lens-context';
import { guarded, resolveLayerTarget } from './resolve';

export interface TapResult {
  key: string;
  model: string;
  layer: string;
  taps: string[];
}

export function registerTapCommands(ctx: LensContext): void {
  const change = (tap: boolean) => (arg?: unknown) =>
    guarded(async (): Promise<TapResult | undefined> => {
      const t = await resolveLayerTarget(ctx, arg);
      if (!t) return undefined;
      const layer = t.layer.name;
      if (tap && t.layer.className === 'InputLayer') {
        void vscode.window.showWarningMessage(`Model Lens: '${layer}' is an Input layer: it has no activations or weights of its own to tap.`);
        return undefined;
      }
      const changed = tap ? ctx.runs.tap(t.key, layer) : ctx.runs.untap(t.key, layer);
      const running = ctx.runs.active(t.key).length > 0;
      const taps = [...ctx.runs.tapsOf(t.key)];
      const what = tap ? (changed ? `Tapped '${layer}'` : `'${layer}' is already tapped`) : changed ? `Untapped '${layer}'` : `'${layer}' was not tapped`;
      vscode.window.setStatusBarMessage(`Model Lens: ${what} in ${t.name}${changed && running ? ' (from the next run on)' : ''}`, 4000);
      return { key: t.key, model: t.name, layer, taps };
    });
  ctx.command(Commands.tapLayer, change(true));
  ctx.command(Commands.untapLayer, change(false));
}
