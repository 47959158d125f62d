/**
 * The parse worker: a thread of the analysis worker's own that runs the fast parser into shared
 * memory while the analysis worker evaluates the statements already finished (analysis/parse-stream.ts).
 * Two cores then share a large file's first analysis. It dies with the analysis worker; if it dies
 * alone, the analysis worker parses by itself from then on.
 */
import { parentPort, Worker } from 'node:worker_threads';
import { MAX_FILE_BYTES } from '../../analysis/analyze';
import { createParseStreamJob, runParseStream, StatementStream, type ParseStreamJob } from '../../analysis/parse-stream';
import { TreeStore, type SharedTreeColumns } from '../../analysis/syntax-tree';
import { lowerThreadPriority } from './thread-priority';

/** Below this size the parse is a millisecond or two: not worth the hand-off between threads. */
export const STREAM_MIN_CHARS = 32 * 1024;

/** How long the evaluation waits for the parser's next statement before parsing by itself. */
const PATIENCE_MS = 3000;

export function runParseWorker(): void {
  const port = parentPort;
  if (!port) return;
  lowerThreadPriority();
  port.on('message', (job: ParseStreamJob) => runParseStream(job));
}

/** The analysis worker's handle on its parse worker. */
export class ParseHelper {
  private worker: Worker | undefined;
  /**
   * The last job's columns, used again by the next: allocating and first touching tens of MB of
   * shared memory costs more than a 20k-line file's parse saves. Jobs run one at a time, so the
   * last tree is no longer read when the next starts.
   */
  private columns: SharedTreeColumns | undefined;
  /** The stream of the analysis under way. */
  private last: StatementStream | undefined;
  /**
   * Documents whose last parse was tree-sitter's: most likely the syntax error is still there, and
   * a streamed fast parse would step aside at it, wasting the evaluation done meanwhile.
   */
  private readonly steppedAside = new Set<string>();

  constructor(
    private readonly script: string,
    private readonly log: (message: string) => void,
  ) {
    this.worker = this.start();
  }

  /** Starts a streamed parse of a document's text; undefined when it is not worth it or the helper is gone. */
  stream(uri: string, source: string): StatementStream | undefined {
    if (!this.worker || source.length < STREAM_MIN_CHARS || source.length > MAX_FILE_BYTES || this.steppedAside.has(uri)) return undefined;
    const job = createParseStreamJob(source, this.reusable(source));
    this.columns = job.columns;
    this.worker.postMessage(job);
    this.last = new StatementStream(job, PATIENCE_MS);
    return this.last;
  }

  /** How the document's analysis parsed: the fast parser, or tree-sitter after it stepped aside. */
  parsed(uri: string, fast: boolean): void {
    if (fast) this.steppedAside.delete(uri);
    else this.steppedAside.add(uri);
    if (this.last?.timedOut) this.replaceStuckWorker();
    this.last = undefined;
  }

  forget(uri: string): void {
    this.steppedAside.delete(uri);
  }

  /** A parse worker that let an evaluation wait out its patience is replaced (its columns too: it may still write them). */
  private replaceStuckWorker(): void {
    this.log('parse worker did not answer in time; starting a new one');
    const stuck = this.worker;
    this.columns = undefined;
    void stuck?.terminate();
    this.worker = this.start();
  }

  /** The kept columns, unless they are more than twice what this source needs (memory is given back then). */
  private reusable(source: string): SharedTreeColumns | undefined {
    const kept = this.columns;
    return kept && TreeStore.capacityOf(kept) <= 2 * TreeStore.sharedCapacity(source) ? kept : undefined;
  }

  private start(): Worker | undefined {
    if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return undefined;
    try {
      const worker = new Worker(this.script, { workerData: { role: 'parse' } });
      worker.on('error', (error) => this.log(`parse worker error: ${error.stack ?? error.message}`));
      worker.on('exit', (code) => {
        if (this.worker !== worker) return;
        this.log(`parse worker exited (code ${code}); parsing in the analysis worker from now on`);
        this.worker = undefined;
      });
      worker.unref();
      return worker;
    } catch (error) {
      this.log(`parse worker did not start: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
}
