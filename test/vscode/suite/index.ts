// Mocha entry point that VS Code's extension host loads (`--extensionTestsPath`): runs every
// compiled `*.test.js` next to this file. Works the same in desktop VS Code (@vscode/test-electron)
// and in code-server through scripts/vscode/launcher.mjs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: Number(process.env['MODEL_LENS_MOCHA_TIMEOUT'] ?? 60_000),
    reporter: 'spec',
  });
  const grep = process.env['MODEL_LENS_MOCHA_GREP'];
  if (grep) mocha.grep(grep);
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
