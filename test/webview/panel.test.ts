// The built panel (dist/webview) in headless Chromium, inside a harness that plays VS Code's part
// (test/webview/harness.*), fed runs recorded by the real trainer (test/fixtures/runs, re-recorded by
// scripts/record-run.mjs). Asserts drawing by reading canvas pixels, not only the DOM.
// Screenshots go to test-results/ (gitignored).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { PanelInit, SavedRun, TrainerEvent, WebviewToHost } from '../../protocol/protocol';
import { canvasPixels, ensureBuilt, launch, postToPanel, ROOT, settle, startServer, type Browser, type Harness } from './harness';
import { syntheticRun } from './synthetic-run';

const RESULTS = path.join(ROOT, 'test-results');
const DARK_BLUE: [number, number, number] = [0x37, 0x94, 0xff]; // --vscode-charts-blue in harness-theme.css (dark)
const DARK_RED: [number, number, number] = [0xf1, 0x4c, 0x4c];
const LIGHT_BLUE: [number, number, number] = [0x1a, 0x85, 0xff];

const load = (name: string): SavedRun => JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/runs', `${name}.run.json`), 'utf8')) as SavedRun;
const startOf = (run: SavedRun) => run.events[0] as Extract<TrainerEvent, { type: 'start' }>;
type Posted = { type: keyof WebviewToHost; payload: Record<string, unknown> };

function initFor(run: SavedRun, over: Partial<PanelInit> = {}): PanelInit {
  return {
    file: run.file,
    model: startOf(run).model,
    settings: { data: run.request.data ?? '', epochs: run.request.epochs ?? 1, batchSize: 32, taps: run.request.taps ?? [] },
    dataChoices: ['mnist', 'synthetic'],
    running: false,
    ...over,
  };
}

/** Feeds a run the way the host does during training: in small batches, a frame apart. */
async function stream(page: Page, events: TrainerEvent[], chunk = 8): Promise<void> {
  for (let i = 0; i < events.length; i += chunk) {
    await postToPanel(page, 'event', events.slice(i, i + chunk));
    if (i % (chunk * 4) === 0) await settle(page);
  }
  await settle(page);
}

const posted = (page: Page): Promise<Posted[]> => page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);
const tensorsOf = (run: SavedRun) => startOf(run).taps.flatMap((t) => t.tensors.map((tensor) => ({ layer: t.layer, tensor })));

async function openPanel(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { __posted?: unknown[] }).__posted?.length);
}

/** Runs the panel's idle-time updates (text alternatives) now. */
const flushIdle = (page: Page) => page.evaluate(() => (window as unknown as { __modelLens: { flushIdle(): void } }).__modelLens.flushIdle());

/** Scrolls a chart into view, lets the panel draw it, and reads its pixels. */
async function chartPixels(page: Page, selector: string, rect: 'plot' | 'plotRidge' | 'plotOverlay', color?: [number, number, number], tolerance = 60) {
  await page.locator(selector).scrollIntoViewIfNeeded();
  await settle(page);
  await settle(page);
  return canvasPixels(page, selector, color, tolerance, rect);
}

const histSel = (layer: string, tensor: string, scope = '.cards') => `${scope} canvas[data-chart="histograms"][data-layer="${layer}"][data-tensor="${tensor}"]`;

