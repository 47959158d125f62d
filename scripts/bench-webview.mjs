// Panel redraw bench in headless Chromium: 50 tapped tensors × 200 epochs × 64 bins (generated),
// N timed actions per scenario. Prints one JSON object; the target is 16 ms per frame (median and
// p95). A sample is the slowest frame of an action: its first frame and every later frame until the
// panel settles (the panel spends a bounded time drawing per frame and leaves further due charts to
// the next frames; those frames are timed too, and frames_to_settle says how many there were).
//
// Per frame two times are taken:
//   script — the panel's own work in that frame (its requestAnimationFrame callback: DOM updates +
//            canvas drawing, plus charts drawn in its ResizeObserver callback after layout);
//   frame  — from the start of that animation frame until the browser finished the frame's
//            rendering work on the main thread (style, layout, paint, and the wait for the
//            compositor's commit), measured with a task posted from the frame; this is what must fit
//            in 16 ms. The frame starts at the earliest of: its first `scroll` event (scroll events
//            are dispatched in the frame before animation-frame callbacks, and the panel works in
//            its scroll handler), the bench's animation-frame callback, and the panel's own
//            animation-frame callback (which runs first when the panel had already asked for the
//            frame, e.g. from an IntersectionObserver callback after the previous frame). Until
//            this was fixed the frame started at the bench's callback, which left those parts out:
//            in the scroll scenario the panel's scroll handler and the drawing of the charts
//            scrolled into view (2 per frame) were not counted.
// Scenarios: appendEpoch (one epoch: batch + epoch events and 50 histograms, live), focus (layer
// picker: one layer, then back to all), resize (panel width changes), scroll (cards scroll into
// view and get drawn). `allOnScreen` is informational: every chart of the run on screen at once
// (a 25 000 px tall viewport) and all redrawn — the panel never needs that, since off-screen
// charts are only drawn when they scroll into view.
import { loadavg } from 'node:os';
import { tsImport } from 'tsx/esm/api';

const TARGET_MS = 16;
const N = Number(process.env.BENCH_FRAMES ?? 40);
const LAYERS = 20;
const TENSORS = 50;
const EPOCHS = 200;
const BINS = 64;
const PRELOADED = EPOCHS - N - 5;

const harness = await tsImport('../test/webview/harness.ts', import.meta.url);
const { syntheticRun } = await tsImport('../test/webview/synthetic-run.ts', import.meta.url);
const h = harness.default ?? harness;
const gen = (syntheticRun ?? (await tsImport('../test/webview/synthetic-run.ts', import.meta.url)).default.syntheticRun);

h.ensureBuilt();
const run = gen({ layers: LAYERS, epochs: EPOCHS, bins: BINS, tensors: TENSORS, batchesPerEpoch: 10, deadFrom: 150 });
const start = run.events[0];
// Split the events per epoch (epoch 0 = the initial histograms).
const byEpoch = [];
for (const e of run.events.slice(1)) {
  if (e.type === 'end') continue;
  (byEpoch[e.epoch] ??= []).push(e);
}

