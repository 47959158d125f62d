/**
 * Robustness over a real connection: syntax errors, requests on outdated versions (cancelled, not
 * answered late), handler errors (logged, empty result), and a soak of thousands of rapid edits
 * interleaved with completion and hover.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ResponseError, type Position } from 'vscode-languageserver-protocol';
import { cursor, LspClient, positionOf } from './lsp-client';

const BASE = `import keras
from keras import layers

inputs = keras.Input(shape=(784,))
x = layers.Dense(64, activation="relu", name="hidden")(inputs)
outputs = layers.Dense(10, activation="softmax", name="probs")(x)
model = keras.Model(inputs, outputs)
`;

/** A long file: many small models, for analyses that take a while. */
function bigFile(blocks: number): string {
  const parts = ['import keras', 'from keras import layers', ''];
  for (let i = 0; i < blocks; i++) {
    parts.push(
      `def build_${i}():`,
      `    inputs = keras.Input(shape=(32,))`,
      `    x = layers.Dense(16, activation="relu", name="h_${i}")(inputs)`,
      `    return keras.Model(inputs, layers.Dense(2, name="o_${i}")(x))`,
      `m_${i} = build_${i}()`,
      `m_${i}.get_layer("h_${i}")`,
      '',
    );
  }
  return parts.join('\n');
}

