#!/usr/bin/env node
// The CLI bundle is built by `npm install` (postinstall) or `npm run build`.
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('model-lens: dist/cli.js is missing; run `npm run build` in ' + path.dirname(__dirname) + '\n');
  process.exit(1);
}
require(bundle).main(process.argv.slice(2)).then((code) => process.exit(code));
