// Shared helpers of the trainer tests: the native backend (required: these tests really train),
// in-process runs that collect events, and paths.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeSource } from '../../analysis/analyze';
import type { RunStatus, TrainerEvent, TrainRequest } from '../../protocol/protocol';
import { loadBackend, type LoadedBackend } from '../../trainer/backend';
import { runTraining } from '../../trainer/run';

export const ROOT = path.resolve(__dirname, '..', '..');
export const example = (name: string): string => path.join(ROOT, 'examples', name);
export const fixture = (name: string): string => path.join(ROOT, 'test', 'fixtures', 'keras', name);

let backend: Promise<LoadedBackend> | undefined;

/** The native backend; fails the test (not skips) when it is not provisioned. */
export function nativeBackend(): Promise<LoadedBackend> {
  backend ??= loadBackend('native').catch((error: unknown) => {
    assert.fail(`the trainer tests need the native TensorFlow backend: ${(error as Error).message}`);
  });
  return backend;
}

export type Ev<T extends TrainerEvent['type']> = Extract<TrainerEvent, { type: T }>;

export interface Collected {
  status: RunStatus;
  events: TrainerEvent[];
  of<T extends TrainerEvent['type']>(type: T): Ev<T>[];
  start(): Ev<'start'>;
  end(): Ev<'end'>;
}

export function collected(status: RunStatus, events: TrainerEvent[]): Collected {
  return {
    status,
    events,
    of: <T extends TrainerEvent['type']>(type: T) => events.filter((e): e is Ev<T> => e.type === type),
    start: () => {
      const s = events.find((e): e is Ev<'start'> => e.type === 'start');
      assert.ok(s, `no start event; end: ${JSON.stringify(events[events.length - 1])}`);
      return s;
    },
    end: () => events[events.length - 1] as Ev<'end'>,
  };
}

/** Runs a training in this process on the native backend. */
export async function train(request: TrainRequest, options: { signal?: AbortSignal; source?: string; onEvent?: (e: TrainerEvent) => void } = {}): Promise<Collected> {
  const b = await nativeBackend();
  const events: TrainerEvent[] = [];
  const status = await runTraining(
    { batchEventMs: 0, ...request },
    {
      backend: b,
      emit: (e) => {
        events.push(e);
        options.onEvent?.(e);
      },
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.source !== undefined ? { source: options.source } : {}),
    },
  );
  return collected(status, events);
}

/** Writes a Python file into a fresh temp dir and returns its path. */
export function pythonFile(text: string, name = 'model.py'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-trainer-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-data-'));
}

export async function analyze(file: string) {
  return analyzeSource(fs.readFileSync(file, 'utf8'), { file });
}

/** The trainer's event order: start, then batch/histogram/epoch/log, then one end. */
export function assertEventOrder(events: TrainerEvent[]): void {
  const types = events.map((e) => e.type);
  const start = types.indexOf('start');
  assert.ok(start >= 0, 'a start event');
  const stamp = (events[start] as Extract<TrainerEvent, { type: 'start' }>).startedAt;
  assert.ok(typeof stamp === 'number' && Math.abs(Date.now() - stamp) < 24 * 3600_000, 'the start event carries its time stamp');
  assert.ok(types.slice(0, start).every((t) => t === 'log'), 'only logs before start');
  assert.equal(types[types.length - 1], 'end', 'end comes last');
  assert.equal(types.filter((t) => t === 'end').length, 1, 'exactly one end');
  let epoch = 0;
  for (const e of events) {
    if (e.type === 'batch') assert.equal(e.epoch, epoch + 1, 'batches belong to the running epoch');
    if (e.type === 'epoch') {
      assert.equal(e.epoch, epoch + 1, 'epochs in order');
      epoch = e.epoch;
    }
  }
}
