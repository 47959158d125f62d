/**
 * Workspace Trust: in Restricted Mode the analysis, the language features and the panel work
 * (they read files, never run them), but training is refused: it starts a process that reads the
 * workspace's data files and honours workspace settings (package.json
 * `capabilities.untrustedWorkspaces: { supported: 'limited' }`).
 */
import * as vscode from 'vscode';

export const UNTRUSTED_TRAINING_MESSAGE =
  'Model Lens does not train models in Restricted Mode: training starts a TensorFlow process on this workspace\'s files, data and settings. Trust the workspace to train; analysis, the summary and saved runs work without.';

const MANAGE = 'Manage Workspace Trust';

export function isTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

/**
 * True when training may go ahead; otherwise explains why not (with a button to manage trust)
 * and returns false.
 */
export function ensureTrustedForTraining(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(UNTRUSTED_TRAINING_MESSAGE, MANAGE).then((choice) => {
    if (choice === MANAGE) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
