/**
 * The main thread's handle on the analysis worker: one job at a time, results as JSON text
 * (the document store decides when to pay for parsing it). If the worker dies (a crash in the analyzer or the wasm runtime) the job fails
 * and a fresh worker takes the next one; `onRestart` lets the document store forget what the old
 * worker held (trees, overlays).
 */
import { Worker } from 'node:worker_threads';
import type { AnalyzeJob, WorkerRequest, WorkerResponse } from './analysis-worker';

interface Running {
  id: number;
  resolve: (json: string) => void;
  reject: (error: Error) => void;
}

export class WorkerClient {
  private worker: Worker;
  private running: Running | undefined;
  private nextId = 1;
  private disposed = false;

  constructor(
    private readonly script: string,
    private readonly log: (message: string) => void,
    private readonly onRestart: () => void,
  ) {
    this.worker = this.start();
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs one analysis; resolves with the SnapshotData as JSON. */
  analyze(job: Omit<AnalyzeJob, 'type' | 'id'>): Promise<string> {
    if (this.running) return Promise.reject(new Error('analysis worker is busy'));
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.running = { id, resolve, reject };
      this.post({ type: 'analyze', id, ...job });
    });
  }

  forget(uri: string): void {
    this.post({ type: 'forget', uri });
  }

  dispose(): void {
    this.disposed = true;
    void this.worker.terminate();
  }

  private post(message: WorkerRequest): void {
    this.worker.postMessage(message);
  }

  private start(): Worker {
    const worker = new Worker(this.script, { workerData: { role: 'analysis' } });
    worker.on('message', (message: WorkerResponse) => this.onMessage(message));
    worker.on('error', (error) => this.log(`analysis worker error: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => {
      if (this.disposed) return;
      this.log(`analysis worker exited (code ${code}); restarting`);
      this.fail(new Error(`analysis worker exited with code ${code}`));
      this.worker = this.start();
      this.onRestart();
    });
    worker.unref();
    return worker;
  }

  private onMessage(message: WorkerResponse): void {
    if (message.type === 'log') return this.log(message.message);
    const running = this.running;
    if (!running || running.id !== message.id) return;
    this.running = undefined;
    if (message.type === 'done') running.resolve(message.json);
    else running.reject(new Error(message.message));
  }

  private fail(error: Error): void {
    const running = this.running;
    this.running = undefined;
    running?.reject(error);
  }
}
