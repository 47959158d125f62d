import { tsImport } from 'tsx/esm/api';
const h = await tsImport('./harness.ts', import.meta.url);
const { syntheticRun } = await tsImport('./synthetic-run.ts', import.meta.url);
const run = syntheticRun({ layers: 20, epochs: 200, bins: 64, tensors: 50, batchesPerEpoch: 10, deadFrom: 150 });
const server = await h.startServer();
const b = await h.launch({ width: 1280, height: 900 });
const page = await b.context.newPage();
await page.goto(server.url);
await page.waitForFunction(() => window.__posted?.length > 0);
await h.postToPanel(page, 'init', { file: run.file, model: run.events[0].model, settings: { data: '', epochs: 200, batchSize: 32, taps: [] }, dataChoices: [], running: true });
await h.postToPanel(page, 'event', run.events.slice(0, 8000));
const rest = run.events.slice(8000);
await h.settle(page);
const scenario = process.argv[2] ?? 'scroll';
if (process.env.NO_CV) await page.evaluate(() => document.querySelectorAll('.layer-card').forEach((c) => (c.style.contentVisibility = 'visible')));
await page.evaluate((r) => { window.__rest = r; }, rest);
const client = await page.context().newCDPSession(page);
const events = [];
client.on('Tracing.dataCollected', (e) => events.push(...e.value));
const done = new Promise((r) => client.once('Tracing.tracingComplete', r));
if (process.env.PROFILE) { await client.send('Profiler.enable'); await client.send('Profiler.setSamplingInterval', { interval: 100 }); await client.send('Profiler.start'); }
await client.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,blink,cc,viz,gpu', transferMode: 'ReportEvents' });
for (let i = 0; i < 20; i++) {
  await page.evaluate(([k, sc]) => new Promise((res) => {
    requestAnimationFrame(() => setTimeout(res, 30));
    if (sc === 'scroll') { window.scrollTo(0, (k * 450) % (document.documentElement.scrollHeight - innerHeight)); window.__modelLens.schedule(); }
    else if (sc === 'resize') { document.querySelector('#app').style.maxWidth = (900 + (k % 5) * 70) + 'px'; window.__modelLens.schedule(); }
    else if (sc === 'append') { window.__modelLens.receive({ type: 'event', payload: window.__rest.splice(0, 60) }); }
    else if (sc === 'idle') { window.__modelLens.schedule(); }
    else if (sc === 'focus') { const s = document.querySelector('#layer-picker'); s.value = k % 2 ? '' : s.options[1 + (k/2)%20].value; s.dispatchEvent(new Event('change')); }
  }), [i, scenario]);
}
if (process.env.PROFILE) {
  const { profile } = await client.send('Profiler.stop');
  const self = {};
  const dt = {};
  profile.samples.forEach((id, i) => { dt[id] = (dt[id] ?? 0) + (profile.timeDeltas[i] ?? 0); });
  for (const n of profile.nodes) { const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self[k] = (self[k] ?? 0) + (dt[n.id] ?? 0) / 1000; }
  console.log(Object.entries(self).sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(1).padStart(8)} ms  ${k}`).join('\n'));
}
await client.send('Tracing.end');
await done;
const main = events.filter((e) => e.ph === 'X' && e.dur);
const byThread = {};
for (const e of main) {
  const k = `${e.tid}`;
  byThread[k] = (byThread[k] ?? 0) + e.dur;
}
const names = {};
for (const e of events) if (e.name === 'thread_name') names[e.tid] = e.args.name;
const agg = {};
for (const e of main) {
  const k = `${names[e.tid] ?? e.tid} :: ${e.name}`;
  agg[k] = (agg[k] ?? 0) + e.dur / 1000;
}
console.log(Object.entries(agg).sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${v.toFixed(1).padStart(8)} ms  ${k}`).join('\n'));
for (const e of events.filter((e) => e.name === 'Layout' && e.ph === 'X').slice(0, 12)) console.log('Layout', (e.dur / 1000).toFixed(2), JSON.stringify(e.args?.beginData ?? {}).slice(0, 200), JSON.stringify(e.args?.endData ?? {}).slice(0, 200));
const parent = process.argv[3] ?? 'Canvas2DResourceProvider::ProduceCanvasResource';
const ps = main.filter((e) => e.name === parent);
const kids = {};
for (const pe of ps) for (const e of main) if (e.tid === pe.tid && e !== pe && e.ts >= pe.ts && e.ts + e.dur <= pe.ts + pe.dur) kids[e.name] = (kids[e.name] ?? 0) + e.dur / 1000;
console.log('--- inside', parent, ps.length, 'occurrences');
console.log(Object.entries(kids).sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(1).padStart(8)} ms  ${k}`).join('\n'));
await b.close();
await server.close();
