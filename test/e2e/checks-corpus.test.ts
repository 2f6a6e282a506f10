/**
 * Issue acceptance on the corpus: every finding planted in debian-app (corpus.json) is
 * reported with its layer; the clean images give only justified findings; no planted secret
 * value survives in any output format or on stderr.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reporters } from '../../src/report/index.js';
import type { RuleFinding, ScanResult } from '../../src/types.js';
import { filesFromImage } from '../extract/fixtures/corpus-image.js';
import { CORPUS, IMAGES, cavas, corpusCache, scanJson, tempDir } from './cli.js';

const APP = join(IMAGES, 'debian-app.docker.tar.gz');
const BASE = join(IMAGES, 'debian-base.docker.tar.gz');
const ALPINE = join(IMAGES, 'alpine-3.16.9.docker.tar.gz');

interface Planted {
  image: string;
  kind: string;
  layer_index: number;
  path: string;
  in_final_filesystem: boolean;
}
const planted = (JSON.parse(readFileSync(join(CORPUS, 'images', 'corpus.json'), 'utf8')) as { images: Record<string, { planted?: Planted[] }> }).images['debian-app']!.planted!;

/** corpus.json kind -> the rule that must report it. */
const RULE_OF_KIND: Record<string, string[]> = {
  'secret:aws-access-key': ['secret/aws-access-key', 'secret/aws-secret-key'],
  'secret:private-key': ['secret/private-key'],
  'secret:github-pat': ['secret/github-pat'],
  'malware:eicar': ['malware/eicar'],
  'misconfig:default-credentials': ['config/default-credentials-tomcat'],
  'misconfig:setuid': ['config/setuid-file'],
};

let cache: { dir: string; cleanup: () => void };
let app: ScanResult;
before(() => {
  cache = corpusCache();
  app = scanJson(cache.dir, APP, ['--scanners', 'vuln,config,secret,malware']);
});
after(() => cache.cleanup());

const SBOM_ONLY = new Set(['cyclonedx', 'spdx']);

const ruleFindings = (r: ScanResult): RuleFinding[] => r.findings.filter((f): f is RuleFinding => f.kind !== 'vulnerability');
const brief = (f: RuleFinding): string =>
  `${f.ruleId} ${f.severity} ${f.path ?? f.field}${f.layer !== undefined ? ` L${f.layer}` : ''}${f.removedInLayer !== undefined ? ` removed L${f.removedInLayer}` : ''}`;

describe('debian-app: every planted finding, with its layer', () => {
  for (const p of planted.filter((x) => x.kind !== 'whiteout')) {
    it(`${p.kind} at ${p.path} (layer ${p.layer_index})`, () => {
      const path = p.path.replace(/^\//, '');
      for (const rule of RULE_OF_KIND[p.kind]!) {
        const hits = ruleFindings(app).filter((f) => f.ruleId === rule && f.path === path);
        assert.ok(hits.length > 0, `${rule} on ${path}`);
        for (const f of hits) {
          assert.equal(f.layer, p.layer_index);
          // the RSA key is deleted by layer 9 but still in layer 7's blob
          assert.equal(f.removedInLayer !== undefined, !p.in_final_filesystem);
          assert.ok(f.remediation.length > 10 && f.references.length > 0);
        }
      }
    });
  }

  it('the exact set of config, secret and malware findings (each one justified)', () => {
    assert.deepEqual(ruleFindings(app).map(brief), [
      // Tomcat's tomcat/tomcat and admin/admin users (planted); CRITICAL: their roles can deploy code
      'config/default-credentials-tomcat CRITICAL opt/tomcat/conf/tomcat-users.xml L7',
      'config/default-credentials-tomcat CRITICAL opt/tomcat/conf/tomcat-users.xml L7',
      // Env DB_PASSWORD=supersecret (planted)
      'config/secret-in-env HIGH config.Env[2]',
      // setuid-root copy of dash, no package installed it (planted)
      'config/setuid-file HIGH usr/local/bin/rootsh L8',
      // User unset (planted)
      'config/root-user MEDIUM config.User',
      // EXPOSE 22 (planted)
      'config/sensitive-port MEDIUM config.ExposedPorts',
      // no Healthcheck (planted)
      'config/no-healthcheck LOW config.Healthcheck',
      // the RSA key written in layer 7 and whited out in layer 9 (planted)
      'secret/private-key CRITICAL root/.ssh/id_rsa L7 removed L9',
      // ghp_ token with a valid checksum (planted)
      'secret/github-pat HIGH app/config/ci.env L7',
      // a real Coveralls repo token the npm package `debug` ships in .coveralls.yml: a true finding
      'secret/generic-assignment MEDIUM app/node_modules/debug/.coveralls.yml L6',
      // AWS's documented example pair (planted): reported, but LOW
      'secret/aws-access-key LOW root/.aws/credentials L7',
      'secret/aws-secret-key LOW root/.aws/credentials L7',
      // 68-byte EICAR file (planted)
      'malware/eicar HIGH app/uploads/eicar.com L7',
    ]);
    assert.deepEqual(app.scanners, ['vuln', 'config', 'secret', 'malware']);
    assert.equal(app.summary.byKind?.config, 7);
    assert.ok(app.summary.byKind!.vulnerability > 100, 'vulnerabilities are still reported');
  });

  it('says how to find a deleted secret', () => {
    const key = ruleFindings(app).find((f) => f.ruleId === 'secret/private-key')!;
    assert.match(key.message, /removed in layer 9, still in the image/);
  });
});

describe('clean images: only true, low-stakes findings', () => {
  for (const [name, image] of [
    ['debian-base', BASE],
    ['alpine-3.16.9', ALPINE],
  ] as const) {
    it(`${name}: nothing but its root user and missing healthcheck`, () => {
      const r = scanJson(cache.dir, image);
      // Both are true of the image, not false positives: base images set no USER and no
      // HEALTHCHECK (the image that builds on them should). No secret, malware, setuid or
      // world-writable finding: every setuid file there belongs to a package (dpkg lists, apk db).
      assert.deepEqual(ruleFindings(r).map(brief), ['config/root-user MEDIUM config.User', 'config/no-healthcheck LOW config.Healthcheck']);
    });
  }
});

describe('secrets are redacted in every output', () => {
  let values: string[];
  before(() => {
    const files = filesFromImage(APP, (p) => p === 'app/config/ci.env' || p === 'root/.ssh/id_rsa' || p === 'root/.aws/credentials');
    const token = /ghp_[A-Za-z0-9]{36}/.exec(files.get('app/config/ci.env')!.toString())![0];
    const keyLines = files.get('root/.ssh/id_rsa')!.toString().split('\n').filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l));
    values = ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', token, 'supersecret', ...keyLines.slice(0, 3)];
    assert.equal(values.length, 7);
  });

  for (const format of Object.keys(reporters)) {
    it(`--format ${format} (stdout and stderr)`, () => {
      const out = join(tempDir('redact'), 'report');
      const r = cavas(['--cache-dir', cache.dir, 'scan', APP, '-f', format, '-o', out, '--exit-code', '0']);
      assert.equal(r.status, 0, r.stderr);
      const text = readFileSync(out, 'utf8') + r.stdout + r.stderr;
      assert.ok(text.length > 1000);
      for (const v of values) assert.ok(!text.includes(v), `${format} output leaks ${v.slice(0, 4)}…`);
      // the SBOM formats list packages, not findings
      if (!SBOM_ONLY.has(format)) assert.ok(text.includes('ghp_****'), 'the redacted form is shown');
    });
  }
});
