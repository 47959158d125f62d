/**
 * Browser harness for the built panel: a tiny HTTP server on 127.0.0.1 serving the page that
 * webview/src/host-html.ts builds (same strict CSP; `cspSource` = the server's origin) with
 * harness.js injected before the bundle, plus headless Chromium through playwright-core.
 * Used by the panel's browser test and by scripts/bench-webview.mjs.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { makeNonce, panelHtml } from '../../webview/src/host-html';

// `__filename`, not `__dirname`: tsx's tsImport (used by the bench) sets only the former correctly.
const HERE = path.dirname(__filename);
export const ROOT = path.resolve(HERE, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.html': 'text/html' };

/** Builds the bundles when dist/webview is missing or older than a webview source file. */
export function ensureBuilt(): void {
  const out = path.join(ROOT, 'dist/webview/main.js');
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
    }, 0);
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= newest(path.join(ROOT, 'webview/src'))) return;
  // Build output goes to stderr: the bench's stdout is one JSON object.
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error('build failed');
}

export interface Harness {
  url: string;
  close(): Promise<void>;
}

/** Serves `/` (the panel page), `/harness.js`, `/harness-theme.css` and `/dist/webview/*`; nothing else. */
export async function startServer(): Promise<Harness> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const nonce = makeNonce();
      let html = panelHtml({ cspSource: origin, nonce, scriptUri: `${origin}/dist/webview/main.js`, styleUri: `${origin}/dist/webview/main.css` });
      html = html.replace('<script nonce=', `<link rel="stylesheet" href="${origin}/harness-theme.css">\n<script nonce="${nonce}" src="${origin}/harness.js"></script>\n<script nonce=`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    const file =
      url.pathname === '/harness.js' || url.pathname === '/harness-theme.css'
        ? path.join(HERE, url.pathname.slice(1))
        : url.pathname.startsWith('/dist/webview/')
          ? path.join(ROOT, 'dist/webview', path.basename(url.pathname))
          : null;
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Debian Chromium with a fresh profile. */
export async function launch(options: { width?: number; height?: number; deviceScaleFactor?: number } = {}): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: options.width ?? 1200, height: options.height ?? 900 },
    deviceScaleFactor: options.deviceScaleFactor ?? 1,
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Posts a host → webview message the way VS Code delivers it (a `message` event on window). */
export async function postToPanel(page: Page, type: string, payload: unknown): Promise<void> {
  await page.evaluate(([t, p]) => window.postMessage({ type: t, payload: p }, '*'), [type, payload] as const);
}

/**
 * Waits until the panel has no frame pending and the last frame drew what was due (charts left
 * over a frame's drawing budget are drawn in the frames after it).
 */
export async function settle(page: Page): Promise<void> {
  // No named functions inside: tsx's keepNames would wrap them in a helper the page lacks.
  await page.evaluate(async () => {
    const panel = (window as unknown as { __modelLens?: { pendingFrame?: () => boolean } }).__modelLens;
    let frames = 0;
    do await new Promise((resolve) => requestAnimationFrame(resolve));
    while ((++frames < 2 || panel?.pendingFrame?.()) && frames < 200);
  });
}

export interface PixelCount {
  /** Pixels inside the plot rectangle with any paint (alpha > 0). */
  painted: number;
  /** Pixels inside the plot rectangle close to `color` (when given). */
  matching: number;
  /** Plot rectangle area in device pixels. */
  area: number;
  canvasWidth: number;
  cssWidth: number;
}

/**
 * Reads back a canvas's pixels inside a plot rectangle the panel published on it (`data-plot`,
 * `data-plot-ridge`, `data-plot-overlay`; CSS px), counting painted pixels and those near `color`.
 */
export async function canvasPixels(page: Page, selector: string, color?: [number, number, number], tolerance = 60, rect = 'plot'): Promise<PixelCount> {
  return page.evaluate(
    ([sel, rgb, tol, key]) => {
      const c = document.querySelector(sel) as HTMLCanvasElement | null;
      if (!c) throw new Error(`no canvas ${sel}`);
      const dpr = c.width / Math.max(1, c.getBoundingClientRect().width);
      const plot = c.dataset[key];
      if (!plot) throw new Error(`${sel} has no data-${key}: not drawn yet`);
      const [x, y, w, h] = plot.split(',').map(Number);
      const X = Math.floor(x * dpr);
      const Y = Math.floor(y * dpr);
      const W = Math.max(1, Math.floor(w * dpr));
      const H = Math.max(1, Math.floor(h * dpr));
      const data = c.getContext('2d')!.getImageData(X, Y, W, H).data;
      let painted = 0;
      let matching = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] === 0) continue;
        painted++;
        if (rgb && data[i + 3] > 128 && Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) <= tol) matching++;
      }
      return { painted, matching, area: W * H, canvasWidth: c.width, cssWidth: c.getBoundingClientRect().width };
    },
    [selector, color ?? null, tolerance, rect] as const,
  );
}
