// Run management without VS Code: a fake trainer launcher drives the RunManager.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunStatus, TrainerEvent, TrainRequest } from '../../protocol/protocol';
import { Emitter, RunManager, type LaunchHooks, type TrainerHandle } from '../../client/src/run-manager';

/** A trainer the test controls: emit events, see stop requests, end it. */
class FakeTrainer implements TrainerHandle {
  stopCalls = 0;
  readonly done: Promise<RunStatus>;
  private resolve!: (s: RunStatus) => void;
  constructor(
    readonly request: TrainRequest,
    readonly hooks: LaunchHooks,
    private readonly endOnStop: boolean,
  ) {
    this.done = new Promise((r) => (this.resolve = r));
  }
  emit(e: TrainerEvent): void {
    this.hooks.onEvent(e);
    if (e.type === 'end') this.resolve(e.status);
  }
  end(status: RunStatus = 'completed', message = 'done'): void {
    this.emit({ type: 'end', status, message });
  }
  stop(): void {
    this.stopCalls++;
    if (this.endOnStop) setImmediate(() => this.end('stopped', 'stopped at epoch 1'));
  }
}

function manager(options: { endOnStop?: boolean; keepFinished?: number } = {}) {
  const launched: FakeTrainer[] = [];
  let t = 1000;
  const runs = new RunManager(
    (request, hooks) => {
      const f = new FakeTrainer(request, hooks, options.endOnStop ?? true);
      launched.push(f);
      return f;
    },
    { now: () => t++, ...(options.keepFinished !== undefined ? { keepFinished: options.keepFinished } : {}) },
  );
  return { runs, launched };
}

const start = (model = 'clf'): TrainerEvent => ({
  type: 'start',
  backend: 'wasm',
  backendDetail: 'WebAssembly backend (test)',
  model: { name: model } as never,
  data: { source: 'synthetic', trainSamples: 10, validationSamples: 0, xShape: [null, 4], yShapes: [], adaptations: [] },
  taps: [],
  loss: { summary: 'mse', components: [], skipped: [], kerasWarnings: [] },
  epochs: 3,
  batchSize: 2,
});
const req = (model = 'clf'): TrainRequest => ({ file: '/p/train.py', model });

