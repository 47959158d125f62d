/**
 * Chooses the TensorFlow.js backend the trainer runs on.
 *
 * - native (`tensorflow`): `@tensorflow/tfjs-node`, i.e. libtensorflow through a compiled addon.
 *   Its install script cannot download libtensorflow behind our firewall, so the addon is built
 *   by scripts/provision-tfjs-native.mjs (run by `npm install`); see docs/native-backend.md.
 * - `wasm`: `@tensorflow/tfjs` (core + layers) on `@tensorflow/tfjs-backend-wasm`. Always
 *   available, several times slower; used when native is unavailable (reported in `detail` and
 *   `fellBackFrom`) or when asked for explicitly.
 *
 * The TensorFlow.js backend is process-global: a later `loadBackend` call re-selects its backend
 * for every `tf` namespace handed out before. Run one trainer per process.
 *
 * Bundling: every `@tensorflow/*` package is loaded at run time through a `createRequire`
 * resolver (never through a static import), so esbuild leaves them out of the bundle even without
 * configuration. Still mark them external (`external: ['@tensorflow/*']`) so that no other module
 * bundles a second copy of tfjs-core, and ship them in node_modules: tfjs-node finds its addon
 * and libtensorflow relative to its own package directory, and the wasm backend reads its
 * `.wasm` files from disk (from `dist/` beside the bundle if copied there, else from the package).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** The tfjs namespace the trainer uses: tfjs-core plus the layers API (`tf.sequential`, `tf.layers`, ...). */
export type Tf = typeof import('@tensorflow/tfjs-core') & typeof import('@tensorflow/tfjs');
export type BackendPreference = 'auto' | 'native' | 'wasm';
export type BackendName = 'tensorflow' | 'wasm';

export interface LoadedBackend {
  tf: Tf;
  name: BackendName;
  /** One line for logs and the UI: what runs, which versions, and why (including why native failed). */
  detail: string;
  /** Set when `auto` wanted the native backend but had to use wasm. */
  fellBackFrom?: 'tensorflow';
  /** Why the native backend could not be loaded (also included in `detail`). */
  nativeError?: string;
}

export interface LoadBackendOptions {
  /**
   * Directory (or file inside it) from which the `@tensorflow/*` packages are resolved, e.g. a
   * directory the extension provisioned with `provision-tfjs-native.mjs --target <dir>`.
   * Default: the environment variable MODEL_LENS_TFJS_DIR when set (the VS Code extension sets it),
   * else the location of this module (or of the bundle that contains it).
   */
  resolveFrom?: string;
  /** Directory holding tfjs-backend-wasm's `.wasm` files. Default: beside the bundle, else the package's `dist/`. */
  wasmDir?: string;
}

/**
 * How the user gets the native backend. The VS Code extension sets MODEL_LENS_NATIVE_HINT (its
 * install command) for the trainer processes it starts; elsewhere it is the provisioning script.
 */
export function nativeSetupHint(): string {
  return process.env['MODEL_LENS_NATIVE_HINT'] || 'node scripts/provision-tfjs-native.mjs; see docs/native-backend.md';
}

export const PROVISION_HINT = process.env['MODEL_LENS_NATIVE_HINT']
  ? `To set it up, ${process.env['MODEL_LENS_NATIVE_HINT']}.`
  : 'Set it up with `node scripts/provision-tfjs-native.mjs` (add --force to rebuild); see docs/native-backend.md.';

const WASM_FILE = 'tfjs-backend-wasm.wasm';

/** This module's (or the bundle's) own file: the default base for resolving packages at run time. */
function ownFile(): string {
  // `__filename` exists under tsx (CommonJS) and in an esbuild CommonJS bundle.
  if (typeof __filename === 'string') return __filename;
  return path.resolve(process.argv[1] ?? path.join(process.cwd(), 'index.js'));
}

function runtimeRequire(resolveFrom: string | undefined): NodeJS.Require {
  if (resolveFrom === undefined) return createRequire(ownFile());
  const base = path.resolve(resolveFrom);
  const isDir = fs.existsSync(base) && fs.statSync(base).isDirectory();
  return createRequire(isDir ? path.join(base, 'noop.js') : base);
}

