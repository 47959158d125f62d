// Parser benchmark: the fast parser (analysis/python-parser.ts) against tree-sitter's parse plus
// the copy of its tree into plain JS (the analyzer's path before it), on the language-server
// bench's generated files (5k and 20k lines), alternated in one process; and the whole analysis.
// Prints JSON. Context: the language server's target is a first analysis of the 20k-line file in
// under 150 ms (see bench-lsp.mjs, whose figure adds the syntax index and diagnostics).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { generate } from './bench/generated-keras.mjs';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.cache', 'bench-parser');
mkdirSync(out, { recursive: true });
const entry = join(out, 'parser-entry.js');
await build({ entryPoints: [join(root, 'scripts', 'bench', 'parser-entry.ts')], bundle: true, platform: 'node', outfile: entry, external: ['web-tree-sitter', 'tree-sitter-python'], logLevel: 'error' });

const results = {};
for (const lines of [5000, 20000]) {
  const file = join(out, `gen_${lines / 1000}k.py`);
  writeFileSync(file, generate(lines));
  const r = spawnSync(process.execPath, [entry, file], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_PATH: join(root, 'node_modules') } });
  if (r.status !== 0) throw new Error(`parser bench failed: ${r.stderr}`);
  results[`${lines / 1000}k`] = JSON.parse(r.stdout);
}
console.log(JSON.stringify(results, null, 2));
