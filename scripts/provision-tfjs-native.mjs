#!/usr/bin/env node
/**
 * provision-tfjs-native.mjs — give @tensorflow/tfjs-node a working native TensorFlow backend
 * without touching storage.googleapis.com.
 *
 * WHAT
 *   @tensorflow/tfjs-node needs two things that its own `install` script downloads from
 *   storage.googleapis.com: libtensorflow (shared libs + C headers) and a prebuilt
 *   `tfjs_binding.node` addon. Behind our firewall that download fails (ENOTFOUND), so the
 *   package's install script is switched off (package.json "allowScripts") and this script
 *   does the job instead:
 *     1. get the TensorFlow CPU wheel (tensorflow-cpu==2.21.0) with `pip download` — pip talks
 *        to the local package index, and the wheel is cached in
 *        <target>/node_modules/.cache/model-lens/ so re-running is fast;
 *     2. extract libtensorflow_cc.so.2 + libtensorflow_framework.so.2 (they export the TF C API
 *        tfjs-node uses) and the few C API headers into tfjs-node's deps/{lib,include}, under
 *        the names binding.gyp links against (libtensorflow.so, libtensorflow_framework.so) and
 *        the marker tfjs-node's install.js checks (libtensorflow.so.2.9.1);
 *     3. compile the addon with node-gyp (~20 s) into lib/napi-v<N>/tfjs_binding.node, the
 *        path tfjs-node looks up at run time;
 *     4. verify in a child process: require('@tensorflow/tfjs-node'), getBackend() ===
 *        'tensorflow', and one epoch of a tiny tf.sequential model.
 *   Idempotent: when the binding already loads and trains, it does nothing (use --force to redo).
 *
 * HOW TO RUN BY HAND
 *   node scripts/provision-tfjs-native.mjs [--force] [--target <dir>] [--wheel <file.whl>] [--check]
 *     --target <dir>  directory whose node_modules/@tensorflow/tfjs-node to provision
 *                     (default: this repository). Used by the VS Code extension for its own
 *                     install directory.
 *     --wheel <file>  use this tensorflow-cpu wheel instead of running pip (fully offline:
 *                     copy the .whl from any machine that can reach a Python index).
 *     --force         rebuild even if the binding already loads.
 *     --check         only report whether the native backend works (exit 0 / 1).
 *   Environment: MODEL_LENS_PYTHON (python with pip), MODEL_LENS_CACHE_DIR (wheel cache),
 *   PIP_INDEX_URL (else file:///opt/pypi/simple when present, else pip's own config).
 *   Requirements: Linux x86_64, python3 with pip, make and g++ (node-gyp), Node headers
 *   (npm's `nodedir`, or node-gyp's header cache).
 *
 * Exit status: 0 = native backend works; 1 = it does not (the reason and the manual fallback
 * are printed). scripts/postinstall.mjs turns a failure into a warning: training then uses wasm.
 * See docs/native-backend.md.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WHEEL_PROJECT = 'tensorflow-cpu';
const WHEEL_VERSION = '2.21.0';
/** Python version whose wheel is known to be on the local index; the C libraries inside do not depend on it. */
const FALLBACK_PYTHON_VERSION = '3.11';
const LOCAL_INDEX_DIR = '/opt/pypi/simple';
/** Header trees (inside the wheel's tensorflow/include/) that the binding's includes reach. */
const HEADER_PREFIXES = ['tensorflow/c/', 'tensorflow/core/platform/', 'tsl/', 'xla/tsl/'];
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TAG = '[model-lens native]';

export class ProvisionError extends Error {
  /** @param {string} message @param {string} [hint] what to do about it */
  constructor(message, hint) {
    super(message);
    this.name = 'ProvisionError';
    this.hint = hint;
  }
}

