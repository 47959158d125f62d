/**
 * `model-lens` command line: `summary FILE [--json]` now; `train` comes from the trainer.
 * Exit codes: 0 success, 1 internal failure, 2 bad usage or unreadable input.
 */
import { setFlagsFromString } from 'node:v8';
import { analyzeSource } from '../analysis/analyze';
import { summaryJson, summaryText } from '../graph/summary';
import { readPythonFile, UsageError } from './read-input';
import { train, TRAIN_USAGE } from './train';

const USAGE = `usage:
  model-lens summary FILE [--json]    the Keras models FILE builds: layers, shapes, params
${TRAIN_USAGE}`;

async function summary(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length !== 1) throw new UsageError(`summary takes exactly one FILE\n${USAGE}`);
  const { path, text } = readPythonFile(files[0]);
  const { graph } = await analyzeSource(text, { file: path });
  process.stdout.write(json ? `${JSON.stringify(summaryJson(graph), null, 2)}\n` : `${summaryText(graph)}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'summary') await summary(rest);
    else if (command === 'train') return await train(rest);
    else if (command === '--help' || command === '-h' || command === undefined) process.stdout.write(`${USAGE}\n`);
    else throw new UsageError(`unknown command '${command}'\n${USAGE}`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`model-lens: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`model-lens: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  // A one-shot process: tree-sitter's wasm is fastest run by the baseline compiler alone
  // (first parse of 1,000 lines: ~30 ms instead of ~170 ms waiting for optimised tiers).
  setFlagsFromString('--liftoff-only');
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
