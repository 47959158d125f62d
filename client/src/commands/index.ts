/** Registers every command with the context. */
import type { LensContext } from '../lens-context';
import { registerNativeCommand } from './native';
import { registerRunFileCommands } from './runs';
import { registerStopCommand } from './stop';
import { registerSummaryCommand } from './summary';
import { registerTapCommands } from './taps';
import { registerTrainCommand } from './train';

export function registerCommands(ctx: LensContext): void {
  registerTrainCommand(ctx);
  registerStopCommand(ctx);
  registerSummaryCommand(ctx);
  registerTapCommands(ctx);
  registerRunFileCommands(ctx);
  registerNativeCommand(ctx);
}
