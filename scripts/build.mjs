// One esbuild script, one context per entry. `--watch` rebuilds on change; `--production` minifies.
// Type-checking is separate: `npm run typecheck` (tsc --noEmit).
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
// `--outdir DIR`: build into DIR instead of dist/ (npm run package stages production bundles elsewhere).
const outdirArg = process.argv.indexOf('--outdir');
const dist = outdirArg >= 0 ? resolve(process.argv[outdirArg + 1]) : join(root, 'dist');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** Node bundles. Native addons and packages that locate files at run time stay external. */
const NODE_EXTERNALS = ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-core', '@tensorflow/tfjs', 'mnist'];

const entries = [
  { name: 'cli', entry: 'cli/main.ts', platform: 'node' },
  { name: 'server', entry: 'server/src/server.ts', platform: 'node' },
  { name: 'client', entry: 'client/src/extension.ts', platform: 'node' },
  { name: 'trainer', entry: 'trainer/main.ts', platform: 'node' },
  { name: 'webview', entry: 'webview/src/main.ts', platform: 'browser', outdir: 'webview' },
].filter((e) => existsSync(join(root, e.entry)));

function options(e) {
  return {
    entryPoints: { [e.platform === 'browser' ? 'main' : e.name]: join(root, e.entry) },
    outdir: e.outdir ? join(dist, e.outdir) : dist,
    bundle: true,
    platform: e.platform,
    format: e.platform === 'browser' ? 'iife' : 'cjs',
    target: e.platform === 'browser' ? 'chrome120' : 'node20',
    sourcemap: !production,
    minify: production,
    external: e.platform === 'node' ? NODE_EXTERNALS : [],
    // web-tree-sitter's ESM build reads import.meta.url, which a CJS bundle lacks.
    ...(e.platform === 'node'
      ? { define: { 'import.meta.url': 'importMetaUrl' }, banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" } }
      : {}),
    logLevel: 'warning',
  };
}

/** tree-sitter's runtime and the Python grammar are loaded from next to the bundles. */
function copyWasm() {
  mkdirSync(dist, { recursive: true });
  copyFileSync(join(dirname(require.resolve('web-tree-sitter')), 'tree-sitter.wasm'), join(dist, 'tree-sitter.wasm'));
  copyFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm'), join(dist, 'tree-sitter-python.wasm'));
  // The extension's Install Native Backend command runs it with --target <global storage> (docs/extension-runtime.md).
  copyFileSync(join(root, 'scripts', 'provision-tfjs-native.mjs'), join(dist, 'provision-tfjs-native.mjs'));
}

const started = Date.now();
copyWasm();
const contexts = await Promise.all(entries.map((e) => esbuild.context(options(e))));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`watching ${entries.map((e) => e.name).join(', ')}`);
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  console.log(`built ${entries.map((e) => e.name).join(', ')} in ${Date.now() - started} ms`);
}