describe('robustness', () => {
  let client: LspClient;

  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client.stop();
  });

  it('analyses around syntax errors: diagnostics, completion and hover still work', async () => {
    const { text, position } = cursor(`${BASE}
def half_written(:
    y = [1, 2
model.compile(optimizer="adam", loss="mse"
probe = model.get_layer("hid|den")
print("unterminated)
`);
    const diagnostics = await client.open('broken.py', text);
    assert.deepEqual(diagnostics, []);
    const hover = await client.hover('broken.py', position);
    assert.match((hover!.contents as { value: string }).value, /\*\*`hidden`\*\*/);
    const items = await client.completion('broken.py', { line: position.line, character: position.character - 3 });
    assert.deepEqual(items.map((i) => i.label), ['input_layer', 'hidden', 'probs']);
    assert.deepEqual(client.errors, []);
  });

  it('cancels a request whose document version changes before its analysis lands', async () => {
    const text = bigFile(150);
    const opened = client.open('outdated.py', text);
    const pending = client.definition('outdated.py', positionOf(text, 'get_layer("h_3")', 'get_layer("h'.length));
    await client.edit('outdated.py', { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '# edited\n');
    await assert.rejects(pending, (e: unknown) => e instanceof ResponseError && e.code === -32801); // ContentModified
    await opened;
    const defs = await client.definition('outdated.py', positionOf(client.text('outdated.py'), 'get_layer("h_3")', 'get_layer("h'.length));
    assert.equal(defs.length, 1, 'a request on the current version is answered');
  });

  it('shares one analysis per version between concurrent requests, and re-parses incrementally after an edit', async () => {
    // A match statement is outside the fast parser's subset: tree-sitter parses, and keeps its tree.
    const text = `${bigFile(20)}\nmatch mode:\n    case 1:\n        pass\n`;
    const name = 'shared.py';
    const uri = client.uri(name);
    const opened = client.open(name, text);
    const at = positionOf(text, 'get_layer("h_3")', 'get_layer("h'.length);
    const answers = await Promise.all([
      client.definition(name, at),
      client.references(name, at),
      client.documentSymbols(name),
      client.codeLenses(name),
      client.modelGraph(name),
    ]);
    await opened;
    assert.equal(answers[0].length, 1);
    assert.equal(client.logs.filter((l) => l.startsWith(`analysis ${uri} v1:`)).length, 1, 'one analysis for version 1');
    const version = await client.edit(name, { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, '# a comment\n');
    await client.diagnostics(uri, version);
    const second = client.logs.find((l) => l.startsWith(`analysis ${uri} v${version}:`));
    assert.match(second ?? '', /tree-sitter incremental parse/);
  });

  it('parses plain Python with the fast parser, and falls back to tree-sitter on a syntax error', async () => {
    const name = 'fast.py';
    const uri = client.uri(name);
    await client.open(name, bigFile(3));
    assert.match(client.logs.find((l) => l.startsWith(`analysis ${uri} v1:`)) ?? '', /, fast parse$/);
    const version = await client.edit(name, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, 'x = (\n');
    await client.diagnostics(uri, version);
    assert.match(client.logs.find((l) => l.startsWith(`analysis ${uri} v${version}:`)) ?? '', /, tree-sitter parse$/);
  });

  it('logs a failing handler and answers with an empty result', async () => {
    await client.open('errors.py', BASE);
    const result = await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: client.uri('errors.py') }, position: null as unknown as Position });
    assert.deepEqual(result, { isIncomplete: false, items: [] });
    assert.ok(client.errors.some((e) => e.startsWith('completion failed')), client.errors.join('\n'));
    client.errors.length = 0;
    // The server is still fine.
    assert.equal((await client.completion('errors.py', positionOf(BASE, 'name="hidden"', 6))).length, 0);
    assert.ok(await client.hover('errors.py', positionOf(BASE, '"hidden"', 2)));
  });

  it('streams the parse of a large file into the evaluation; falls back to tree-sitter on a syntax error, and streams again once fixed', async () => {
    const name = 'streamed.py';
    const uri = client.uri(name);
    const text = bigFile(200);
    assert.ok(text.length > 32 * 1024, 'above the size the parse is streamed from');
    await client.open(name, text);
    const logOf = (version: number) => client.logs.find((l) => l.startsWith(`analysis ${uri} v${version}:`)) ?? '';
    assert.match(logOf(1), /, fast streamed parse$/);
    const last = positionOf(text, 'get_layer("h_199")', 'get_layer("h'.length);
    assert.match((((await client.hover(name, last))!.contents) as { value: string }).value, /\*\*`h_199`\*\*/);
    assert.deepEqual((await client.definition(name, last)).map((d) => d.range.start.line), [text.split('\n').findIndex((l) => l.includes('name="h_199"'))]);
    // A syntax error at the end: the streamed parse steps aside there, and tree-sitter parses.
    const end = { line: text.split('\n').length - 1, character: 0 };
    const broken = await client.edit(name, { start: end, end }, 'x = (\n');
    const diagnostics = await client.diagnostics(uri, broken);
    assert.match(logOf(broken), /, tree-sitter parse$/);
    assert.deepEqual(diagnostics, []);
    assert.match((((await client.hover(name, last))!.contents) as { value: string }).value, /\*\*`h_199`\*\*/);
    const fixed = await client.edit(name, { start: end, end: { line: end.line + 1, character: 0 } }, '');
    await client.diagnostics(uri, fixed);
    assert.match(logOf(fixed), /, fast parse$/, 'right after tree-sitter: not streamed (the error might still be there)');
    const again = await client.edit(name, { start: end, end }, '# done\n');
    await client.diagnostics(uri, again);
    assert.match(logOf(again), /, fast streamed parse$/);
    assert.deepEqual(client.errors, []);
  });

  for (const blocks of [40, 140]) {
    it(`soak: thousands of rapid edits interleaved with completion and hover (${blocks === 40 ? 'a small file' : 'a file large enough for a streamed parse'})`, async () => {
      await soak(`soak_${blocks}.py`, blocks);
    });
  }

  async function soak(file: string, blocks: number): Promise<void> {
    const scratch = '# scratch\n';
    const text = `${bigFile(blocks)}${scratch}probe = m_7.get_layer("")\n`;
    await client.open(file, text);
    const scratchLine = text.split('\n').indexOf('# scratch');
    const probe = positionOf(text, 'm_7.get_layer("")', 'm_7.get_layer("'.length);
    const hoverAt = positionOf(text, 'name="h_5"', 'name="h'.length);
    const requests: Promise<unknown>[] = [];
    let failures = 0;
    const track = (p: Promise<unknown>) => requests.push(p.catch(() => failures++));
    let length = '# scratch'.length;
    let rssAfterWarmup = 0;
    const EDITS = 3000;
    for (let i = 0; i < EDITS; i++) {
      // Type and delete on the scratch line; now and then break the syntax and repair it.
      const insert = i % 50 === 25 ? ' model.get_layer((' : i % 3 === 2 ? '' : String.fromCharCode(97 + (i % 26));
      if (insert === '' && length > '# scratch'.length) {
        await client.edit(file, { start: { line: scratchLine, character: length - 1 }, end: { line: scratchLine, character: length } }, '');
        length--;
      } else if (insert.startsWith(' model')) {
        await client.edit(file, { start: { line: scratchLine, character: 0 }, end: { line: scratchLine, character: 0 } }, 'x = ');
        await client.edit(file, { start: { line: scratchLine, character: 0 }, end: { line: scratchLine, character: 4 } }, '');
      } else {
        await client.edit(file, { start: { line: scratchLine, character: length }, end: { line: scratchLine, character: length } }, insert || 'z');
        length += (insert || 'z').length;
      }
      if (i % 4 === 0) track(client.completion(file, probe).then((items) => assert.equal(items.length, 3)));
      if (i % 4 === 2) track(client.hover(file, hoverAt).then((h) => assert.ok(h)));
      if (i % 200 === 199) {
        await Promise.all(requests.splice(0)); // let the server breathe now and then, like a typist pausing
        await new Promise((r) => setTimeout(r, 200));
      }
      if (i === 1000) rssAfterWarmup = client.rssMb();
    }
    await Promise.all(requests);
    assert.equal(failures, 0, 'no error responses');
    const final = await client.latestDiagnostics(file);
    assert.ok(Array.isArray(final));
    const rssEnd = client.rssMb();
    console.log(`soak (${file}): server RSS ${Math.round(rssAfterWarmup)} MB after 1000 edits, ${Math.round(rssEnd)} MB after ${EDITS}`);
    assert.ok(rssEnd - rssAfterWarmup < 80, `memory grew ${Math.round(rssEnd - rssAfterWarmup)} MB (from ${Math.round(rssAfterWarmup)} to ${Math.round(rssEnd)})`);
    assert.deepEqual(client.errors, [], 'nothing logged as an error (no unhandled rejections)');
    // The server's text is the client's text: a completion on the final version agrees.
    assert.deepEqual((await client.completion(file, probe)).map((i) => i.label), ['input_layer_7', 'h_7', 'o_7']);
  }
});
