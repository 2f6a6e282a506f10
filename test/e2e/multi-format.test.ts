/** One scan, several reports: `-f json=out.json -f sarif=out.sarif -f table`. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ScanResult } from '../../src/types.js';
import { IMAGES, cavas, corpusCache, tempDir } from './cli.js';

const ALPINE = join(IMAGES, 'alpine-3.16.9.docker.tar.gz');
let cache: { dir: string; cleanup: () => void };
before(() => (cache = corpusCache()));
after(() => cache.cleanup());

describe('several formats at once', () => {
  it('writes each format to its file and one to stdout, from a single scan', () => {
    const dir = tempDir('multi');
    const r = cavas(['--cache-dir', cache.dir, 'scan', ALPINE, '-f', `json=${join(dir, 'r.json')}`, '-f', `sarif=${join(dir, 'r.sarif')}`, '-f', `junit=${join(dir, 'r.xml')}`, '-f', 'table']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Image: /);
    const json = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as ScanResult;
    const sarif = JSON.parse(readFileSync(join(dir, 'r.sarif'), 'utf8')) as { version: string; runs: Array<{ results: unknown[] }> };
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs[0]!.results.length, json.findings.length, 'both files describe the same scan');
    assert.match(readFileSync(join(dir, 'r.xml'), 'utf8'), /^<\?xml/);
  });

  it('-o still names the file of a single format; bad combinations are usage errors before any scan', () => {
    const dir = tempDir('multi');
    const ok = cavas(['--cache-dir', cache.dir, 'scan', ALPINE, '-f', 'json', '-o', join(dir, 'one.json')]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, '');
    assert.ok(existsSync(join(dir, 'one.json')));
    for (const [args, message] of [
      [['-f', 'json', '-f', 'sarif'], /only one format can go to stdout \(json, sarif\)/],
      [['-f', 'xml'], /unknown format "xml"/],
      [['-f', 'json='], /file name after "=" is empty/],
      [['-f', `json=${join(dir, 'same')}`, '-f', `sarif=${join(dir, 'same')}`], /same file/],
    ] as const) {
      const r = cavas(['--cache-dir', cache.dir, 'scan', join(dir, 'does-not-exist.tar'), ...args]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });
});