describe('panel in headless Chromium', () => {
  let server: Harness;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const cnn = load('mnist-cnn');
  const act = load('seed-activation-loss');

  before(async () => {
    ensureBuilt();
    fs.mkdirSync(RESULTS, { recursive: true });
    server = await startServer();
    browser = await launch({ width: 1200, height: 900, deviceScaleFactor: 2 });
    page = await browser.context.newPage();
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/favicon/.test(m.location().url)) errors.push(`console: ${m.text()}`);
    });
    await openPanel(page, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sends ready first, under the strict CSP', async () => {
    const p = await posted(page);
    assert.deepEqual(p[0], { type: 'ready', payload: { restored: false } });
    assert.equal(p.length, 1, 'nothing before the host answered');
    const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'));
    assert.match(csp ?? '', /^default-src 'none'; .*script-src 'nonce-[A-Za-z0-9]+'/);
  });

  it('draws live loss curves and histograms of a real recorded run (pixels)', async () => {
    await postToPanel(page, 'init', initFor(act, { running: true }));
    await stream(page, act.events);
    const status = await page.textContent('#run-status');
    assert.match(status ?? '', /^Completed: trained 3 epochs/);
    assert.match((await page.textContent('#header')) ?? '', /Loss interpretation/);

    // curves: the total (blue) and the first component (red) are in the plot area
    const curves = await chartPixels(page, 'canvas[data-chart="curves"]', 'plot', DARK_BLUE);
    assert.ok(curves.matching > 200, `total-loss pixels: ${curves.matching}`);
    const red = await canvasPixels(page, 'canvas[data-chart="curves"]', DARK_RED);
    assert.ok(red.matching > 100, `component pixels: ${red.matching}`);
    assert.equal(curves.canvasWidth, Math.round(curves.cssWidth * 2), 'backing store follows devicePixelRatio 2');

    // every tapped tensor: ridgeline and overlay painted
    await flushIdle(page);
    const tensors = tensorsOf(act);
    assert.equal(tensors.length, await page.locator('.cards canvas[data-chart="histograms"]').count());
    for (const { layer, tensor } of tensors) {
      const ridge = await chartPixels(page, histSel(layer, tensor), 'plotRidge', DARK_BLUE);
      assert.ok(ridge.painted > ridge.area * 0.03, `${layer}/${tensor} ridgeline painted ${ridge.painted}/${ridge.area}`);
      assert.ok(ridge.matching > 50, `${layer}/${tensor} latest ridge in the accent colour: ${ridge.matching}`);
      const overlay = await canvasPixels(page, histSel(layer, tensor), DARK_BLUE, 60, 'plotOverlay');
      assert.ok(overlay.painted > overlay.area * 0.02, `${layer}/${tensor} overlay painted ${overlay.painted}/${overlay.area}`);
      const label = await page.getAttribute(histSel(layer, tensor), 'aria-label');
      assert.match(label ?? '', new RegExp(`of ${layer}.*latest mean`), 'text alternative');
    }
    await page.screenshot({ path: path.join(RESULTS, 'panel-live.png'), fullPage: true });
  });

  it('shows the latest statistics of each tensor', async () => {
    const last = [...act.events].reverse().find((e) => e.type === 'histogram' && e.layer === 'dense_intermediate' && e.tensor === 'activation') as Extract<TrainerEvent, { type: 'histogram' }>;
    const row = page.locator('.cards [data-layer="dense_intermediate"] .tensor-row[data-tensor="activation"]');
    await row.scrollIntoViewIfNeeded();
    await settle(page);
    const mean = Number((await row.locator('[data-stat="mean"]').textContent())!.replace('−', '-'));
    assert.ok(Math.abs(mean - last.stats.mean) <= Math.abs(last.stats.mean) * 0.01, `${mean} vs ${last.stats.mean}`);
    assert.equal(await row.locator('[data-stat="nonFinite"]').textContent(), String(last.stats.nonFinite));
    assert.equal(await row.locator('[data-stat="zero"]').textContent(), `${(last.stats.zeroFraction * 100).toFixed(0)} %`);
    await flushIdle(page);
    const table = page.locator('.cards [data-layer="dense_intermediate"] table.visually-hidden tr');
    assert.equal(await table.count(), 1 + 3, 'offscreen table: header and one row per tensor');
    assert.equal(await table.nth(1).locator('td').nth(4).textContent(), String(last.stats.nonFinite));
  });

  it('focuses one layer with the picker and goes back to all (keyboard)', async () => {
    await page.selectOption('#layer-picker', 'dense_intermediate');
    await settle(page);
    assert.equal(await page.locator('.cards').isHidden(), true);
    const card = page.locator('#focus-card .layer-card.focused');
    assert.equal(await card.getAttribute('data-layer'), 'dense_intermediate');
    const big = histSel('dense_intermediate', 'kernel', '#focus-card');
    const px = await chartPixels(page, big, 'plotRidge', DARK_BLUE);
    assert.ok(px.painted > px.area * 0.03, `focused ridgeline painted ${px.painted}/${px.area}`);
    const height = await page.locator(big).evaluate((c) => c.getBoundingClientRect().height);
    assert.ok(height >= 300, `focused charts are larger (${height}px)`);
    // another layer, by keyboard
    await page.focus('#layer-picker');
    await page.keyboard.press('ArrowDown');
    await settle(page);
    assert.equal(await card.getAttribute('data-layer'), 'dense_1');
    const next = await chartPixels(page, histSel('dense_1', 'activation', '#focus-card'), 'plotRidge');
    assert.ok(next.painted > next.area * 0.03, 'the re-bound focus card is redrawn');
    await page.focus('#show-all');
    await page.keyboard.press('Enter');
    await settle(page);
    assert.equal(await page.locator('.cards').isVisible(), true);
    assert.equal(await page.locator('#focus-card').isHidden(), true);
    assert.equal(await page.inputValue('#layer-picker'), '');
  });

  it('marks tapped layers in the model table and jumps to the source', async () => {
    const model = startOf(act).model;
    const tapped = await page.locator('#summary-table tr.tapped').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-layer')));
    assert.deepEqual(tapped.sort(), startOf(act).taps.map((t) => t.layer).sort());
    const lossRow = page.locator('#summary-table tr[data-layer="dense_intermediate"]');
    assert.equal(await lossRow.locator('input[type="checkbox"]').isDisabled(), true, 'a layer the loss reads stays tapped');
    assert.match((await lossRow.textContent()) ?? '', /the loss/);
    await page.click('#summary-table button[data-reveal="dense"]');
    const layer = model.layers.find((l) => l.name === 'dense')!;
    const last = (await posted(page)).at(-1)!;
    assert.deepEqual(last, { type: 'revealSource', payload: { line: layer.range.start.line + 1, layer: 'dense' } });
  });

  it('taps a layer and starts and stops a run from the controls', async () => {
    assert.equal(await page.isDisabled('#summary-table tr[data-layer="input_layer"] input[type="checkbox"]'), true, 'inputs cannot be tapped');
    await page.uncheck('#summary-table tr[data-layer="dense_1"] input[type="checkbox"]');
    await page.check('#summary-table tr[data-layer="dense_1"] input[type="checkbox"]');
    const p = await posted(page);
    assert.deepEqual(p.slice(-2), [
      { type: 'untapLayer', payload: { layer: 'dense_1' } },
      { type: 'tapLayer', payload: { layer: 'dense_1' } },
    ]);
    await page.fill('#epochs', '4');
    await page.fill('#data', 'synthetic');
    await page.focus('#batch-size');
    await page.fill('#batch-size', '16');
    await page.keyboard.press('Enter');
    await settle(page);
    const start = (await posted(page)).at(-1)!;
    assert.equal(start.type, 'startRun');
    assert.deepEqual({ ...start.payload, taps: (start.payload.taps as string[]).sort() }, { data: 'synthetic', epochs: 4, batchSize: 16, taps: ['dense', 'dense_1'] });
    assert.equal(await page.isDisabled('#start-run'), true);
    assert.equal(await page.textContent('#start-run'), 'Starting…');
    await page.click('#stop-run');
    assert.deepEqual((await posted(page)).at(-1), { type: 'stopRun', payload: {} });
    // the host refuses / the run never starts: an idle init re-enables Start
    await postToPanel(page, 'init', initFor(act, { running: false }));
    await settle(page);
    assert.equal(await page.isDisabled('#start-run'), false);
    assert.equal(await page.inputValue('#epochs'), '4', 'the edited settings survive a re-sent init');
  });

  it('restores its state after a reload, without the host re-sending the run', async () => {
    await page.selectOption('#layer-picker', 'dense');
    await settle(page);
    await page.evaluate(() => (window as unknown as { __modelLens: { persistNow(): void } }).__modelLens.persistNow());
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted?: unknown[] }).__posted?.length);
    const p = await posted(page);
    assert.deepEqual(p, [{ type: 'ready', payload: { restored: true, file: act.file } }]);
    await settle(page);
    assert.match((await page.textContent('#run-status')) ?? '', /^Completed/);
    assert.equal(await page.inputValue('#layer-picker'), 'dense');
    assert.equal(await page.inputValue('#epochs'), '4');
    const px = await chartPixels(page, histSel('dense', 'activation', '#focus-card'), 'plotRidge', DARK_BLUE);
    assert.ok(px.painted > px.area * 0.03, `restored ridgeline painted ${px.painted}/${px.area}`);
    const curves = await chartPixels(page, 'canvas[data-chart="curves"]', 'plot', DARK_BLUE);
    assert.ok(curves.matching > 200, 'restored curves drawn');
    await page.selectOption('#layer-picker', '');
    await settle(page);
  });

  it("saves the state at once when a run ends (not when the save throttle gets to it)", async () => {
    const fresh = await browser.context.newPage(); // a new tab: empty sessionStorage
    try {
      await openPanel(fresh, server.url);
      await postToPanel(fresh, 'init', initFor(act, { running: true }));
      const events = act.events;
      await stream(fresh, events.slice(0, -1));
      const saved = () => fresh.evaluate(() => JSON.parse(sessionStorage.getItem('modelLens.webviewState') ?? 'null')?.run?.status ?? null);
      // Save now, which also clears any save the throttle had pending: from here only the end can save.
      await fresh.evaluate(() => (window as unknown as { __modelLens: { persistNow(): void } }).__modelLens.persistNow());
      assert.equal(await saved(), 'running');
      await postToPanel(fresh, 'event', events.slice(-1));
      await settle(fresh); // one frame: far less than the throttle's 250 ms
      assert.equal(await saved(), 'completed');
    } finally {
      await fresh.close();
    }
  });

  it('opens a saved run with the same views', async () => {
    const fresh = await browser.context.newPage(); // a new tab: empty sessionStorage
    try {
      await openPanel(fresh, server.url);
      await postToPanel(fresh, 'loadRun', cnn);
      await settle(fresh);
      assert.match((await fresh.textContent('#header')) ?? '', /\(saved run\)/);
      assert.match((await fresh.textContent('#run-status')) ?? '', /^Completed: trained 6 epochs/);
      const tensors = tensorsOf(cnn);
      assert.equal(tensors.length, 9);
      // Cards below the fold are not drawn yet, but their charts are already described.
      await flushIdle(fresh);
      const lastLabel = await fresh.getAttribute(histSel('classifier', 'bias'), 'aria-label');
      assert.match(lastLabel ?? '', /bias of classifier over 7 snapshots, from initial to epoch 6/);
      assert.equal(await fresh.getAttribute(histSel('classifier', 'bias'), 'data-plot-ridge'), null, 'not drawn while off screen');
      assert.equal(await fresh.locator('.cards canvas[data-chart="histograms"]').count(), tensors.length);
      for (const { layer, tensor } of tensors) {
        const px = await chartPixels(fresh, histSel(layer, tensor), 'plotRidge');
        assert.ok(px.painted > px.area * 0.03, `${layer}/${tensor}: ${px.painted}/${px.area}`);
      }
      const curves = await chartPixels(fresh, 'canvas[data-chart="curves"]', 'plot', DARK_BLUE);
      assert.ok(curves.painted > 500);
      await fresh.screenshot({ path: path.join(RESULTS, 'panel-saved-run.png'), fullPage: true });
    } finally {
      await fresh.close();
    }
  });

  it('follows the theme (light, high contrast)', async () => {
    await page.evaluate(() => {
      document.body.classList.remove('vscode-dark');
      document.body.classList.add('vscode-light');
    });
    await settle(page);
    const light = await chartPixels(page, 'canvas[data-chart="curves"]', 'plot', LIGHT_BLUE);
    const dark = await canvasPixels(page, 'canvas[data-chart="curves"]', DARK_BLUE, 20);
    assert.ok(light.matching > 200, `light-theme blue: ${light.matching}`);
    assert.ok(dark.matching < light.matching / 4, `dark-theme blue gone: ${dark.matching}`);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(255, 255, 255)');
    await page.screenshot({ path: path.join(RESULTS, 'panel-light.png') });
    await page.evaluate(() => {
      document.body.classList.remove('vscode-light');
      document.body.classList.add('vscode-high-contrast');
    });
    await settle(page);
    const hc = await chartPixels(page, 'canvas[data-chart="curves"]', 'plot', DARK_BLUE);
    assert.ok(hc.matching > light.matching, 'high contrast draws thicker lines');
    await page.evaluate(() => {
      document.body.classList.remove('vscode-high-contrast');
      document.body.classList.add('vscode-dark');
    });
    await settle(page);
  });

  it('redraws charts at the new width when the panel is resized (pixels), reusing backing stores', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const curvesSel = 'canvas[data-chart="curves"]';
    const hist = histSel('dense_intermediate', 'activation');
    /** Plot width, box width, backing-store width, and painted pixels right of the box (must be none). */
    const geometry = (sel: string) =>
      page.locator(sel).evaluate((c: HTMLCanvasElement) => {
        const box = c.parentElement!.getBoundingClientRect().width;
        const plot = Number((c.dataset.plot ?? c.dataset.plotOverlay ?? '0,0,0,0').split(',')[2]);
        const plotRight = (c.dataset.plotOverlay ?? c.dataset.plot ?? '0,0,0,0').split(',').map(Number);
        const dpr = c.width / c.getBoundingClientRect().width;
        const x0 = Math.ceil(box * dpr);
        let beyond = 0;
        if (c.width > x0) {
          const d = c.getContext('2d')!.getImageData(x0, 0, c.width - x0, c.height).data;
          for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) beyond++;
        }
        return { plot, right: plotRight[0] + plotRight[2], box, backing: c.width, dpr, beyond };
      });
    const before = await geometry(curvesSel);
    await page.setViewportSize({ width: 1000, height: 900 });
    const narrowCurves = await chartPixels(page, curvesSel, 'plot', DARK_BLUE);
    const narrow = await geometry(curvesSel);
    assert.ok(Math.abs(before.box - narrow.box - 200) <= 2, `box follows the panel: ${before.box} → ${narrow.box}`);
    assert.ok(Math.abs(before.plot - narrow.plot - (before.box - narrow.box)) <= 1, `plot redrawn at the new width: ${before.plot} → ${narrow.plot}`);
    assert.equal(narrow.backing, before.backing, 'a small shrink keeps the backing store');
    assert.equal(narrow.beyond, 0, 'nothing painted beyond the chart');
    assert.ok(narrowCurves.matching > 200, `curves redrawn: ${narrowCurves.matching}`);
    const ridge = await chartPixels(page, hist, 'plotRidge', DARK_BLUE);
    assert.ok(ridge.painted > ridge.area * 0.03 && ridge.matching > 50, `ridgeline redrawn: ${ridge.painted}/${ridge.area}`);
    const h = await geometry(hist);
    assert.ok(h.right <= h.box + 0.5 && h.right > h.box - 40, `overlay ends at the chart's right edge: ${h.right} of ${h.box}`);
    assert.equal(h.beyond, 0, 'nothing painted beyond the histogram chart');
    // much narrower: the backing store is reallocated at the exact size
    await page.setViewportSize({ width: 600, height: 900 });
    await chartPixels(page, curvesSel, 'plot', DARK_BLUE);
    const small = await geometry(curvesSel);
    assert.equal(small.backing, Math.round(small.box * small.dpr), 'backing store shrunk with the chart');
    await page.setViewportSize({ width: 1200, height: 900 });
    const wide = await chartPixels(page, curvesSel, 'plot', DARK_BLUE);
    const back = await geometry(curvesSel);
    assert.equal(back.plot, before.plot, 'same plot at the original size');
    assert.equal(back.backing, before.backing);
    assert.ok(wide.matching > 200);
  });

  it('is keyboard reachable and every chart has a text alternative', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.focus('body');
    const seen = new Set<string>();
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      seen.add(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el) return '';
          return el.id ? `#${el.id}` : el.dataset.focus ? 'layer-focus' : el.dataset.reveal ? 'reveal' : (el as HTMLInputElement).type === 'checkbox' ? 'checkbox' : el.tagName;
        }),
      );
    }
    for (const want of ['#data', '#epochs', '#batch-size', '#start-run', '#open-run', '#export-run', '#y-scale', '#layer-picker', 'layer-focus', 'reveal', 'checkbox'])
      assert.ok(seen.has(want), `${want} reachable by Tab (saw ${[...seen].join(', ')})`);
    await flushIdle(page);
    const canvases = await page.locator('canvas').evaluateAll((cs) => cs.map((c) => [c.getAttribute('role'), c.getAttribute('aria-label') ?? '']));
    for (const [role, label] of canvases) {
      assert.equal(role, 'img');
      assert.ok((label ?? '').length > 20, `aria-label: ${label}`);
    }
    assert.ok((await page.locator('#curves-table tr').count()) > 1, 'offscreen loss table');
  });

  it('reports no errors and no CSP violations', async () => {
    const violations = await page.evaluate(() => (window as unknown as { __cspViolations: string[]; __errors: string[] }).__cspViolations);
    assert.deepEqual(violations, []);
    assert.deepEqual(errors, []);
  });
});

