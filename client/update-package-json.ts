// Writes client/src/contributions.ts into package.json (read-modify-write of those fields only):
//   node --import tsx client/update-package-json.ts
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyContributions } from './src/contributions';

const file = path.join(__dirname, '..', 'package.json');
const before = fs.readFileSync(file, 'utf8');
const after = `${JSON.stringify(applyContributions(JSON.parse(before) as Record<string, unknown>), null, 2)}\n`;
if (after !== before) fs.writeFileSync(file, after);
console.log(after === before ? 'package.json already up to date' : 'package.json updated');
