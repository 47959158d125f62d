/**
 * The trainer process (dist/trainer.js). Started by the CLI (`model-lens train`) and by the
 * extension, one run per process, for crash isolation.
 *
 *   parent → trainer: TrainerCommand ({type:'train', request} first, then optionally {type:'stop'})
 *   trainer → parent: TrainerEvent, ending with exactly one {type:'end'}
 *
 * Transport: Node IPC messages when started with an IPC channel (child_process.fork), otherwise
 * one JSON object per line on stdin (commands) and stdout (events). The process exits after `end`.
 * A stop message aborts the run at the next check (between batches, or between a batch's
 * gradients and its weight update); the parent kills the process only as a last resort.
 *
 * When `require`d instead of run (the benchmark), it starts nothing and exports the run API.
 */
import * as readline from 'node:readline';
import type { TrainerCommand, TrainerEvent } from '../protocol/protocol';
import { runTraining } from './run';

export { runTraining, pickModel, RunError } from './run';
export { loadBackend } from './backend';
/** For scripts/bench-trainer.mjs: the same data files for tfjs and Keras. */
export { loadBundledMnist } from './data/sources';
export { writeNpz } from './data/npy';
export { runningLosses } from './fidelity';

function serve(): void {
  const ipc = typeof process.send === 'function';
  const controller = new AbortController();
  let started = false;
  let ended = false;
  const send = (event: TrainerEvent): Promise<void> =>
    new Promise((resolve) => {
      if (ipc && process.connected) process.send!(event, undefined, undefined, () => resolve());
      else if (!ipc) process.stdout.write(`${JSON.stringify(event)}\n`, () => resolve());
      else resolve();
    });
  let pending: Promise<void> = Promise.resolve();
  const emit = (event: TrainerEvent): void => {
    if (event.type === 'end') ended = true;
    pending = pending.then(() => send(event));
  };

  const onCommand = (command: TrainerCommand): void => {
    if (command.type === 'stop') {
      if (!started) {
        emit({ type: 'end', status: 'stopped', message: 'stopped before training started' });
        void pending.then(() => exit(0));
      }
      controller.abort();
      return;
    }
    if (command.type === 'train') {
      if (started) {
        emit({ type: 'log', level: 'warning', message: 'this trainer process already runs a training; start another process' });
        return;
      }
      started = true;
      runTraining(command.request, { emit, signal: controller.signal })
        .catch((error: unknown) => {
          if (!ended) emit({ type: 'end', status: 'failed', message: `internal error: ${error instanceof Error ? error.message : String(error)}` });
        })
        .finally(() => void pending.then(() => exit(0)));
    }
  };

  const parse = (value: unknown): TrainerCommand | undefined => {
    if (value && typeof value === 'object' && 'type' in value) return value as TrainerCommand;
    return undefined;
  };

  if (ipc) {
    process.on('message', (m) => {
      const c = parse(m);
      if (c) onCommand(c);
    });
    // The parent went away: stop, and do not outlive it.
    process.on('disconnect', () => {
      controller.abort();
      setTimeout(() => exit(0), 2000).unref();
    });
  } else {
    // stdout carries the events: anything else a library prints goes to stderr.
    console.log = console.info = console.debug = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
    const rl = readline.createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      if (!line.trim()) return;
      try {
        const c = parse(JSON.parse(line));
        if (c) onCommand(c);
      } catch {
        emit({ type: 'log', level: 'warning', message: `ignored a line that is not a JSON command: ${line.slice(0, 80)}` });
      }
    });
    rl.on('close', () => {
      if (!started) exit(0);
    });
  }
  process.on('SIGTERM', () => controller.abort());
  process.on('SIGINT', () => controller.abort());
}

function exit(code: number): void {
  if (typeof process.send === 'function' && process.connected) process.disconnect();
  process.exit(code);
}

if (require.main === module) serve();
