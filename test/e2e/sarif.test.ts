/**
 * SARIF over real scans: every corpus image, in every form the corpus stores it, scanned by the
 * built CLI with every scanner, rendered by the SARIF reporter, is valid SARIF 2.1.0; the
 * debian-app log places its planted findings and leaks none of its secrets.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sarifReporter } from '../../src/report/sarif.js';
import type { ScanResult } from '../../src/types.js';
import { filesFromImage } from '../extract/fixtures/corpus-image.js';
import { sarifErrors } from '../report/fixtures/sarif-schema.js';
import { IMAGES, corpusCache, scanJson } from './cli.js';

const ALL = ['--scanners', 'vuln,config,secret,malware'];
const TARGETS: Record<string, string> = {
  'debian-app': 'debian-app.docker.tar.gz',
  'debian-base': 'debian-base.docker.tar.gz',
  'debian-distroless docker': 'debian-distroless.docker.tar.gz',
  'debian-distroless oci': 'debian-distroless.oci.tar',
  'alpine docker': 'alpine-3.16.9.docker.tar.gz',
  'alpine oci': 'alpine-3.16.9.oci.tar',
  'alpine multiarch': 'alpine-3.16.9-multiarch.oci.tar',
};

interface Result {
  ruleId: string;
  ruleIndex: number;
  message: { text: string };
  locations: Array<{ physicalLocation?: { artifactLocation: { uri: string } } }>;
  properties: Record<string, unknown>;
}
interface Log {
  runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Result[] }>;
}

let cache: { dir: string; cleanup: () => void };
const scans = new Map<string, ScanResult>();
before(() => {
  cache = corpusCache();
});
after(() => cache.cleanup());

function scan(name: string): ScanResult {
  let r = scans.get(name);
  if (!r) {
    r = scanJson(cache.dir, join(IMAGES, TARGETS[name]!), ALL);
    scans.set(name, r);
  }
  return r;
}

describe('sarif over every corpus image', () => {
  for (const name of Object.keys(TARGETS)) {
    it(`${name}: valid SARIF 2.1.0 with one result per finding`, () => {
      const r = scan(name);
      const log = JSON.parse(sarifReporter.render(r, { color: false })) as Log;
      assert.deepEqual(sarifErrors(log), []);
      const run = log.runs[0]!;
      assert.equal(run.results.length, r.findings.length);
      assert.ok(run.results.length > 0);
      for (const x of run.results) assert.equal(run.tool.driver.rules[x.ruleIndex]?.id, x.ruleId);
      // GitHub code scanning shows only results with a physical location, relative to the repository
      for (const x of run.results) {
        const uri = (x.locations[0] as { physicalLocation?: { artifactLocation: { uri: string } } }).physicalLocation?.artifactLocation.uri;
        assert.ok(uri && !uri.startsWith('/') && !uri.split('/').includes('..'), `${x.ruleId}: physical location ${uri}`);
      }
    });
  }
});

describe('sarif for debian-app', () => {
  let text: string;
  let log: Log;
  before(() => {
    text = sarifReporter.render(scan('debian-app'), { color: false });
    log = JSON.parse(text) as Log;
  });

  it('CVE-2023-45853 on zlib1g, from layer 0, at the dpkg status file', () => {
    const zlib = log.runs[0]!.results.filter((x) => x.ruleId === 'CVE-2023-45853' && x.message.text.startsWith('zlib1g '));
    assert.equal(zlib.length, 1);
    assert.equal(zlib[0]!.properties.layer, 0);
    assert.equal(zlib[0]!.properties.layerDigest, scan('debian-app').image.layers[0]!.digest);
    assert.equal(zlib[0]!.locations[0]!.physicalLocation?.artifactLocation.uri, 'var/lib/dpkg/status');
  });

  it('the private key deleted in layer 9 is reported at root/.ssh/id_rsa', () => {
    const keys = log.runs[0]!.results.filter(
      (x) => x.ruleId === 'secret/private-key' && x.locations[0]!.physicalLocation?.artifactLocation.uri === 'root/.ssh/id_rsa',
    );
    assert.equal(keys.length, 1);
    assert.equal(keys[0]!.properties.removedInLayer, 9);
  });

  it('no planted secret value appears, only redacted forms', () => {
    const files = filesFromImage(join(IMAGES, TARGETS['debian-app']!), (p) => p === 'app/config/ci.env' || p === 'root/.ssh/id_rsa');
    const token = /ghp_[A-Za-z0-9]{36}/.exec(files.get('app/config/ci.env')!.toString())![0];
    const keyLines = files.get('root/.ssh/id_rsa')!.toString().split('\n').filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l));
    const values = ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', token, 'supersecret', ...keyLines.slice(0, 3)];
    assert.equal(values.length, 7);
    for (const v of values) assert.ok(!text.includes(v), `SARIF leaks ${v.slice(0, 4)}…`);
    assert.ok(text.includes('ghp_****'));
  });
});
