/**
 * Run management: one trainer process per run, at most one running run per model, every event
 * kept for Export Run…, the user's taps per model. Pure (no `vscode` import): the trainer is
 * started through an injected `Launch`, and "restart?" is asked through an injected callback, so
 * the commands and the panel drive the same manager and tests drive it without VS Code.
 */
import type { BackendName, RunStatus, SavedRun, TrainerEvent, TrainRequest } from '../../protocol/protocol';

// ───────────── a tiny event emitter (vscode.EventEmitter-like, without vscode) ─────────────

export type Listener<T> = (value: T) => void;

export interface Subscription {
  dispose(): void;
}

export class Emitter<T> {
  private listeners = new Set<Listener<T>>();

  readonly event = (listener: Listener<T>): Subscription => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch {
        // one listener's failure must not stop the others (nor the trainer's event stream)
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}

// ───────────── the trainer, as the manager sees it ─────────────

export interface TrainerHandle {
  /** Resolves once the trainer's (or the synthesised) `end` event was delivered. */
  readonly done: Promise<RunStatus>;
  /** Ask the trainer to stop (it is killed if it does not end in time). */
  stop(): void;
}

export interface LaunchHooks {
  onEvent(event: TrainerEvent): void;
  onStderr?(line: string): void;
}

export type Launch = (request: TrainRequest, hooks: LaunchHooks) => TrainerHandle;

// ───────────── runs ─────────────

export type RunState = 'running' | RunStatus;

/** Plain data about a run (also what the test API returns). */
export interface RunSnapshot {
  id: number;
  key: string;
  file: string;
  model: string;
  state: RunState;
  request: TrainRequest;
  backend?: BackendName;
  backendDetail?: string;
  /** 1-based epoch being trained (or the last one finished). */
  epoch?: number;
  epochs?: number;
  batch?: number;
  batches?: number;
  /** Latest training loss (batch or epoch). */
  loss?: number;
  validationLoss?: number;
  startedAt: number;
  endedAt?: number;
  /** The `end` event's message. */
  message?: string;
  events: number;
  histograms: number;
}

export class Run {
  readonly events: TrainerEvent[] = [];
  readonly stderr: string[] = [];
  state: RunState = 'running';
  backend?: BackendName;
  backendDetail?: string;
  epoch?: number;
  epochs?: number;
  batch?: number;
  batches?: number;
  loss?: number;
  validationLoss?: number;
  endedAt?: number;
  message?: string;
  histograms = 0;
  /** Set when a stop was asked for (by the user or by a restart). */
  stopRequested = false;
  handle?: TrainerHandle;
  readonly done: Promise<RunSnapshot>;
  private resolveDone!: (s: RunSnapshot) => void;

