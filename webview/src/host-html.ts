/**
 * The panel's HTML, for the extension host (pure; not part of the webview bundle).
 *
 * Host usage:
 *   const root = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
 *   panel = vscode.window.createWebviewPanel(id, title, column, { enableScripts: true, localResourceRoots: [root] });
 *   panel.webview.html = panelHtml({
 *     cspSource: panel.webview.cspSource,
 *     nonce: makeNonce(),                                   // fresh per rendering
 *     scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
 *     styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString(),
 *   });
 *
 * The CSP allows nothing remote: scripts only with the nonce, styles/images/fonts only from the
 * webview's own resource origin, no inline styles or scripts, no connections.
 */

export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh random nonce (base64/alphanumeric) for the script tag. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title?: string;
}

const NONCE = /^[A-Za-z0-9+/=_-]{16,}$/;

export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function panelHtml(o: PanelHtmlOptions): string {
  if (!NONCE.test(o.nonce)) throw new Error('panelHtml: the nonce must be at least 16 base64/alphanumeric characters');
  // VS Code's cspSource may hold several expressions (code-server 1.139: "'self' https://*.vscode-cdn.net").
  const sources = o.cspSource.trim().split(/\s+/);
  if (o.cspSource.trim() === '' || !sources.every((x) => /^'[a-z0-9-]+'$/i.test(x) || !/[;,'"]/.test(x))) {
    throw new Error('panelHtml: cspSource must be CSP source expressions separated by spaces');
  }
  const title = escapeHtml(o.title ?? 'Model Lens: Train & Inspect');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(panelCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${title}</title>
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">
</head>
<body>
<noscript>This panel needs scripts enabled.</noscript>
<script nonce="${escapeHtml(o.nonce)}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
}

/** A nonce for `panelHtml` (32 characters from a CSPRNG). */
export function makeNonce(random: (bytes: Uint8Array) => Uint8Array = (b) => globalThis.crypto.getRandomValues(b)): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = random(new Uint8Array(32));
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
