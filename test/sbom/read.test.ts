import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseSbom, readSbom } from '../../src/sbom/read.js';
import { CavasError } from '../../src/util/errors.js';
import { fixturePath, fixtureText } from './fixtures.js';

function rejects(code: string, message: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof CavasError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  };
}

function temp(name: string, content: string | Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cavas-sbom-')), name);
  writeFileSync(file, content);
  return file;
}

describe('readSbom', () => {
  it('tells CycloneDX from SPDX by content, whatever the file is called', async () => {
    const cdx = await readSbom(temp('bom.txt', fixtureText('trivy-alpine.cdx.json')));
    assert.equal(cdx.inventory.packages.length, 5);
    const spdx = await readSbom(temp('bom.json', fixtureText('trivy-alpine.spdx.json')));
    assert.equal(spdx.inventory.packages.length, 3);
  });

  it('names the result sbom:FILE unless told otherwise', async () => {
    const file = fixturePath('trivy-alpine.cdx.json');
    assert.equal((await readSbom(file)).image.ref, `sbom:${file}`);
    assert.equal((await readSbom(file, { ref: 'sbom:x.json' })).image.ref, 'sbom:x.json');
  });

  it('skips a UTF-8 byte order mark', () => {
    const r = parseSbom(`\ufeff${fixtureText('trivy-alpine.cdx.json')}`, 'sbom:x');
    assert.equal(r.inventory.os?.id, 'alpine');
  });

  it('malformed JSON is a one-line BAD_INPUT error naming the file', () => {
    assert.throws(() => parseSbom('{"bomFormat": "CycloneDX",\n "components": [', 'sbom:x', 'broken.json'), rejects('BAD_INPUT', /^broken\.json: not valid JSON: /));
  });

  it('an unknown document type is refused', () => {
    assert.throws(() => parseSbom('{"@context": "https://openvex.dev/ns/v0.2.0", "statements": []}', 'sbom:x', 'vex.json'), rejects('BAD_INPUT', /not a CycloneDX or SPDX JSON document/));
    assert.throws(() => parseSbom('[1, 2]', 'sbom:x', 'list.json'), rejects('BAD_INPUT', /the JSON is not an object/));
    assert.throws(() => parseSbom('"CycloneDX"', 'sbom:x', 'str.json'), rejects('BAD_INPUT', /the JSON is not an object/));
  });

  it('SPDX 3, SPDX tag-value and XML say what cavas reads instead', () => {
    assert.throws(() => parseSbom('{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}', 'sbom:x', 'a.json'), rejects('BAD_INPUT', /SPDX 3 is not supported; cavas reads SPDX 2\.3 JSON/));
    assert.throws(() => parseSbom('SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n', 'sbom:x', 'a.spdx'), rejects('BAD_INPUT', /SPDX tag-value; cavas reads SPDX 2\.3 as JSON only/));
    assert.throws(() => parseSbom('<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>', 'sbom:x', 'a.xml'), rejects('BAD_INPUT', /an XML document/));
  });

  it('refuses a file over the size limit before reading it', async () => {
    const file = temp('big.json', Buffer.alloc(2048, 0x20));
    await assert.rejects(readSbom(file, { maxBytes: 1024 }), rejects('LIMIT_EXCEEDED', /the SBOM is 2048 bytes, more than the 1024 cavas reads/));
  });

  it('a missing file is NOT_FOUND, a directory BAD_INPUT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cavas-sbom-'));
    await assert.rejects(readSbom(join(dir, 'nope.json')), rejects('NOT_FOUND', /nope\.json: no such SBOM file/));
    await assert.rejects(readSbom(dir), rejects('BAD_INPUT', /not a file/));
  });
});
