/**
 * In-process half of `scripts/bench-parser.mjs` (bundled by it): on one text, the fast parser
 * against tree-sitter's parse plus the copy of its tree (what the analyzer used before), runs
 * alternated; then the whole analysis (fast path) and its share beyond the parse.
 */
import { readFileSync } from 'node:fs';
import { analyzeWithParser } from '../../analysis/analyze';
import { initParser } from '../../analysis/parser';
import { parseFast } from '../../analysis/python-parser';
import { toSyntaxTree } from '../../analysis/syntax-tree';

const text = readFileSync(process.argv[2], 'utf8');
const RUNS = Number(process.argv[3] ?? 9);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] * 10) / 10;
}

function timed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const parser = await initParser();
  const fast: number[] = [];
  const treeSitter: number[] = [];
  const analysis: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const f = timed(() => parseFast(text));
    const t = timed(() => {
      const tree = parser.parse(text)!;
      toSyntaxTree(tree, text);
      tree.delete();
    });
    const a = timed(() => analyzeWithParser(parser, text, { file: 'bench.py' }));
    if (i < 2) continue; // warm-up
    fast.push(f);
    treeSitter.push(t);
    analysis.push(a);
  }
  const parse = { fastMs: median(fast), treeSitterParseAndCopyMs: median(treeSitter) };
  console.log(JSON.stringify({
    lines: text.split('\n').length,
    parse: { ...parse, speedup: Math.round((parse.treeSitterParseAndCopyMs / parse.fastMs) * 10) / 10 },
    analysis: { totalMs: median(analysis), beyondParseMs: Math.round((median(analysis) - parse.fastMs) * 10) / 10 },
  }));
}

void main();
