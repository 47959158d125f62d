// Stands in for VS Code around the built panel: defines acquireVsCodeApi() (posted messages are
// recorded in window.__posted; getState/setState use sessionStorage, so a reload restores state
// like VS Code does), applies a theme class, and records CSP violations and errors.
(() => {
  const KEY = 'modelLens.webviewState';
  window.__posted = [];
  window.__cspViolations = [];
  window.__errors = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
  document.body.classList.add(sessionStorage.getItem('modelLens.theme') || 'vscode-dark');
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage: (message) => window.__posted.push(JSON.parse(JSON.stringify(message))),
      getState: () => {
        const s = sessionStorage.getItem(KEY);
        return s ? JSON.parse(s) : undefined;
      },
      setState: (state) => {
        sessionStorage.setItem(KEY, JSON.stringify(state));
        return state;
      },
    });
  };
})();