/** A fresh panel page (1200×900) with its own server and browser, closed afterwards. */
async function withFreshPanel(test: (page: Page) => Promise<void>): Promise<void> {
  ensureBuilt();
  const server = await startServer();
  const browser = await launch({ width: 1200, height: 900 });
  try {
    const page = await browser.context.newPage();
    await openPanel(page, server.url);
    await test(page);
  } finally {
    await browser.close();
    await server.close();
  }
}

describe('panel warnings (generated run)', () => {
  it('flags a dead layer in the card, the picker and the warning list', () =>
    withFreshPanel(async (page) => {
      // Generated (not a recording): dense_1 dies from epoch 4 on; dense_2 is a sigmoid drifting to its extremes.
      const run = syntheticRun({ layers: 5, epochs: 6, bins: 32, tensors: 5, deadFrom: 4 });
      await postToPanel(page, 'loadRun', run);
      await settle(page);
      const items = await page.locator('#warning-list li').evaluateAll((li) => li.map((l) => [l.getAttribute('data-warning'), l.textContent]));
      const dead = items.find(([k]) => k === 'dead');
      assert.ok(dead, `dead warning listed: ${JSON.stringify(items)}`);
      assert.match(dead[1] ?? '', /dense_1 activation: dead: 95 % of outputs are zero .*since epoch 4/);
      assert.ok(items.some(([k, t]) => k === 'saturating' && /dense_2/.test(t ?? '')), 'saturating sigmoid listed');
      assert.match((await page.locator('#layer-picker option[value="dense_1"]').textContent()) ?? '', /⚠/);
      const card = page.locator('.cards .layer-card[data-layer="dense_1"]');
      await card.scrollIntoViewIfNeeded();
      await settle(page);
      assert.equal(await card.locator('.badge.warning').textContent(), 'dead');
      assert.equal(await card.locator('[data-stat="zero"].warning').count(), 1);
      await page.screenshot({ path: path.join(RESULTS, 'panel-warnings.png') });
    }));
});

