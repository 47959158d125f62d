// Starting and stopping code-server (a real VS Code, see install-code-server.mjs) and headless
// Chromium, shared by the test launcher (launcher.mjs), the end-to-end test (test/vscode/e2e.mjs)
// and `npm start` (start.mjs).
//
// code-server runs in its own process group (detached = setsid) so that stop() can end it with
// everything it started (the extension host, the language server, the trainer): killing only the
// main process would leave the extension host running.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ensureCodeServer, hostEnv } from './install-code-server.mjs';

/** User settings that keep a test workbench quiet and deterministic. */
export const TEST_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'editor.hover.delay': 100,
  'git.enabled': false,
  'python.languageServer': 'None',
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts code-server on 127.0.0.1.
 * @param {{ stateDir: string, userDataDir?: string, extensionsDir?: string, settings?: object,
 *           smokeTestDriver?: boolean, port?: number, log?: (line: string) => void, installVsix?: string[],
 *           onSpawn?: (child: import('node:child_process').ChildProcess) => void }} o
 * stateDir holds config, XDG folders and the server's log (`code-server.log`). `onSpawn` gets the
 * process (the leader of its own process group) as soon as it is started, before it answers.
 */
export async function startCodeServer(o) {
  const paths = ensureCodeServer({ quiet: true });
  const stateDir = o.stateDir;
  const userDataDir = o.userDataDir ?? join(stateDir, 'user-data');
  const extensionsDir = o.extensionsDir ?? join(stateDir, 'extensions');
  for (const d of [stateDir, userDataDir, extensionsDir, join(userDataDir, 'User'), join(stateDir, 'xdg-config'), join(stateDir, 'xdg-data')]) {
    mkdirSync(d, { recursive: true });
  }
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...TEST_SETTINGS, ...(o.settings ?? {}) }, null, 2));
  const port = o.port ?? (await freePort());
  const config = join(stateDir, 'config.yaml');
  writeFileSync(
    config,
    [`bind-addr: 127.0.0.1:${port}`, 'auth: none', 'cert: false', 'disable-telemetry: true', 'disable-update-check: true', ''].join('\n'),
  );
  const env = hostEnv(paths, {
    XDG_CONFIG_HOME: join(stateDir, 'xdg-config'),
    XDG_DATA_HOME: join(stateDir, 'xdg-data'),
    // Our own dev-time variables must not leak into the extension host under test.
    npm_config_nodedir: undefined,
  });
  const common = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  for (const vsix of o.installVsix ?? []) {
    const r = spawnSync(paths.node, [paths.entry, ...common, '--install-extension', vsix, '--force'], { env, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    o.log?.(`installed ${vsix}: ${r.stdout.trim().split('\n').pop()}`);
  }
  const args = [
    paths.entry,
    ...common,
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-file-downloads',
    '--ignore-last-opened',
    ...(o.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  const logFile = join(stateDir, 'code-server.log');
  const logStream = createWriteStream(logFile);
  const child = spawn(paths.node, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  o.onSpawn?.(child);
  child.stdout.pipe(logStream, { end: false });
  child.stderr.pipe(logStream, { end: false });
  let exited = /** @type {number | null | undefined} */ (undefined);
  child.on('exit', (code) => (exited = code));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`code-server exited with ${exited} before it answered; see ${logFile}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      killGroup(child.pid);
      throw new Error(`code-server did not answer ${url}/healthz within 60 s; see ${logFile}`);
    }
    await sleep(200);
  }
  let stopped = false;
  return {
    url,
    port,
    pid: child.pid,
    child,
    logFile,
    userDataDir,
    extensionsDir,
    /** The `vscode-remote://` URI of a path on this machine, as the workbench in the browser names it. */
    remoteUri: (absPath) => `vscode-remote://127.0.0.1:${port}${absPath.split('/').map(encodeURIComponent).join('/')}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      killGroup(child.pid);
      const t = Date.now();
      while (exited === undefined && Date.now() - t < 5000) await sleep(100);
      killGroup(child.pid, 'SIGKILL');
      logStream.end();
    },
  };
}

/** Ends a whole process group (started detached), ignoring one that is already gone. */
export function killGroup(pid, signal = 'SIGTERM') {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {}
}

export function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
  const found = candidates.find((c) => c && existsSync(c));
  if (!found) {
    throw new Error('Chromium was not found (set CHROMIUM_PATH, or on Debian/Ubuntu: sudo apt-get install -y chromium); it drives the code-server workbench');
  }
  return found;
}

/** Headless Chromium through playwright-core (no browser download: the system's Chromium). */
export async function launchChromium({ userDataDir, headless = true, viewport = { width: 1400, height: 900 } }) {
  const { chromium } = await import('playwright-core');
  mkdirSync(userDataDir, { recursive: true });
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    headless,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  return context;
}
