/**
 * Whether Tap Layer / Untap Layer apply at the cursor: the values of the context keys that the
 * editor context menu's `when` clauses read (contributions.ts ContextKeys). Pure: the same
 * resolution as the Tap command at the cursor (model-target.ts `layerAt`, the model's run-manager
 * key from `requestModelName`), so the menu offers exactly what the command would do.
 */
import type { ModelGraph, Position } from '../../graph/model-graph';
import { layerAt, modelKey, requestModelName } from './model-target';

export interface LayerContext {
  /** The cursor is on a layer the Tap command can act on (not an Input layer). */
  onLayerReference: boolean;
  /** …and that layer is tapped in its model. */
  onTappedLayer: boolean;
  /** The layer and its model's run-manager key (logs, tests). */
  layer?: string;
  key?: string;
}

export const NO_LAYER: LayerContext = Object.freeze({ onLayerReference: false, onTappedLayer: false });

/**
 * The context at `cursor` in a file's graph. `file`: the document's path on disk (undefined for a
 * document that is not a file: the Tap command refuses those). `tapsOf`: the run manager's taps.
 */
export function layerContextAt(graph: ModelGraph | null | undefined, file: string | undefined, cursor: Position | undefined, tapsOf: (key: string) => readonly string[]): LayerContext {
  if (!graph || !file || !cursor) return NO_LAYER;
  const hit = layerAt(graph, cursor);
  if (!hit || hit.layer.className === 'InputLayer') return NO_LAYER;
  const key = modelKey(file, requestModelName(graph, hit.model));
  return { onLayerReference: true, onTappedLayer: tapsOf(key).includes(hit.layer.name), layer: hit.layer.name, key };
}
