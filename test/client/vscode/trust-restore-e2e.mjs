#!/usr/bin/env node
// The packaged extension (VSIX: dist/** and the wasm runtime, no native backend) in code-server,
// driven by playwright-core:
//   1. Restricted Mode (Workspace Trust on, folder untrusted): the code lens is there (analysis
//      works), the status bar says which backend ("TF wasm"), and ▶ Train & Inspect is refused with
//      the explanation;
//   2. trusted: Train & Inspect from the palette trains (wasm), then a window reload restores the
//      panel with its run (WebviewPanelSerializer + the webview's setState);
//   3. a run that ends while its panel is hidden, then a reload: the panel shows how it ended (the
//      host's kept copy of the finished run), not the run as the webview last saw it.
//   node test/client/vscode/trust-restore-e2e.mjs [--vsix FILE] [--only SESSION]    (default: packages one first)
// Screenshots: test-results/client-e2e/.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const argv = process.argv.slice(2);
const artifacts = join(root, 'test-results', 'client-e2e');
mkdirSync(artifacts, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (m) => console.log(`[client-e2e] ${m}`);
async function until(what, fn, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'model-lens-client-e2e-'));
let vsix = argv.includes('--vsix') ? argv[argv.indexOf('--vsix') + 1] : undefined;
if (!vsix) {
  vsix = join(scratch, 'model-lens.vsix');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'vscode', 'package.mjs'), '--out', vsix, '--skip-smoke'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}
// scripts/vscode/code-server.mjs starts code-server with --disable-workspace-trust (right for the
// other tests); a copy without that flag gives Restricted Mode.
// (Kept under out/, inside the repository, so that its package imports resolve.)
mkdirSync(join(root, 'out', 'client-e2e'), { recursive: true });
const trustingHarness = join(root, 'out', 'client-e2e', 'code-server-trust.mjs');
writeFileSync(
  trustingHarness,
  readFileSync(join(root, 'scripts', 'vscode', 'code-server.mjs'), 'utf8')
    .replace(/^\s*'--disable-workspace-trust',\n/m, '')
    .replace("from './install-code-server.mjs'", `from '${pathToFileURL(join(root, 'scripts', 'vscode', 'install-code-server.mjs')).href}'`),
);

async function session(name, { trust, settings }, body) {
  const harness = await import(trust ? pathToFileURL(trustingHarness).href : pathToFileURL(join(root, 'scripts', 'vscode', 'code-server.mjs')).href);
  const dir = join(scratch, name);
  const workspace = join(dir, 'examples');
  cpSync(join(root, 'examples'), workspace, { recursive: true });
  let server;
  let browser;
  let page;
  try {
    server = await harness.startCodeServer({ stateDir: join(dir, 'state'), installVsix: [vsix], log: () => {}, settings });
    browser = await harness.launchChromium({ userDataDir: join(dir, 'chromium'), viewport: { width: 1400, height: 900 } });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(30_000);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    await body(page);
    await page.screenshot({ path: join(artifacts, `${name}.png`) });
  } catch (error) {
    await page?.screenshot({ path: join(artifacts, `${name}-failed.png`) }).catch(() => {});
    throw error;
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
  }
}

async function openFile(page, name) {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor();
}

const frame = (page) => page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');

/** Opens `file`, waits for the extension, runs Train & Inspect from the palette; returns the status bar item. */
async function trainFromPalette(page, file) {
  await openFile(page, file);
  await page.locator('.monaco-editor .view-lines').first().click();
  await until('the code lens (the extension is up)', async () => (await page.locator('.codelens-decoration').count()) > 0);
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>Model Lens: Train & Inspect');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Train & Inspect' }).first().click();
  return page.locator('.statusbar-item', { hasText: /(wasm|native) · epoch/ }).first();
}

