// The host's ready-first queue and the per-frame event coalescing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrainerEvent } from '../../protocol/protocol';
import { EventCoalescer, ReadyQueue, type HostMessage, type Scheduler } from '../../client/src/message-queue';

const init = (file: string): HostMessage => ({ type: 'init', payload: { file, settings: { data: '', epochs: 1, batchSize: 32, taps: [] }, dataChoices: [], running: false } });
const log = (message: string): TrainerEvent => ({ type: 'log', level: 'info', message });
const ev = (message: string): HostMessage => ({ type: 'event', payload: log(message) });
const label = (m: HostMessage) => (m.type === 'init' ? `init:${m.payload.file}` : m.type === 'event' ? `event:${(m.payload as { message: string }).message}` : m.type);

describe('ReadyQueue', () => {
  it('queues until ready, then sends the fresh init first and the rest in order', () => {
    const sent: string[] = [];
    const q = new ReadyQueue<HostMessage>((m) => sent.push(label(m)));
    q.post(init('old'));
    q.post(ev('a'));
    q.post(ev('b'));
    assert.deepEqual(sent, []);
    assert.equal(q.pending, 3);
    assert.equal(q.ready, false);
    q.markReady(init('new'));
    assert.deepEqual(sent, ['init:new', 'event:a', 'event:b'], 'the queued init is superseded by the fresh one');
    assert.equal(q.pending, 0);
    assert.equal(q.sent, 3);
    q.post(ev('c'));
    assert.deepEqual(sent.at(-1), 'event:c', 'sent at once when ready');
  });

  it('keeps only the latest queued message of a latest-wins type, in its new place', () => {
    const sent: string[] = [];
    const q = new ReadyQueue<HostMessage>((m) => sent.push(label(m)));
    q.post(init('1'));
    q.post(ev('a'));
    q.post({ type: 'theme', payload: { kind: 'dark' } });
    q.post(init('2'));
    q.post({ type: 'theme', payload: { kind: 'light' } });
    q.markReady();
    assert.deepEqual(sent, ['event:a', 'init:2', 'theme']);
  });

  it('queues again while the webview is away and flushes on the next ready', () => {
    const sent: string[] = [];
    const q = new ReadyQueue<HostMessage>((m) => sent.push(label(m)));
    q.markReady(init('1'));
    q.post(ev('live'));
    q.markNotReady();
    q.post(ev('while hidden 1'));
    q.post(ev('while hidden 2'));
    assert.deepEqual(sent, ['init:1', 'event:live']);
    q.markReady(init('again'));
    assert.deepEqual(sent, ['init:1', 'event:live', 'init:again', 'event:while hidden 1', 'event:while hidden 2']);
  });

  it('clear drops what is queued', () => {
    const sent: string[] = [];
    const q = new ReadyQueue<HostMessage>((m) => sent.push(label(m)));
    q.post(ev('a'));
    q.clear();
    q.markReady();
    assert.deepEqual(sent, []);
  });
});

/** A manual clock for the coalescer. */
function manualScheduler() {
  const pending = new Map<number, () => void>();
  let next = 1;
  const s: Scheduler & { run(): void; count(): number } = {
    set: (cb) => {
      pending.set(next, cb);
      return next++;
    },
    clear: (h) => void pending.delete(h as number),
    run: () => {
      const cbs = [...pending.values()];
      pending.clear();
      cbs.forEach((cb) => cb());
    },
    count: () => pending.size,
  };
  return s;
}

describe('EventCoalescer', () => {
  it('sends the events of one frame as one batch, in order', () => {
    const clock = manualScheduler();
    const batches: string[][] = [];
    const c = new EventCoalescer((events) => batches.push(events.map((e) => (e as { message: string }).message)), 16, clock);
    c.push(log('1'));
    c.push(log('2'));
    c.push(log('3'));
    assert.equal(clock.count(), 1, 'one timer for the frame');
    assert.equal(c.size, 3);
    clock.run();
    c.push(log('4'));
    clock.run();
    assert.deepEqual(batches, [['1', '2', '3'], ['4']]);
  });

  it('flushes at once on end, and on demand (before another message type)', () => {
    const clock = manualScheduler();
    const batches: string[][] = [];
    const c = new EventCoalescer((events) => batches.push(events.map((e) => e.type)), 16, clock);
    c.push(log('x'));
    c.push({ type: 'end', status: 'completed', message: 'ok' });
    assert.deepEqual(batches, [['log', 'end']]);
    assert.equal(clock.count(), 0);
    c.push(log('y'));
    c.flush();
    c.flush();
    assert.deepEqual(batches, [['log', 'end'], ['log']]);
    c.push(log('z'));
    c.dispose();
    clock.run();
    assert.equal(batches.length, 2, 'nothing after dispose');
  });

  it('works with real timers', async () => {
    const batches: number[] = [];
    const c = new EventCoalescer((events) => batches.push(events.length), 5);
    for (let i = 0; i < 10; i++) c.push(log(String(i)));
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(batches, [10]);
  });
});
