// The SavedRun format for Open Saved Run… / Export Run….
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { SavedRun } from '../../protocol/protocol';
import { exportFileName, parseSavedRun, SavedRunError, savedRunModel, serializeSavedRun } from '../../client/src/saved-run';
import { ROOT } from './helpers';

const run: SavedRun = {
  version: 1,
  file: '/p/mnist_cnn.py',
  request: { file: '/p/mnist_cnn.py', model: 'model', epochs: 2 },
  events: [
    { type: 'log', level: 'info', message: 'hello' },
    { type: 'end', status: 'completed', message: 'done' },
  ],
};

describe('saved runs', () => {
  it('round-trips through serialize / parse', () => {
    assert.deepEqual(parseSavedRun(serializeSavedRun(run)), run);
  });
  it('rejects what is not a saved run, with a reason', () => {
    assert.throws(() => parseSavedRun('{'), (e: unknown) => e instanceof SavedRunError && /not JSON/.test(e.message));
    assert.throws(() => parseSavedRun('[]'), /expected a JSON object/);
    assert.throws(() => parseSavedRun('{"version":2,"file":"x","events":[]}'), /unsupported saved-run version 2/);
    assert.throws(() => parseSavedRun('{"version":1,"events":[]}'), /"file" is missing/);
    assert.throws(() => parseSavedRun('{"version":1,"file":"x"}'), /"events" is missing/);
  });
  it('drops events of unknown types and fills a missing request', () => {
    const r = parseSavedRun(JSON.stringify({ version: 1, file: '/x.py', events: [{ type: 'weird' }, null, { type: 'log', level: 'info', message: 'ok' }] }));
    assert.deepEqual(r.events, [{ type: 'log', level: 'info', message: 'ok' }]);
    assert.deepEqual(r.request, { file: '/x.py' });
  });
  it('names the model and the export file', () => {
    assert.equal(savedRunModel(run), 'model');
    assert.equal(exportFileName(run, new Date('2025-01-02T03:04:05.678Z')), 'mnist_cnn-model-2025-01-02T03-04-05.run.json');
  });
  it("reads the CLI's recorded runs (test/fixtures/runs) when present", (t) => {
    const dir = path.join(ROOT, 'test', 'fixtures', 'runs');
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
    if (files.length === 0) return t.skip('no recorded runs');
    for (const f of files) {
      const r = parseSavedRun(fs.readFileSync(path.join(dir, f), 'utf8'));
      assert.ok(r.events.some((e) => e.type === 'start'), f);
      assert.ok(savedRunModel(r), f);
    }
  });
});