describe('RunManager', () => {
  it('starts a run, follows its events into the snapshot, resolves done at end', async () => {
    const { runs, launched } = manager();
    const seen: string[] = [];
    runs.onDidStart((r) => seen.push(`start#${r.id}`));
    runs.onDidEvent(({ event }) => seen.push(event.type));
    runs.onDidEnd((r) => seen.push(`end:${r.state}`));
    const r = await runs.start('/p/train.py#clf', 'clf', req());
    assert.equal(r.outcome, 'started');
    const run = r.run;
    assert.equal(run.running, true);
    assert.deepEqual(runs.active().map((x) => x.id), [run.id]);
    const t = launched[0]!;
    t.emit(start());
    t.emit({ type: 'batch', epoch: 1, batch: 3, batches: 5, loss: 0.9, components: {} });
    t.emit({ type: 'histogram', epoch: 1, step: 3, layer: 'hidden', tensor: 'activation', min: 0, max: 1, counts: [1, 2], stats: { mean: 0, std: 0, min: 0, max: 1, zeroFraction: 0, nonFinite: 0 } });
    t.emit({ type: 'epoch', epoch: 1, loss: 0.8, components: {}, metrics: {}, validation: { loss: 0.85, components: {}, metrics: {} }, samplesPerSecond: 100 });
    const mid = run.snapshot();
    assert.equal(mid.backend, 'wasm');
    assert.equal(mid.epoch, 1);
    assert.equal(mid.epochs, 3);
    assert.equal(mid.loss, 0.8);
    assert.equal(mid.validationLoss, 0.85);
    assert.equal(mid.histograms, 1);
    assert.equal(mid.batches, 5);
    t.end('completed', 'trained 3 epochs');
    const final = await run.done;
    assert.equal(final.state, 'completed');
    assert.equal(final.message, 'trained 3 epochs');
    assert.equal(final.events, 5);
    assert.ok(final.endedAt! > final.startedAt);
    assert.deepEqual(seen, ['start#1', 'start', 'batch', 'histogram', 'epoch', 'end', 'end:completed']);
    assert.equal(runs.active().length, 0);
    assert.deepEqual(run.toSavedRun(), { version: 1, file: '/p/train.py', request: req(), events: run.events });
  });

  it('ignores anything after the one end event', async () => {
    const { runs, launched } = manager();
    const { run } = await runs.start('k', 'clf', req());
    launched[0]!.end('failed', 'boom');
    launched[0]!.hooks.onEvent({ type: 'end', status: 'completed', message: 'late' });
    launched[0]!.hooks.onEvent({ type: 'log', level: 'info', message: 'late' });
    assert.equal(run.state, 'failed');
    assert.equal(run.events.length, 1);
  });

  it('a second Train of the same model asks; "no" keeps the running run', async () => {
    const { runs, launched } = manager();
    const first = (await runs.start('k', 'clf', req())).run;
    let asked = 0;
    const again = await runs.start('k', 'clf', req(), { confirmRestart: (running) => (asked++, assert.equal(running, first), false) });
    assert.equal(asked, 1);
    assert.equal(again.outcome, 'kept');
    assert.equal(again.run, first);
    assert.equal(launched.length, 1);
    assert.equal(launched[0]!.stopCalls, 0);
  });

  it('"restart" stops the running run, waits for its end, then starts anew', async () => {
    const { runs, launched } = manager();
    const first = (await runs.start('k', 'clf', req())).run;
    const order: string[] = [];
    runs.onDidEnd((r) => order.push(`end#${r.id}`));
    runs.onDidStart((r) => order.push(`start#${r.id}`));
    const second = await runs.start('k', 'clf', req(), { confirmRestart: () => Promise.resolve(true) });
    assert.equal(second.outcome, 'started');
    assert.notEqual(second.run, first);
    assert.equal(first.state, 'stopped');
    assert.equal(launched[0]!.stopCalls, 1);
    assert.deepEqual(order, ['end#1', 'start#2']);
  });

  it('without a confirm callback a running model is kept', async () => {
    const { runs } = manager();
    await runs.start('k', 'clf', req());
    assert.equal((await runs.start('k', 'clf', req())).outcome, 'kept');
  });

  it('different models train side by side', async () => {
    const { runs, launched } = manager();
    await runs.start('a', 'a', req('a'));
    await runs.start('b', 'b', req('b'));
    assert.equal(runs.active().length, 2);
    assert.equal(launched.length, 2);
  });

  it('serialises concurrent starts of one model (the second one is asked)', async () => {
    const { runs, launched } = manager();
    const confirms: number[] = [];
    const [a, b] = await Promise.all([
      runs.start('k', 'clf', req(), { confirmRestart: () => (confirms.push(1), true) }),
      runs.start('k', 'clf', req(), { confirmRestart: () => (confirms.push(2), true) }),
    ]);
    assert.equal(a.outcome, 'started');
    assert.equal(b.outcome, 'started');
    assert.deepEqual(confirms, [2]);
    assert.equal(launched.length, 2);
    assert.equal(runs.active().length, 1);
    assert.equal(runs.active()[0], b.run);
  });

  it('stops by id, by model, or everything', async () => {
    const { runs, launched } = manager({ endOnStop: false });
    const a = (await runs.start('a', 'a', req('a'))).run;
    const b = (await runs.start('b', 'b', req('b'))).run;
    const c = (await runs.start('c', 'c', req('c'))).run;
    assert.deepEqual(runs.stop({ id: a.id }).map((r) => r.id), [a.id]);
    assert.deepEqual(runs.stop({ key: 'b' }).map((r) => r.id), [b.id]);
    assert.equal(launched[0]!.stopCalls, 1);
    assert.equal(launched[1]!.stopCalls, 1);
    assert.deepEqual(runs.stop().map((r) => r.id), [a.id, b.id, c.id], 'still running until they end');
    assert.equal(launched[0]!.stopCalls, 2, 'a second stop is passed on: the trainer client ignores repeats');
    assert.equal(runs.stop({ key: 'nope' }).length, 0);
  });

  it('a launcher that throws gives a failed run with the reason', async () => {
    const runs = new RunManager(() => {
      throw new Error('the trainer bundle is missing');
    });
    const { run } = await runs.start('k', 'clf', req());
    const s = await run.done;
    assert.equal(s.state, 'failed');
    assert.match(s.message!, /could not be started: the trainer bundle is missing/);
  });

  it('keeps the user taps per model and reports changes', async () => {
    const { runs } = manager();
    const changes: string[] = [];
    runs.onDidChangeTaps(({ key, taps }) => changes.push(`${key}:${taps.join(',')}`));
    assert.equal(runs.tap('k', 'hidden'), true);
    assert.equal(runs.tap('k', 'hidden'), false);
    assert.equal(runs.tap('k', 'out'), true);
    assert.deepEqual(runs.tapsOf('k'), ['hidden', 'out']);
    assert.equal(runs.untap('k', 'hidden'), true);
    assert.equal(runs.untap('k', 'hidden'), false);
    assert.deepEqual(runs.tapsOf('other'), []);
    assert.equal(runs.setTaps('k', ['a', 'a', 'b']), true);
    assert.deepEqual(runs.tapsOf('k'), ['a', 'b']);
    assert.deepEqual(changes, ['k:hidden', 'k:hidden,out', 'k:out', 'k:a,b']);
  });

  it('keeps the latest finished runs only, and finds the latest per model', async () => {
    const { runs, launched } = manager({ keepFinished: 2 });
    for (let i = 0; i < 4; i++) {
      await runs.start('k', 'clf', req());
      launched[i]!.end();
    }
    assert.deepEqual(runs.list().map((r) => r.id), [3, 4]);
    assert.equal(runs.latest('k')?.id, 4);
    assert.equal(runs.get(1), undefined);
    assert.equal(runs.latest('none'), undefined);
  });

  it('dispose stops every run and waits for their ends', async () => {
    const { runs, launched } = manager();
    const a = (await runs.start('a', 'a', req('a'))).run;
    await runs.dispose();
    assert.equal(a.state, 'stopped');
    assert.equal(launched[0]!.stopCalls, 1);
  });

  it('a failing listener does not stop the others', () => {
    const e = new Emitter<number>();
    const got: number[] = [];
    e.event(() => {
      throw new Error('x');
    });
    const sub = e.event((v) => got.push(v));
    e.fire(1);
    sub.dispose();
    e.fire(2);
    assert.deepEqual(got, [1]);
  });
});