  constructor(
    readonly id: number,
    readonly key: string,
    readonly model: string,
    readonly request: TrainRequest,
    readonly startedAt: number,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get file(): string {
    return this.request.file;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Updates the summary fields from one event. */
  apply(event: TrainerEvent, now: number): void {
    this.events.push(event);
    switch (event.type) {
      case 'start':
        this.backend = event.backend;
        this.backendDetail = event.backendDetail;
        this.epochs = event.epochs;
        break;
      case 'batch':
        this.epoch = event.epoch;
        this.batch = event.batch;
        this.batches = event.batches;
        if (Number.isFinite(event.loss) || this.loss === undefined) this.loss = event.loss;
        break;
      case 'epoch':
        this.epoch = event.epoch;
        this.loss = event.loss;
        if (event.validation) this.validationLoss = event.validation.loss;
        break;
      case 'histogram':
        this.histograms++;
        break;
      case 'end':
        this.state = event.status;
        this.message = event.message;
        this.endedAt = now;
        break;
      case 'log':
        break;
    }
  }

  finish(): void {
    this.resolveDone(this.snapshot());
  }

  snapshot(): RunSnapshot {
    const s: RunSnapshot = {
      id: this.id,
      key: this.key,
      file: this.file,
      model: this.model,
      state: this.state,
      request: this.request,
      startedAt: this.startedAt,
      events: this.events.length,
      histograms: this.histograms,
    };
    for (const k of ['backend', 'backendDetail', 'epoch', 'epochs', 'batch', 'batches', 'loss', 'validationLoss', 'endedAt', 'message'] as const) {
      if (this[k] !== undefined) (s as unknown as Record<string, unknown>)[k] = this[k];
    }
    return s;
  }

  /** The run as a SavedRun (Export Run…). */
  toSavedRun(): SavedRun {
    return { version: 1, file: this.file, request: this.request, events: [...this.events] };
  }
}

export interface StartOptions {
  /** Asked when the same model already has a running run; `false` keeps the running one. */
  confirmRestart?: (running: Run) => Promise<boolean> | boolean;
}

export type StartResult = { outcome: 'started'; run: Run } | { outcome: 'kept'; run: Run };

export interface RunManagerOptions {
  now?: () => number;
  /** Finished runs kept for export (oldest dropped first). Default 20. */
  keepFinished?: number;
}

export class RunManager {
  private nextId = 1;
  private readonly runs: Run[] = [];
  private readonly taps = new Map<string, string[]>();
  /** Serialises starts per model key (a second Train while the first is still asking/stopping). */
  private readonly starting = new Map<string, Promise<unknown>>();
  private readonly now: () => number;
  private readonly keepFinished: number;

  private readonly startedEmitter = new Emitter<Run>();
  private readonly eventEmitter = new Emitter<{ run: Run; event: TrainerEvent }>();
  private readonly endedEmitter = new Emitter<Run>();
  private readonly stderrEmitter = new Emitter<{ run: Run; line: string }>();
  private readonly tapsEmitter = new Emitter<{ key: string; taps: readonly string[] }>();

  readonly onDidStart = this.startedEmitter.event;
  readonly onDidEvent = this.eventEmitter.event;
  readonly onDidEnd = this.endedEmitter.event;
  readonly onDidStderr = this.stderrEmitter.event;
  readonly onDidChangeTaps = this.tapsEmitter.event;

  constructor(
    private readonly launch: Launch,
    options: RunManagerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.keepFinished = options.keepFinished ?? 20;
  }

  /** Every known run, oldest first. */
  list(): readonly Run[] {
    return this.runs;
  }

  get(id: number): Run | undefined {
    return this.runs.find((r) => r.id === id);
  }

  /** Running runs (of one model when `key` is given). */
  active(key?: string): Run[] {
    return this.runs.filter((r) => r.running && (key === undefined || r.key === key));
  }

  /** The most recent run of a model (running or not). */
  latest(key: string): Run | undefined {
    for (let i = this.runs.length - 1; i >= 0; i--) if (this.runs[i]!.key === key) return this.runs[i];
    return undefined;
  }

  /**
   * Starts a run of `key`'s model. When the model already has a running run, asks
   * `confirmRestart`: yes stops it (and waits for its end) before starting; no keeps it.
   */
  async start(key: string, model: string, request: TrainRequest, options: StartOptions = {}): Promise<StartResult> {
    const previous = this.starting.get(key) ?? Promise.resolve();
    const attempt = previous.catch(() => undefined).then(() => this.startNow(key, model, request, options));
    this.starting.set(key, attempt);
    try {
      return await attempt;
    } finally {
      if (this.starting.get(key) === attempt) this.starting.delete(key);
    }
  }

  private async startNow(key: string, model: string, request: TrainRequest, options: StartOptions): Promise<StartResult> {
    const running = this.active(key)[0];
    if (running) {
      const restart = options.confirmRestart ? await options.confirmRestart(running) : false;
      if (!restart) return { outcome: 'kept', run: running };
      this.stopRun(running);
      await running.done;
    }
    const run = new Run(this.nextId++, key, model, request, this.now());
    this.runs.push(run);
    this.prune();
    const deliver = (event: TrainerEvent): void => {
      if (!run.running) return; // exactly one end, nothing after it
      run.apply(event, this.now());
      this.eventEmitter.fire({ run, event });
      if (event.type === 'end') {
        this.endedEmitter.fire(run);
        run.finish();
        this.prune();
      }
    };
    this.startedEmitter.fire(run);
    try {
      run.handle = this.launch(request, {
        onEvent: deliver,
        onStderr: (line) => {
          run.stderr.push(line);
          if (run.stderr.length > 200) run.stderr.shift();
          this.stderrEmitter.fire({ run, line });
        },
      });
    } catch (error) {
      deliver({ type: 'end', status: 'failed', message: `the trainer could not be started: ${error instanceof Error ? error.message : String(error)}` });
      return { outcome: 'started', run };
    }
    // A launcher that resolves `done` without having sent `end` still ends the run.
    void run.handle.done.then(
      (status) => deliver({ type: 'end', status, message: status }),
      (error: unknown) => deliver({ type: 'end', status: 'failed', message: String(error) }),
    );
    if (run.stopRequested) run.handle.stop();
    return { outcome: 'started', run };
  }

  private stopRun(run: Run): void {
    if (!run.running) return;
    run.stopRequested = true;
    run.handle?.stop();
  }

  /** Stops runs: one by id, a model's by key, or every running run. Returns the runs asked to stop. */
  stop(target?: { id?: number; key?: string }): Run[] {
    const runs = this.active().filter((r) => (target?.id === undefined || r.id === target.id) && (target?.key === undefined || r.key === target.key));
    for (const r of runs) this.stopRun(r);
    return runs;
  }

  // ───────────── taps (per model, for the next runs) ─────────────

  tapsOf(key: string): readonly string[] {
    return this.taps.get(key) ?? [];
  }

  /** Sets the user's taps of a model; returns true when they changed. */
  setTaps(key: string, taps: readonly string[]): boolean {
    const next = [...new Set(taps)];
    const prev = this.tapsOf(key);
    if (prev.length === next.length && prev.every((t, i) => t === next[i])) return false;
    if (next.length) this.taps.set(key, next);
    else this.taps.delete(key);
    this.tapsEmitter.fire({ key, taps: next });
    return true;
  }

  tap(key: string, layer: string): boolean {
    return this.setTaps(key, [...this.tapsOf(key), layer]);
  }

  untap(key: string, layer: string): boolean {
    return this.setTaps(
      key,
      this.tapsOf(key).filter((t) => t !== layer),
    );
  }

  private prune(): void {
    const finished = this.runs.filter((r) => !r.running);
    const excess = finished.length - this.keepFinished;
    for (let i = 0; i < excess; i++) this.runs.splice(this.runs.indexOf(finished[i]!), 1);
  }

  /** Stops every run; resolves when all have ended. */
  async dispose(): Promise<void> {
    const running = this.stop();
    await Promise.all(running.map((r) => r.done));
    this.startedEmitter.dispose();
    this.eventEmitter.dispose();
    this.endedEmitter.dispose();
    this.stderrEmitter.dispose();
    this.tapsEmitter.dispose();
  }
}