describe('panel chart virtualisation (generated run, 20 layers)', () => {
  it('leaves off-screen charts undrawn and draws them once scrolled into view (pixels)', () =>
    withFreshPanel(async (page) => {
      const run = syntheticRun({ layers: 20, epochs: 8, bins: 32, tensors: 50 });
      await postToPanel(page, 'loadRun', run);
      await settle(page);
      const charts = await page.locator('.cards canvas[data-chart="histograms"]').evaluateAll((cs) =>
        cs.map((c) => ({ layer: (c as HTMLCanvasElement).dataset.layer!, tensor: (c as HTMLCanvasElement).dataset.tensor!, top: c.parentElement!.getBoundingClientRect().top })),
      );
      assert.equal(charts.length, 50);
      const onScreen = charts.filter((c) => c.top < 900);
      assert.ok(onScreen.length > 0 && onScreen.length < 10, `${onScreen.length} charts on screen`);
      for (const c of onScreen.filter((c) => c.top + 150 <= 900)) assert.notEqual(await page.getAttribute(histSel(c.layer, c.tensor), 'data-plot-ridge'), null, `${c.layer}/${c.tensor} on screen and drawn`);
      await flushIdle(page);
      await settle(page);
      const offScreen = charts.filter((c) => c.top > 900);
      for (const c of offScreen) assert.equal(await page.getAttribute(histSel(c.layer, c.tensor), 'data-plot-ridge'), null, `${c.layer}/${c.tensor} not drawn while off screen`);
      // Scrolled into view, one after the other: each is drawn (pixels), in the frames that show it.
      for (const c of [offScreen[0], offScreen[Math.floor(offScreen.length / 2)], offScreen.at(-1)!]) {
        const px = await chartPixels(page, histSel(c.layer, c.tensor), 'plotRidge');
        assert.ok(px.painted > px.area * 0.03, `${c.layer}/${c.tensor} drawn once scrolled into view: ${px.painted}/${px.area}`);
      }
    }));
});
