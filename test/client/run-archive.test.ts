// Finished runs kept across window reloads (client/src/run-archive.ts), on a real directory.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { SavedRun, TrainerEvent } from '../../protocol/protocol';
import { interruptedRunStamp, RunArchive, startStamp } from '../../client/src/run-archive';
import { persist, restore } from '../../webview/src/persist';
import { initialState, reduce } from '../../webview/src/store';

function start(startedAt: number | undefined): TrainerEvent {
  return {
    type: 'start',
    backend: 'tensorflow',
    backendDetail: 'test',
    model: { id: 'M1', layerId: 'L0', name: 'model', nameSource: 'explicit', kind: 'functional', className: 'Functional', variables: ['model'], range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, inputs: [], outputs: [], inputShapes: [], outputShapes: [], layers: [], totalParams: 0, trainableParams: 0, nonTrainableParams: 0, approximate: false },
    data: { source: 'synthetic', trainSamples: 8, validationSamples: 0, xShape: [null, 4], yShapes: [[null, 1]], adaptations: [] },
    taps: [],
    loss: { summary: 'mse', components: [], skipped: [], kerasWarnings: [] },
    epochs: 2,
    batchSize: 4,
    ...(startedAt === undefined ? {} : { startedAt }),
  };
}

function savedRun(startedAt: number | undefined, status: 'completed' | 'stopped' = 'completed'): SavedRun {
  return {
    version: 1,
    file: '/p/model.py',
    request: { file: '/p/model.py', model: 'model' },
    events: [start(startedAt), { type: 'log', level: 'info', message: 'epoch 1' }, { type: 'end', status, message: status }],
  };
}

function archiveIn(): { archive: RunArchive; dir: string; logs: string[] } {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'run-archive-')), 'finished-runs');
  const logs: string[] = [];
  return { archive: new RunArchive(dir, (m) => logs.push(m)), dir, logs };
}

describe('finished runs kept across reloads', () => {
  it('gives back the finished run that started at the stamp, and nothing for another stamp or model', async () => {
    const { archive } = archiveIn();
    await archive.save('/p/model.py::model', savedRun(1000));
    assert.deepEqual(await archive.finished('/p/model.py::model', 1000), savedRun(1000));
    assert.equal(await archive.finished('/p/model.py::model', 999), undefined, 'another run of the same model');
    assert.equal(await archive.finished('/p/model.py::other', 1000), undefined, 'another model');
  });

  it('keeps the last run per model; a read right after a save waits for the write', async () => {
    const { archive } = archiveIn();
    void archive.save('k', savedRun(1));
    void archive.save('k', savedRun(2, 'stopped'));
    assert.equal(await archive.finished('k', 1), undefined);
    assert.equal((await archive.finished('k', 2))?.events.at(-1)?.type, 'end');
  });

  it('an unreadable file is ignored with a log line, and an unwritable directory only logs', async () => {
    const { archive, dir, logs } = archiveIn();
    await archive.save('k', savedRun(5));
    for (const f of fs.readdirSync(dir)) fs.writeFileSync(path.join(dir, f), '{ not json');
    assert.equal(await archive.finished('k', 5), undefined);
    assert.match(logs.join('\n'), /unreadable/);
    const blocked = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'run-archive-')), 'file');
    fs.writeFileSync(blocked, 'a file where the directory should be');
    const stuck = new RunArchive(path.join(blocked, 'finished-runs'), (m) => logs.push(m));
    await stuck.save('k', savedRun(6));
    assert.match(logs.at(-1) ?? '', /not kept for restore/);
    assert.equal(await stuck.finished('k', 6), undefined);
  });

  it('start stamps: from the start event; none for runs recorded before stamps', () => {
    assert.equal(startStamp(savedRun(42)), 42);
    assert.equal(startStamp(savedRun(undefined)), undefined);
  });

  it('a restored panel state names its interrupted live run by the stamp the webview kept', () => {
    // The webview's own reducer and persistence: the stamp survives setState/getState.
    const live = reduce(initialState(), { type: 'event', event: start(1234) }).state;
    const state = JSON.parse(JSON.stringify(persist(live)));
    assert.equal(restore(state)?.run?.startedAt, 1234);
    assert.equal(interruptedRunStamp(state), 1234);
    const ended = reduce(live, { type: 'event', event: { type: 'end', status: 'completed', message: 'done' } }).state;
    assert.equal(interruptedRunStamp(JSON.parse(JSON.stringify(persist(ended)))), undefined, 'a run the panel saw end is not interrupted');
    assert.equal(interruptedRunStamp(undefined), undefined);
    assert.equal(interruptedRunStamp({ run: { origin: 'saved', status: 'running', startedAt: 1 } }), undefined);
  });
});
