// The panel HTML the host serves: strict CSP with a nonce, nothing remote, everything escaped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeNonce, panelCsp, panelHtml } from '../../webview/src/host-html';

const SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const NONCE = 'abcdefghijklmnopqrstuvwxyz012345';
const opts = { cspSource: SOURCE, nonce: NONCE, scriptUri: `${SOURCE}/ext/dist/webview/main.js`, styleUri: `${SOURCE}/ext/dist/webview/main.css` };

describe('panel HTML', () => {
  it('has the strict CSP', () => {
    assert.equal(
      panelCsp(SOURCE, NONCE),
      `default-src 'none'; img-src ${SOURCE} data:; style-src ${SOURCE}; font-src ${SOURCE}; script-src 'nonce-${NONCE}'; base-uri 'none'; form-action 'none'`,
    );
    const html = panelHtml(opts);
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    assert.ok(meta, 'CSP meta tag');
    assert.equal(meta[1].replace(/&#39;/g, "'"), panelCsp(SOURCE, NONCE));
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<link'), 'CSP comes before any resource');
    assert.doesNotMatch(meta[1], /unsafe-inline|unsafe-eval|\*/);
  });

  it('loads exactly one script, with the nonce, and one stylesheet, from the given URIs', () => {
    const html = panelHtml(opts);
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
    assert.deepEqual(scripts, [` nonce="${NONCE}" src="${opts.scriptUri}"`]);
    assert.deepEqual([...html.matchAll(/<link\b[^>]*href="([^"]*)"/g)].map((m) => m[1]), [opts.styleUri]);
    assert.doesNotMatch(html, /<style|style=/, 'no inline styles');
    const urls = [...html.matchAll(/https?:\/\/[^"'\s;]+/g)].map((m) => m[0]);
    for (const u of urls) assert.ok(u.startsWith(SOURCE), `only webview resources: ${u}`);
  });

  it('escapes attribute values and the title', () => {
    const html = panelHtml({ ...opts, scriptUri: `${SOURCE}/a"b<c>.js`, title: '<x> & "y"' });
    assert.match(html, /src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/a&quot;b&lt;c&gt;\.js"/);
    assert.match(html, /<title>&lt;x&gt; &amp; &quot;y&quot;<\/title>/);
  });

  it('rejects weak nonces and malformed CSP sources', () => {
    assert.throws(() => panelHtml({ ...opts, nonce: 'short' }), /nonce/);
    assert.throws(() => panelHtml({ ...opts, nonce: `${NONCE}"` }), /nonce/);
    assert.throws(() => panelHtml({ ...opts, cspSource: `${SOURCE}; script-src *` }), /cspSource/);
    assert.throws(() => panelHtml({ ...opts, cspSource: '' }), /cspSource/);
  });

  it('makes fresh 32-character nonces', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.match(a, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(a, b);
    assert.doesNotThrow(() => panelHtml({ ...opts, nonce: a }));
  });
});