const log = (msg) => console.log(`${TAG} ${msg}`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function step(title, fn) {
  const start = Date.now();
  log(`${title} ...`);
  const result = await fn();
  log(`  done: ${title} (${seconds(Date.now() - start)})`);
  return result;
}

/** Runs a command, capturing output. Never throws; returns { ok, status, stdout, stderr, error }. */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  return { ok: r.status === 0, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

const tail = (text, lines = 25) => text.trim().split('\n').slice(-lines).map((l) => `    | ${l}`).join('\n');

function parseArgs(argv) {
  const opts = { force: false, check: false, target: REPO_ROOT, wheel: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') opts.force = true;
    else if (a === '--check') opts.check = true;
    else if (a === '--target' || a === '--wheel') {
      const value = argv[++i];
      if (!value) throw new ProvisionError(`${a} needs a value`);
      opts[a.slice(2)] = path.resolve(value);
    } else if (a === '--help' || a === '-h') opts.help = true;
    else throw new ProvisionError(`unknown argument: ${a}`, 'usage: node scripts/provision-tfjs-native.mjs [--force] [--check] [--target <dir>] [--wheel <file.whl>]');
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Locating things

function tfjsNodeDirOf(target) {
  const dir = path.join(target, 'node_modules', '@tensorflow', 'tfjs-node');
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    throw new ProvisionError(
      `@tensorflow/tfjs-node is not installed under ${target}/node_modules.`,
      `Run \`npm install\` in ${target} first (tfjs-node's own download script is skipped by package.json "allowScripts").`,
    );
  }
  return dir;
}

/** Where tfjs-node will look for its addon at run time (same call as tfjs-node's dist/index.js). */
function bindingPathOf(tfjsNodeDir) {
  const req = createRequire(path.join(tfjsNodeDir, 'package.json'));
  const savedArgv = process.argv;
  // node-pre-gyp parses process.argv (it would read our --target as a Node version).
  process.argv = savedArgv.slice(0, 2);
  try {
    return req('@mapbox/node-pre-gyp').find(path.join(tfjsNodeDir, 'package.json'));
  } catch {
    const pkg = JSON.parse(fs.readFileSync(path.join(tfjsNodeDir, 'package.json'), 'utf8'));
    const napi = Math.max(...pkg.binary.napi_versions.filter((v) => v <= Number(process.versions.napi)));
    return path.join(tfjsNodeDir, pkg.binary.module_path.replace('{napi_build_version}', String(napi)), 'tfjs_binding.node');
  } finally {
    process.argv = savedArgv;
  }
}

/** File names tfjs-node's scripts expect (scripts/deps-constants.js), with a fallback for 4.x. */
function depsNamesOf(tfjsNodeDir) {
  try {
    const c = createRequire(path.join(tfjsNodeDir, 'package.json'))('./scripts/deps-constants.js');
    return { marker: c.depsLibTensorFlowName, frameworkMarker: c.depsLibTensorFlowFrameworkName, libtfVersion: c.LIBTENSORFLOW_VERSION };
  } catch {
    return { marker: 'libtensorflow.so.2.9.1', frameworkMarker: 'libtensorflow_framework.so.2.9.1', libtfVersion: '2.9.1' };
  }
}

function findPipPython() {
  const candidates = [process.env.MODEL_LENS_PYTHON, 'python3', 'python'].filter(Boolean);
  for (const py of candidates) {
    const r = run(py, ['-m', 'pip', '--version']);
    if (r.ok) return py;
  }
  return undefined;
}

function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  // npm bundles node-gyp: <prefix>/lib/node_modules/npm/node_modules/node-gyp
  candidates.push(path.join(path.dirname(path.dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const npmCli = run('npm', ['root', '-g']);
  if (npmCli.ok) candidates.push(path.join(npmCli.stdout.trim(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  for (const c of candidates) if (fs.existsSync(c)) return [process.execPath, c];
  if (run('node-gyp', ['--version']).ok) return ['node-gyp'];
  return undefined;
}

/** node-gyp must not try to download Node headers (no internet): use npm's `nodedir` or the local install's headers. */
function findNodeDir() {
  const candidates = [process.env.npm_config_nodedir];
  if (!process.env.npm_config_nodedir) {
    const r = run('npm', ['config', 'get', 'nodedir']);
    if (r.ok) candidates.push(r.stdout.trim());
  }
  candidates.push(path.dirname(path.dirname(process.execPath)));
  return candidates.find((d) => d && d !== 'undefined' && d !== 'null' && fs.existsSync(path.join(d, 'include', 'node', 'node_api.h')));
}

// ---------------------------------------------------------------------------------------------
// Verification (in a child process: a broken native library may abort the process)

const VERIFY_SCRIPT = `
// tfjs-node 4.22 calls util.isNullOrUndefined, removed in Node 23 (trainer/backend.ts puts it back the same way).
const util = require('util');
if (typeof util.isNullOrUndefined !== 'function') util.isNullOrUndefined = (v) => v === null || v === undefined;
const tf = require(process.argv[1]);
(async () => {
  if (tf.getBackend() !== 'tensorflow') throw new Error('backend is ' + tf.getBackend() + ', not tensorflow');
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, inputShape: [1] }));
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const h = await model.fit(tf.tensor2d([[1], [2], [3]]), tf.tensor2d([[2], [4], [6]]), { epochs: 1, verbose: 0 });
  const loss = h.history.loss[0];
  if (!Number.isFinite(loss)) throw new Error('training produced loss ' + loss);
  console.log(JSON.stringify({ backend: tf.getBackend(), loss }));
})().catch((e) => { console.error(e && e.stack || String(e)); process.exit(1); });
`;

/** @returns {{ ok: true, loss: number } | { ok: false, reason: string }} */
export function verifyNative(target = REPO_ROOT) {
  const dir = path.join(target, 'node_modules', '@tensorflow', 'tfjs-node');
  if (!fs.existsSync(dir)) return { ok: false, reason: `${dir} does not exist` };
  const r = run(process.execPath, ['-e', VERIFY_SCRIPT, dir], { cwd: target, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  if (r.ok) {
    try {
      return { ok: true, loss: JSON.parse(r.stdout.trim().split('\n').pop()).loss };
    } catch {
      return { ok: true, loss: NaN };
    }
  }
  const lines = (r.stderr || r.stdout || String(r.error ?? '')).trim().split('\n');
  const reason = lines.find((l) => /^\s*\w*Error\b/.test(l)) ?? lines.find((l) => /error/i.test(l)) ?? `exit status ${r.status}`;
  return { ok: false, reason: reason.trim() };
}

// ---------------------------------------------------------------------------------------------
// Steps

function cacheDirOf(target) {
  return process.env.MODEL_LENS_CACHE_DIR ? path.resolve(process.env.MODEL_LENS_CACHE_DIR) : path.join(target, 'node_modules', '.cache', 'model-lens');
}

function findCachedWheel(cacheDir) {
  if (!fs.existsSync(cacheDir)) return undefined;
  const prefix = `${WHEEL_PROJECT.replace(/-/g, '_')}-${WHEEL_VERSION}-`;
  const name = fs.readdirSync(cacheDir).find((f) => f.startsWith(prefix) && f.endsWith('.whl'));
  return name && path.join(cacheDir, name);
}

function moveFile(from, to) {
  try {
    fs.renameSync(from, to);
  } catch (e) {
    if (e.code !== 'EXDEV') throw e;
    fs.copyFileSync(from, `${to}.partial`);
    fs.renameSync(`${to}.partial`, to);
    fs.rmSync(from, { force: true });
  }
}

function downloadWheel(python, cacheDir) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-wheel-'));
  try {
    const base = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--no-input',
      '--progress-bar', 'off', '--retries', '2', '--timeout', '30', '-d', tmp];
    if (!process.env.PIP_INDEX_URL && fs.existsSync(LOCAL_INDEX_DIR)) base.push('--index-url', pathToFileURL(LOCAL_INDEX_DIR).href);
    const spec = `${WHEEL_PROJECT}==${WHEEL_VERSION}`;
    let r = run(python, [...base, spec]);
    if (!r.ok && /No matching distribution|Could not find a version/i.test(r.stderr)) {
      // The wheel is tagged for one CPython version, but the shared libraries inside are not tied to it.
      log(`  no ${spec} wheel for this Python; retrying with --python-version ${FALLBACK_PYTHON_VERSION}`);
      r = run(python, [...base, '--python-version', FALLBACK_PYTHON_VERSION, spec]);
    }
    const wheel = fs.readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!r.ok || !wheel) {
      throw new ProvisionError(
        `pip could not download ${spec} (exit ${r.status ?? r.error?.message}):\n${tail(r.stderr || r.stdout)}`,
        `Check pip's index (pip config list; PIP_INDEX_URL), or copy a ${spec} wheel for Linux x86_64 here and run: ` +
          `node scripts/provision-tfjs-native.mjs --wheel <path/to/${WHEEL_PROJECT.replace(/-/g, '_')}-${WHEEL_VERSION}-*.whl>`,
      );
    }
    fs.mkdirSync(cacheDir, { recursive: true });
    const dest = path.join(cacheDir, wheel);
    moveFile(path.join(tmp, wheel), dest);
    return dest;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const EXTRACT_SCRIPT = `
import os, shutil, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
prefixes = sys.argv[3].split(',')
libs = {'tensorflow/libtensorflow_cc.so.2': 'lib/libtensorflow_cc.so.2',
        'tensorflow/libtensorflow_framework.so.2': 'lib/libtensorflow_framework.so.2'}
found, headers = set(), 0
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if name.endswith('/'):
            continue
        if name in libs:
            dest = libs[name]; found.add(name)
        elif name.startswith('tensorflow/include/') and any(name[len('tensorflow/include/'):].startswith(p) for p in prefixes):
            dest = 'include/' + name[len('tensorflow/include/'):]; headers += 1
        else:
            continue
        dest = os.path.join(out, dest)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(info) as src, open(dest, 'wb') as dst:
            shutil.copyfileobj(src, dst, 8 << 20)
missing = sorted(set(libs) - found)
if missing or headers == 0:
    sys.exit('wheel lacks ' + (', '.join(missing) if missing else 'tensorflow/include C API headers'))
print('%d libraries, %d headers' % (len(found), headers))
`;

const STAMP = '.model-lens-wheel';
const stampOf = (wheel) => `${path.basename(wheel)} ${fs.statSync(wheel).size}`;

/** deps/ already holds this wheel's libraries (left by an earlier run whose build failed). */
function depsFromWheel(tfjsNodeDir, wheel) {
  const deps = path.join(tfjsNodeDir, 'deps');
  try {
    return fs.readFileSync(path.join(deps, STAMP), 'utf8') === stampOf(wheel) &&
      ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2', 'libtensorflow.so'].every((f) => fs.existsSync(path.join(deps, 'lib', f))) &&
      fs.existsSync(path.join(deps, 'include', 'tensorflow', 'c', 'c_api.h'));
  } catch {
    return false;
  }
}

function extractWheel(python, wheel, tfjsNodeDir) {
  const names = depsNamesOf(tfjsNodeDir);
  const staging = path.join(tfjsNodeDir, `deps.partial-${process.pid}`);
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    let r;
    if (python) r = run(python, ['-c', EXTRACT_SCRIPT, wheel, staging, HEADER_PREFIXES.join(',')]);
    else {
      // No Python (only possible with --wheel): fall back to unzip, then arrange the files.
      const raw = path.join(staging, 'raw');
      r = run('unzip', ['-q', '-o', wheel, 'tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2',
        ...HEADER_PREFIXES.map((p) => `tensorflow/include/${p}*`), '-d', raw]);
      if (r.ok) {
        fs.mkdirSync(path.join(staging, 'lib'), { recursive: true });
        for (const lib of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) fs.renameSync(path.join(raw, 'tensorflow', lib), path.join(staging, 'lib', lib));
        fs.renameSync(path.join(raw, 'tensorflow', 'include'), path.join(staging, 'include'));
        fs.rmSync(raw, { recursive: true, force: true });
      } else if (r.error) r.stderr = 'neither python3 nor unzip is available to unpack the wheel';
    }
    if (!r.ok) {
      throw new ProvisionError(
        `could not unpack ${wheel}:\n${tail(r.stderr || r.stdout)}`,
        `The cached wheel may be damaged; it has been deleted, run again. (Is there enough disk space? The libraries need ~900 MB.)`,
      );
    }
    // Link-time names (-ltensorflow, -ltensorflow_framework in binding.gyp), and tfjs-node's
    // "libtensorflow already present" markers (scripts/deps-constants.js). At run time the addon
    // asks for the sonames libtensorflow_cc.so.2 / libtensorflow_framework.so.2 via rpath
    // $ORIGIN/../../deps/lib, which are the real files.
    const lib = path.join(staging, 'lib');
    const links = {
      'libtensorflow.so': 'libtensorflow_cc.so.2',
      'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
      [names.marker]: 'libtensorflow_cc.so.2',
      [names.frameworkMarker]: 'libtensorflow_framework.so.2',
    };
    for (const [name, to] of Object.entries(links)) {
      fs.rmSync(path.join(lib, name), { force: true });
      fs.symlinkSync(to, path.join(lib, name));
    }
    fs.writeFileSync(path.join(staging, STAMP), stampOf(wheel));
    const deps = path.join(tfjsNodeDir, 'deps');
    fs.rmSync(deps, { recursive: true, force: true });
    fs.renameSync(staging, deps);
    return r.stdout.trim();
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** Fails fast (before the ~5 s extraction) when the addon cannot be compiled here. */
function checkToolchain() {
  const gyp = findNodeGyp();
  if (!gyp) {
    throw new ProvisionError('node-gyp not found (looked beside npm and on PATH).', 'Install npm (it bundles node-gyp) or `npm i -g node-gyp`.');
  }
  for (const [tool, args] of [['make', ['--version']], ['g++', ['--version']], ['python3', ['--version']]]) {
    if (!run(tool, args).ok) {
      throw new ProvisionError(`\`${tool}\` is not available; node-gyp needs it to compile the addon.`, 'Install a C++ toolchain, e.g. `apt-get install -y make g++ python3`.');
    }
  }
  return gyp;
}

function buildBinding(tfjsNodeDir, gyp) {
  const bindingPath = bindingPathOf(tfjsNodeDir);
  const napi = /napi-v(\d+)/.exec(bindingPath)?.[1];
  if (!napi) throw new ProvisionError(`cannot work out the N-API build version from ${bindingPath}`);
  const args = ['rebuild', `--napi_build_version=${napi}`, '--module_name=tfjs_binding', `--module_path=${path.dirname(bindingPath)}`];
  const nodedir = findNodeDir();
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  else log('  warning: no local Node headers found; node-gyp will try its header cache / download');
  const [cmd, ...pre] = gyp;
  log(`  ${path.basename(pre[0] ?? cmd)} ${args.join(' ')}`);
  const r = run(cmd, [...pre, ...args], { cwd: tfjsNodeDir });
  if (!r.ok || !fs.existsSync(bindingPath)) {
    throw new ProvisionError(
      `compiling tfjs_binding.node failed (node-gyp exit ${r.status ?? r.error?.message}):\n${tail(r.stderr + '\n' + r.stdout, 30)}`,
      'Check the compiler output above (g++ and make must work; Node headers come from npm\'s `nodedir` setting).',
    );
  }
  // Object files are not needed at run time.
  fs.rmSync(path.join(tfjsNodeDir, 'build', 'Release', 'obj.target'), { recursive: true, force: true });
  return bindingPath;
}

// ---------------------------------------------------------------------------------------------

/**
 * Provisions the native backend. Resolves when it works; throws ProvisionError (with .hint) otherwise.
 * @param {{ target?: string, force?: boolean, wheel?: string }} [opts]
 */
export async function provision(opts = {}) {
  const target = path.resolve(opts.target ?? REPO_ROOT);
  const started = Date.now();
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new ProvisionError(
      `provisioning from the TensorFlow wheel supports Linux x86_64 only (this is ${process.platform}-${process.arch}).`,
      'With internet access run tfjs-node\'s own installer instead: (cd node_modules/@tensorflow/tfjs-node && node scripts/install.js).',
    );
  }
  const tfjsNodeDir = tfjsNodeDirOf(target);
  log(`target: ${tfjsNodeDir}`);

  if (!opts.force) {
    const status = await step('checking whether the native backend already works', () => verifyNative(target));
    if (status.ok) {
      log(`native backend already works (tensorflow backend, test fit loss ${status.loss.toFixed(3)}); nothing to do. Use --force to rebuild.`);
      return { skipped: true };
    }
    log(`  not yet: ${status.reason}`);
  }

  const gyp = checkToolchain();
  const python = findPipPython();
  let wheel = opts.wheel;
  if (wheel) {
    if (!fs.existsSync(wheel)) throw new ProvisionError(`wheel not found: ${wheel}`);
  } else {
    const cacheDir = cacheDirOf(target);
    wheel = findCachedWheel(cacheDir);
    if (wheel) log(`using cached wheel ${wheel}`);
    else {
      if (!python) {
        throw new ProvisionError(
          'pip not found (tried `python3 -m pip` and `python -m pip`; set MODEL_LENS_PYTHON to choose another interpreter).',
          `Install python3 with pip (e.g. \`apt-get install -y python3-pip\`), or pass a downloaded wheel: --wheel <${WHEEL_PROJECT.replace(/-/g, '_')}-${WHEEL_VERSION}-*.whl>`,
        );
      }
      wheel = await step(`downloading ${WHEEL_PROJECT}==${WHEEL_VERSION} with pip (${python})`, () => downloadWheel(python, cacheDir));
      log(`  cached at ${wheel} (${(fs.statSync(wheel).size / 2 ** 20).toFixed(0)} MB; safe to delete)`);
    }
  }

  if (!opts.force && depsFromWheel(tfjsNodeDir, wheel)) {
    log(`deps/ already holds the libraries from ${path.basename(wheel)}; not extracting again`);
  } else {
    try {
      const summary = await step('extracting libtensorflow and C API headers into deps/', () => extractWheel(python, wheel, tfjsNodeDir));
      log(`  ${summary}`);
    } catch (e) {
      if (!opts.wheel && e instanceof ProvisionError) fs.rmSync(wheel, { force: true });
      throw e;
    }
  }
  const bindingPath = await step('compiling tfjs_binding.node with node-gyp', () => buildBinding(tfjsNodeDir, gyp));
  log(`  built ${path.relative(target, bindingPath)}`);

  const status = await step('verifying: load @tensorflow/tfjs-node and fit a tiny model', () => verifyNative(target));
  if (!status.ok) {
    throw new ProvisionError(`the addon was built but does not work: ${status.reason}`, 'Re-run with --force; if it persists, report the error above.');
  }
  log(`native backend ready (tensorflow, test fit loss ${status.loss.toFixed(3)}); total ${seconds(Date.now() - started)}`);
  return { skipped: false, bindingPath };
}

function printFailure(e) {
  console.error(`${TAG} FAILED: ${e.message}`);
  if (e.hint) console.error(`${TAG} what to do: ${e.hint}`);
  console.error(
    `${TAG} Manual fallback: fix the cause, then run \`node scripts/provision-tfjs-native.mjs --force\`; ` +
      'see docs/native-backend.md. Until then training uses the (slower) wasm backend.',
  );
}

const invokedDirectly = process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    printFailure(e);
    process.exit(2);
  }
  if (opts.help) {
    console.log('usage: node scripts/provision-tfjs-native.mjs [--force] [--check] [--target <dir>] [--wheel <file.whl>]');
    process.exit(0);
  }
  if (opts.check) {
    const status = verifyNative(opts.target);
    console.log(status.ok ? `${TAG} native backend works (tensorflow)` : `${TAG} native backend does not work: ${status.reason}`);
    process.exit(status.ok ? 0 : 1);
  }
  try {
    await provision(opts);
  } catch (e) {
    printFailure(e);
    process.exit(1);
  }
}
