#!/usr/bin/env node
// End to end, as a user: the packaged VSIX installed into a real VS Code (code-server), driven by
// playwright-core in headless Chromium.
//   1. `npm run package` (or --vsix FILE) → code-server --install-extension
//   2. open a copy of examples/ in the workbench, open seed_activation_loss.py
//   3. hover a layer name and read the hover (class, output shape)
//   4. type `model.get_layer("`, accept the layer-name completion, check the inserted text
//   5. run "Train & Inspect" from the command palette (F1)
//   6. the panel's histogram canvases get drawn (pixels read back from the canvas), and change
//      between epochs (the histograms evolve)
// Screenshots go to test-results/e2e/ (kept as test artifacts); with --screenshots they are also
// copied to media/ for the README. Options: --vsix FILE, --file NAME (another example), --keep, --headed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startCodeServer } from '../../scripts/vscode/code-server.mjs';
import { ensureCodeServer, INSTALL_HELP } from '../../scripts/vscode/install-code-server.mjs';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
const option = (n) => {
  const i = argv.indexOf(n);
  return i >= 0 ? argv[i + 1] : undefined;
};
const FILE = option('--file') ?? 'seed_activation_loss.py';
const LAYER = option('--layer') ?? 'dense_intermediate';
const LAYER_CLASS = option('--layer-class') ?? 'Dense';
const EPOCHS = Number(option('--epochs') ?? 8);
const artifacts = join(root, 'test-results', 'e2e');
const started = Date.now();
const secs = (t = started) => ((Date.now() - t) / 1000).toFixed(1);
const say = (msg) => console.log(`[e2e ${secs()} s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const results = [];
let page;

async function step(name, fn) {
  const t = Date.now();
  say(`▶ ${name}`);
  try {
    const detail = await fn();
    results.push({ name, ok: true, ms: Date.now() - t });
    say(`✔ ${name} (${secs(t)} s)${detail ? `: ${detail}` : ''}`);
  } catch (error) {
    results.push({ name, ok: false, ms: Date.now() - t });
    say(`✘ ${name}: ${error instanceof Error ? error.message : error}`);
    if (page) await page.screenshot({ path: join(artifacts, 'failure.png') }).catch(() => {});
    throw error;
  }
}

/** Polls fn until it returns a truthy value or the time is up. */
async function until(what, fn, timeoutMs = 30_000, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (${last.message ?? last})` : ''}`);
    await sleep(everyMs);
  }
}

const normalize = (s) => s.replace(/\u00a0/g, ' ');

/** A screenshot of the whole window (artifact) and one cropped to the union of some elements (README). */
async function shot(name, locators, pad = 24) {
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
  const boxes = (await Promise.all(locators.map((l) => l.boundingBox().catch(() => null)))).filter(Boolean);
  if (boxes.length === 0) return;
  const vp = page.viewportSize();
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - pad);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - pad);
  const right = Math.min(vp.width, Math.max(...boxes.map((b) => b.x + b.width)) + pad);
  const bottom = Math.min(vp.height, Math.max(...boxes.map((b) => b.y + b.height)) + pad);
  await page.screenshot({ path: join(artifacts, `${name}-crop.png`), clip: { x, y, width: right - x, height: bottom - y } });
}

async function palette(title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
}

async function openFile(name) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 15_000 });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 15_000 });
}

/** Drawn pixels of every histogram canvas in the panel: count of pixels unlike the background, and a hash. */
async function histogramPixels(frame) {
  return frame.locator('canvas[data-chart="histograms"]').evaluateAll((canvases) =>
    canvases.map((c) => {
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) return { layer: c.dataset.layer, tensor: c.dataset.tensor, drawn: 0, hash: 0 };
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      const bg = [data[0], data[1], data[2], data[3]];
      let drawn = 0;
      let hash = 0;
      for (let i = 0; i < data.length; i += 4) {
        const d = Math.abs(data[i] - bg[0]) + Math.abs(data[i + 1] - bg[1]) + Math.abs(data[i + 2] - bg[2]) + Math.abs(data[i + 3] - bg[3]);
        if (d > 48) {
          drawn++;
          hash = (hash * 31 + i + data[i] * 7 + data[i + 1] * 13 + data[i + 2]) | 0;
        }
      }
      return { layer: c.dataset.layer, tensor: c.dataset.tensor, drawn, hash, width: c.width, height: c.height };
    }),
  );
}

/** Whether at least two of `layer`'s histogram series (activation, kernel, …) hold different counts at their first and last epochs. */
async function epochsDiffer(frame, layer) {
  return frame.locator('body').evaluate((_, wanted) => {
    const hists = globalThis.__modelLens?.state()?.run?.hists;
    if (!hists) return false;
    let evolved = 0;
    for (const h of hists.values()) {
      if (h.layer !== wanted || h.length < 2) continue;
      const last = (h.length - 1) * h.bins;
      for (let i = 0; i < h.bins; i++) {
        if (h.counts[i] !== h.counts[last + i]) {
          evolved++;
          break;
        }
      }
    }
    return evolved >= 2;
  }, layer);
}

async function main() {
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  try {
    ensureCodeServer({ quiet: true });
  } catch (error) {
    console.error(`[e2e] FAILED: cannot run the end-to-end test in a real VS Code: ${error instanceof Error ? error.message : error}`);
    console.error(`[e2e] ${INSTALL_HELP}`);
    return 1;
  }
  let vsix = option('--vsix');
  if (!vsix) {
    const t = Date.now();
    vsix = join(root, 'test-results', 'model-lens-e2e.vsix');
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'vscode', 'package.mjs'), '--out', vsix], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error('[e2e] FAILED: npm run package did not produce a VSIX');
      return 1;
    }
    say(`packaged ${vsix} in ${secs(t)} s`);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'model-lens-e2e-'));
  const workspace = join(scratch, 'examples');
  cpSync(join(root, 'examples'), workspace, { recursive: true });
  let server;
  let browser;
  let code = 1;
  try {
    await step('install the VSIX into code-server and start it', async () => {
      // A user setting, as a user would set it: more epochs than the file's fit(epochs=2), to watch them go by.
      server = await startCodeServer({ stateDir: join(scratch, 'state'), installVsix: [vsix], log: say, settings: { 'modelLens.training.epochs': EPOCHS } });
      return `${server.url}, log ${server.logFile}`;
    });
    browser = await launchChromium({ userDataDir: join(scratch, 'chromium'), headless: !flag('--headed'), viewport: { width: 1600, height: 1000 } });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(30_000);

    await step('open examples/ in the workbench', async () => {
      await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: FILE }).first().waitFor({ timeout: 60_000 });
    });

    await step(`open ${FILE}`, async () => {
      await openFile(FILE);
    });

    await step(`hover the layer name "${LAYER}"`, async () => {
      const token = page.locator('.monaco-editor .view-lines .view-line span span', { hasText: LAYER }).first();
      await token.waitFor({ timeout: 15_000 });
      const hover = page.locator('.monaco-hover:not(.hidden)').first();
      // The first hover can come before the extension has activated and analysed the file: move away and hover again.
      const text = await until(
        `a hover mentioning ${LAYER_CLASS}`,
        async () => {
          await page.mouse.move(5, 5);
          await sleep(150);
          await token.hover();
          await hover.waitFor({ state: 'visible', timeout: 3000 });
          const t = normalize(await hover.innerText());
          return t.includes(LAYER) && t.includes(LAYER_CLASS) ? t : undefined;
        },
        90_000,
        500,
      );
      await shot('hover', [hover, token], 16);
      return JSON.stringify(text.replace(/\s+/g, ' ').slice(0, 160));
    });

    await step('accept a layer-name completion', async () => {
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      // Autoclosing pairs add the closing quote and parenthesis.
      await page.keyboard.type('probe = model.get_layer("', { delay: 30 });
      const suggest = page.locator('.editor-widget.suggest-widget.visible');
      const row = suggest.locator('.monaco-list-row', { hasText: LAYER }).first();
      await until(
        `the suggest widget listing ${LAYER}`,
        async () => {
          if (await row.isVisible()) return true;
          await page.keyboard.press('Control+Space');
          await sleep(1000);
          return row.isVisible();
        },
        30_000,
        500,
      );
      await shot('completion', [suggest, page.locator('.monaco-editor .view-overlays .current-line').first()], 40);
      await row.click();
      const line = await until('the completed line', async () => {
        const lines = await page.locator('.monaco-editor .view-lines .view-line').allInnerTexts();
        const l = lines.map(normalize).find((t) => t.includes('probe = model.get_layer('));
        return l && l.includes(`"${LAYER}"`) ? l : undefined;
      }, 10_000);
      // Put the file back as it was (nothing was saved; Train & Inspect saves a dirty file before it trains).
      await page.keyboard.press('Escape');
      await until('the edit to be undone', async () => {
        const lines = (await page.locator('.monaco-editor .view-lines .view-line').allInnerTexts()).map(normalize);
        if (!lines.some((t) => t.includes('probe'))) return (await page.locator('.tabs-container .tab.dirty').count()) === 0;
        await page.keyboard.press('Control+Z');
        return false;
      }, 15_000, 150);
      return line.trim();
    });

    let frame;
    await step('run "Train & Inspect" from the command palette', async () => {
      await page.locator('.monaco-editor .view-lines').first().click();
      await palette('Train & Inspect');
      // A model or data picker may follow: accept its first (default) choice.
      for (let i = 0; i < 3; i++) {
        await sleep(1500);
        if (await page.locator('.quick-input-widget:visible').count()) await page.keyboard.press('Enter');
        else break;
      }
      const webview = page.locator('iframe.webview.ready');
      await until('the Train & Inspect webview', async () => (await webview.count()) > 0, 60_000);
      frame = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
      await frame.locator('body').waitFor({ timeout: 30_000 });
    });

    let first;
    await step('histograms appear in the panel', async () => {
      first = await until(
        'drawn activation and kernel histogram canvases',
        async () => {
          // Charts off screen are not drawn (the panel draws only what is visible): bring the first into view.
          await frame.locator('canvas[data-chart="histograms"]').first().scrollIntoViewIfNeeded({ timeout: 2000 });
          const h = await histogramPixels(frame);
          const drawn = h.filter((c) => c.drawn > 150);
          const kinds = new Set(drawn.map((c) => c.tensor));
          return kinds.has('activation') && kinds.has('kernel') ? h : undefined;
        },
        180_000,
        1000,
      );
      return first.map((c) => `${c.layer}/${c.tensor}: ${c.drawn} px`).join(', ');
    });

    await step('the histograms evolve while it trains', async () => {
      const changed = await until(
        'a histogram canvas to change',
        async () => {
          const now = await histogramPixels(frame);
          const redrawn = now.some((c) => {
            const before = first.find((f) => f.layer === c.layer && f.tensor === c.tensor);
            return before && c.drawn > 150 && c.hash !== before.hash;
          });
          // On a slow machine the whole run can end before the panel is first read: then the drawn
          // canvases already show every epoch, and the panel's data must differ between epochs.
          return redrawn || (await epochsDiffer(frame, LAYER)) ? now : undefined;
        },
        180_000,
        1000,
      );
      // Let the run finish (its progress notification closes) so the screenshot shows the whole run.
      await until('the training notification to close', async () => (await page.locator('.notification-toast', { hasText: 'training' }).count()) === 0, 180_000, 500).catch(() => {});
      await sleep(1000);
      await shot('panel', [page.locator('iframe.webview.ready').last()], 0);
      return changed.map((c) => `${c.layer}/${c.tensor}: ${c.drawn} px`).join(', ');
    });
    code = 0;
  } catch {
    code = 1;
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (flag('--screenshots') && code === 0) {
      mkdirSync(join(root, 'media'), { recursive: true });
      for (const [from, to] of [['panel.png', 'screenshot-workbench.png'], ['panel-crop.png', 'screenshot-panel.png'], ['hover-crop.png', 'screenshot-hover.png'], ['completion-crop.png', 'screenshot-completion.png']]) {
        if (existsSync(join(artifacts, from))) copyFileSync(join(artifacts, from), join(root, 'media', to));
      }
      say('copied the screenshots to media/');
    }
    if (code !== 0 && server) say(`code-server log: ${server.logFile}${flag('--keep') ? '' : ' (pass --keep to keep it)'}`);
    if (!flag('--keep')) rmSync(scratch, { recursive: true, force: true });
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`\ne2e: ${results.map((r) => `${r.ok ? '✔' : '✘'} ${r.name} ${(r.ms / 1000).toFixed(1)} s`).join('\n     ')}`);
  console.log(`e2e finished in ${secs()} s; screenshots in ${artifacts}`);
  console.log(`${passed} passed, ${failed} failed`);
  return code;
}

process.exitCode = await main();
setTimeout(() => process.exit(process.exitCode), 200).unref();
