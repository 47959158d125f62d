/**
 * A streamed parse: one thread runs the fast parser into shared memory while another evaluates
 * the module statement by statement as each is finished, so a large file's parse and evaluation
 * overlap instead of adding up (on a 20k-line file the parse is about a quarter of the first
 * analysis). The parser thread also keeps its garbage (tokens, child lists) in its own heap.
 *
 * The two sides share the tree's columns (TreeStore.sharedColumns), a list of finished top-level
 * statements and a header. The writer publishes a statement only after its subtree is final
 * (comments placed), with an atomic store that orders the plain writes before it; the reader
 * loads that count atomically before reading the statement's nodes. When the fast parser steps
 * aside (a syntax error, code it does not vouch for), the reader throws `StreamFailed` and the
 * caller parses the ordinary way.
 */
import { parseFast } from './python-parser';
import { TreeStore, type SharedTreeColumns, type SyntaxNode } from './syntax-tree';

export interface ParseStreamJob {
  source: string;
  columns: SharedTreeColumns;
  /** Int32 slots, see below. */
  header: SharedArrayBuffer;
  /** Node ids of the finished top-level statements (named ones), in order. */
  statements: SharedArrayBuffer;
}

/** Bumped on every event, so a reader that checked the state and then waits never misses one. */
const SEQUENCE = 0;
const PUBLISHED = 1;
const STATUS = 2;
const COUNT = 3;
const KIDS_USED = 4;
const ROOT = 5;
/**
 * While the reader sleeps: the statement count to wake it at (0: awake). A wake-up is a system
 * call and a context switch; when the reader is the faster side, waking it for every statement
 * would cost more than it gains, so it asks to be woken a batch later (or when the parse ends).
 */
const WAKE_AT = 6;
const HEADER_SLOTS = 7;

const PARSING = 0;
const DONE = 1;
const STEPPED_ASIDE = 2;

/** Checks of the header before the reader goes to sleep (a few microseconds). */
const SPINS = 200;
/** How many statements past the one it needs a sleeping reader asks to be woken at. */
const WAKE_BATCH = 64;

/** The streamed parse could not give a tree: the caller parses (and evaluates) the ordinary way. */
export class StreamFailed extends Error {}

/** A job for `source`, in `columns` when they are big enough (a finished job's may be used again). */
export function createParseStreamJob(source: string, columns?: SharedTreeColumns): ParseStreamJob {
  const needed = TreeStore.sharedCapacity(source);
  return {
    source,
    columns: columns && TreeStore.capacityOf(columns) >= needed ? columns : TreeStore.sharedColumns(needed),
    header: new SharedArrayBuffer(HEADER_SLOTS * 4),
    // A statement takes at least one character and a separator.
    statements: new SharedArrayBuffer(((source.length >> 1) + 16) * 4),
  };
}

/** The writer's side (the parse worker): parses and publishes; never throws. */
export function runParseStream(job: ParseStreamJob): void {
  const header = new Int32Array(job.header);
  const statements = new Int32Array(job.statements);
  let published = 0;
  try {
    const store = new TreeStore(job.source, job.columns);
    const root = parseFast(job.source, store, (statement) => {
      if (published === statements.length) throw new RangeError('parse stream: statement list is full');
      statements[published++] = statement;
      Atomics.store(header, PUBLISHED, published);
      signal(header, published);
    });
    header[COUNT] = store.count;
    header[KIDS_USED] = store.kidsUsed;
    header[ROOT] = root.id;
    Atomics.store(header, STATUS, DONE);
  } catch {
    // Unsupported, a syntax error, nesting too deep, full columns: the reader parses itself.
    Atomics.store(header, STATUS, STEPPED_ASIDE);
  }
  signal(header, Number.MAX_SAFE_INTEGER);
}

/** `published`: the statement count now; the end of the parse passes a count past any threshold. */
function signal(header: Int32Array, published: number): void {
  Atomics.add(header, SEQUENCE, 1);
  // Sequentially consistent: if the reader's WAKE_AT store is not seen here, its later load of
  // SEQUENCE sees this increment and its wait returns at once.
  const wakeAt = Atomics.load(header, WAKE_AT);
  if (wakeAt !== 0 && published >= wakeAt) Atomics.notify(header, SEQUENCE);
}

/** The reader's side (the evaluating thread). */
export class StatementStream {
  private readonly header: Int32Array;
  private readonly ids: Int32Array;
  private readonly store: TreeStore;
  /** The writer did not answer in time (it may be stuck: its owner should replace it). */
  timedOut = false;

  constructor(
    private readonly job: ParseStreamJob,
    /** How long to wait for the writer's next event before giving up on it (a dead worker). */
    private readonly patienceMs: number,
  ) {
    this.header = new Int32Array(job.header);
    this.ids = new Int32Array(job.statements);
    this.store = new TreeStore(job.source, job.columns);
  }

  get source(): string {
    return this.job.source;
  }

  /** The top-level statements, each as soon as the writer finished it; throws StreamFailed. */
  *statements(): Generator<SyntaxNode> {
    for (let i = 0; ; i++) {
      this.waitUntil(i + WAKE_BATCH, () => Atomics.load(this.header, PUBLISHED) > i || Atomics.load(this.header, STATUS) !== PARSING);
      // Stop at once when the writer stepped aside: what is evaluated from here on is thrown away.
      if (Atomics.load(this.header, STATUS) === STEPPED_ASIDE) throw new StreamFailed('the fast parser stepped aside');
      if (i < Atomics.load(this.header, PUBLISHED)) {
        yield this.store.view(this.ids[i]);
        continue;
      }
      this.root();
      return;
    }
  }

  /** The module node, once the writer is done; throws StreamFailed if it stepped aside. */
  root(): SyntaxNode {
    this.waitUntil(0x7fffffff, () => Atomics.load(this.header, STATUS) !== PARSING);
    if (Atomics.load(this.header, STATUS) !== DONE) throw new StreamFailed('the fast parser stepped aside');
    this.store.count = this.header[COUNT];
    this.store.kidsUsed = this.header[KIDS_USED];
    return this.store.view(this.header[ROOT]);
  }

  /** Returns once `ready()`; asleep, asks to be woken when `wakeAt` statements are published (or the parse ends). */
  private waitUntil(wakeAt: number, ready: () => boolean): void {
    // The writer finishes a statement every few microseconds: look a little before sleeping.
    for (let spin = 0; spin < SPINS; spin++) if (ready()) return;
    const header = this.header;
    for (;;) {
      Atomics.store(header, WAKE_AT, wakeAt);
      const sequence = Atomics.load(header, SEQUENCE);
      const outcome = ready() ? 'ready' : Atomics.wait(header, SEQUENCE, sequence, this.patienceMs);
      Atomics.store(header, WAKE_AT, 0);
      if (outcome === 'ready') return;
      if (outcome === 'timed-out') {
        this.timedOut = true;
        throw new StreamFailed('the parse worker did not answer');
      }
    }
  }
}
