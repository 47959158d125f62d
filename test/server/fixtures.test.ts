/**
 * Every real-Keras fixture (test/fixtures/keras/*.py, each with what Keras 3 itself reported) opened
 * through the server: no diagnostic where Keras builds and trains the file without error, and
 * no error logged by the server on any of them.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LspClient, message } from './lsp-client';

const DIR = join(__dirname, '..', 'fixtures', 'keras');

interface Truth {
  error: string | null;
  models?: { fitError?: string | null }[];
}

describe('real-Keras fixtures through the server', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.stop();
  });

  const files = readdirSync(DIR).filter((f) => f.endsWith('.py') && existsSync(join(DIR, f.replace(/\.py$/, '.expected.json'))));

  it('no diagnostics on files Keras runs without error', async () => {
    const falsePositives: string[] = [];
    for (const file of files) {
      const truth = JSON.parse(readFileSync(join(DIR, file.replace(/\.py$/, '.expected.json')), 'utf8')) as Truth;
      const kerasFails = !!truth.error || (truth.models ?? []).some((m) => m.fitError);
      const diagnostics = await client.open(file, readFileSync(join(DIR, file), 'utf8'));
      if (!kerasFails) for (const d of diagnostics) falsePositives.push(`${file}:${d.range.start.line + 1} ${d.code}: ${message(d)}`);
    }
    assert.deepEqual(falsePositives, []);
    assert.deepEqual(client.errors, []);
  });
});
