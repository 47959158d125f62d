#!/usr/bin/env node
// `prestart` / `pretest`: on a fresh clone, runs `npm install` once (which provisions the native
// TensorFlow backend and builds dist/, see scripts/postinstall.mjs), so that `npm start` and
// `npm test` work as the first command. A no-op when the dependencies are installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const needed = ['esbuild', 'typescript', 'tsx', 'mocha', '@vscode/test-electron', 'playwright-core', '@vscode/vsce', '@tensorflow/tfjs'];
const missing = needed.filter((p) => !existsSync(join(root, 'node_modules', ...p.split('/'), 'package.json')));
if (missing.length > 0) {
  console.log(`[model-lens] dependencies missing (${missing.join(', ')}): running npm install first`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('[model-lens] npm install failed; see above');
    process.exit(r.status ?? 1);
  }
}
