/**
 * Where the trainer finds TensorFlow.js, and installing it (with the native backend) on demand.
 * No `vscode` import (commands/native.ts shows the progress). See docs/extension-runtime.md.
 *
 * A "runtime directory" is a folder whose node_modules holds @tensorflow/tfjs (+ tfjs-backend-wasm,
 * and for the native backend @tensorflow/tfjs-node with its compiled addon and libtensorflow):
 *   - the extension's own folder (a development checkout: the repository's node_modules), and
 *   - `<globalStorage>/tfjs-runtime`, installed by the Install Native Backend command
 *     (`npm install --ignore-scripts` of the packages, then provision-tfjs-native.mjs --target).
 * The trainer process gets the chosen one as MODEL_LENS_TFJS_DIR (trainer/backend.ts resolves the
 * @tensorflow packages from there) and NODE_PATH (for `mnist`, the bundled MNIST sample).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type RuntimeOrigin = 'extension' | 'global';

export interface RuntimeDirInfo {
  dir: string;
  origin: RuntimeOrigin;
  /** @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm are installed (the wasm backend can run). */
  tfjs: boolean;
  /** @tensorflow/tfjs-node is installed (not necessarily built). */
  tfjsNode: boolean;
  /** The compiled addon, when it and libtensorflow are in place (the native backend should load). */
  nativeBinding?: string;
  /** What the last install into this folder reported (global storage only). */
  installRecord?: InstallRecord;
}

export interface RuntimeChoice {
  /** The runtime directory the trainer will use; undefined when TensorFlow.js is nowhere. */
  dir?: string;
  origin?: RuntimeOrigin;
  /** The backend a run with `auto` is expected to use (the `start` event says what it really is). */
  expected: 'native' | 'wasm' | 'none';
  /** One sentence for the user. */
  summary: string;
  candidates: RuntimeDirInfo[];
}

export interface InstallRecord {
  installedAt: string;
  versions: Record<string, string>;
  native: boolean;
  reason?: string;
}

export const RUNTIME_DIR_NAME = 'tfjs-runtime';
/** What the trainer tells the user to do for the native backend (it would name the repository's script otherwise). */
export const NATIVE_HINT = 'run the command "Model Lens: Install Native TensorFlow Backend"';
const RECORD_FILE = '.model-lens-runtime.json';

/** The packages the trainer loads at run time, with the versions used when the extension's package.json does not say. */
export const RUNTIME_PACKAGES: Record<string, string> = {
  '@tensorflow/tfjs-node': '4.22.0',
  '@tensorflow/tfjs': '4.22.0',
  '@tensorflow/tfjs-core': '4.22.0',
  '@tensorflow/tfjs-backend-wasm': '4.22.0',
  mnist: '1.1.0',
};

/** The runtime package versions, taken from the extension's own package.json dependencies where listed. */
export function runtimeVersions(extensionDependencies: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, fallback] of Object.entries(RUNTIME_PACKAGES)) out[name] = extensionDependencies?.[name] ?? fallback;
  return out;
}

const pkgDir = (dir: string, name: string) => path.join(dir, 'node_modules', ...name.split('/'));
const hasPkg = (dir: string, name: string) => fs.existsSync(path.join(pkgDir(dir, name), 'package.json'));

/** The addon tfjs-node would load, if it and libtensorflow are present. */
export function findNativeBinding(dir: string): string | undefined {
  const tfjsNode = pkgDir(dir, '@tensorflow/tfjs-node');
  const lib = path.join(tfjsNode, 'lib');
  const depsLib = path.join(tfjsNode, 'deps', 'lib');
  let libs: string[];
  let napis: string[];
  try {
    libs = fs.readdirSync(depsLib);
    napis = fs.readdirSync(lib).filter((d) => /^napi-v\d+$/.test(d));
  } catch {
    return undefined;
  }
  if (!libs.some((f) => f.startsWith('libtensorflow'))) return undefined;
  napis.sort((a, b) => Number(b.slice(6)) - Number(a.slice(6)));
  for (const n of napis) {
    const binding = path.join(lib, n, 'tfjs_binding.node');
    if (fs.existsSync(binding)) return binding;
  }
  return undefined;
}

