/**
 * The streamed parse (analysis/parse-stream.ts): the built server's parse worker writes the tree
 * into shared memory while this thread reads the statements it finished. The tree must be the
 * fast parser's, the evaluation on it the same as on a sequential parse, and any failure of the
 * writer must surface as StreamFailed (the caller then parses itself), never as a wrong tree.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { analyzeWithParser } from '../../analysis/analyze';
import { createParseStreamJob, StatementStream, StreamFailed, type ParseStreamJob } from '../../analysis/parse-stream';
import { initParser } from '../../analysis/parser';
import { parseFast } from '../../analysis/python-parser';
import type { SharedTreeColumns, SyntaxNode } from '../../analysis/syntax-tree';
// @ts-expect-error: a plain ES module shared with the benches
import { generate } from '../../scripts/bench/generated-keras.mjs';

const root = new URL('../..', import.meta.url).pathname;
const SERVER = join(root, 'dist', 'server.js');

function flatten(node: SyntaxNode, out: string[] = [], depth = 0): string[] {
  const parentOk = node.children.every((c) => node.same(c.parent));
  out.push(`${' '.repeat(depth)}${node.fieldName ?? ''}:${node.isNamed ? node.type : JSON.stringify(node.type)}[${node.startIndex},${node.endIndex}]${parentOk ? '' : ' BAD-PARENT'}`);
  for (const c of node.children) flatten(c, out, depth + 1);
  return out;
}

/** What the evaluator sees of a statement as it arrives (its subtree must be final by then). */
function shapes(statements: Iterable<SyntaxNode>): string[] {
  return [...statements].map((s) => flatten(s).join('\n'));
}

const repositoryPython = execFileSync('git', ['ls-files', '*.py'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean)
  .map((file) => readFileSync(join(root, file), 'utf8'));

describe('streamed parse', () => {
  let worker: Worker;
  const start = (source: string, columns?: SharedTreeColumns): { job: ParseStreamJob; stream: StatementStream } => {
    const job = createParseStreamJob(source, columns);
    worker.postMessage(job);
    return { job, stream: new StatementStream(job, 10_000) };
  };

  before(() => {
    worker = new Worker(SERVER, { workerData: { role: 'parse' } });
  });
  after(async () => {
    await worker.terminate();
  });

  it("gives the fast parser's tree, each statement final when it arrives, on every Python file of the repository and a 20k-line file", () => {
    let columns: SharedTreeColumns | undefined;
    for (const source of [generate(20000, 's'), ...repositoryPython]) {
      const expected = parseFast(source);
      const { job, stream } = start(source, columns);
      const arrived = shapes(stream.statements());
      assert.deepEqual(arrived, shapes(expected.namedChildren.filter((s) => s.type !== 'comment')));
      assert.deepEqual(flatten(stream.root()), flatten(expected));
      // The next file reuses these columns (smaller files after the 20k one): old nodes must not leak in.
      columns = job.columns;
    }
  });

  it('throws StreamFailed when the fast parser steps aside (a syntax error near the end), after the statements before it', () => {
    const source = `${generate(2000)}\ndef broken(:\n    pass\n`;
    const { stream } = start(source);
    let seen = 0;
    assert.throws(() => {
      for (const _ of stream.statements()) seen++;
    }, StreamFailed);
    assert.ok(seen < 2000, `${seen} statements before the error`);
    assert.throws(() => stream.root(), StreamFailed);
  });

  it('throws StreamFailed when no writer answers', () => {
    const job = createParseStreamJob('x = 1\n');
    const stream = new StatementStream(job, 50);
    assert.throws(() => [...stream.statements()], /did not answer/);
  });

  it('an analysis on a streamed parse equals the sequential one; one whose parse steps aside is done sequentially', async () => {
    const parser = await initParser();
    const fixtures = execFileSync('git', ['ls-files', 'test/fixtures/keras/*.py', 'examples/*.py'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
    assert.ok(fixtures.length > 10);
    for (const file of fixtures) {
      const source = readFileSync(join(root, file), 'utf8');
      const sequential = analyzeWithParser(parser, source, { file });
      const streamed = analyzeWithParser(parser, source, { file, stream: start(source).stream });
      assert.equal(streamed.streamed, true, file);
      assert.deepEqual(JSON.parse(JSON.stringify(streamed.graph)), JSON.parse(JSON.stringify(sequential.graph)), file);
    }
    const broken = `${generate(500)}\nmodel_0.compile(loss=\n`;
    const fallback = analyzeWithParser(parser, broken, { file: 'broken.py', stream: start(broken).stream });
    assert.equal(fallback.streamed, false);
    assert.deepEqual(JSON.parse(JSON.stringify(fallback.graph)), JSON.parse(JSON.stringify(analyzeWithParser(parser, broken, { file: 'broken.py' }).graph)));
    assert.ok(fallback.graph.models.length > 20 && fallback.graph.notes.some((n) => /syntax error/.test(n.message)));
  });
});
