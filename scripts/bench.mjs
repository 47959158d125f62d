// `npm run bench`: runs every scripts/bench-*.mjs in turn and prints one JSON object keyed by bench name.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('.', import.meta.url).pathname;
const only = process.argv.slice(2);
const results = {};
for (const file of readdirSync(dir).filter((f) => /^bench-.*\.mjs$/.test(f)).sort()) {
  const name = file.replace(/^bench-|\.mjs$/g, '');
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`[bench] ${name}…\n`);
  const r = spawnSync(process.execPath, [join(dir, file)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  try {
    results[name] = JSON.parse(r.stdout);
  } catch {
    results[name] = { error: `exit ${r.status}`, output: r.stdout.slice(-2000) };
  }
}
console.log(JSON.stringify(results, null, 2));