function packageVersion(req: NodeJS.Require, name: string): string {
  try {
    return (req(`${name}/package.json`) as { version: string }).version;
  } catch {
    return '?';
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim().replace(/\.+$/, '');
}

/**
 * tfjs-node 4.22's JavaScript calls `util.isNullOrUndefined` (and `util.isArray`), which Node 23
 * removed; VS Code's extension host (code-server: Node 24) runs the trainer with such a Node.
 * Put them back (same semantics) before tfjs-node is loaded.
 */
function shimRemovedUtil(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const util = require('node:util') as Record<string, unknown>;
  util['isNullOrUndefined'] ??= (v: unknown) => v === null || v === undefined;
  // Node 22+ warns on every call of the deprecated one; same result.
  util['isArray'] = Array.isArray;
}

function loadNative(req: NodeJS.Require): { tf: Tf; detail: string } {
  let packageDir: string;
  try {
    packageDir = path.dirname(req.resolve('@tensorflow/tfjs-node/package.json'));
  } catch {
    throw new Error('@tensorflow/tfjs-node is not installed');
  }
  // libtensorflow logs INFO lines (CPU features, oneDNN) to stderr unless told otherwise.
  process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
  shimRemovedUtil();
  let tf: typeof import('@tensorflow/tfjs-node');
  try {
    tf = req('@tensorflow/tfjs-node') as typeof import('@tensorflow/tfjs-node');
  } catch (error) {
    throw new Error(firstLine(error));
  }
  // tfjs-node selects its backend when first loaded; re-select it in case wasm was chosen since.
  if (!tf.setBackend('tensorflow') || tf.getBackend() !== 'tensorflow') {
    throw new Error(`@tensorflow/tfjs-node loaded but the active backend is ${tf.getBackend()}`);
  }
  const backend = tf.backend() as unknown as { binding?: { TF_Version?: string } };
  const libVersion = backend.binding?.TF_Version ?? '?';
  return {
    tf: tf as unknown as Tf,
    detail: `native TensorFlow backend (@tensorflow/tfjs-node ${tf.version['tfjs-node']}, libtensorflow ${libVersion}) from ${packageDir}`,
  };
}

let wasmPathsSet: string | undefined;

function wasmDirFor(req: NodeJS.Require, explicit: string | undefined): string {
  if (explicit !== undefined) return path.resolve(explicit);
  const besideBundle = path.dirname(ownFile());
  if (fs.existsSync(path.join(besideBundle, WASM_FILE))) return besideBundle;
  return path.join(path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

async function loadWasm(req: NodeJS.Require, wasmDirOption: string | undefined): Promise<{ tf: Tf; detail: string }> {
  const tf = req('@tensorflow/tfjs') as Tf;
  const wasm = req('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const wasmDir = wasmDirFor(req, wasmDirOption);
  if (wasmPathsSet === undefined) {
    if (!fs.existsSync(path.join(wasmDir, WASM_FILE))) throw new Error(`${WASM_FILE} not found in ${wasmDir}`);
    // The prefix is joined with the file name, so it needs a trailing separator.
    wasm.setWasmPaths(wasmDir.endsWith(path.sep) ? wasmDir : wasmDir + path.sep);
    wasmPathsSet = wasmDir;
  }
  const ok = await tf.setBackend('wasm');
  await tf.ready();
  if (!ok || tf.getBackend() !== 'wasm') {
    throw new Error(`the wasm backend failed to initialise (.wasm files from ${wasmPathsSet}); active backend: ${tf.getBackend()}`);
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return {
    tf,
    detail:
      `WebAssembly backend (@tensorflow/tfjs-backend-wasm ${packageVersion(req, '@tensorflow/tfjs-backend-wasm')}, ` +
      `SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}) with .wasm files from ${wasmPathsSet}`,
  };
}

/**
 * Loads a TensorFlow.js backend and makes it the active one.
 *
 * - `auto`: native if it loads, else wasm (`fellBackFrom: 'tensorflow'`, reason in `detail`).
 * - `native`: native or a thrown Error that says why and how to provision it.
 * - `wasm`: wasm, even when native is available.
 */
export async function loadBackend(preferred: BackendPreference, options: LoadBackendOptions = {}): Promise<LoadedBackend> {
  // MODEL_LENS_TFJS_DIR: the runtime directory the VS Code extension chose (docs/extension-runtime.md).
  const req = runtimeRequire(options.resolveFrom ?? (process.env['MODEL_LENS_TFJS_DIR'] || undefined));
  if (preferred !== 'wasm') {
    try {
      const native = loadNative(req);
      return { ...native, name: 'tensorflow' };
    } catch (error) {
      const reason = firstLine(error);
      if (preferred === 'native') {
        throw new Error(`The native TensorFlow backend (@tensorflow/tfjs-node) is not available: ${reason}. ${PROVISION_HINT}`, { cause: error });
      }
      const wasm = await loadWasm(req, options.wasmDir);
      return {
        tf: wasm.tf,
        name: 'wasm',
        detail: `${wasm.detail}; fell back from the native TensorFlow backend, which is unavailable: ${reason}. ${PROVISION_HINT}`,
        fellBackFrom: 'tensorflow',
        nativeError: reason,
      };
    }
  }
  const wasm = await loadWasm(req, options.wasmDir);
  return { tf: wasm.tf, name: 'wasm', detail: `${wasm.detail} (requested explicitly)` };
}
