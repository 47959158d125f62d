#!/usr/bin/env node
// A stand-in for the VS Code executable that runs an extension's test suite in a real VS Code
// where the desktop build cannot be downloaded: `runTests({ vscodeExecutablePath: <this file> })`
// (@vscode/test-electron) or `useInstallation.fromPath` (@vscode/test-cli) call it with the usual
// VS Code arguments:
//   [folder] --extensionDevelopmentPath=DIR --extensionTestsPath=PATH [--user-data-dir=DIR] [--extensions-dir=DIR] …
// It starts code-server (installed by install-code-server.mjs) with the smoke-test driver enabled,
// opens the workbench in headless Chromium with a payload that makes the workbench run the tests in
// its extension host (Node 24) — as VS Code's own browser integration tests do — relays the
// workbench's `codeAutomationLog` output to stdout, and exits with the suite's exit code after
// ending code-server's whole process group.
//
// Environment: MODEL_LENS_VSCODE_TIMEOUT_MS (default 900000), MODEL_LENS_VSCODE_KEEP=1 keeps the
// state folder (code-server.log, user data) for inspection, CHROMIUM_PATH.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import { launchChromium, startCodeServer } from './code-server.mjs';

function parseArgs(argv) {
  const out = { folders: [], extensionDevelopmentPath: [], extensionTestsPath: undefined, userDataDir: undefined, extensionsDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      out.folders.push(resolve(a));
      continue;
    }
    const [, name, inline] = m;
    const takesValue = ['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir'].includes(name);
    const value = takesValue ? (inline ?? argv[++i]) : inline;
    if (name === 'extensionDevelopmentPath') out.extensionDevelopmentPath.push(resolve(value));
    else if (name === 'extensionTestsPath') out.extensionTestsPath = resolve(value);
    else if (name === 'user-data-dir') out.userDataDir = resolve(value);
    else if (name === 'extensions-dir') out.extensionsDir = resolve(value);
    // Desktop-only switches (--no-sandbox, --disable-gpu-sandbox, --disable-updates, --skip-welcome, …) do not apply.
  }
  return out;
}

const say = (msg) => process.stdout.write(`[launcher] ${msg}\n`);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.extensionTestsPath) {
    console.error('launcher.mjs runs extension tests: --extensionTestsPath is required (for an interactive VS Code use `npm start`)');
    return 2;
  }
  const timeoutMs = Number(process.env.MODEL_LENS_VSCODE_TIMEOUT_MS ?? 900_000);
  const stateDir = mkdtempSync(join(tmpdir(), 'model-lens-vscode-'));
  let server;
  let browser;
  let code = 1;
  const started = Date.now();
  try {
    // --user-data-dir / --extensions-dir as given (test/vscode/run.mjs passes fresh ones), else in the state folder.
    server = await startCodeServer({ stateDir, userDataDir: args.userDataDir, extensionsDir: args.extensionsDir, smokeTestDriver: true, log: say });
    say(`code-server ${server.url} (pid ${server.pid}) ready in ${Date.now() - started} ms; log: ${server.logFile}`);
    const payload = [
      ...args.extensionDevelopmentPath.map((p) => ['extensionDevelopmentPath', server.remoteUri(p)]),
      ['extensionTestsPath', server.remoteUri(args.extensionTestsPath)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    const folder = args.folders[0];
    const url = `${server.url}/?${folder ? `folder=${encodeURIComponent(folder)}&` : 'ew=true&'}payload=${encodeURIComponent(JSON.stringify(payload))}`;
    browser = await launchChromium({ userDataDir: join(stateDir, 'chromium') });
    const page = browser.pages()[0] ?? (await browser.newPage());
    let finish;
    let finished = false;
    const done = new Promise((r) => (finish = (c) => ((finished = true), r(c))));
    // Known noise of an offline code-server (extension gallery, GitHub auth, vsda).
    const noise = /ENOTFOUND|open-vsx|marketplace|vsda|github-authentication|authentication provider 'github'|AccountPolicyGate|AgentHost/;
    await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
      if (finished) return;
      const text = Array.isArray(logArgs) ? format(...logArgs) : String(logArgs);
      if (noise.test(text)) return;
      (type === 'error' ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : text + '\n');
    });
    await page.exposeFunction('codeAutomationExit', (exitCode) => finish(Number(exitCode) || 0));
    page.on('pageerror', (e) => process.env.MODEL_LENS_VSCODE_VERBOSE && say(`page error: ${e.message}`));
    page.on('crash', () => finish(1));
    say(`opening the workbench${folder ? ` on ${folder}` : ''} with the test payload`);
    await page.goto(url);
    const timer = setTimeout(() => {
      say(`the suite did not finish within ${timeoutMs} ms`);
      finish(1);
    }, timeoutMs);
    code = await done;
    clearTimeout(timer);
    say(`suite finished with exit code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(`[launcher] ERROR: ${error instanceof Error ? error.message : error}`);
    code = 1;
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (code !== 0 && server) {
      try {
        const log = readFileSync(server.logFile, 'utf8').split('\n').filter((l) => !/ENOTFOUND|vsda|github-authentication|marketplace|gallery/i.test(l));
        say(`last lines of ${server.logFile}:\n${log.slice(-40).join('\n')}`);
      } catch {}
    }
    if (!process.env.MODEL_LENS_VSCODE_KEEP) rmSync(stateDir, { recursive: true, force: true });
    else say(`kept ${stateDir}`);
  }
  return code;
}

process.exitCode = await main();
// Playwright may keep handles open; the suite's verdict is final.
setTimeout(() => process.exit(process.exitCode), 200).unref();
