import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TtyProgress } from '../../src/cli/progress.js';

it('draws one line per layer and redraws them in place', () => {
  let out = '';
  const stream = { columns: 100, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
  const p = new TtyProgress(stream);
  p.layer(0, 'sha256:' + 'a'.repeat(64), 4 * 1024 * 1024);
  p.layer(1, 'sha256:' + 'b'.repeat(64), 1024);
  p.done(1, 'cached');
  p.bytes(0, 2 * 1024 * 1024);
  p.done(0, 'pulled');
  p.finish();
  const frames = out.split('\u001b[2A');
  assert.ok(frames.length > 2, 'later frames move the cursor up over the previous ones');
  const last = frames.at(-1)!;
  assert.match(last, /layer {2}0 aaaaaaaaaaaa .*done/);
  assert.match(last, /layer {2}1 bbbbbbbbbbbb\s+cached/);
});