/** Reloads the window and brings the restored panel to the front. */
async function reloadAndShowPanel(page) {
  await page.reload();
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const tab = page.locator('.tab', { hasText: 'Train & Inspect' }).first();
  await tab.waitFor({ timeout: 60_000 });
  await tab.click();
}
let code = 0;
try {
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  if (!only || only === 'restricted') await session('restricted', { trust: true, settings: { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.untrustedFiles': 'open' } }, async (page) => {
    await openFile(page, 'mnist_cnn.py');
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor();
    const status = await until('the backend in the status bar', async () => (await page.locator('.statusbar-item', { hasText: /TF (native|wasm|not installed)/ }).first().innerText()).trim());
    const lens = page.locator('.codelens-decoration a', { hasText: 'Train & Inspect' }).first();
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Restricted Mode' }).first();
    await toast.waitFor({ timeout: 20_000 });
    if (await page.locator('iframe.webview').count()) throw new Error('a panel opened in Restricted Mode');
    say(`✔ Restricted Mode: code lens shown, status bar "${status}", training refused: ${(await toast.innerText()).replace(/\s+/g, ' ').slice(0, 120)}…`);
  });
  if (!only || only === 'restore') await session('restore', { trust: false, settings: { 'modelLens.training.epochs': 2 } }, async (page) => {
    const status = await trainFromPalette(page, 'seed_kernel_loss.py');
    const done = await until('the run to finish', async () => {
      const text = (await status.innerText()).trim();
      return /epoch 2\/2/.test(text) && !(await status.innerHTML()).includes('spin') ? text : undefined;
    }, 240_000);
    const before = await until('the panel', async () => (await frame(page).locator('body').innerText()).replace(/\s+/g, ' '));
    // The webview persists its state throttled (at most every 20× its own cost, in idle time): give it time.
    await sleep(5000);
    await reloadAndShowPanel(page);
    const after = await until('the restored panel', async () => {
      const t = (await frame(page).locator('body').innerText()).replace(/\s+/g, ' ');
      return /Completed: trained 2 epochs/.test(t) ? t : undefined;
    });
    if (!/Completed: trained 2 epochs/.test(before)) throw new Error(`panel before reload: ${before.slice(0, 200)}`);
    say(`✔ trained (status bar "${done}"), reloaded: the panel came back with "${after.slice(0, 90)}…"`);
  });
  if (!only || only === 'ended-while-hidden') await session('ended-while-hidden', { trust: false, settings: { 'modelLens.training.epochs': 30 } }, async (page) => {
    const status = await trainFromPalette(page, 'seed_kernel_loss.py');
    await until('the run to start', async () => /epoch [12]\/30/.test(await status.innerText()));
    await until('the panel to show the run', async () => /Stop|epoch/.test(await frame(page).locator('body').innerText()));
    // Hide the panel as soon as it shows the run: another editor in its group (its webview is torn
    // down, not retained). The explorer opens files in the active group: the panel's, once its tab
    // is clicked.
    await page.locator('.tab', { hasText: 'Train & Inspect' }).first().click();
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'mnist_cnn.py' }).first().click();
    await until('the panel hidden', async () => (await page.locator('.tab.active', { hasText: 'Train & Inspect' }).count()) === 0);
    const done = await until('the run to finish while hidden', async () => {
      const text = (await status.innerText()).trim();
      return /epoch 30\/30/.test(text) && !(await status.innerHTML()).includes('spin') ? text : undefined;
    }, 400_000);
    await reloadAndShowPanel(page);
    const after = await until('the restored panel to show how the run ended', async () => {
      const t = (await frame(page).locator('body').innerText()).replace(/\s+/g, ' ');
      if (/no longer attached/.test(t)) throw new Error(`the restored panel lost the run's end: ${t.slice(0, 200)}`);
      return /Completed: trained 30 epochs/.test(t) ? t : undefined;
    });
    say(`✔ ended while hidden (status bar "${done}"), reloaded: the panel shows "${after.slice(0, 90)}…"`);
  });
} catch (error) {
  say(`✘ ${error instanceof Error ? error.message : error}`);
  code = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(code);
