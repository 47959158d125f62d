/**
 * Model Lens: Train & Inspect Model — the model under the cursor (or the code lens's), else a
 * quick pick of the file's models. Returns the run's snapshot once the trainer has started
 * (tests: wait for its end through the API's `runs.waitForEnd(id)`).
 *
 * Second argument (tests, scripts): `{ restart?: boolean; overrides?: { data, epochs, batchSize, taps }; showPanel?: boolean }`.
 */
import { Commands } from '../../../protocol/protocol';
import type { LensContext } from '../lens-context';
import type { RunSnapshot } from '../run-manager';
import type { TrainOptions } from '../training';
import { guarded, resolveModelTarget } from './resolve';

export function registerTrainCommand(ctx: LensContext): void {
  ctx.command(Commands.trainAndInspect, (arg?: unknown, options?: unknown) =>
    guarded(async (): Promise<RunSnapshot | undefined> => {
      const target = await resolveModelTarget(ctx, arg, 'Train & Inspect Model');
      if (!target) return undefined;
      const run = await ctx.training.train({ file: target.file, model: target.name }, trainOptions(options));
      return run?.snapshot();
    }),
  );
}

function trainOptions(raw: unknown): TrainOptions {
  if (!raw || typeof raw !== 'object') return {};
  const o = raw as Record<string, unknown>;
  const out: TrainOptions = {};
  if (typeof o['restart'] === 'boolean') out.restart = o['restart'];
  if (typeof o['showPanel'] === 'boolean') out.showPanel = o['showPanel'];
  const ov = o['overrides'];
  if (ov && typeof ov === 'object') {
    const v = ov as Record<string, unknown>;
    out.overrides = {
      ...(typeof v['data'] === 'string' ? { data: v['data'] } : {}),
      ...(typeof v['epochs'] === 'number' ? { epochs: v['epochs'] } : {}),
      ...(typeof v['batchSize'] === 'number' ? { batchSize: v['batchSize'] } : {}),
      ...(Array.isArray(v['taps']) ? { taps: (v['taps'] as unknown[]).filter((t): t is string => typeof t === 'string') } : {}),
    };
  }
  return out;
}
