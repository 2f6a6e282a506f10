// npm run docs:settings: rewrites the generated table of docs/configuration.md (needs `npm run build` first).
import { readFileSync, writeFileSync } from 'node:fs';
import { buildProgram } from '../dist/cli/program.js';
import { updateSettingsDoc } from '../dist/cli/settings.js';

const file = new URL('../docs/configuration.md', import.meta.url);
writeFileSync(file, updateSettingsDoc(readFileSync(file, 'utf8'), buildProgram()));
