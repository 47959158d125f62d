/**
 * The SavedRun format (protocol.ts) for Open Saved Run… and Export Run…: parse and check a file,
 * name an export. Pure.
 */
import * as path from 'node:path';
import type { SavedRun, TrainerEvent } from '../../protocol/protocol';

const EVENT_TYPES: ReadonlySet<string> = new Set<TrainerEvent['type']>(['start', 'batch', 'epoch', 'histogram', 'log', 'end']);

export class SavedRunError extends Error {}

/** Parses and checks a saved run (the CLI's `--out` or an export). Unknown event types are dropped. */
export function parseSavedRun(text: string): SavedRun {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SavedRunError(`not JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SavedRunError('not a saved Model Lens run (expected a JSON object)');
  const v = value as Partial<SavedRun> & { version?: unknown };
  if (v.version !== 1) throw new SavedRunError(`unsupported saved-run version ${JSON.stringify(v.version)} (this extension reads version 1)`);
  if (typeof v.file !== 'string') throw new SavedRunError('not a saved Model Lens run: "file" is missing');
  if (!Array.isArray(v.events)) throw new SavedRunError('not a saved Model Lens run: "events" is missing');
  const request = v.request && typeof v.request === 'object' ? v.request : { file: v.file };
  if (typeof request.file !== 'string') request.file = v.file;
  const events = v.events.filter((e): e is TrainerEvent => !!e && typeof e === 'object' && EVENT_TYPES.has((e as { type?: string }).type ?? ''));
  return { version: 1, file: v.file, request, events };
}

/** The model of a saved run: the start event's, else the request's. */
export function savedRunModel(run: SavedRun): string | undefined {
  const start = run.events.find((e) => e.type === 'start');
  return (start?.type === 'start' ? start.model.name : undefined) ?? run.request.model;
}

/** `mnist_cnn-model-2024-05-01T10-20-30.run.json` */
export function exportFileName(run: SavedRun, when: Date = new Date()): string {
  const base = path.basename(run.file).replace(/\.py$/i, '');
  const model = savedRunModel(run);
  const stamp = when.toISOString().replace(/\..*$/, '').replace(/:/g, '-');
  return `${[base, model].filter(Boolean).join('-').replace(/[^\w.-]+/g, '_')}-${stamp}.run.json`;
}

export function serializeSavedRun(run: SavedRun): string {
  return JSON.stringify(run);
}
