/**
 * What package.json contributes (commands, menus, configuration), its activation events and its
 * Workspace Trust capability: the source of truth. `node --import tsx client/update-package-json.ts`
 * writes them into package.json; test/client/package-json.test.ts checks they agree. Pure.
 */
import { Commands } from '../../protocol/protocol';
import { CONFIGURATION, RESTRICTED_SETTINGS } from './settings';

/** The Train & Inspect panel's webview type (serializer, `onWebviewPanel:`, `activeWebviewPanelId`). */
export const PANEL_VIEW_TYPE = 'modelLens.trainInspect';

/** Context keys the client sets. */
export const ContextKeys = {
  /** Some run is training. */
  trainingActive: 'modelLens.trainingActive',
  /** The active Python editor's cursor is on a layer Tap Layer can act on (layer-context-keys.ts). */
  onLayerReference: 'modelLens.onLayerReference',
  /** …and that layer is tapped. */
  onTappedLayer: 'modelLens.onTappedLayer',
} as const;

const CATEGORY = 'Model Lens';
const PY = 'editorLangId == python';
const PANEL = `activeWebviewPanelId == '${PANEL_VIEW_TYPE}'`;

export const COMMAND_TITLES: Record<(typeof Commands)[keyof typeof Commands], { title: string; icon: string; enablement?: string }> = {
  [Commands.trainAndInspect]: { title: 'Train & Inspect Model', icon: '$(play)' },
  [Commands.stopTraining]: { title: 'Stop Training', icon: '$(debug-stop)', enablement: ContextKeys.trainingActive },
  [Commands.showModelSummary]: { title: 'Show Model Summary', icon: '$(list-tree)' },
  [Commands.tapLayer]: { title: 'Tap Layer', icon: '$(eye)' },
  [Commands.untapLayer]: { title: 'Untap Layer', icon: '$(eye-closed)' },
  [Commands.openSavedRun]: { title: 'Open Saved Run…', icon: '$(folder-opened)' },
  [Commands.exportRun]: { title: 'Export Run…', icon: '$(save-as)' },
  [Commands.installNativeBackend]: { title: 'Install Native TensorFlow Backend', icon: '$(cloud-download)' },
};

export const CONTRIBUTES = {
  commands: Object.entries(COMMAND_TITLES).map(([command, c]) => ({ command, title: c.title, category: CATEGORY, icon: c.icon, ...(c.enablement ? { enablement: c.enablement } : {}) })),
  menus: {
    commandPalette: [
      { command: Commands.trainAndInspect, when: PY },
      { command: Commands.showModelSummary, when: PY },
      { command: Commands.tapLayer, when: PY },
      { command: Commands.untapLayer, when: PY },
      { command: Commands.stopTraining, when: ContextKeys.trainingActive },
    ],
    'editor/context': [
      { command: Commands.trainAndInspect, when: PY, group: 'modelLens@1' },
      { command: Commands.showModelSummary, when: PY, group: 'modelLens@2' },
      // Only on a layer reference, and only the one that changes something (the palette keeps both).
      { command: Commands.tapLayer, when: `${PY} && ${ContextKeys.onLayerReference} && !${ContextKeys.onTappedLayer}`, group: 'modelLens@3' },
      { command: Commands.untapLayer, when: `${PY} && ${ContextKeys.onLayerReference} && ${ContextKeys.onTappedLayer}`, group: 'modelLens@4' },
      { command: Commands.stopTraining, when: `${PY} && ${ContextKeys.trainingActive}`, group: 'modelLens@5' },
    ],
    'editor/title': [
      { command: Commands.stopTraining, when: `${PANEL} && ${ContextKeys.trainingActive}`, group: 'navigation@1' },
      { command: Commands.exportRun, when: PANEL, group: 'navigation@2' },
      { command: Commands.openSavedRun, when: PANEL, group: 'navigation@3' },
    ],
  },
  configuration: CONFIGURATION,
};

export const ACTIVATION_EVENTS = ['onLanguage:python', ...Object.values(Commands).map((c) => `onCommand:${c}`), `onWebviewPanel:${PANEL_VIEW_TYPE}`];

export const CAPABILITIES = {
  untrustedWorkspaces: {
    supported: 'limited',
    description:
      "In Restricted Mode, Model Lens analyses Keras code (completion, hover, diagnostics, summaries) and shows saved runs, but does not train: training starts a TensorFlow process on the workspace's files, data and settings.",
    restrictedConfigurations: RESTRICTED_SETTINGS,
  },
};

/** package.json with this module's parts written in (other fields untouched). */
export function applyContributions(pkg: Record<string, unknown>): Record<string, unknown> {
  return {
    ...pkg,
    activationEvents: ACTIVATION_EVENTS,
    extensionKind: ['workspace'],
    capabilities: { ...((pkg['capabilities'] as object | undefined) ?? {}), ...CAPABILITIES },
    contributes: { ...((pkg['contributes'] as object | undefined) ?? {}), ...CONTRIBUTES },
  };
}
