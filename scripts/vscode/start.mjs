#!/usr/bin/env node
// `npm start [-- FOLDER] [--browser] [--port N]`: a real VS Code on examples/ (or FOLDER) with this
// checkout's extension loaded.
//   - Desktop VS Code (`code` on PATH): `code --extensionDevelopmentPath=<repo> FOLDER`.
//   - Otherwise (or with --browser): code-server from npm (installed on first use into
//     .cache/vscode-host/), listening on 127.0.0.1, the extension loaded as a development extension;
//     open the printed URL in a browser. Ctrl+C, SIGTERM or SIGHUP stops it (and everything it
//     started), and so does the end of the process that started this script (scripts/vscode/supervise.mjs).
// The bundles are built first (`scripts/build.mjs`); after a rebuild, reload the window.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer } from './code-server.mjs';
import { superviseGroup } from './supervise.mjs';
import { hostDir, INSTALL_HELP } from './install-code-server.mjs';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
const option = (n) => {
  const i = argv.indexOf(n);
  return i >= 0 ? argv[i + 1] : undefined;
};
const positional = argv.filter((a, i) => !a.startsWith('--') && !(i > 0 && argv[i - 1] === '--port'));
const folder = resolve(positional[0] ?? join(root, 'examples'));
const say = (msg) => console.log(`[model-lens] ${msg}`);

function which(cmd) {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, cmd);
    try {
      if (statSync(p).isFile()) return p;
    } catch {}
  }
  return undefined;
}

async function main() {
  if (!existsSync(folder)) throw new Error(`no such folder: ${folder}`);
  if (!flag('--no-build')) {
    const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('the build failed (scripts/build.mjs)');
  }
  const code = flag('--browser') ? undefined : which('code');
  if (code) {
    say(`opening desktop VS Code (${code}) on ${folder} with the extension from ${root}`);
    const r = spawnSync(code, ['--extensionDevelopmentPath', root, folder], { stdio: 'inherit' });
    return r.status ?? 0;
  }
  say(`no desktop VS Code (\`code\`) on PATH: starting code-server (VS Code in the browser)`);
  // From the moment it exists, code-server (its own process group) goes when this script is
  // stopped — Ctrl+C, SIGTERM, SIGHUP — or orphaned (supervise.mjs).
  let supervision;
  let server;
  try {
    server = await startCodeServer({
      stateDir: join(hostDir(), 'start'),
      port: Number(option('--port') ?? process.env.PORT ?? 0) || undefined,
      // The workbench loads a development extension given in the URL's payload only with the smoke-test driver on.
      smokeTestDriver: true,
      settings: { 'workbench.startupEditor': 'readme', 'editor.hover.delay': 300 },
      onSpawn: (child) => (supervision = superviseGroup(child, { log: say })),
    });
  } catch (error) {
    if (supervision?.stoppedBy) {
      await supervision.done;
      return { signal: supervision.stoppedBy };
    }
    console.error(`[model-lens] ERROR: ${error instanceof Error ? error.message : error}`);
    console.error(`[model-lens] ${INSTALL_HELP}`);
    return 1;
  }
  const payload = [['extensionDevelopmentPath', server.remoteUri(root)]];
  const url = `${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  console.log('');
  say(`VS Code (code-server) is running with Model Lens loaded, on ${folder}.`);
  say(`Open this URL in a browser on this machine (Chromium, Chrome, Firefox, Edge):\n\n    ${url}\n`);
  say('Open a .py file, type model.get_layer(" to complete layer names, hover them, and run');
  say('"Model Lens: Train & Inspect" from the command palette (F1). Press Ctrl+C here to stop.');
  if (process.env.BROWSER && !flag('--no-open')) spawn(process.env.BROWSER, [url], { stdio: 'ignore', detached: true }).unref();
  const end = await supervision.done;
  await server.stop();
  if (end.stoppedBy) {
    say('code-server stopped');
    return { signal: end.stoppedBy };
  }
  say(`code-server exited by itself (${end.signal ?? `exit code ${end.code}`}); see ${server.logFile}`);
  return end.code === 0 ? 0 : 1;
}

main().then(
  (c) => {
    // Stopped by a signal: end the same way (the handlers are gone by now), so that npm and the
    // shell see what happened.
    if (typeof c === 'object') {
      process.exitCode = 128 + (constants.signals[c.signal] ?? 15);
      process.kill(process.pid, c.signal);
    } else process.exit(c);
  },
  (error) => {
    console.error(`[model-lens] ERROR: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
