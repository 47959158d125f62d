/**
 * The last finished run of each model, kept on disk (the extension's workspace storage) so that
 * a run which ended while its panel was hidden is not lost to a window reload: the webview kept
 * only what it had been shown (the run mid-way), and the run manager's memory is gone. A restored
 * panel that shows a run still "running" asks for the finished run with the same start stamp.
 * Never throws: storage trouble is logged, and the panel keeps what it had.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SavedRun } from '../../protocol/protocol';
import { parseSavedRun, serializeSavedRun } from './saved-run';

/** Larger runs are not archived (a restored panel then says the run is no longer attached). */
const MAX_ARCHIVED_BYTES = 64 * 1024 * 1024;

export class RunArchive {
  /** Writes in flight, so a restore right after a run's end reads the finished file. */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(
    private readonly dir: string,
    private readonly log: (message: string) => void,
  ) {}

  /** Keeps `run` as the model's last finished run (replacing the previous one); a run without a start stamp could never be matched, and is not kept. */
  save(key: string, run: SavedRun): Promise<void> {
    if (startStamp(run) === undefined) return Promise.resolve();
    const file = this.fileFor(key);
    const previous = this.writing.get(file) ?? Promise.resolve();
    const write = previous.then(() => this.write(file, run));
    this.writing.set(file, write);
    void write.finally(() => {
      if (this.writing.get(file) === write) this.writing.delete(file);
    });
    return write;
  }

  /** The model's last finished run if it is the one that started at `startedAt`. */
  async finished(key: string, startedAt: number): Promise<SavedRun | undefined> {
    const file = this.fileFor(key);
    await this.writing.get(file);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      return undefined; // none kept
    }
    try {
      const run = parseSavedRun(text);
      return startStamp(run) === startedAt ? run : undefined;
    } catch (error) {
      this.log(`finished run for ${key}: unreadable (${String(error)}); ignored`);
      return undefined;
    }
  }

  private async write(file: string, run: SavedRun): Promise<void> {
    try {
      const text = serializeSavedRun(run);
      if (text.length > MAX_ARCHIVED_BYTES) {
        this.log(`finished run not kept for restore: ${(text.length / 1048576).toFixed(0)} MB is over ${MAX_ARCHIVED_BYTES / 1048576} MB`);
        return;
      }
      await fs.mkdir(this.dir, { recursive: true });
      // Write then rename: a reload in the middle leaves the previous file, never half of one.
      const temporary = `${file}.${process.pid}.tmp`;
      await fs.writeFile(temporary, text, 'utf8');
      await fs.rename(temporary, file);
    } catch (error) {
      this.log(`finished run not kept for restore: ${String(error)}`);
    }
  }

  private fileFor(key: string): string {
    return path.join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.run.json`);
  }
}

/** The start event's stamp (undefined for runs recorded before stamps existed). */
export function startStamp(run: SavedRun): number | undefined {
  const start = run.events.find((e) => e.type === 'start');
  return start?.type === 'start' ? start.startedAt : undefined;
}

/** From a restored panel's webview state: the start stamp of a live run it still shows as running. */
export function interruptedRunStamp(state: unknown): number | undefined {
  if (!state || typeof state !== 'object') return undefined;
  const run = (state as { run?: { origin?: unknown; status?: unknown; startedAt?: unknown } | null }).run;
  if (!run || run.origin !== 'live' || run.status !== 'running') return undefined;
  return typeof run.startedAt === 'number' ? run.startedAt : undefined;
}
