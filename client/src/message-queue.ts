/**
 * The host's side of the ready-first handshake with the panel, and event coalescing. Pure.
 *
 * - `ReadyQueue`: messages posted before the webview said `ready` (or while it is away: hidden
 *   without retained context, reloading) are queued and flushed in order once `ready` arrives;
 *   the caller's fresh `init` goes first. Messages of a "latest wins" type (init, theme) keep only
 *   their last queued instance.
 * - `EventCoalescer`: trainer events arriving within one frame travel as one `event` message
 *   carrying an array; any other message flushes the pending events first, so order is kept.
 */
import type { HostToWebview, PanelMessage, TrainerEvent } from '../../protocol/protocol';

export type HostMessage = PanelMessage<HostToWebview>;

export interface ReadyQueueOptions {
  /** Types of which only the most recent queued message matters. */
  latestWins?: ReadonlySet<string>;
}

export class ReadyQueue<M extends { type: string } = HostMessage> {
  private queue: M[] = [];
  private isReady = false;
  private readonly latestWins: ReadonlySet<string>;
  /** Messages handed to `send` since creation (for tests and the test API). */
  sent = 0;

  constructor(
    private readonly send: (message: M) => void,
    options: ReadyQueueOptions = {},
  ) {
    this.latestWins = options.latestWins ?? new Set(['init', 'theme']);
  }

  get ready(): boolean {
    return this.isReady;
  }

  get pending(): number {
    return this.queue.length;
  }

  post(message: M): void {
    if (this.isReady) {
      this.deliver(message);
      return;
    }
    if (this.latestWins.has(message.type)) this.queue = this.queue.filter((m) => m.type !== message.type);
    this.queue.push(message);
  }

  /**
   * The webview said `ready`: send `first` (typically a fresh `init`, replacing any queued one of
   * its type), then everything queued, in order.
   */
  markReady(first?: M): void {
    this.isReady = true;
    const queued = this.queue;
    this.queue = [];
    if (first) this.deliver(first);
    for (const m of queued) {
      if (first && m.type === first.type && this.latestWins.has(m.type)) continue;
      this.deliver(m);
    }
  }

  /** The webview went away (hidden without retained context, reloading): queue again until the next `ready`. */
  markNotReady(): void {
    this.isReady = false;
  }

  /** Drops everything queued (the panel was closed). */
  clear(): void {
    this.queue = [];
  }

  private deliver(message: M): void {
    this.sent++;
    this.send(message);
  }
}

export interface Scheduler {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const timers: Scheduler = {
  set: (cb, ms) => setTimeout(cb, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class EventCoalescer {
  private pending: TrainerEvent[] = [];
  private timer: unknown;

  constructor(
    private readonly emit: (events: TrainerEvent[]) => void,
    private readonly delayMs = 16,
    private readonly scheduler: Scheduler = timers,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  push(event: TrainerEvent): void {
    this.pending.push(event);
    // `end` is flushed at once: the panel should not wait to show that the run is over.
    if (event.type === 'end') {
      this.flush();
      return;
    }
    if (this.timer === undefined) this.timer = this.scheduler.set(() => this.flush(), this.delayMs);
  }

  flush(): void {
    if (this.timer !== undefined) {
      this.scheduler.clear(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.emit(events);
  }

  dispose(): void {
    if (this.timer !== undefined) this.scheduler.clear(this.timer);
    this.timer = undefined;
    this.pending = [];
  }
}
