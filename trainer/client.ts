/**
 * Parent side of the trainer process: used by the CLI now and by the extension later.
 *
 *   const run = startTrainer(request, { onEvent });
 *   run.stop();                  // stop message; SIGKILL after `killAfterMs` if it does not end
 *   const status = await run.done;
 *
 * Guarantees exactly one `end` event: if the process dies or is killed without sending one, the
 * client synthesises it (failed with the exit reason and the tail of stderr, or stopped).
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunStatus, TrainerCommand, TrainerEvent, TrainRequest } from '../protocol/protocol';

export interface StartOptions {
  onEvent: (event: TrainerEvent) => void;
  /** Lines of the trainer's stderr that are not TensorFlow's start-up noise. */
  onStderr?: (line: string) => void;
  /** The trainer entry: default dist/trainer.js beside this bundle, else trainer/main.ts via tsx. */
  entry?: string;
  /** How long to wait after a stop message before killing the process (default 5000 ms). */
  killAfterMs?: number;
  env?: NodeJS.ProcessEnv;
  /** The Node.js executable that runs the trainer (default: process.execPath). */
  execPath?: string;
}

export interface TrainerRun {
  readonly done: Promise<RunStatus>;
  readonly child: ChildProcess;
  stop(): void;
}

const TF_NOISE = /^(WARNING: All log messages before absl::InitializeLog|I0000 |W0000 |.*oneDNN custom operations are on|.*cpu_feature_guard|.*To enable the following instructions|.*rebuild TensorFlow with the appropriate compiler flags)/;

/** Where the trainer's entry point is, bundled or from source. */
export function trainerEntry(): { entry: string; execArgv: string[] } {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const bundled = path.join(here, 'trainer.js');
  if (fs.existsSync(bundled) && path.basename(here) === 'dist') return { entry: bundled, execArgv: [] };
  const source = path.join(here, 'main.ts');
  if (fs.existsSync(source)) return { entry: source, execArgv: ['--import', 'tsx'] };
  const fromRoot = path.join(here, '..', 'dist', 'trainer.js');
  if (fs.existsSync(fromRoot)) return { entry: fromRoot, execArgv: [] };
  throw new Error(`cannot find the trainer (looked for ${bundled} and ${source}); run npm run build`);
}

export function startTrainer(request: TrainRequest, options: StartOptions): TrainerRun {
  const { entry, execArgv } = options.entry ? { entry: options.entry, execArgv: options.entry.endsWith('.ts') ? ['--import', 'tsx'] : [] } : trainerEntry();
  const child = fork(entry, [], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv,
    env: { TF_CPP_MIN_LOG_LEVEL: '2', ...process.env, ...options.env },
    serialization: 'json',
    ...(options.execPath ? { execPath: options.execPath } : {}),
  });
  let ended = false;
  let stopRequested = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stderrTail: string[] = [];
  let resolveDone!: (s: RunStatus) => void;
  const done = new Promise<RunStatus>((resolve) => (resolveDone = resolve));

  const deliver = (event: TrainerEvent): void => {
    if (ended) return;
    if (event.type === 'end') {
      ended = true;
      if (killTimer) clearTimeout(killTimer);
      options.onEvent(event);
      resolveDone(event.status);
      return;
    }
    options.onEvent(event);
  };

  child.on('message', (m) => deliver(m as TrainerEvent));
  let buffered = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim() || TF_NOISE.test(line)) continue;
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
      options.onStderr?.(line);
    }
  });
  child.stdout?.resume();
  child.on('error', (error) => {
    deliver({ type: 'end', status: 'failed', message: `the trainer process could not run: ${error.message}` });
  });
  child.on('exit', (code, signal) => {
    if (killTimer) clearTimeout(killTimer);
    if (ended) return;
    if (stopRequested) {
      deliver({ type: 'end', status: 'stopped', message: signal ? `the trainer did not stop in time and was killed (${signal})` : 'stopped' });
      return;
    }
    const why = signal ? `was killed by ${signal}` : `exited with code ${String(code)}`;
    deliver({ type: 'end', status: 'failed', message: `the trainer process ${why} without finishing${stderrTail.length ? `: ${stderrTail.slice(-5).join(' | ')}` : ''}` });
  });

  const send = (command: TrainerCommand): void => {
    if (child.connected) child.send(command);
  };
  send({ type: 'train', request });

  return {
    done,
    child,
    stop() {
      if (ended || stopRequested) return;
      stopRequested = true;
      send({ type: 'stop' });
      killTimer = setTimeout(() => {
        if (!ended) child.kill('SIGKILL');
      }, options.killAfterMs ?? 5000);
    },
  };
}