const server = await h.startServer();
const browser = await h.launch({ width: 1280, height: 900 });
const result = { load_average_1m_at_start: +loadavg()[0].toFixed(2), target_ms: TARGET_MS, frames_per_scenario: N, tensors: TENSORS, layers: LAYERS, epochs: EPOCHS, bins: BINS, chromium: '', scenarios: {}, pass: false };
try {
  const page = await browser.context.newPage();
  result.chromium = browser.context.browser()?.version() ?? '';
  await page.goto(server.url);
  await page.waitForFunction(() => window.__posted?.length > 0);
  await h.postToPanel(page, 'init', { file: run.file, model: start.model, settings: { data: 'synthetic', epochs: EPOCHS, batchSize: 32, taps: [] }, dataChoices: ['mnist', 'synthetic'], running: true });
  await h.postToPanel(page, 'event', [start, ...byEpoch.slice(0, PRELOADED + 1).flat()]);
  await h.settle(page);
  result.snapshotsPerTensor = await page.evaluate(() => [...window.__modelLens.state().run.hists.values()][0].length);
  result.charts = await page.evaluate(() => document.querySelectorAll('canvas[data-chart]').length);

  await page.evaluate(() => {
    /** Times the next animation frame in which `action` (run synchronously) is rendered. */
    window.__timeFrame = (action) =>
      new Promise((resolve) => {
        // Every panel record from now on belongs to the timed frame: the action runs
        // synchronously, and the next rendering opportunity is that frame.
        const tAction = performance.now();
        // Capture listener on window: runs before the panel's own scroll listener.
        let scrolled = Infinity;
        const onScroll = () => (scrolled = Math.min(scrolled, performance.now()));
        addEventListener('scroll', onScroll, { capture: true, passive: true });
        // The first frame, then every frame the panel still asks for (charts left over a frame's
        // drawing budget): the slowest of them is the sample, so deferred work is not left out.
        const frames = [];
        let since = tAction;
        const timeOne = (first) =>
          requestAnimationFrame(() => {
            if (first) removeEventListener('scroll', onScroll, { capture: true });
            const tRaf = performance.now();
            const ch = new MessageChannel();
            ch.port1.onmessage = () => {
              // The panel's records of this frame: its animation-frame callback, plus charts drawn in
              // the ResizeObserver callback (after layout, same frame) when sizes changed.
              const recs = window.__modelLens.frames.filter((f) => f.at >= since);
              const t0 = Math.min(tRaf, first ? scrolled : Infinity, ...recs.map((f) => f.at));
              const sum = (k) => recs.reduce((a, f) => a + f[k], 0);
              const byKind = {};
              for (const f of recs) for (const [k, v] of Object.entries(f.byKind)) byKind[k] = (byKind[k] ?? 0) + v;
              frames.push({ frame: performance.now() - t0, script: sum('ms'), dom: sum('dom'), draw: sum('draw'), drawn: sum('drawn'), byKind });
              since = performance.now();
              if (window.__modelLens.pendingFrame() && frames.length < 20) timeOne(false);
              else {
                const worst = frames.reduce((a, f) => (f.frame > a.frame ? f : a));
                resolve({ ...worst, drawn: frames.reduce((a, f) => a + f.drawn, 0), frames: frames.length });
              }
            };
            ch.port2.postMessage(0);
          });
        timeOne(true);
        action();
      });
  });

  const stats = (samples) => {
    const q = (arr, p) => {
      const s = [...arr].sort((a, b) => a - b);
      return +s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(2);
    };
    const frame = samples.map((s) => s.frame);
    const script = samples.map((s) => s.script);
    return {
      frame_median_ms: q(frame, 0.5),
      frame_p95_ms: q(frame, 0.95),
      frame_max_ms: q(frame, 1),
      script_median_ms: q(script, 0.5),
      script_p95_ms: q(script, 0.95),
      script_dom_median_ms: q(samples.map((s) => s.dom), 0.5),
      script_draw_median_ms: q(samples.map((s) => s.draw), 0.5),
      charts_drawn_median: q(samples.map((s) => s.drawn), 0.5),
      // Frames until everything due was drawn (more than 1 when charts were left to later frames).
      frames_to_settle_median: q(samples.map((s) => s.frames ?? 1), 0.5),
      frames_to_settle_max: q(samples.map((s) => s.frames ?? 1), 1),
      draw_by_chart_kind_median_ms: Object.fromEntries(
        [...new Set(samples.flatMap((s) => Object.keys(s.byKind)))].map((k) => [k, q(samples.map((s) => s.byKind[k] ?? 0), 0.5)]),
      ),
      pass: q(frame, 0.5) < TARGET_MS && q(frame, 0.95) < TARGET_MS,
    };
  };

  // idle: a frame with nothing to do (the harness's own overhead).
  const idle = [];
  for (let i = 0; i < N; i++) idle.push(await page.evaluate(() => window.__timeFrame(() => window.__modelLens.schedule())));
  result.idle = stats(idle);

  // appendEpoch: live epochs arriving (the host batches one epoch's events into one message).
  const append = [];
  for (let i = 0; i < N + 3; i++) {
    const events = byEpoch[PRELOADED + 1 + i];
    const s = await page.evaluate((ev) => window.__timeFrame(() => window.__modelLens.receive({ type: 'event', payload: ev })), events);
    if (i >= 3) append.push(s);
  }
  result.scenarios.appendEpoch = stats(append);

  // focus: pick a layer in the picker, then go back to all layers.
  const layers = await page.evaluate(() => [...document.querySelectorAll('#layer-picker option')].map((o) => o.value).filter(Boolean));
  const focus = [];
  for (let i = 0; i < N + 2; i++) {
    const value = i % 2 === 0 ? layers[(i / 2) % layers.length] : '';
    const s = await page.evaluate(
      (v) =>
        window.__timeFrame(() => {
          const sel = document.querySelector('#layer-picker');
          sel.value = v;
          sel.dispatchEvent(new Event('change'));
        }),
      value,
    );
    if (i >= 2) focus.push(s);
  }
  result.scenarios.focus = stats(focus);
  // Back to all layers (the loop above ends on a focused layer when BENCH_FRAMES is odd).
  await page.evaluate(() => {
    const sel = document.querySelector('#layer-picker');
    sel.value = '';
    sel.dispatchEvent(new Event('change'));
  });
  await h.settle(page);

  // resize: the panel's width changes (as when the editor group is resized).
  const resize = [];
  for (let i = 0; i < N + 2; i++) {
    const width = 900 + (i % 5) * 70;
    const s = await page.evaluate(
      (w) =>
        window.__timeFrame(() => {
          document.querySelector('#app').style.maxWidth = `${w}px`;
          window.__modelLens.schedule();
        }),
      width,
    );
    if (i >= 2) resize.push(s);
  }
  await page.evaluate(() => (document.querySelector('#app').style.maxWidth = ''));
  result.scenarios.resize = stats(resize);

  // scroll: cards scroll into view and their charts are drawn for the first time at this size.
  await page.evaluate(() => window.__timeFrame(() => window.__modelLens.receive({ type: 'event', payload: [] })));
  const scroll = [];
  for (let i = 0; i < N + 2; i++) {
    const s = await page.evaluate(
      (k) =>
        window.__timeFrame(() => {
          const max = document.documentElement.scrollHeight - innerHeight;
          window.scrollTo(0, ((k * 450) % Math.max(1, max)) | 0);
          window.__modelLens.schedule();
        }),
      i,
    );
    if (i >= 2) scroll.push(s);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  result.scenarios.scroll = stats(scroll);

  // Informational: every chart on screen and redrawn in one frame.
  await page.setViewportSize({ width: 1280, height: 25000 });
  await h.settle(page);
  const all = [];
  for (let i = 0; i < 7; i++) {
    const s = await page.evaluate(() => window.__timeFrame(() => window.__modelLens.redrawAll()));
    if (i >= 2) all.push(s);
  }
  result.allOnScreen = { ...stats(all), note: 'informational, not the target: every chart of the run visible at once' };

  result.pass = Object.values(result.scenarios).every((s) => s.pass);
  result.load_average_1m_at_end = +loadavg()[0].toFixed(2);
} finally {
  await browser.close();
  await server.close();
}
console.log(JSON.stringify(result, null, 2));
