/**
 * Starts trainer processes for the run manager through trainer/client.ts (the one parent-side
 * client: IPC, stop-then-kill, exactly one `end`). No `vscode` import.
 *
 * The process is dist/trainer.js run by `nodeExecutable` (default: the extension host's own
 * runtime, `process.execPath`, with ELECTRON_RUN_AS_NODE=1 so that desktop VS Code's Electron
 * binary behaves as plain Node). The environment points it at the chosen TensorFlow.js runtime
 * (native-backend.ts `trainerEnv`).
 */
import * as fs from 'node:fs';
import { startTrainer } from '../../trainer/client';
import type { TrainRequest } from '../../protocol/protocol';
import type { Launch } from './run-manager';

export interface LauncherOptions {
  /** dist/trainer.js (or trainer/main.ts under tsx, for tests). */
  entry: string;
  /** Per run: the Node.js executable (undefined = process.execPath) and extra environment. */
  resolve: (request: TrainRequest) => { nodeExecutable?: string; env: Record<string, string> };
  /** Time between a stop message and SIGKILL (default 5000 ms). */
  killAfterMs?: number;
}

export class TrainerLaunchError extends Error {}

export function createLauncher(options: LauncherOptions): Launch {
  return (request, hooks) => {
    if (!fs.existsSync(options.entry)) throw new TrainerLaunchError(`the trainer bundle is missing: ${options.entry} (run npm run build)`);
    const { nodeExecutable, env } = options.resolve(request);
    if (nodeExecutable && !fs.existsSync(nodeExecutable)) throw new TrainerLaunchError(`modelLens.training.nodePath: ${nodeExecutable} does not exist`);
    const run = startTrainer(request, {
      entry: options.entry,
      onEvent: hooks.onEvent,
      ...(hooks.onStderr ? { onStderr: hooks.onStderr } : {}),
      env,
      ...(nodeExecutable ? { execPath: nodeExecutable } : {}),
      ...(options.killAfterMs !== undefined ? { killAfterMs: options.killAfterMs } : {}),
    });
    return { done: run.done, stop: () => run.stop() };
  };
}