export function readInstallRecord(dir: string): InstallRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, RECORD_FILE), 'utf8')) as InstallRecord;
  } catch {
    return undefined;
  }
}

export function inspectRuntimeDir(dir: string, origin: RuntimeOrigin): RuntimeDirInfo {
  const info: RuntimeDirInfo = {
    dir,
    origin,
    tfjs: hasPkg(dir, '@tensorflow/tfjs') && hasPkg(dir, '@tensorflow/tfjs-backend-wasm'),
    tfjsNode: hasPkg(dir, '@tensorflow/tfjs-node'),
  };
  const binding = info.tfjsNode ? findNativeBinding(dir) : undefined;
  if (binding) info.nativeBinding = binding;
  const record = origin === 'global' ? readInstallRecord(dir) : undefined;
  if (record) info.installRecord = record;
  return info;
}

/** The runtime directories to consider: the extension's own folder, then the one in global storage. */
export function runtimeCandidates(extensionPath: string, globalStoragePath: string): RuntimeDirInfo[] {
  return [inspectRuntimeDir(extensionPath, 'extension'), inspectRuntimeDir(path.join(globalStoragePath, RUNTIME_DIR_NAME), 'global')];
}

/**
 * Prefers a directory whose native backend is in place (the extension's own first), else one
 * that can run wasm, else none.
 */
export function chooseRuntime(candidates: RuntimeDirInfo[]): RuntimeChoice {
  const where = (c: RuntimeDirInfo) => (c.origin === 'extension' ? "the extension's own node_modules" : `the installed runtime (${c.dir})`);
  const native = candidates.find((c) => c.tfjs && c.tfjsNode && c.nativeBinding);
  if (native) return { dir: native.dir, origin: native.origin, expected: 'native', summary: `native TensorFlow backend from ${where(native)}`, candidates };
  const wasm = candidates.find((c) => c.tfjs);
  if (wasm) {
    const why = wasm.installRecord?.reason ? ` (native backend unavailable: ${wasm.installRecord.reason})` : ' (no native TensorFlow backend installed)';
    return { dir: wasm.dir, origin: wasm.origin, expected: 'wasm', summary: `WebAssembly backend from ${where(wasm)}${why}`, candidates };
  }
  return { expected: 'none', summary: 'TensorFlow.js is not installed: run "Model Lens: Install Native TensorFlow Backend"', candidates };
}

/** Environment for the trainer process so that it loads TensorFlow.js from the chosen directory. */
export function trainerEnv(choice: RuntimeChoice, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  // The extension host may be Electron (desktop VS Code): run its binary as plain Node.
  const env: Record<string, string> = { ELECTRON_RUN_AS_NODE: '1', MODEL_LENS_NATIVE_HINT: NATIVE_HINT };
  if (choice.dir) {
    env['MODEL_LENS_TFJS_DIR'] = choice.dir;
    const modules = path.join(choice.dir, 'node_modules');
    env['NODE_PATH'] = base['NODE_PATH'] ? `${modules}${path.delimiter}${base['NODE_PATH']}` : modules;
  }
  return env;
}

// ───────────── installing into global storage ─────────────

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines of stdout+stderr. */
  tail: string[];
}

export interface ExecOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}

export type Exec = (command: string, args: string[], options: ExecOptions) => Promise<ExecResult>;

/** Runs a command, streaming its output lines; never rejects (a spawn error is code null with the message). */
export const exec: Exec = (command, args, options) =>
  new Promise((resolve) => {
    const tail: string[] = [];
    const push = (line: string) => {
      if (!line.trim()) return;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      options.onLine?.(line);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32', windowsHide: true });
    } catch (error) {
      resolve({ code: null, signal: null, tail: [String(error)] });
      return;
    }
    const onAbort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split(/\r?\n/);
        buffered = lines.pop() ?? '';
        lines.forEach(push);
      });
      stream?.on('end', () => push(buffered));
    }
    child.on('error', (error) => push(`${command}: ${error.message}`));
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal, tail });
    });
  });

