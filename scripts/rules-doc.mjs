// npm run docs:rules: writes docs/rules.md from the rule tables (needs `npm run build` first).
import { writeFileSync } from 'node:fs';
import { renderRulesDoc } from '../dist/check/catalog.js';

writeFileSync(new URL('../docs/rules.md', import.meta.url), renderRulesDoc());
