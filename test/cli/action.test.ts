/** action.yml drives the CLI: every command and flag it uses must exist, or the action breaks silently. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { cavas } from '../e2e/cli.js';

const action = parse(readFileSync(join(process.cwd(), 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>;
  runs: { using: string; steps: Array<{ run?: string; uses?: string }> };
};

describe('action.yml', () => {
  it('is a composite action whose inputs have defaults or are required', () => {
    assert.equal(action.runs.using, 'composite');
    for (const [name, input] of Object.entries(action.inputs)) assert.ok(input.required || input.default !== undefined, name);
  });

  it('uses only commands and flags the CLI has', () => {
    // shell line continuations joined, so each command is one line
    const scripts = action.runs.steps.map((s) => s.run ?? '').join('\n').replace(/\\\n/g, ' ');
    const help = {
      scan: cavas(['scan', '--help']).stdout,
      db: cavas(['db', 'update', '--help']).stdout,
    };
    const scanFlags = [...scripts.matchAll(/main\.js" scan [^\n]*/g)].flatMap((m) => [...m[0].matchAll(/\s(--?[a-z][a-z-]*)/g)].map((f) => f[1]!));
    assert.ok(scanFlags.length >= 6, scanFlags.join(' '));
    for (const flag of scanFlags) assert.ok(help.scan.includes(flag), `scan has no ${flag}`);
    assert.match(scripts, /main\.js" db update/);
    assert.ok(help.db.includes('--mirror'));
  });
});