/** npm: the copy that ships beside the Node.js binary (its `npm-cli.js`), else `npm` on PATH. */
export function findNpm(nodeExecutable: string): { command: string; args: string[] } {
  const prefix = path.dirname(path.dirname(nodeExecutable));
  for (const cli of [path.join(prefix, 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'), path.join(path.dirname(nodeExecutable), 'node_modules', 'npm', 'bin', 'npm-cli.js')]) {
    if (fs.existsSync(cli)) return { command: nodeExecutable, args: [cli] };
  }
  return { command: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: [] };
}

export interface InstallOptions {
  /** The runtime directory (`<globalStorage>/tfjs-runtime`). */
  dir: string;
  versions: Record<string, string>;
  /** Node.js that will run the trainer (the provisioning verifies the addon with it). */
  nodeExecutable: string;
  /** provision-tfjs-native.mjs (bundled as dist/provision-tfjs-native.mjs). */
  provisionScript: string;
  signal?: AbortSignal;
  /** A step for the progress notification; `increment` in percent of the whole install. */
  onProgress?: (message: string, increment?: number) => void;
  /** Every output line, for the output channel. */
  log?: (line: string) => void;
  exec?: Exec;
  env?: NodeJS.ProcessEnv;
  /** Reinstall the packages and rebuild the addon even when present. */
  force?: boolean;
}

export interface InstallResult {
  info: RuntimeDirInfo;
  native: boolean;
  /** Why the native backend is not available (wasm will be used). */
  reason?: string;
}

export class InstallError extends Error {}

const PROVISION_STEPS: [RegExp, string, number][] = [
  [/checking whether the native backend already works/, 'checking the native backend…', 5],
  [/downloading tensorflow-cpu/, 'downloading the TensorFlow CPU wheel with pip…', 10],
  [/extracting libtensorflow/, 'extracting libtensorflow…', 15],
  [/compiling tfjs_binding\.node/, 'compiling the native addon (node-gyp)…', 15],
  [/verifying: load @tensorflow\/tfjs-node/, 'verifying the native backend…', 10],
];

/**
 * Installs TensorFlow.js into `dir` (npm, without tfjs-node's download script) and then provisions
 * its native backend. A failed native step is not an error: the result says why and training uses
 * wasm. Throws InstallError when the packages themselves could not be installed.
 */
export async function installRuntime(o: InstallOptions): Promise<InstallResult> {
  const run = o.exec ?? exec;
  const env: NodeJS.ProcessEnv = { ...(o.env ?? process.env), ELECTRON_RUN_AS_NODE: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const log = o.log ?? (() => undefined);
  const progress = o.onProgress ?? (() => undefined);
  const aborted = () => o.signal?.aborted === true;
  fs.mkdirSync(o.dir, { recursive: true });

  // 1. the packages
  const before = inspectRuntimeDir(o.dir, 'global');
  const wanted = Object.entries(o.versions);
  const installedVersions = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [name] of wanted) {
      try {
        out[name] = (JSON.parse(fs.readFileSync(path.join(pkgDir(o.dir, name), 'package.json'), 'utf8')) as { version: string }).version;
      } catch {
        // not installed
      }
    }
    return out;
  };
  const have = installedVersions();
  const upToDate = before.tfjs && before.tfjsNode && wanted.every(([name, v]) => have[name] === v);
  if (upToDate && !o.force) {
    progress('TensorFlow.js packages already installed', 40);
  } else {
    fs.writeFileSync(
      path.join(o.dir, 'package.json'),
      JSON.stringify({ name: 'model-lens-tfjs-runtime', private: true, description: 'TensorFlow.js for the Model Lens trainer (installed by the extension)', dependencies: o.versions }, null, 2),
    );
    progress(`installing ${wanted.map(([n, v]) => `${n}@${v}`).join(', ')} with npm…`, 5);
    const npm = findNpm(o.nodeExecutable);
    const args = [...npm.args, 'install', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev', '--no-package-lock', '--loglevel=warn'];
    log(`$ ${[npm.command, ...args].join(' ')}   (in ${o.dir})`);
    const r = await run(npm.command, args, { cwd: o.dir, env, ...(o.signal ? { signal: o.signal } : {}), onLine: log });
    if (aborted()) throw new InstallError('cancelled');
    if (r.code !== 0) {
      const why = r.code === null && r.tail.some((l) => /ENOENT/.test(l)) ? 'npm was not found (install Node.js with npm, or put npm on PATH)' : `npm install failed (exit ${r.code ?? r.signal})`;
      throw new InstallError(`${why}:\n${r.tail.slice(-12).join('\n')}`);
    }
    progress('TensorFlow.js packages installed', 35);
  }
  const afterNpm = inspectRuntimeDir(o.dir, 'global');
  if (!afterNpm.tfjs || !afterNpm.tfjsNode) throw new InstallError(`npm finished but @tensorflow/tfjs${afterNpm.tfjsNode ? '' : '-node'} is missing under ${o.dir}/node_modules`);

  // 2. the native backend
  let native = false;
  let reason: string | undefined;
  const args = [o.provisionScript, '--target', o.dir, ...(o.force ? ['--force'] : [])];
  log(`$ ${o.nodeExecutable} ${args.join(' ')}`);
  const seen = new Set<string>();
  const p = await run(o.nodeExecutable, args, {
    cwd: o.dir,
    env,
    ...(o.signal ? { signal: o.signal } : {}),
    onLine: (line) => {
      log(line);
      for (const [re, message, inc] of PROVISION_STEPS) {
        if (re.test(line) && !/done:/.test(line) && !seen.has(message)) {
          seen.add(message);
          progress(message, inc);
        }
      }
    },
  });
  if (aborted()) throw new InstallError('cancelled');
  if (p.code === 0) native = true;
  else {
    const failed = p.tail.find((l) => /FAILED:/.test(l));
    reason = failed ? failed.replace(/^.*FAILED:\s*/, '') : `provisioning exited with ${p.code ?? p.signal}`;
    // Outside Linux x86_64 (or without pip/compiler), tfjs-node's own installer may download a prebuilt addon.
    const installJs = path.join(pkgDir(o.dir, '@tensorflow/tfjs-node'), 'scripts', 'install.js');
    if (fs.existsSync(installJs)) {
      progress("trying tfjs-node's own installer (downloads a prebuilt libtensorflow)…", 5);
      log(`$ ${o.nodeExecutable} ${installJs}`);
      const d = await run(o.nodeExecutable, [installJs], { cwd: pkgDir(o.dir, '@tensorflow/tfjs-node'), env, ...(o.signal ? { signal: o.signal } : {}), onLine: log });
      if (aborted()) throw new InstallError('cancelled');
      if (d.code === 0 && findNativeBinding(o.dir)) {
        const check = await run(o.nodeExecutable, [o.provisionScript, '--check', '--target', o.dir], { cwd: o.dir, env, onLine: log });
        if (check.code === 0) {
          native = true;
          reason = undefined;
        }
      }
    }
  }
  const record: InstallRecord = { installedAt: new Date().toISOString(), versions: installedVersions(), native, ...(reason ? { reason } : {}) };
  fs.writeFileSync(path.join(o.dir, RECORD_FILE), JSON.stringify(record, null, 2));
  progress(native ? 'native TensorFlow backend ready' : 'native backend unavailable: training will use WebAssembly', 100);
  return { info: inspectRuntimeDir(o.dir, 'global'), native, ...(reason ? { reason } : {}) };
}

/** The extension's view of its runtimes: where they are, which one a run uses, where to install. */
export class RuntimeLocator {
  constructor(
    readonly extensionPath: string,
    readonly globalStoragePath: string,
    readonly versions: Record<string, string>,
  ) {}

  /** Where the install command puts TensorFlow.js. */
  get installDir(): string {
    return path.join(this.globalStoragePath, RUNTIME_DIR_NAME);
  }

  /** Checked afresh each time (a few file-existence checks). */
  choose(): RuntimeChoice {
    return chooseRuntime(runtimeCandidates(this.extensionPath, this.globalStoragePath));
  }

  /** The provisioning script: bundled beside the extension's bundles, else the repository's (development). */
  provisionScript(): string {
    const bundled = path.join(this.extensionPath, 'dist', 'provision-tfjs-native.mjs');
    return fs.existsSync(bundled) ? bundled : path.join(this.extensionPath, 'scripts', 'provision-tfjs-native.mjs');
  }
}
