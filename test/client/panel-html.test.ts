// The panel host feeds host-html.ts what VS Code gives it: code-server's webview.cspSource holds
// several source expressions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeNonce, panelCsp, panelHtml } from '../../webview/src/host-html';

describe('panel HTML with real cspSource values', () => {
  const base = { nonce: makeNonce(), scriptUri: 'https://x.vscode-cdn.net/main.js', styleUri: 'https://x.vscode-cdn.net/main.css' };
  it("accepts VS Code's multi-expression cspSource", () => {
    const html = panelHtml({ ...base, cspSource: "'self' https://*.vscode-cdn.net" });
    assert.match(html, /script-src &#39;nonce-[A-Za-z0-9]+&#39;/);
    assert.match(panelCsp("'self' https://*.vscode-cdn.net", 'n'), /style-src 'self' https:\/\/\*\.vscode-cdn\.net;/);
  });
  it('still refuses directive injection', () => {
    assert.throws(() => panelHtml({ ...base, cspSource: "'self'; script-src *" }), /cspSource/);
    assert.throws(() => panelHtml({ ...base, cspSource: 'https://a.net, https://b.net' }), /cspSource/);
    assert.throws(() => panelHtml({ ...base, cspSource: '   ' }), /cspSource/);
  });
});
