#!/usr/bin/env node
// Runs test/client/vscode/*.test.ts inside a real VS Code (code-server through
// scripts/vscode/launcher.mjs, as test/vscode/run.mjs does) on a copy of examples/.
//   node test/client/vscode/run-client-suite.mjs [--grep TEXT]     (ML_TEST_INSTALL=1: also the install command, ~1 min)
// Builds dist/ first unless --no-build.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const argv = process.argv.slice(2);
const grep = argv.includes('--grep') ? argv[argv.indexOf('--grep') + 1] : undefined;
if (!argv.includes('--no-build')) {
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}
const here = join(root, 'test', 'client', 'vscode');
const outdir = join(root, 'out', 'test', 'client', 'vscode');
rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
  // One flat folder: the suite's index.js (from test/vscode) runs every *.test.js beside it.
  entryPoints: Object.fromEntries([
    ['index', join(root, 'test', 'vscode', 'suite', 'index.ts')],
    ...readdirSync(here)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => [f.replace(/\.ts$/, ''), join(here, f)]),
  ]),
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
const scratch = mkdtempSync(join(tmpdir(), 'model-lens-client-vscode-'));
const workspace = join(scratch, 'examples');
cpSync(join(root, 'examples'), workspace, { recursive: true });
const { runTests } = await import('@vscode/test-electron');
try {
  await runTests({
    vscodeExecutablePath: join(root, 'scripts', 'vscode', 'launcher.mjs'),
    extensionDevelopmentPath: root,
    extensionTestsPath: outdir,
    launchArgs: [workspace, `--user-data-dir=${join(scratch, 'user-data')}`, `--extensions-dir=${join(scratch, 'extensions')}`],
    extensionTestsEnv: {
      MODEL_LENS_TEST_WORKSPACE: workspace,
      ...(grep ? { MODEL_LENS_MOCHA_GREP: grep } : {}),
      ...(process.env.ML_TEST_INSTALL ? { ML_TEST_INSTALL: '1' } : {}),
    },
  });
  console.log('[client-vscode] PASSED');
} catch (error) {
  console.error(`[client-vscode] FAILED: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
